"""Rows of the permission matrix: URL name → the expected status for every persona.

tests/web/test_permission_matrix.py walks every URL pattern of the project and fails when one
has no row here or in another ``matrix_rows_<app>.py`` file in this folder (each app's owner
keeps their own file: ``ROWS = {...}``). How to add a row: docs/permissions.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Personas, in the order the matrix prints them.
PERSONAS = ("anonymous", "staff", "leader", "other_leader", "analyst", "adviser", "admin")
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Row:
    """One request and what each persona gets back.

    ``kwargs`` builds the URL arguments from the test organisation (``org.psychology`` etc.;
    see personas.py), so objects in URLs always belong to the personas' units.
    """

    expect: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda org: {})
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda org: {})
    note: str = ""

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expect)
        if missing:
            raise ValueError(f"row without an expectation for {sorted(missing)}")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """``statuses(403, admin=200)``: everyone logged in gets 403, the admin 200, anonymous 302."""
    expect = dict.fromkeys(PERSONAS, default)
    expect["anonymous"] = LOGIN
    expect.update(overrides)
    return expect


EVERYONE = statuses(200)
ADMIN_ONLY = statuses(403, admin=200)
PUBLIC = dict.fromkeys(PERSONAS, 200)


def _upload(org: Any) -> dict[str, Any]:
    from vrijuit.org.models import HrUpload

    upload = HrUpload.objects.create(
        people_filename="people.csv",
        people_content=b"external_id,name,email,unit_external_id,position_level,contract\n",
    )
    return {"upload_id": upload.pk}


ROWS: dict[str, list[Row]] = {
    "web:home": [Row(EVERYONE)],
    "web:switch_language": [
        Row(
            dict.fromkeys(PERSONAS, 302),
            method="post",
            data=lambda org: {"language": "en", "next": "/"},
        )
    ],
    "accounts:login": [Row({**statuses(302), "anonymous": 200}, note="logged in: sent home")],
    "accounts:logout": [Row(dict.fromkeys(PERSONAS, 302), method="post")],
    "accounts:password_change": [Row(EVERYONE)],
    "accounts:password_change_done": [Row(EVERYONE)],
    "accounts:password_reset": [Row(PUBLIC)],
    "accounts:password_reset_done": [Row(PUBLIC)],
    "accounts:password_reset_confirm": [
        Row(PUBLIC, kwargs=lambda org: {"uidb64": "MQ", "token": "invalid-token"})
    ],
    "accounts:password_reset_complete": [Row(PUBLIC)],
    "org:units": [Row(ADMIN_ONLY)],
    "org:people": [Row(ADMIN_ONLY)],
    "org:unit_detail": [
        Row(
            statuses(403, leader=200, analyst=200, admin=200),
            kwargs=lambda org: {"unit_id": org.psychology.pk},
            note="the unit the leader leads",
        ),
        Row(
            statuses(403, leader=200, analyst=200, admin=200),
            kwargs=lambda org: {"unit_id": org.clinical.pk},
            note="a team in the leader's subtree",
        ),
        Row(
            statuses(403, other_leader=200, analyst=200, admin=200),
            kwargs=lambda org: {"unit_id": org.pedagogy.pk},
            note="another leader's unit",
        ),
        Row(
            statuses(403, analyst=200, admin=200),
            kwargs=lambda org: {"unit_id": org.faculty.pk},
            note="above the leaders: not theirs",
        ),
    ],
    "org:import_upload": [Row(ADMIN_ONLY)],
    "org:import_preview": [Row(ADMIN_ONLY, kwargs=_upload)],
    "org:import_apply": [
        Row(statuses(403, admin=302), kwargs=_upload, method="post", note="admin: back to preview")
    ],
}
