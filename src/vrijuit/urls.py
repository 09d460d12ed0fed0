"""The project's URLs. Every pattern here needs a row in the permission matrix
(tests/web/test_permission_matrix.py; see docs/permissions.md)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("vrijuit.web.urls")),
    path("accounts/", include("vrijuit.accounts.urls")),
    path("organisation/", include("vrijuit.org.urls")),
    path("surveys/", include("vrijuit.surveys.urls")),
    path("respond/", include("vrijuit.respond.urls")),
    path("results/", include("vrijuit.results.urls")),
    path("django-admin/", admin.site.urls),
]
