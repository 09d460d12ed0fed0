from django.apps import AppConfig


class DemoSiteConfig(AppConfig):
    name = "vrijuit.demo_site"
    verbose_name = "Vrijuit demo site"
