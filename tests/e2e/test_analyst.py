"""An analyst creates a survey wave in the browser and launches it."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from playwright.sync_api import Page, expect

from e2e.helpers import log_in

TEAM = "Youth and Upbringing"  # ped-jeugd, a team of about a dozen people


def test_an_analyst_creates_and_launches_a_wave(page: Page) -> None:
    from vrijuit.surveys.models import Invitation, Wave

    log_in(page, "analyst")  # works in English
    page.goto("/surveys/")
    page.get_by_role("link", name="New wave").click()

    today = dt.date.today()  # noqa: DTZ011  (the server's local date is what the form checks)
    page.get_by_label("Title (Dutch)").fill("Pilot Jeugd en Opvoeding")
    page.get_by_label("Title (English)").fill("Pilot Youth and Upbringing")
    expect(page.get_by_label("Questionnaire")).to_have_value("vrijuit")
    page.get_by_label(TEAM, exact=False).check()
    page.get_by_label("Period").fill("2026-pilot")
    page.get_by_label("Opens on").fill(today.isoformat())
    page.get_by_label("Closes on").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Anonymous").check()
    page.get_by_label("Minimum group size (k)").fill("5")
    page.get_by_role(
        "group", name="Results for the whole organisation, also split by"
    ).get_by_label("Position level").check()
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pilot Youth and Upbringing")
    wave = Wave.objects.get(period="2026-pilot")
    assert wave.status == "draft"

    page.get_by_role("link", name="Launch").first.click()
    # The launch page states what is fixed from now on, then launches on request.
    expect(page.get_by_role("main")).to_contain_text("5")
    outbox_before = len(mail.outbox)
    page.get_by_role("button", name="Launch the wave").click()
    expect(page.get_by_role("main")).to_contain_text("people are invited")

    wave.refresh_from_db()
    assert wave.status == "open"
    invited = Invitation.objects.filter(wave=wave)
    assert invited.count() >= 10
    assert set(invited.values_list("unit__external_id", flat=True)) == {"demo-ped-jeugd"}
    # Everyone got an e-mail with their own link; the link's token is nowhere in the database.
    sent = mail.outbox[outbox_before:]
    assert len(sent) == invited.count()
    assert all("/respond/#" in message.body for message in sent)
