"""The invitation link: a new colleague chooses their password, and is logged in.

Django's password-reset confirmation does the token work (the token moves from the URL into
the session at once, so it does not linger in the address bar or a Referer header); this view
adds the invitation's own token, the person's language, the invitation's bookkeeping and the
welcome.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vrijuit.accounts.forms import ChoosePasswordForm
from vrijuit.accounts.invitations import VALID_DAYS, display_name, invitation_tokens
from vrijuit.accounts.models import Invitation, User


class WelcomeView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/welcome.html"
    token_generator = invitation_tokens
    form_class = ChoosePasswordForm
    success_url = reverse_lazy("web:home")
    post_reset_login = True
    # Several backends are configured (axes first): log in with the one that checks passwords.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        # An account HR closed meanwhile cannot be opened with an old invitation.
        if user is None or not user.is_active:
            return None
        self._use_language_of(user)
        return user

    def _use_language_of(self, user: User) -> None:
        """Show the page in the person's language, unless they chose one in this browser."""
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES and user.language:
            translation.activate(user.language)
            self.request.LANGUAGE_CODE = user.language

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["valid_days"] = VALID_DAYS
        if self.user is not None:
            context["name"] = display_name(self.user)
            context["email"] = self.user.email
        return context

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        Invitation.objects.filter(user=user, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        messages.success(
            self.request,
            _(
                "Welcome to Vrijuit, %(name)s. Your password is set and you are logged in. "
                "From now on you log in with %(email)s and this password."
            )
            % {"name": display_name(user), "email": user.email},
        )
        return response
