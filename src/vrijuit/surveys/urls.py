from django.urls import path

from vrijuit.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.wave_list, name="wave_list"),
    path("new/", views.wave_create, name="wave_create"),
    path("<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("<int:wave_id>/edit/", views.wave_edit, name="wave_edit"),
    path("<int:wave_id>/launch/", views.wave_launch, name="wave_launch"),
    path("<int:wave_id>/close/", views.wave_close, name="wave_close"),
    path("<int:wave_id>/remind/", views.wave_remind, name="wave_remind"),
]
