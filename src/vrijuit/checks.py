"""System checks for unsafe production values (``manage.py check``; IDs ``vrijuit.E00n``).

The settings module already refuses the public development key when DEBUG is off; these checks
catch the rest. Each hint points at docs/configuration.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

HINT = "See docs/configuration.md, 'Running in production'."
MIN_SECRET_LENGTH = 50


@register()
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    if settings.DEBUG:
        return []
    problems: list[Error | Warning] = []
    secret = settings.SECRET_KEY
    if (
        secret == getattr(settings, "DEVELOPMENT_SECRET_KEY", None)
        or len(secret) < MIN_SECRET_LENGTH
    ):
        problems.append(
            Error(
                f"VRIJUIT_SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} "
                "characters in production.",
                hint=HINT,
                id="vrijuit.E001",
            )
        )
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "VRIJUIT_ALLOWED_HOSTS must list this site's host names (and not '*').",
                hint=HINT,
                id="vrijuit.E002",
            )
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append(
            Error(
                "E-mail goes to the console: set EMAIL_HOST so password resets and invitations "
                "are delivered.",
                hint=HINT,
                id="vrijuit.E003",
            )
        )
    elif not settings.EMAIL_HOST:
        problems.append(
            Error("EMAIL_HOST must be set in production.", hint=HINT, id="vrijuit.E003")
        )
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost>") or settings.DEFAULT_FROM_EMAIL.endswith(
        "@localhost"
    ):
        problems.append(
            Warning(
                "DEFAULT_FROM_EMAIL is still the development sender; mail may be rejected.",
                hint=HINT,
                id="vrijuit.W001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning(
                "SQLite in production: fine for a trial, but use PostgreSQL (DATABASE_URL) for "
                "more than one worker process and for backups.",
                hint=HINT,
                id="vrijuit.W002",
            )
        )
    if settings.SITE_URL.startswith("http://"):
        problems.append(
            Warning(
                "VRIJUIT_SITE_URL is not https: links in e-mails would not be encrypted.",
                hint=HINT,
                id="vrijuit.W003",
            )
        )
    return problems
