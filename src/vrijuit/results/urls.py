from django.urls import path, re_path

from vrijuit.results import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:wave_id>/", views.organisation, name="organisation"),
    re_path(
        r"^(?P<wave_id>\d+)/results\.(?P<fmt>csv|pdf)$",
        views.organisation,
        name="organisation_download",
    ),
    path("<int:wave_id>/units/<int:unit_id>/", views.unit, name="unit"),
    re_path(
        r"^(?P<wave_id>\d+)/units/(?P<unit_id>\d+)/results\.(?P<fmt>csv|pdf)$",
        views.unit,
        name="unit_download",
    ),
    path("<int:wave_id>/analysis/", views.analysis, name="analysis"),
    path("<int:wave_id>/analysis/units/", views.unit_gaps, name="unit_gaps"),
    re_path(
        r"^(?P<wave_id>\d+)/analysis/units/results\.(?P<fmt>csv|pdf)$",
        views.unit_gaps,
        name="unit_gaps_download",
    ),
    re_path(
        r"^(?P<wave_id>\d+)/analysis/results\.(?P<fmt>csv|pdf)$",
        views.analysis,
        name="analysis_download",
    ),
]
