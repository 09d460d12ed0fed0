"""Every URL of the project × every persona: the status each gets (rows in matrix_rows*.py)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from web.matrix_rows import PERSONAS, Row
from web.personas import client_for

# The Django admin is for superusers only; it is checked as a whole in test_django_admin_*.
SKIPPED_NAMESPACES = {"admin"}


def all_rows() -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for path in sorted(Path(__file__).parent.glob("matrix_rows*.py")):
        module = importlib.import_module(f"web.{path.stem}")
        for name, entries in module.ROWS.items():
            if name in rows:
                raise AssertionError(f"{name} has rows in two files")
            rows[name] = entries
    return rows


def url_names(patterns: list[Any] | None = None, prefix: str = "") -> list[str]:
    """Every named URL pattern, namespaced ("org:units"); unnamed ones as "<unnamed: regex>"."""
    names: list[str] = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            if namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{prefix}{namespace}:" if namespace else prefix
            names += url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(
                f"{prefix}{pattern.name}" if pattern.name else f"<unnamed: {pattern.pattern}>"
            )
    return names


ROWS = all_rows()
CASES = [(name, i) for name, entries in sorted(ROWS.items()) for i in range(len(entries))]


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    missing = sorted(set(url_names()) - set(ROWS))
    assert not missing, f"add these URL names to tests/web/matrix_rows*.py: {missing}"


def test_every_row_names_an_existing_url() -> None:
    stale = sorted(set(ROWS) - set(url_names()))
    assert not stale, f"rows for URL names that no longer exist: {stale}"


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_each_persona_gets_the_expected_status(org, name: str, index: int) -> None:  # type: ignore[no-untyped-def]
    row = ROWS[name][index]
    wrong = {}
    for persona in PERSONAS:
        url = reverse(name, kwargs=row.kwargs(org))
        client = client_for(org, persona)
        response = getattr(client, row.method)(url, row.data(org))
        if response.status_code != row.expect[persona]:
            wrong[persona] = (response.status_code, row.expect[persona])
    assert not wrong, f"{name} {row.note}: persona → (got, expected): {wrong}"


def test_django_admin_is_closed_to_every_persona(org) -> None:  # type: ignore[no-untyped-def]
    for persona in PERSONAS:
        response = client_for(org, persona).get(reverse("admin:index"))
        assert response.status_code == 302, persona
        assert "/django-admin/login/" in response["Location"]


def test_django_admin_opens_for_a_superuser(db) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from vrijuit.accounts.models import User

    root = User.objects.create_superuser("root@example.org", "x" * 20)
    client = Client()
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:org_person_changelist")).status_code == 200
