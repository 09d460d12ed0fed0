"""The test organisation and its personas (used by conftest.py and the tests).

The tree::

    Universiteit (organisation)
    └── Faculteit Gedrag (faculty)
        ├── Psychologie (department)  ← leader: Lea ("leader")
        │   └── Team Klinisch (team)  ← staff member ("staff")
        └── Pedagogiek (department)   ← leader: Otto ("other_leader": someone from another unit)

Personas: ``anonymous``, ``staff``, ``leader``, ``other_leader``, ``analyst``, ``adviser``,
``admin`` (administrator role, not a superuser).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

PASSWORD = "correct horse battery staple"  # noqa: S105  (test accounts only)
PERSONAS = ("anonymous", "staff", "leader", "other_leader", "analyst", "adviser", "admin")


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


def client_for(org: Org, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(org.users[persona])  # type: ignore[arg-type]
    return client
