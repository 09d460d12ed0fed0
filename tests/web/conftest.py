"""Fixtures for the web tests: fast test settings, the test organisation, logged-in clients.

The organisation and personas are described in personas.py.
"""

from __future__ import annotations

import pytest

from web.personas import Org, client_for, make_org


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    # argon2 is slow on purpose; tests that check the hash ask for it themselves.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test its own inbox key directory: the key clean-up removes key files it does not
    # know, so tests must never share a directory with each other or with the demo.
    settings.INBOX_KEY_DIR = tmp_path / "inbox-keys"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def org(db) -> Org:  # type: ignore[no-untyped-def]
    return make_org()


@pytest.fixture
def as_persona(org: Org):  # type: ignore[no-untyped-def]
    """``as_persona("leader")`` → a logged-in client."""
    return lambda persona: client_for(org, persona)
