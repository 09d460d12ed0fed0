"""Production settings: `check --deploy` is clean, unsafe values fail loudly, secrets from files."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "VRIJUIT_DEBUG": "0",
    "VRIJUIT_SECRET_KEY": "k3y-" + "x9Qw7Zr2Lp5Vb8Nm4Tc6Hs1Jd3Fg0Ka" * 2,
    "VRIJUIT_ALLOWED_HOSTS": "vrijuit.example.nl",
    "VRIJUIT_SITE_URL": "https://vrijuit.example.nl",
    "DATABASE_URL": "postgres://vrijuit@db.example.nl:5432/vrijuit",
    "EMAIL_HOST": "smtp.example.nl",
    "DEFAULT_FROM_EMAIL": "Vrijuit <vrijuit@example.nl>",
    # Never made by `check`; its parent (the temporary directory) is writable.
    "VRIJUIT_INBOX_KEY_DIR": str(Path(tempfile.gettempdir()) / "vrijuit-check-inbox-keys"),
    # base64 of 32 bytes; any value but the development key will do for the checks.
    "VRIJUIT_REPORTING_KEY": "c2VhbC10ZXN0LXJlcG9ydGluZy1rZXktMzItYnl0ZXM=",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VRIJUIT_", "EMAIL_"))}
    clean.pop("DATABASE_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "vrijuit.settings"
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_secret_key_refuses_to_run_without_debug() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "VRIJUIT_SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "VRIJUIT_SECRET_KEY is not set" in result.stderr


def test_unsafe_production_values_are_system_check_errors() -> None:
    env = {**PRODUCTION, "VRIJUIT_SECRET_KEY": "short", "VRIJUIT_ALLOWED_HOSTS": "*"}
    env.pop("EMAIL_HOST")
    env.pop("VRIJUIT_INBOX_KEY_DIR")
    env.pop("VRIJUIT_REPORTING_KEY")
    result = manage("check", **env)
    assert result.returncode != 0
    for check_id in (
        "vrijuit.E001",
        "vrijuit.E002",
        "vrijuit.E003",
        "vrijuit.E004",
        "vrijuit.E006",
    ):
        assert check_id in result.stderr


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["VRIJUIT_SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "VRIJUIT_SECRET_KEY"}
    result = manage("check", "--deploy", VRIJUIT_SECRET_KEY_FILE=str(secret), **env)
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from vrijuit.settings import env_bool, env_int

    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", True)
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUMBER", 1)


def test_log_formats_never_contain_the_client_address() -> None:
    from django.conf import settings

    formats = [f["format"] for f in settings.LOGGING["formatters"].values()]
    assert not any("addr" in f or "ip" in f.lower() for f in formats)


def test_silent_paths_are_not_logged(settings) -> None:  # type: ignore[no-untyped-def]
    import logging

    from vrijuit.web.logging import SkipPrivatePaths

    settings.LOG_SILENT_PATH_PREFIXES = ["/respond/"]
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        "",
        0,
        '"%s" %s %s',
        ("GET /respond/x HTTP/1.1", 200, 5),
        None,
    )
    assert not SkipPrivatePaths().filter(record)
    record.args = ("GET /accounts/login/ HTTP/1.1", 200, 5)
    assert SkipPrivatePaths().filter(record)


def test_an_old_reporting_key_left_after_a_rotation_is_a_warning() -> None:
    env = {
        **PRODUCTION,
        "VRIJUIT_REPORTING_KEY_OLD": "b2xkLXRlc3QtcmVwb3J0aW5nLWtleS0zMi1ieXRlcyE=",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "vrijuit.W004" in result.stderr and "reporting_key rotate" in result.stderr
    # Only a warning: the site still runs while the rotation is under way.
    assert manage("check", **env).returncode == 0
