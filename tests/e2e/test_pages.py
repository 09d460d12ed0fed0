"""Every main page, as the role that uses it: it renders, passes the accessibility basics, and
(with ``make screenshots``) is photographed for the README into docs/screenshots/."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import accessibility_problems, closed_wave_pk, log_in, unit_pk
from e2e.test_respondent import _fresh_link, _go_to_review, _path_of


def _check(page: Page, screenshot_dir: Path, name: str) -> None:
    """Photograph the page (before the check moves the focus), then check its basics."""
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=False)
    problems = accessibility_problems(page)
    assert not problems, f"{name}: {problems}"


HOMES = [
    ("administrator", "home-administrator"),
    ("analyst", "home-analyst"),
    ("dean", "home-dean"),
    ("team leader", "home-team-leader"),
    ("staff member", "home-staff-member"),
    ("adviser", "home-adviser"),
]


@pytest.mark.parametrize(("account", "name"), HOMES, ids=[a for a, _ in HOMES])
def test_home_per_role(page: Page, screenshot_dir: Path, account: str, name: str) -> None:
    log_in(page, account)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, screenshot_dir, name)


def test_login_page(page: Page, screenshot_dir: Path) -> None:
    page.goto("/accounts/login/")
    _check(page, screenshot_dir, "login")


def test_leader_dashboard(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "department leader")
    response = page.goto(f"/results/{closed_wave_pk()}/units/{unit_pk('psy')}/")
    assert response is not None and response.status == 200
    _check(page, screenshot_dir, "leader-dashboard")


def test_results_index(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "dean")
    page.goto("/results/")
    _check(page, screenshot_dir, "results-index")


def test_analyst_organisation_page(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "analyst")
    response = page.goto(f"/results/{closed_wave_pk()}/")
    assert response is not None and response.status == 200
    _check(page, screenshot_dir, "analyst-organisation")


def test_analyst_analysis_page(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "analyst")
    response = page.goto(f"/results/{closed_wave_pk()}/analysis/")
    assert response is not None and response.status == 200
    _check(page, screenshot_dir, "analyst-analysis")


def test_survey_waves_and_form(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "analyst")
    page.goto("/surveys/")
    _check(page, screenshot_dir, "waves")
    page.goto("/surveys/new/")
    _check(page, screenshot_dir, "wave-form")


def test_respondent_questionnaire_and_confirmation(
    page: Page, server: str, screenshot_dir: Path
) -> None:
    link, _ = _fresh_link(2)
    page.goto(_path_of(link, server))
    # The first part of the questionnaire (one part per page), with one answer chosen.
    page.get_by_role("button", name="Start the questions").click()
    expect(page.get_by_text(re.compile(r"^Part 1 of \d+$"))).to_be_visible()
    page.get_by_label("Agree", exact=True).first.check()
    _check(page, screenshot_dir, "respondent-questionnaire")
    _go_to_review(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, screenshot_dir, "respondent-confirmation")


COLUMNS = ["external_id", "name", "email", "unit_external_id", "position_level", "contract"]


def _people_export() -> bytes:
    """The demo's people as an HR export, with a few changes: one person moved to another
    team, one new person, and one row that must be rejected (an unknown unit)."""
    from vrijuit.org.models import Person

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "language", "leads"])
    people = Person.objects.filter(active=True).select_related("unit").order_by("external_id")
    for index, person in enumerate(people.prefetch_related("led_units")):
        unit = "demo-psy-ontw" if index == 0 else person.unit.external_id
        leads = "|".join(sorted(u.external_id for u in person.led_units.all()))
        hr = [person.external_id, person.name, person.email, unit, person.position_level]
        writer.writerow([*hr, person.contract, person.language, leads])
    new = ["Lotte Brouwer", "lotte.brouwer@demo.vrijuit.example", "demo-psy-klin", "phd"]
    writer.writerow(["demo-new-1", *new, "temporary", "nl", ""])
    lost = ["Omar Haddad", "omar.haddad@demo.vrijuit.example", "demo-nowhere", "postdoc"]
    writer.writerow(["demo-new-2", *lost, "temporary", "en", ""])
    return out.getvalue().encode("utf-8")


def test_hr_import_preview(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "administrator")
    page.goto("/organisation/import/")
    _check(page, screenshot_dir, "hr-import-upload")
    # The administrator works in Dutch: find the controls by name, not by their label.
    page.locator("input[name=people_file]").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": _people_export()}
    )
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Nothing is applied: the demo stays as it is for the other tests.
    _check(page, screenshot_dir, "hr-import-preview")


def test_roles_page(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "administrator")
    response = page.goto("/accounts/roles/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _check(page, screenshot_dir, "roles")


def test_my_background_page(page: Page, screenshot_dir: Path) -> None:
    log_in(page, "staff member")
    response = page.goto("/organisation/me/background/")
    assert response is not None and response.status == 200
    expect(page.locator("main fieldset").first).to_be_visible()
    _check(page, screenshot_dir, "my-background")
