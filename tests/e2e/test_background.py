"""A staff member declares their background with the keyboard only, sees the confirmation, then
withdraws everything; the page passes the accessibility basics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import accessibility_problems, email_of, log_in

URL = "/organisation/me/background/"
MAX_TABS = 60


def _person() -> Any:
    from vrijuit.org.models import Person

    return Person.objects.get(email=email_of("staff member"))


@pytest.fixture
def staff_declaration() -> Iterator[None]:
    """The demo staff member's declaration is put back afterwards (other tests share the demo)."""
    before = _person()
    yield
    type(before).objects.filter(pk=before.pk).update(
        gender=before.gender, nationality_group=before.nationality_group
    )


def _focused(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, type: e.type || '', name: e.name || '',"
            " value: e.value || '', text: (e.textContent || '').trim(), checked: !!e.checked}; }"
        )
    )


def _tab_to(page: Page, wanted: dict[str, str]) -> dict[str, Any]:
    """Press Tab until the focused element has every key/value of ``wanted``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if all(focused.get(key) == value for key, value in wanted.items()):
            return focused
    raise AssertionError(f"Tab never reached {wanted}")


def test_a_staff_member_declares_and_withdraws_with_the_keyboard_only(
    page: Page, server: str, staff_declaration: None
) -> None:
    type(_person()).objects.filter(pk=_person().pk).update(gender="", nationality_group="")
    log_in(page, "staff member")
    # From the home page: the header link leads to the page.
    page.goto("/")
    _tab_to(page, {"tag": "A", "text": "Mijn achtergrond"})
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{URL}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn achtergrond")
    assert accessibility_problems(page) == []

    # Tab enters each radio group at its chosen answer ("I'd rather not say", the last one);
    # the arrow keys move the choice within the group.
    focused = _tab_to(page, {"type": "radio", "name": "gender"})
    assert focused["value"] == "prefer_not_to_say" and focused["checked"]
    page.keyboard.press("ArrowUp")  # → "Op een andere manier"
    assert _focused(page)["value"] == "other" and _focused(page)["checked"]
    focused = _tab_to(page, {"type": "radio", "name": "nationality_group"})
    assert focused["value"] == "prefer_not_to_say"
    page.keyboard.press("ArrowUp")  # → "Buiten de EU"
    page.keyboard.press("ArrowUp")  # → "Een ander EU-land"
    assert _focused(page)["value"] == "eu"
    _tab_to(page, {"tag": "BUTTON", "text": "Mijn antwoorden opslaan"})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Opgeslagen. Je antwoorden tellen mee")
    stored = _person()
    assert (stored.gender, stored.nationality_group) == ("other", "eu")
    expect(page.get_by_label("Op een andere manier")).to_be_checked()
    expect(page.get_by_label("Een ander EU-land")).to_be_checked()

    # One button withdraws everything.
    _tab_to(page, {"tag": "BUTTON", "text": "Alles intrekken"})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Ingetrokken: er is niets meer")
    stored = _person()
    assert (stored.gender, stored.nationality_group) == ("", "")
    expect(page.get_by_role("radio", name="Zeg ik liever niet").first).to_be_checked()
    expect(page.get_by_role("button", name="Alles intrekken")).to_have_count(0)
