"""Personas for the web tests, one small organisation, and settings for fast tests.

The tree::

    Universiteit (organisation)
    ├── Faculteit Gedrag (faculty)
    │   ├── Psychologie (department)  ← leader: Lea
    │   │   └── Team Klinisch (team)  ← staff member: Sam
    │   └── Pedagogiek (department)   ← leader: Otto ("someone from another unit")
    └── ...

Personas: ``anonymous``, ``staff`` (Sam), ``leader`` (Lea, leads Psychologie), ``other_leader``
(Otto, leads Pedagogiek), ``analyst``, ``adviser``, ``admin`` (administrator role, not a
superuser). Each fixture returns a logged-in test client; ``org`` holds the objects.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.test import Client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vrijuit.settings")

PASSWORD = "correct horse battery staple"  # noqa: S105  (test accounts only)
PERSONAS = ("anonymous", "staff", "leader", "other_leader", "analyst", "adviser", "admin")


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    # argon2 is slow on purpose; tests that check the hash ask for it themselves.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Org:
    root: object
    faculty: object
    psychology: object
    clinical: object
    pedagogy: object
    users: dict[str, object]


def make_org() -> Org:
    from vrijuit.accounts.models import User
    from vrijuit.org.models import Leadership, Person, Role, RoleGrant, Unit

    root = Unit.objects.create(
        external_id="U", level="organisation", name_nl="Universiteit", name_en="University"
    )
    faculty = Unit.objects.create(
        external_id="F",
        parent=root,
        level="faculty",
        name_nl="Faculteit Gedrag",
        name_en="Faculty of Behaviour",
    )
    psychology = Unit.objects.create(
        external_id="D1",
        parent=faculty,
        level="department",
        name_nl="Psychologie",
        name_en="Psychology",
    )
    clinical = Unit.objects.create(
        external_id="T1",
        parent=psychology,
        level="team",
        name_nl="Team Klinisch",
        name_en="Clinical team",
    )
    pedagogy = Unit.objects.create(
        external_id="D2",
        parent=faculty,
        level="department",
        name_nl="Pedagogiek",
        name_en="Education",
    )

    def account(key: str, unit: object | None = None, **person: object) -> object:
        user = User.objects.create_user(f"{key}@example.org", PASSWORD, first_name=key.title())
        if unit is not None:
            Person.objects.create(
                external_id=f"P-{key}",
                name=key.title(),
                email=user.email,
                unit=unit,
                position_level=person.get("position_level", "postdoc"),
                contract=person.get("contract", "temporary"),
                user=user,
            )
        return user

    users = {
        "staff": account("staff", clinical),
        "leader": account(
            "leader", psychology, position_level="full_professor", contract="permanent"
        ),
        "other_leader": account("other_leader", pedagogy, position_level="full_professor"),
        "analyst": account("analyst"),
        "adviser": account("adviser"),
        "admin": account("admin"),
    }
    Leadership.objects.create(person=users["leader"].person, unit=psychology)  # type: ignore[attr-defined]
    Leadership.objects.create(person=users["other_leader"].person, unit=pedagogy)  # type: ignore[attr-defined]
    RoleGrant.objects.create(user=users["analyst"], role=Role.ANALYST)
    RoleGrant.objects.create(user=users["adviser"], role=Role.ADVISER)
    RoleGrant.objects.create(user=users["admin"], role=Role.ADMINISTRATOR)
    return Org(root, faculty, psychology, clinical, pedagogy, users)


@pytest.fixture
def org(db) -> Org:  # type: ignore[no-untyped-def]
    return make_org()


def client_for(org: Org, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(org.users[persona])  # type: ignore[arg-type]
    return client


@pytest.fixture
def as_persona(org: Org):  # type: ignore[no-untyped-def]
    """``as_persona("leader")`` → a logged-in client."""
    return lambda persona: client_for(org, persona)
