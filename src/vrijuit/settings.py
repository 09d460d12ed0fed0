"""Django settings for the Vrijuit web platform: one file, everything read from the environment.

Development works with no configuration at all (SQLite, console e-mail, DEBUG on). Production
sets ``VRIJUIT_DEBUG=0`` and must then give a real secret key and allowed hosts; unsafe values
fail loudly, here at import time or in the system checks of ``vrijuit.checks``. Every variable is
listed in ``docs/configuration.md``. Secrets can come from a file (``NAME_FILE``), for Docker
and systemd credentials.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # generic Django classes (ModelAdmin[Unit]) at run time

BASE_DIR = Path(__file__).resolve().parent  # src/vrijuit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; anything that is not clearly yes or no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks are dropped."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (not both)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        if name in os.environ:
            raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from None
    return os.environ.get(name, default)


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("VRIJUIT_DEBUG", True)

# The development key is public (it is in this file): it must never sign a production session.
DEVELOPMENT_SECRET_KEY = "vrijuit-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("VRIJUIT_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "VRIJUIT_DEBUG is off but VRIJUIT_SECRET_KEY is not set: refusing to run with the "
        "public development key. See docs/configuration.md."
    )

# Confidential survey waves: the key of the pseudonym HMAC (docs/surveys.md). Separate from
# SECRET_KEY so that rotating the session key never re-keys longitudinal pseudonyms. Without it,
# confidential waves cannot be launched when DEBUG is off.
PSEUDONYM_SECRET = env_secret("VRIJUIT_PSEUDONYM_SECRET", "")

# The reporting key: seals the background attributes of the reporting store (Responses, and
# invitations while their wave is open), so a copy of the database alone cannot combine unit and
# attributes into a person (docs/anonymity.md). The base64 of 32 random bytes; like the inbox's
# keys it must NOT be in the database or its backups, and it is not derived from SECRET_KEY,
# which may be rotated for other reasons. Production must set it (vrijuit.E006). The
# development key is public (it is in this file) and only accepted with DEBUG on.
DEVELOPMENT_REPORTING_KEY = "dnJpanVpdC1kZXYtcmVwb3J0aW5nLWtleS1wdWJsaWM="
REPORTING_KEY = env_secret("VRIJUIT_REPORTING_KEY", DEVELOPMENT_REPORTING_KEY if DEBUG else "")
# Only while the key is being rotated (manage.py reporting_key rotate): the previous key, so
# values not yet sealed again still open instead of stopping the results and the submit.
REPORTING_KEY_OLD = env_secret("VRIJUIT_REPORTING_KEY_OLD", "")

# The keys of the survey inbox, one file per batch, destroyed after the batch is flushed
# (docs/surveys.md). They must live OUTSIDE the database and its backups, so this is a
# directory, never a database setting. Production must name it (vrijuit.E004).
_inbox_key_dir = os.environ.get("VRIJUIT_INBOX_KEY_DIR", "").strip()
INBOX_KEY_DIR: Path | None = (
    Path(_inbox_key_dir)
    if _inbox_key_dir
    else (BASE_DIR.parent.parent / "var" / "inbox-keys" if DEBUG else None)
)

ALLOWED_HOSTS = env_list("VRIJUIT_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("VRIJUIT_CSRF_TRUSTED_ORIGINS")
# The public address, used in e-mails that are sent outside a request (invitations, reminders).
SITE_URL = os.environ.get("VRIJUIT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "vrijuit.web",  # first: its templates override contrib's (password reset, etc.)
    "vrijuit.accounts",
    "vrijuit.org",
    "vrijuit.surveys",
    "vrijuit.respond",
    "vrijuit.results",
    "vrijuit.demo_site",  # manage.py seed_demo
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vrijuit.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "vrijuit.urls"
WSGI_APPLICATION = "vrijuit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vrijuit.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite by default (zero set-up); PostgreSQL in production: DATABASE_URL=postgres://...

DATABASE_URL = env_secret("DATABASE_URL", f"sqlite:///{BASE_DIR.parent.parent / 'vrijuit.db'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("VRIJUIT_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if os.environ.get("VRIJUIT_DB_SSLMODE"):
    DATABASES["default"].setdefault("OPTIONS", {})["sslmode"] = os.environ["VRIJUIT_DB_SSLMODE"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Kept so that hashes made elsewhere (e.g. an imported fixture) still verify, then upgrade.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]

# Login rate limiting (django-axes): locked out per account after n failures, for a cool-off.
# We lock by account, not by IP address, and store no IP address at all (see the callable):
# Vrijuit keeps no IP addresses anywhere. Successful logins are not logged either.
AXES_FAILURE_LIMIT = env_int("VRIJUIT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("VRIJUIT_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "vrijuit.accounts.lockout.no_ip_address"
AXES_LOCKOUT_CALLABLE = "vrijuit.accounts.lockout.locked_out"
AXES_USERNAME_CALLABLE = "vrijuit.accounts.lockout.username_key"
AXES_DISABLE_ACCESS_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SILENCED_SYSTEM_CHECKS = [
    # axes.W006 asks to lock out by IP address as well. We keep no IP addresses (a promise to
    # respondents that we keep for everyone); per-account lockout stops guessing one account's
    # password, and docs/configuration.md asks for request rate limits at the reverse proxy.
    "axes.W006",
]

SESSION_COOKIE_AGE = env_int("VRIJUIT_SESSION_HOURS", 12) * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale_django"]  # UI strings; locale/*.yaml is the engine's catalog
FORMAT_MODULE_PATH = ["vrijuit.formats"]  # English dates as "23 December 2026"
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("VRIJUIT_TIME_ZONE", "Europe/Amsterdam")
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("VRIJUIT_STATIC_ROOT", BASE_DIR.parent.parent / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -----------------------------------------------------------------------------------
# Console in development; SMTP when EMAIL_HOST is set (always in production).

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Vrijuit <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or not DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)

# --- Security ---------------------------------------------------------------------------------
# Safe by default when DEBUG is off, so that `manage.py check --deploy` is clean.

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VRIJUIT_BEHIND_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("VRIJUIT_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("VRIJUIT_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("VRIJUIT_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("VRIJUIT_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------------------------
# No format here contains the client's IP address, and django.server (runserver's access log,
# which prints the request line) is quiet for the survey paths: see vrijuit.web.logging.

LOG_LEVEL = os.environ.get("VRIJUIT_LOG_LEVEL", "INFO")
# Request paths that are never logged at all (the respondent pages add theirs here).
LOG_SILENT_PATH_PREFIXES: list[str] = ["/respond/"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_survey_paths": {"()": "vrijuit.web.logging.SkipPrivatePaths"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_survey_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # django.request logs the request object on errors; its handlers strip it (see filter).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
