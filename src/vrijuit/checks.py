"""System checks for unsafe production values (``manage.py check``; IDs ``vrijuit.E00n``).

The settings module already refuses the public development key when DEBUG is off; these checks
catch the rest. Each hint points at docs/configuration.md.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from vrijuit.surveys.sealing import ReportingKeyError, reporting_key

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
    problems.extend(_inbox_key_dir_problems(settings.INBOX_KEY_DIR))
    problems.extend(_reporting_key_problems())
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


def _inbox_key_dir_problems(directory: Path | None) -> list[Error | Warning]:
    """The inbox's key directory: named, absolute, and usable by this process only.

    A directory that does not exist yet is fine when it can be made (the first submit makes
    it, mode 0700); the check itself creates nothing.
    """
    if directory is None or not directory.is_absolute():
        return [
            Error(
                "VRIJUIT_INBOX_KEY_DIR must be an absolute path to a directory on local disk, "
                "outside every backup: it holds the keys of answers waiting in the inbox.",
                hint=HINT,
                id="vrijuit.E004",
            )
        ]
    problem = ""
    if directory.exists():
        mode = directory.stat().st_mode
        if not stat.S_ISDIR(mode):
            problem = "is not a directory"
        elif stat.S_IMODE(mode) & 0o077:
            problem = f"can be read or entered by others (mode {stat.S_IMODE(mode):04o}, use 0700)"
        elif not os.access(directory, os.W_OK | os.X_OK):
            problem = "is not writable by this process"
    else:
        parent = next(p for p in directory.parents if p.exists())
        if not os.access(parent, os.W_OK | os.X_OK):
            problem = f"does not exist and cannot be created in {parent}"
    if not problem:
        return []
    return [Error(f"VRIJUIT_INBOX_KEY_DIR ({directory}) {problem}.", hint=HINT, id="vrijuit.E005")]


def _reporting_key_problems() -> list[Error | Warning]:
    """The reporting key: set, the base64 of 32 bytes, not the public development key; and no
    old key left behind after a rotation."""
    problem: Exception | str | None = None
    if getattr(settings, "DEVELOPMENT_REPORTING_KEY", None) == settings.REPORTING_KEY:
        problem = "VRIJUIT_REPORTING_KEY is the public development key."
    try:
        reporting_key()
    except ReportingKeyError as error:
        problem = error
    if problem is not None:
        return [
            Error(
                f"{problem} It seals the background attributes of the survey responses; "
                "generate one with: python manage.py reporting_key generate",
                hint=HINT,
                id="vrijuit.E006",
            )
        ]
    if getattr(settings, "REPORTING_KEY_OLD", ""):
        # Needed only while a rotation runs; afterwards it is one more copy of a retired key.
        return [
            Warning(
                "VRIJUIT_REPORTING_KEY_OLD is set: finish the rotation "
                "(python manage.py reporting_key rotate, then check) and remove it.",
                hint=HINT,
                id="vrijuit.W004",
            )
        ]
    return []
