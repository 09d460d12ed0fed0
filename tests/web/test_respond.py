"""The anonymous path: token in a fragment or POST, the questionnaire (every part in one form that
the script pages, and that works without it), idempotent submit, the inbox, shuffled flush in
batches of at least k, no person/time/IP/token in stored rows, no logs."""

from __future__ import annotations

import io
import logging
import random
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import vrijuit.respond
from vrijuit.stats.instruments import load_instrument
from vrijuit.surveys import inbox, services
from vrijuit.surveys.models import InboxEntry, Invitation, Response
from vrijuit.web.logging import SkipPrivatePaths
from web.matrix_rows_surveys import add_people, make_wave
from web.test_surveys import launch, tokens_of

START = "/respond/"


@pytest.fixture
def opened(org, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A launched wave over the test organisation (10 invitees, k = 3) and everyone's token."""
    add_people(org.clinical, 4, "clin")
    add_people(org.pedagogy, 3, "ped", contract="permanent", language="en")
    wave = make_wave(org)
    launch(wave, django_capture_on_commit_callbacks)
    wave.refresh_from_db()
    return wave, tokens_of(mailoutbox)


def begin(token: str, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post(START, {"code": token})
    assert response.status_code == 302, response.content
    return client


def all_answers(value: str = "3", leader: bool = False) -> dict[str, str]:
    """An answer to every item the invitee sees."""
    instrument = load_instrument("vrijuit")
    scales = services.scales_for(instrument, leads_unit=leader)
    # Clipped into each scale's own range (yes/no items have 0..1).
    return {
        item.id: str(max(s.response_format.low, min(int(value), s.response_format.high)))
        for s in scales
        for item in s.items
    }


# --- The start page and the token --------------------------------------------------------


def test_the_start_page_moves_a_fragment_token_into_a_post_and_leaks_no_referrer(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(START)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert 'method="post"' in text and 'name="code"' in text  # works without JavaScript
    assert "respond/respond.js" in text


SCRIPT = (Path(vrijuit.respond.__file__).parent / "static/respond/respond.js").read_text()


def test_the_script_uses_session_storage_never_local_storage() -> None:
    assert "sessionStorage.setItem" in SCRIPT and not re.search(r"localStorage\s*[.[]", SCRIPT)
    assert "location.hash" in SCRIPT and "replaceState" in SCRIPT


def test_the_script_never_puts_a_step_or_an_answer_in_the_address() -> None:
    """History entries carry the step in their state object, on the same URL: pushState and
    replaceState are called with a state and an empty title only (no third argument), except
    the one that removes the token from the start page's address."""
    calls = re.findall(r"history\.(pushState|replaceState)\(([^;]*)\);", SCRIPT)
    assert {name for name, _ in calls} == {"pushState", "replaceState"}
    for name, arguments in calls:
        if arguments == 'null, "", window.location.pathname':
            continue  # the start page: the fragment with the token goes, nothing comes in
        assert arguments.count(",") == 1 and arguments.endswith('""'), (name, arguments)
    assert not re.search(r"location\.(search|hash)\s*=|location\.(assign|replace)\(", SCRIPT)


def test_a_wrong_code_is_refused_with_an_error_linked_to_the_field(opened) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(START, {"code": "not-a-token"})
    assert response.status_code == 200
    assert b'id="id_code_errors"' in response.content
    assert "respond_invitation" not in Client().session


def test_a_token_verifies_once_and_the_session_holds_no_person(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    session = client.session
    invitation = Invitation.objects.get(person__email="clin0@example.org")
    assert dict(session) == {"respond_invitation": invitation.pk, "_session_expiry": 0}
    # The cookie is the session key only, and the session ends with the browser.
    cookie = client.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie.value == session.session_key


# --- The questionnaire ----------------------------------------------------------------------


def test_the_questionnaire_is_accessible_and_offers_prefer_not_to_say_everywhere(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    response = client.get(reverse("respond:questions"))
    text = response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    items = all_answers()
    for item_id in items:
        assert f'id="{item_id}-skip"' in text and f'for="{item_id}-skip"' in text
    assert text.count("<fieldset") == len(items) and text.count("<legend") == len(items)
    assert "Zeg ik liever niet" in text


# A small DOM of the rendered page, to ask what is inside what and what starts out hidden.
VOID = {"input", "br", "link", "meta", "img", "hr", "source", "wbr", "area", "col", "embed"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    parent: Node | None
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def iter(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.iter())]

    def select(self, tag: str = "", **attrs: str) -> list[Node]:
        """Descendants with this tag (any when empty) whose attributes contain these values
        (``class_`` is one of the classes)."""
        found = []
        for node in self.iter()[1:]:
            if tag and node.tag != tag:
                continue
            classes = (node.attrs.get("class") or "").split()
            if all(
                (value in classes) if name == "class_" else node.attrs.get(name) == value
                for name, value in attrs.items()
            ):
                found.append(node)
        return found

    def by_id(self, element_id: str) -> Node:
        (node,) = self.select(id=element_id)
        return node

    def all_text(self) -> str:
        return " ".join("".join(self.text + [c.all_text() for c in self.children]).split())

    def starts_hidden(self) -> bool:
        """Hidden by its own or an ancestor's ``hidden`` attribute (what no-script browsers see)."""
        node: Node | None = self
        while node is not None:
            if "hidden" in node.attrs:
                return True
            node = node.parent
        return False


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def page_of(response) -> Node:  # type: ignore[no-untyped-def]
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    assert builder.current is builder.root, "some elements are never closed"
    return builder.root


def questionnaire_of(client: Client) -> Node:
    response = client.get(reverse("respond:questions"))
    assert response.status_code == 200
    return page_of(response)


def test_every_part_is_rendered_in_the_instruments_order_and_labelled(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    page = questionnaire_of(begin(tokens["clin0@example.org"]))
    scales = services.scales_for(load_instrument("vrijuit"), leads_unit=False)
    (form,) = page.select("form", id="questionnaire")
    steps = form.select("section", class_="step")
    assert [s.attrs["id"] for s in steps] == [
        "step-intro",
        *(f"part-{scale.id}" for scale in scales),
        "step-review",
    ]
    total = len(scales)
    for number, (scale, part) in enumerate(zip(scales, steps[1:-1], strict=True), start=1):
        label, heading = (page.by_id(i) for i in part.attrs["aria-labelledby"].split())  # type: ignore[union-attr]
        assert label.all_text() == f"Deel {number} van {total}"
        assert heading.tag == "h2" and heading.attrs["tabindex"] == "-1"  # the script focuses it
        assert heading.all_text() == scale.name.nl
        assert part.attrs["data-announce"] == f"Deel {number} van {total}: {scale.name.nl}"
        (progress,) = part.select("progress")
        assert (progress.attrs["value"], progress.attrs["max"]) == (str(number), str(total))
        assert progress.attrs["aria-labelledby"] == label.attrs["id"]
        # Every question of the scale, and only those, in this part.
        names = {n.attrs["name"] for n in part.select("input", type="radio")}
        assert names == {item.id for item in scale.items}
    # The step changes are announced politely; the region exists before anything changes.
    (announcer,) = form.select(id="step-announcer")
    assert announcer.attrs["aria-live"] == "polite" and not announcer.all_text()


def test_the_parts_are_labelled_in_english_too(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["ped0@example.org"])
    client.post(reverse("web:switch_language"), {"language": "en", "next": "/respond/questions/"})
    page = questionnaire_of(client)
    total = len(services.scales_for(load_instrument("vrijuit"), leads_unit=False))
    assert page.by_id("part-speaking_up-label").all_text() == f"Part 1 of {total}"
    assert page.by_id("review-heading").all_text() == "Check and send"


def test_the_introduction_shows_the_privacy_statement_fixed_at_launch(opened) -> None:  # type: ignore[no-untyped-def]
    wave, tokens = opened
    page = questionnaire_of(begin(tokens["clin0@example.org"]))
    intro = page.by_id("step-intro")
    (privacy,) = intro.select("section", class_="privacy")
    text = privacy.all_text()
    assert wave.mode == "anonymous" and "Deze peiling is anoniem." in text
    assert f"groepen van minstens {wave.k} mensen" in text
    assert not privacy.starts_hidden()  # shown, not folded away


def test_the_check_page_has_its_markup_and_the_only_send_button(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    page = questionnaire_of(begin(tokens["clin0@example.org"]))
    review = page.by_id("step-review")
    assert review.by_id("review-heading").attrs["tabindex"] == "-1"
    for element_id in ("review-open-count", "review-open-parts", "review-complete"):
        assert review.by_id(element_id).starts_hidden()  # filled in by the script
    (send,) = page.by_id("questionnaire").select("button", type="submit")
    assert send in review.iter()
    # Every other button only moves between steps: it can never send the form.
    others = [b for b in page.by_id("questionnaire").select("button") if b is not send]
    assert others and all(b.attrs["type"] == "button" and "data-go" in b.attrs for b in others)


def test_without_the_script_the_questionnaire_is_one_long_form(opened) -> None:  # type: ignore[no-untyped-def]
    """What a browser without JavaScript shows: every part, no step buttons, the send button,
    and no promise about a draft that only the script keeps."""
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    page = questionnaire_of(client)
    form = page.by_id("questionnaire")
    steps = form.select("section", class_="step")
    assert steps and not any(step.starts_hidden() for step in steps)
    radios = form.select("input", type="radio")
    assert radios and not any(radio.starts_hidden() for radio in radios)
    for button in form.select("button"):
        assert button.starts_hidden() == (button.attrs["type"] == "button"), button.attrs
    for note in form.select(class_="with-script"):
        assert note.starts_hidden()
    (without,) = form.select(class_="without-script")
    assert not without.starts_hidden() and "niets opgeslagen" in without.all_text()
    # The one long form sends like any form: an answer and the open rest.
    response = client.post(reverse("respond:questions"), {"SU1": "5", "SU2": "skip"})
    assert response.status_code == 302 and response["Location"] == reverse("respond:thanks")
    answers = inbox.open_entry(InboxEntry.objects.get())["answers"]
    assert answers["SU1"] == 5 and answers["SU2"] is None and answers["SU3"] is None
    assert set(answers) == set(all_answers())


def test_a_refused_submit_shows_the_answers_that_were_sent(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    response = client.post(reverse("respond:questions"), {"SU2": "4", "SU3": "skip", "SU1": "9"})
    page = page_of(response)
    assert page.by_id("questionnaire-error").attrs["role"] == "alert"
    checked = {n.attrs["id"] for n in page.select("input", type="radio") if "checked" in n.attrs}
    assert checked == {"SU2-4", "SU3-skip"}


def test_the_confirmation_clears_the_tabs_draft(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    client.post(reverse("respond:questions"), all_answers())
    page = page_of(client.get(reverse("respond:thanks")))
    assert page.by_id("respond-received").tag == "h1"
    assert [s.attrs["src"] for s in page.select("script")] == ["/static/respond/respond.js"]
    assert 'getElementById("respond-received")' in SCRIPT and "removeItem" in SCRIPT


def test_the_leaders_block_is_shown_only_to_invitees_who_lead_a_unit(org, opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    instrument = load_instrument("vrijuit")
    leader_items = [i.id for s in instrument.scales if s.audience == "leaders" for i in s.items]
    assert leader_items
    as_leader = begin(tokens["leader@example.org"]).get(reverse("respond:questions")).content
    as_staff = begin(tokens["staff@example.org"]).get(reverse("respond:questions")).content
    assert f'name="{leader_items[0]}"'.encode() in as_leader
    assert f'name="{leader_items[0]}"'.encode() not in as_staff
    # A non-leader cannot slip answers to the leaders' items in either.
    client = begin(tokens["staff@example.org"])
    response = client.post(reverse("respond:questions"), {leader_items[0]: "4"})
    assert response.status_code == 200 and not InboxEntry.objects.exists()


def test_the_questionnaire_switches_to_english(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["ped0@example.org"])
    client.post(reverse("web:switch_language"), {"language": "en", "next": "/respond/questions/"})
    text = client.get(reverse("respond:questions")).content.decode()
    assert "Prefer not to say" in text and 'lang="en"' in text


# --- Submit: one transaction, idempotent ----------------------------------------------------


def test_submit_writes_the_inbox_and_marks_participation_then_confirms(org, opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    answers = all_answers("4")
    answers["SU1"] = "skip"
    response = client.post(reverse("respond:questions"), answers)
    assert response.status_code == 302 and response["Location"] == reverse("respond:thanks")
    payload = inbox.open_entry(InboxEntry.objects.get())
    assert payload["unit"] == org.clinical.pk
    assert payload["answers"]["SU1"] is None
    assert payload["answers"]["SU2"] == 4
    assert "pseudonym" not in payload
    assert Invitation.objects.get(person__email="clin0@example.org").responded
    assert "respond_invitation" not in client.session
    assert client.get(reverse("respond:thanks")).status_code == 200


def test_a_retried_or_changed_submit_creates_no_duplicate(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    url = reverse("respond:questions")
    first = client.post(url, all_answers("4"))
    retry = client.post(url, all_answers("4"))
    changed = client.post(url, all_answers("1"))
    assert (
        first["Location"] == retry["Location"] == changed["Location"] == reverse("respond:thanks")
    )
    assert InboxEntry.objects.count() == 1
    assert inbox.open_entry(InboxEntry.objects.get())["answers"]["SU2"] == 4
    # The same link again, in another browser: the confirmation, not a second questionnaire.
    again = Client().post(START, {"code": tokens["clin0@example.org"]})
    assert again["Location"] == reverse("respond:thanks")
    # Two tabs that both verified the token before either submitted: one response.
    token = tokens["clin1@example.org"]
    tab_a, tab_b = begin(token), begin(token)
    tab_a.post(url, all_answers("2"))
    tab_b.post(url, all_answers("5"))
    assert InboxEntry.objects.count() == 2


def unusable_key_directory(kind: str, tmp_path: Path) -> Path:
    """A key directory no key can be written to: read-only, or "below" a regular file."""
    if kind == "under-a-file":
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        return blocker / "inbox-keys"
    directory = tmp_path / "read-only-keys"
    directory.mkdir(mode=0o500)
    probe = directory / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return directory
    probe.unlink()
    pytest.skip("this user writes into read-only directories (root): see 'under-a-file'")


@pytest.mark.parametrize("kind", ["read-only", "under-a-file"])
def test_a_key_store_that_fails_gives_a_clear_page_and_stores_nothing(
    opened, settings, tmp_path, caplog, kind
) -> None:  # type: ignore[no-untyped-def]
    wave, tokens = opened
    writable = settings.INBOX_KEY_DIR
    settings.INBOX_KEY_DIR = unusable_key_directory(kind, tmp_path)
    client = begin(tokens["clin0@example.org"])
    answers = all_answers("4")
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("respond:questions"), answers)
    assert response.status_code == 503 and response["Retry-After"] == "900"
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    page = page_of(response)
    assert page.by_id("respond-not-saved").tag == "h1"
    text = " ".join(response.content.decode().split())
    assert "Je antwoorden zijn niet opgeslagen en er is niets over jou vastgelegd" in text
    assert "Je antwoorden staan nog in dit browsertabblad" in text
    # The confirmation's draft-clearing script is not on this page: the tab keeps the draft.
    assert not page.select("script") and 'id="respond-received"' not in text
    assert page.select("a", href=reverse("respond:questions"))
    # Nothing stored, not even the participation mark.
    assert not InboxEntry.objects.exists()
    assert not Invitation.objects.filter(responded=True).exists()
    # One line for the operator: the wave and the directory's problem, no answer content.
    # (django.request's "Service Unavailable: /respond/..." is dropped by the handlers' filter.)
    (record,) = [r for r in caplog.records if r.name == "vrijuit.respond.views"]
    assert record.levelno == logging.ERROR and record.exc_info is None
    message = record.getMessage()
    assert f"wave {wave.pk}" in message and str(settings.INBOX_KEY_DIR.parent) in message
    for content in ("SU1", "answers'", "clin0", "contract", "temporary", "invitation"):
        assert content not in message, content
    silent = SkipPrivatePaths()
    assert silent.filter(record)
    assert not any(silent.filter(r) for r in caplog.records if r.name == "django.request")
    # In English too.
    client.post(reverse("web:switch_language"), {"language": "en", "next": "/respond/questions/"})
    english = " ".join(client.post(reverse("respond:questions"), answers).content.decode().split())
    assert "Your answers were not saved, and nothing about you was stored" in english
    assert "Please try again later" in english
    # Once the key store works again, the same tab sends the same answers.
    settings.INBOX_KEY_DIR = writable
    assert client.post(reverse("respond:questions"), answers).status_code == 302
    assert (
        InboxEntry.objects.count() == 1 and Invitation.objects.filter(responded=True).count() == 1
    )


def test_answers_out_of_range_are_refused_and_nothing_is_stored(opened) -> None:  # type: ignore[no-untyped-def]
    _wave, tokens = opened
    client = begin(tokens["clin0@example.org"])
    response = client.post(reverse("respond:questions"), {"SU1": "99"})
    assert response.status_code == 200 and b'role="alert"' in response.content
    assert not InboxEntry.objects.exists()
    assert not Invitation.objects.filter(responded=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_store_one_response(org, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers: PostgreSQL (make pytest-postgres)")
    add_people(org.clinical, 4, "clin")
    wave = make_wave(org)
    services.launch_wave(wave)
    invitation = Invitation.objects.get(person__email="clin0@example.org")
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(services.submit_response(invitation.pk, {"SU1": "3"}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert InboxEntry.objects.count() == 1


# --- The inbox and the reporting store -------------------------------------------------------


def submit_many(tokens: dict[str, str], count: int) -> list[str]:
    """``count`` respondents submit in order; returns their SU2 answers' order as markers."""
    order = []
    for i, address in enumerate(sorted(tokens)[:count]):
        invitation = services.invitation_for_token(tokens[address])
        assert invitation is not None
        services.submit_response(invitation.pk, {"SU2": str(1 + i % 5)})
        order.append(address)
    return order


def test_flush_waits_for_k_of_a_unit_then_moves_them_and_deletes_them_from_the_inbox(
    org, opened
) -> None:  # type: ignore[no-untyped-def]
    wave, tokens = opened
    clinical = {a: t for a, t in tokens.items() if a.startswith("clin")}
    submit_many(clinical, 2)
    assert services.flush_inbox(wave) == 0  # 2 < k = 3: nothing moves
    assert not Response.objects.exists() and InboxEntry.objects.count() == 2
    submit_many({a: t for a, t in tokens.items() if a.startswith("ped")}, 1)
    assert services.flush_inbox(wave) == 0  # 3 waiting, but no unit has 3 of its own
    submit_many(clinical, 3)  # the third of Team Klinisch
    assert services.flush_inbox(wave) == 3
    assert Response.objects.count() == 3 and InboxEntry.objects.count() == 1  # ped0 waits
    assert {r.unit_id for r in Response.objects.all()} == {org.clinical.pk}
    response = Response.objects.first()
    assert response.period == "2025-najaar" and response.pseudonym is None  # type: ignore[union-attr]
    assert isinstance(response.pk, uuid.UUID) and response.pk.version == 4  # type: ignore[union-attr]


def test_closing_flushes_fewer_than_k(opened, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    wave, tokens = opened
    monkeypatch.setattr(services, "_compute_results", lambda w: None)
    submit_many(tokens, 1)
    services.close_wave(wave)
    assert Response.objects.count() == 1 and not InboxEntry.objects.exists()


def test_confidential_mode_stores_a_wave_independent_pseudonym(
    org, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.PSEUDONYM_SECRET = "a test secret"  # noqa: S105
    add_people(org.clinical, 4, "clin")
    first, second = make_wave(org, mode="confidential"), make_wave(org, mode="confidential")
    for wave in (first, second):
        launch(wave, django_capture_on_commit_callbacks)
        invitation = Invitation.objects.get(wave=wave, person__email="clin0@example.org")
        services.submit_response(invitation.pk, {})
        services.flush_inbox(wave, closing=True)
    a, b = (Response.objects.get(wave=w).pseudonym for w in (first, second))
    assert a == b and a and len(a) == 64
    person = Invitation.objects.filter(person__email="clin0@example.org").first().person  # type: ignore[union-attr]
    assert person.external_id not in a and str(person.pk) != a
    settings.PSEUDONYM_SECRET = "another secret"  # noqa: S105
    assert services.pseudonym(person) != a


def test_confidential_waves_need_a_pseudonym_secret_in_production(org, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ImproperlyConfigured

    settings.DEBUG = False
    settings.PSEUDONYM_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        services.launch_wave(make_wave(org, mode="confidential"))


FORBIDDEN_FIELD_WORDS = ("person", "user", "email", "token", "ip", "agent", "time", "date", "_at")


def test_stored_rows_have_no_field_for_person_time_ip_or_token() -> None:
    for model in (InboxEntry, Response):
        names = [field.name for field in model._meta.get_fields()]
        for name in names:
            parts = name.split("_")
            assert not any(w in parts or name.endswith(w) for w in FORBIDDEN_FIELD_WORDS), name
    # Random UUIDs, never sequential ids.
    assert InboxEntry._meta.pk.default is uuid.uuid4  # type: ignore[union-attr]
    assert Response._meta.pk.default is uuid.uuid4  # type: ignore[union-attr]


@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    picks=st.lists(st.integers(0, 9), min_size=1, max_size=10, unique=True),
    value=st.sampled_from(["1", "5", "skip", ""]),
    closing=st.booleans(),
)
def test_no_stored_row_carries_a_person_id_timestamp_ip_or_token(
    opened, picks, value, closing
) -> None:  # type: ignore[no-untyped-def]
    wave, tokens = opened
    addresses = sorted(tokens)
    for i in picks:
        invitation = services.invitation_for_token(tokens[addresses[i]])
        if invitation is not None and not invitation.responded:
            services.submit_response(invitation.pk, {"SU1": value, "SU2": value})
    services.flush_inbox(wave, closing=closing)
    invitations = list(Invitation.objects.select_related("person"))
    secrets_ = set(tokens.values()) | {i.token_hash for i in invitations}
    people = {str(i.person.pk) for i in invitations} | {i.person.email for i in invitations}
    people |= {i.person.external_id for i in invitations} | {str(i.pk) for i in invitations}
    # Inbox entries as the flush reads them (decrypted; test_inbox_crypto.py checks the rows).
    for row in [*map(inbox.open_entry, InboxEntry.objects.all()), *Response.objects.values()]:
        payload = row.get("payload") or row
        keys = set(payload) - {"id", "wave_id", "unit_id", "period", "attributes", "answers",
                               "pseudonym", "payload", "unit", "sealed_attributes"}  # fmt: skip
        assert not keys, keys
        text = repr(payload)
        assert not any(secret in text for secret in secrets_)
        assert not any(f"'{p}'" in text for p in people)
        assert "127.0.0.1" not in text and ":" not in str(payload.get("period", ""))
        assert payload.get("pseudonym") is None  # anonymous mode
    # Flush never moves fewer than k of a unit unless closing.
    pending = Counter(inbox.open_entry(e)["unit"] for e in InboxEntry.objects.all())
    assert not pending or (max(pending.values()) < wave.k and not closing)
    per_unit = Counter(r.unit_id for r in Response.objects.all())
    assert closing or all(n >= wave.k for n in per_unit.values())
    Response.objects.all().delete()
    InboxEntry.objects.all().delete()
    Invitation.objects.update(responded=False)


def test_the_order_of_responses_does_not_follow_the_order_of_submission(
    org, django_capture_on_commit_callbacks, mailoutbox
) -> None:  # type: ignore[no-untyped-def]
    """Across many flushes with a fixed seed, the stored order is a uniform shuffle: each
    submission position lands in the first stored place about equally often."""
    add_people(org.clinical, 5, "clin")
    wave = make_wave(org, k=8)
    launch(wave, django_capture_on_commit_callbacks)
    rng = random.Random(20251)
    invitations = list(Invitation.objects.order_by("pk")[:8])
    first_places = [0] * 8
    identical = 0
    runs = 200
    for _ in range(runs):
        for position, _invitation in enumerate(invitations):
            inbox.put(
                wave,
                {
                    "unit": org.clinical.pk,  # one unit: the flush moves a unit's k together
                    "attributes": {},
                    "answers": {"SU2": position},
                },
            )
        services.flush_inbox(wave, rng=rng)
        # The order the rows were written in: the database's insertion order.
        written = _written_order(wave)
        if written == list(range(8)):
            identical += 1
        first_places[written[0]] += 1
        Response.objects.all().delete()
    assert identical <= 2  # the chance that a shuffle of 8 is the identity: 1/40320 per run
    expected = runs / 8
    chi2 = sum((n - expected) ** 2 / expected for n in first_places)
    assert chi2 < 24.3, first_places  # chi-squared, 7 degrees of freedom, p = 0.001


def _written_order(wave) -> list[int]:  # type: ignore[no-untyped-def]
    """Responses in insertion order (SQLite rowid / PostgreSQL ctid)."""
    table = Response._meta.db_table
    column = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY {column}")  # noqa: S608
        ids = [row[0] for row in cursor.fetchall()]
    by_id = {str(r.pk).replace("-", ""): r.answers["SU2"] for r in Response.objects.all()}
    return [by_id[str(i).replace("-", "")] for i in ids]


# --- Logs -----------------------------------------------------------------------------------


def test_respond_paths_are_never_logged(opened, settings) -> None:  # type: ignore[no-untyped-def]
    """Through the real logging configuration: runserver's access log and django.request."""
    assert "/respond/" in settings.LOG_SILENT_PATH_PREFIXES
    _wave, tokens = opened
    handler = next(h for h in logging.getLogger("django.server").handlers)
    stream = io.StringIO()
    old = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        client = begin(tokens["clin0@example.org"])
        client.get("/respond/does-not-exist/")  # a 404 that django.request would log
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /respond/questions/ HTTP/1.1", 200, 10
        )
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /accounts/login/ HTTP/1.1", 200, 1
        )
    finally:
        handler.setStream(old)  # type: ignore[attr-defined]
    logged = stream.getvalue()
    assert "/accounts/login/" in logged  # the handler does log other paths
    assert "/respond/" not in logged
    assert not any(token in logged for token in tokens.values())
