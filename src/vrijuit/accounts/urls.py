"""Log in, log out, change and reset a password (Django's views with our templates); the
invitation link; the administrator's roles page."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from vrijuit.accounts import role_views
from vrijuit.accounts.forms import LocalisedPasswordResetForm, LoginForm
from vrijuit.accounts.welcome_views import WelcomeView

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=LocalisedPasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("welcome/<uidb64>/<token>/", WelcomeView.as_view(), name="welcome"),
    path("roles/", role_views.roles, name="roles"),
    path("roles/grant/", role_views.grant, name="grant_role"),
    path("roles/<int:user_id>/<str:role>/revoke/", role_views.revoke, name="revoke_role"),
    path("invitations/<int:user_id>/send/", role_views.send_invitation, name="send_invitation"),
]
