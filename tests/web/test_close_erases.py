"""Closing a wave erases what could link people to responses (docs/surveys.md, "Close").

The attacker here is a database administrator joining tables. While a wave is open,
``Invitation.responded`` and the launch snapshot must exist; after the close nothing needs them,
so a closed wave's invitation keeps only its wave and unit. These tests read the invitation
table with plain SQL, as a copy of the database would be read.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from vrijuit.surveys import services
from vrijuit.surveys.models import Invitation, Response, Status, Wave
from web.matrix_rows_surveys import add_people, make_wave
from web.test_surveys import tokens_of

INVITATION_TABLE = Invitation._meta.db_table


@pytest.fixture
def no_results(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The results app has tests of its own; here only what closing erases matters.
    monkeypatch.setattr(services, "_compute_results", lambda wave: None)


def launched(org: Any, **fields: Any) -> Wave:
    """A launched wave (k = 3): Team Klinisch 5 invitees, Psychologie 1, Pedagogiek 4."""
    wave = make_wave(org, **fields)
    services.launch_wave(wave)
    wave.refresh_from_db()
    return wave


def raw_invitations(wave: Wave) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {connection.ops.quote_name(INVITATION_TABLE)} WHERE wave_id = %s",  # noqa: S608
            [wave.pk],
        )
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def answer(invitations: list[Invitation]) -> None:
    for invitation in invitations:
        assert services.submit_response(invitation.pk, {"SU1": "4"})


@pytest.fixture
def people(org) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin")
    add_people(org.pedagogy, 3, "ped", contract="permanent", language="en")


def test_closing_erases_every_mark_of_who_answered_and_the_snapshot(
    org, people, no_results, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    wave = launched(org)
    services.send_reminders(wave)
    clinical = list(Invitation.objects.filter(wave=wave, unit=org.clinical).order_by("pk"))
    (lone,) = Invitation.objects.filter(wave=wave, unit=org.psychology)
    answer([*clinical[:3], lone])
    # Before the close, the join the administrator would make is there to make.
    before = raw_invitations(wave)
    assert sum(bool(row["responded"]) for row in before) == 4
    assert all(row["sealed_attributes"] is not None for row in before)

    with django_capture_on_commit_callbacks(execute=True):
        services.close_wave(wave)

    after = raw_invitations(wave)
    assert len(after) == len(before) == 10  # "who was invited" counts per unit stay
    for row in after:
        assert row["person_id"] is None and row["token_hash"] is None
        assert not row["responded"] and not row["leads_unit"]
        assert row["sealed_attributes"] is None and row["language"] == ""
        assert row["sent_on"] is None and row["reminders_sent"] == 0
    # Within a unit, no column but the row's own id tells one invitation from another, so
    # nothing joins a Response to a person any more.
    by_unit: dict[int, set[tuple[Any, ...]]] = {}
    for row in after:
        rest = tuple(sorted((k, str(v)) for k, v in row.items() if k != "id"))
        by_unit.setdefault(row["unit_id"], set()).add(rest)
    assert all(len(variants) == 1 for variants in by_unit.values())
    # What the close keeps is what the responses and the rates need.
    assert Response.objects.filter(wave=wave).count() == 4
    rates = {rate.unit: rate for rate in services.response_rates(wave)}
    assert rates[org.root].invited == 10 and rates[org.root].responded == 4
    assert rates[org.clinical].invited == 5


def test_closing_one_wave_leaves_the_open_wave_s_invitations_alone(org, people, no_results) -> None:  # type: ignore[no-untyped-def]
    closing = launched(org)
    still_open = launched(org, title_nl="Andere peiling", period="2026-voorjaar")
    answer(list(Invitation.objects.filter(wave=still_open, unit=org.clinical))[:1])
    services.close_wave(closing)
    kept = Invitation.objects.filter(wave=still_open)
    assert kept.filter(person__isnull=False).count() == 10
    assert kept.filter(responded=True).count() == 1
    assert all(i.token_hash for i in kept)
    # The open wave still works: reminders, and the next submit.
    assert services.send_reminders(still_open) == 9
    answer(list(kept.filter(unit=org.pedagogy))[:1])


def test_a_closed_wave_s_link_no_longer_works_and_its_page_shows_the_invited_count(
    org, people, no_results, as_persona, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        wave = launched(org)
    token = next(iter(tokens_of(mailoutbox).values()))
    assert services.invitation_for_token(token) is not None
    services.close_wave(wave)
    assert services.invitation_for_token(token) is None
    assert services.send_reminders(wave) == 0
    page = as_persona("analyst").get(reverse("surveys:wave_detail", args=[wave.pk]))
    assert page.status_code == 200
    assert page.context["invited"] == 10


def test_a_person_who_leaves_after_the_close_takes_nothing_with_them(
    org, people, no_results
) -> None:  # type: ignore[no-untyped-def]
    """The erased invitations no longer point at anyone: deleting a person (HR, or a request
    to be forgotten) leaves the closed wave's counts as they were."""
    wave = launched(org)
    services.close_wave(wave)
    org.users["staff"].person.delete()  # type: ignore[attr-defined]
    assert Invitation.objects.filter(wave=wave).count() == 10


@pytest.mark.django_db(transaction=True)
def test_the_migration_erases_the_invitations_of_waves_closed_before(org) -> None:  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin")
    closed = launched(org)
    still_open = launched(org, title_nl="Andere peiling", period="2026-voorjaar")
    Invitation.objects.filter(wave=closed, unit=org.clinical).update(responded=True)
    Invitation.objects.filter(wave=still_open, unit=org.clinical).update(responded=True)
    Wave.objects.filter(pk=closed.pk).update(status=Status.CLOSED)  # closed the old way
    before = [("surveys", "0005_erase_participation_at_close")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        executor = MigrationExecutor(connection)
        after = [("surveys", "0006_erase_participation_of_closed_waves")]
        executor.migrate(after)
        for row in raw_invitations(closed):
            assert row["person_id"] is None and row["token_hash"] is None
            assert not row["responded"] and row["attributes"] in ("{}", {})
        # The model as it was then: later migrations add and drop columns.
        historical = executor.loader.project_state(after).apps.get_model("surveys", "Invitation")
        assert historical.objects.filter(wave=closed.pk).count() == 7
        kept = historical.objects.filter(wave=still_open.pk)
        assert kept.filter(responded=True).count() == 5
        assert kept.filter(person__isnull=False).count() == 7
        assert any(i.attributes for i in kept)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())  # the suite expects the latest
