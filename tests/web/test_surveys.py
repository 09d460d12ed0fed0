"""Survey waves: the analyst's pages, launch (lock, snapshot, coarsening, tokens), invitations
and reminders over real SMTP, response rates, closing and the worker."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from vrijuit.surveys import services, worker
from vrijuit.surveys.models import OTHER, Invitation, Status, Wave, WaveLockedError
from vrijuit.surveys.sealing import invitation_attributes
from vrijuit.surveys.snapshot import coarsen
from web.matrix_rows_surveys import add_people, make_wave
from web.smtp_server import smtp_server

TOKEN_IN_MAIL = re.compile(r"/respond/#([A-Za-z0-9_\-]+)")


def tokens_of(outbox) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Recipient → token from the link in their (last) mail."""
    return {m.to[0]: TOKEN_IN_MAIL.search(m.body).group(1) for m in outbox}  # type: ignore[union-attr]


@pytest.fixture
def wave(org):  # type: ignore[no-untyped-def]
    add_people(org.clinical, 4, "clin")
    add_people(org.pedagogy, 3, "ped", contract="permanent", language="en")
    return make_wave(org)


def launch(wave, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return services.launch_wave(wave)


# --- The analyst's pages -----------------------------------------------------------------


def test_an_analyst_creates_a_draft_wave(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("analyst")
    response = client.post(
        reverse("surveys:wave_create"),
        {
            "title_nl": "Najaarspeiling",
            "title_en": "Autumn survey",
            "instrument": "vrijuit",
            "units": [org.faculty.pk],
            "period": "2025-najaar",
            "opens_on": "2025-10-01",
            "closes_on": "2025-10-21",
            "mode": "anonymous",
            "k": 5,
            "report_attributes": ["gender", "position_level"],
            "unit_attributes": [],
            "remind_after_days": 7,
            "max_reminders": 2,
        },
    )
    wave = Wave.objects.get()
    assert response.status_code == 302
    assert wave.status == Status.DRAFT
    assert wave.created_by == org.users["analyst"]
    assert list(wave.units.all()) == [org.faculty]
    assert wave.report_attributes == ["gender", "position_level"]


def test_the_new_wave_form_groups_its_choices_and_starts_with_the_vrijuit_instrument(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    html = as_persona("analyst").get(reverse("surveys:wave_create")).content.decode()
    # The Vrijuit questionnaire is chosen, shown by its name rather than its file name.
    assert re.search(r'<option value="vrijuit"[^>]*selected>Vrijuit vragenlijst sociale', html)
    assert '<option value="edmondson">Psychologische veiligheid' in html
    # Every checkbox and radio group is a fieldset with a legend; each box comes before its label.
    legends = re.findall(r"<fieldset[^>]*>\s*<legend>([^<]+)", html)
    assert [legend.strip() for legend in legends] == [
        "Eenheden in de peiling",
        "Modus",
        "Resultaten van de hele organisatie, ook uitgesplitst naar",
        "Resultaten per eenheid, ook uitgesplitst naar (alleen analisten)",
    ]
    for box in re.finditer(r'<input type="(?:checkbox|radio)"[^>]*id="([^"]+)"[^>]*>', html):
        assert html[box.end() :].lstrip().startswith(f'<label for="{box.group(1)}">')
    # The unit tree is indented by depth, and says in words which unit each one is part of.
    assert 'class="tree-depth-1"' in html
    assert ", onderdeel van " in html


def test_the_wave_form_refuses_k_below_3_and_closing_before_opening(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    response = as_persona("analyst").post(
        reverse("surveys:wave_create"),
        {"title_nl": "X", "instrument": "vrijuit", "units": [org.root.pk], "period": "p",
         "opens_on": "2025-10-10", "closes_on": "2025-10-01", "mode": "anonymous", "k": 2,
         "remind_after_days": 7, "max_reminders": 2},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Wave.objects.exists()
    form = response.context["form"]
    assert "k" in form.errors and "closes_on" in form.errors


def test_the_launch_page_shows_the_privacy_statement(org, as_persona, wave) -> None:  # type: ignore[no-untyped-def]
    response = as_persona("analyst").get(reverse("surveys:wave_launch", args=[wave.pk]))
    text = response.content.decode()
    assert "privacy-heading" in text
    assert "at least 3 people" in text or "minstens 3" in text


# --- Launch: lock, snapshot, tokens ---------------------------------------------------------


def test_launch_invites_everyone_in_scope_and_stores_only_token_hashes(
    org, wave, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    count = launch(wave, django_capture_on_commit_callbacks)
    assert count == Invitation.objects.count() == 3 + 4 + 3  # personas + the extra people
    tokens = tokens_of(mailoutbox)
    assert len(tokens) == count
    stored = {
        inv.person.email: inv.token_hash for inv in Invitation.objects.select_related("person")
    }
    for address, token in tokens.items():
        assert stored[address] == hashlib.sha256(token.encode()).hexdigest()
        # The token itself is in no column of any invitation.
        assert not Invitation.objects.filter(token_hash=token).exists()
    dump = repr(list(Invitation.objects.values()))
    assert not any(token in dump for token in tokens.values())


def test_launch_locks_mode_k_cells_and_instrument(
    org, wave, django_capture_on_commit_callbacks, as_persona
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    wave.refresh_from_db()
    assert wave.status == Status.OPEN and wave.instrument_version
    for field, value in [("k", 10), ("mode", "confidential"), ("report_attributes", ["gender"]),
                         ("unit_attributes", []), ("instrument_version", "0")]:  # fmt: skip
        fresh = Wave.objects.get(pk=wave.pk)
        setattr(fresh, field, value)
        with pytest.raises(WaveLockedError):
            fresh.save()
        with pytest.raises(WaveLockedError):
            services.update_draft(Wave.objects.get(pk=wave.pk), {field: value})
    # The edit page sends the analyst back; a second launch is refused.
    client = as_persona("analyst")
    response = client.get(reverse("surveys:wave_edit", args=[wave.pk]))
    assert response.status_code == 302
    assert Wave.objects.get(pk=wave.pk).k == 3
    with pytest.raises(ValidationError):
        services.launch_wave(wave)
    assert Invitation.objects.count() == 10


def test_a_draft_can_still_change(org, wave) -> None:  # type: ignore[no-untyped-def]
    services.update_draft(wave, {"k": 7, "mode": "confidential"})
    wave.refresh_from_db()
    assert (wave.k, wave.mode) == (7, "confidential")


def test_snapshot_takes_unit_leadership_and_coarsened_attributes(
    org, wave, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    leader = Invitation.objects.get(person__user=org.users["leader"])
    staff = Invitation.objects.get(person__user=org.users["staff"])
    assert leader.leads_unit and not staff.leads_unit
    assert staff.unit == org.clinical
    # position_level, wave-wide (k=3): 3 full professors? no: 2 → "other"; 5 phd + 1 postdoc...
    levels = Counter(
        invitation_attributes(inv)["position_level"] for inv in Invitation.objects.all()
    )
    assert all(n >= 3 for value, n in levels.items() if value != OTHER)
    # Coarsening is wave-wide only, also for an attribute reported per unit (contract here):
    # Pedagogiek's one temporary contract (the other leader) keeps its name, because the wave
    # has at least k of them; its unit × value cell is left to disclosure control (n < k).
    contracts = Counter(invitation_attributes(inv)["contract"] for inv in Invitation.objects.all())
    assert all(n >= 3 for value, n in contracts.items() if value != OTHER)
    ped = Invitation.objects.filter(unit=org.pedagogy)
    assert Counter(invitation_attributes(inv)["contract"] for inv in ped) == {
        "permanent": 3,
        "temporary": 1,
    }
    # A later HR change does not move a launched invitation.
    person = staff.person
    person.unit = org.pedagogy
    person.save()
    staff.refresh_from_db()
    assert staff.unit == org.clinical


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.sampled_from("abcde"), min_size=1, max_size=40),
    groups=st.lists(st.integers(0, 3), min_size=40, max_size=40),
    k=st.integers(3, 6),
)
def test_coarsening_leaves_no_category_smaller_than_k_but_other(values, groups, k) -> None:  # type: ignore[no-untyped-def]
    rows = [{"x": v} for v in values]
    group_of = groups[: len(rows)]
    coarsen(rows, group_of, "x", k)
    for group in set(group_of):
        counts = Counter(rows[i]["x"] for i in range(len(rows)) if group_of[i] == group)
        assert all(n >= k for value, n in counts.items() if value != OTHER)
    # Only small categories were merged: a category with at least k stays as it was.
    for i, v in enumerate(values):
        members = [j for j in range(len(values)) if group_of[j] == group_of[i]]
        if sum(values[j] == v for j in members) >= k:
            assert rows[i]["x"] == v


# --- E-mail over real SMTP ----------------------------------------------------------------


def _use_smtp(settings, server) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def test_invitations_go_out_over_smtp_each_in_the_persons_language(
    org, wave, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        _use_smtp(settings, server)
        launch(wave, django_capture_on_commit_callbacks)
    by_address = {m["To"]: m for m in server.messages}
    assert len(by_address) == 10
    english = by_address["ped0@example.org"]
    dutch = by_address["clin0@example.org"]
    assert english["Subject"] == "Invitation: Survey"
    assert dutch["Subject"] == "Uitnodiging: Peiling"
    assert "anonymous" in english.get_payload(decode=True).decode()
    assert "anoniem" in dutch.get_payload(decode=True).decode()


def test_reminders_go_only_to_those_who_have_not_responded(
    org, wave, settings, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    answered = Invitation.objects.filter(person__email__startswith="clin")
    for invitation in answered:
        assert services.submit_response(invitation.pk, {})
    with smtp_server() as server:
        _use_smtp(settings, server)
        with django_capture_on_commit_callbacks(execute=True):
            services.send_reminders(wave)
    reminded = {m["To"] for m in server.messages}
    assert reminded == set(
        Invitation.objects.exclude(pk__in=answered).values_list("person__email", flat=True)
    )
    assert all(m["Subject"].startswith(("Reminder", "Herinnering")) for m in server.messages)
    # The reminder's new link replaces the invitation's: the old token no longer opens.
    old = tokens_of(mailoutbox)
    assert services.invitation_for_token(old["ped0@example.org"]) is None


def test_reminders_stop_at_the_maximum_and_follow_the_schedule(
    org, wave, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    wave.refresh_from_db()
    opened = wave.opens_on
    assert services.send_due_reminders(wave, today=opened + dt.timedelta(days=6)) == 0
    assert services.send_due_reminders(wave, today=opened + dt.timedelta(days=7)) == 10
    wave.refresh_from_db()
    assert services.send_due_reminders(wave, today=opened + dt.timedelta(days=8)) == 0
    assert services.send_due_reminders(wave, today=opened + dt.timedelta(days=14)) == 10
    wave.refresh_from_db()
    assert services.send_reminders(wave) == 0  # max_reminders = 2


def test_the_wave_page_never_lists_who_responded(
    org, wave, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    services.submit_response(Invitation.objects.get(person__email="clin0@example.org").pk, {})
    text = as_persona("analyst").get(reverse("surveys:wave_detail", args=[wave.pk])).content
    assert b"clin0" not in text and b"Clin 0" not in text


# --- Response rates -------------------------------------------------------------------------


def test_response_rates_only_for_groups_of_at_least_k(
    org, wave, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    for invitation in Invitation.objects.filter(unit=org.clinical):
        services.submit_response(invitation.pk, {})
    lone = Invitation.objects.get(unit=org.psychology)
    services.submit_response(lone.pk, {})  # the unit's only invitee: waits in the inbox
    services.flush_inbox(wave)
    rates = {rate.unit: rate for rate in services.response_rates(wave)}
    assert rates[org.root].invited == 10 and rates[org.root].responded == 5
    # Psychologie: the leader (1) + Team Klinisch (staff + 4) = 6 invitees; the team has 5, so
    # Psychologie minus its team is 1 person: the team's rate is hidden (or the parent's is).
    assert rates[org.clinical].invited == 5
    assert rates[org.psychology].responded is None or rates[org.clinical].responded is None
    assert rates[org.pedagogy].invited == 4


def test_a_unit_with_fewer_than_k_invitees_shows_no_rate(
    org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    add_people(org.pedagogy, 5, "ped")
    wave = make_wave(org, k=5)
    launch(wave, django_capture_on_commit_callbacks)
    rates = {rate.unit: rate for rate in services.response_rates(wave)}
    assert rates[org.clinical].invited == 1 and rates[org.clinical].responded is None


def test_rates_read_flushed_responses_so_one_answer_does_not_move_them(
    org, wave, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    services.submit_response(Invitation.objects.first().pk, {})  # type: ignore[union-attr]
    assert services.response_rates(wave)[0].responded == 0


# --- Closing and the worker ----------------------------------------------------------------


def test_close_wave_flushes_everything_and_calls_the_results(
    org, wave, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    launch(wave, django_capture_on_commit_callbacks)
    services.submit_response(Invitation.objects.first().pk, {})  # type: ignore[union-attr]
    computed = []
    monkeypatch.setattr(services, "_compute_results", lambda w: computed.append(w.pk))
    services.close_wave(wave)
    wave.refresh_from_db()
    assert wave.status == Status.CLOSED and wave.closed_at
    assert wave.responses.count() == 1 and not wave.inbox.exists()
    assert computed == [wave.pk]
    services.close_wave(wave)  # closing twice changes nothing
    assert computed == [wave.pk]


def test_worker_runs_due_jobs_and_claims_each_wave_once(
    org, wave, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "_compute_results", lambda w: None)
    launch(wave, django_capture_on_commit_callbacks)
    for invitation in Invitation.objects.filter(unit=org.clinical)[:3]:
        services.submit_response(invitation.pk, {})
    assert worker.run_once() == 1
    assert wave.responses.count() == 3  # flushed: 3 = k
    assert worker.run_once() == 0  # claimed: not due again for a while
    # A stale read cannot claim again: the conditional UPDATE matches nothing.
    stale = Wave.objects.get(pk=wave.pk)
    assert worker.claim(stale, stale.next_check_at) is True  # type: ignore[arg-type]
    assert worker.claim(stale, stale.next_check_at) is False  # type: ignore[arg-type]
    # Past closes_on, the next pass closes the wave.
    Wave.objects.filter(pk=wave.pk).update(
        closes_on=timezone.localdate() - dt.timedelta(days=1),
        opens_on=timezone.localdate() - dt.timedelta(days=10),
        next_check_at=None,
    )
    call_command("worker", "--once")
    assert Wave.objects.get(pk=wave.pk).status == Status.CLOSED


def test_invitations_of_a_wave_that_opens_later_go_out_when_it_opens(
    org, wave, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    wave.opens_on = timezone.localdate() + dt.timedelta(days=3)
    wave.save()
    launch(wave, django_capture_on_commit_callbacks)
    assert not mailoutbox
    wave.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_invitations(wave, today=wave.opens_on) == 10
    assert len(mailoutbox) == 10


def test_the_menu_shows_survey_waves_to_analysts_only(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    link = reverse("surveys:wave_list").encode()
    assert link in as_persona("analyst").get(reverse("web:home")).content
    assert link not in as_persona("leader").get(reverse("web:home")).content


def test_the_wave_list_shows_title_and_dates_in_the_reader_s_language_beside_the_period(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    from django.utils import formats, translation

    wave = make_wave(org)
    client = as_persona("analyst")
    dutch = client.get(reverse("surveys:wave_list")).content.decode()
    with translation.override("nl"):
        opens_nl = formats.date_format(wave.opens_on, "DATE_FORMAT")
    assert ">Peiling</a>" in dutch and "<td>2025-najaar</td>" in dutch
    assert opens_nl in dutch

    analyst = org.users["analyst"]
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    english = client.get(reverse("surveys:wave_list")).content.decode()
    with translation.override("en"):
        opens_en = formats.date_format(wave.opens_on, "DATE_FORMAT")
    assert ">Survey</a>" in english and "<td>2025-najaar</td>" in english
    assert opens_en in english and opens_en != opens_nl


def test_launch_refuses_a_split_per_unit_without_the_organisation_split(
    org, wave, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # The form refuses it; a wave made in code or the admin is refused at launch (R9).
    Wave.objects.filter(pk=wave.pk).update(
        report_attributes=["gender"], unit_attributes=["contract"]
    )
    with pytest.raises(ValidationError, match="same split of the whole organisation"):
        launch(Wave.objects.get(pk=wave.pk), django_capture_on_commit_callbacks)
    assert Wave.objects.get(pk=wave.pk).status == Status.DRAFT
    assert not Invitation.objects.exists()
