from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RespondConfig(AppConfig):
    name = "vrijuit.respond"
    label = "respond"
    verbose_name = _("Responding")
