from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "vrijuit.web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from vrijuit import checks  # noqa: F401  (registers the vrijuit.* system checks)
