"""A respondent answers the open wave with the keyboard only, and a retried submit counts once."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from vrijuit.demo_site.waves import OPEN_WAVE, respondent_link


def _fresh_link(person_index: int) -> tuple[str, int]:
    """A respondent link for one not-yet-answered invitation of the open wave, and its id."""
    from vrijuit.surveys.models import Invitation, Wave

    wave = Wave.objects.get(period=OPEN_WAVE.period)
    invitation = (
        Invitation.objects.filter(wave=wave, responded=False, leads_unit=False)
        .order_by("pk")
        .select_related("person")[person_index]
    )
    link = respondent_link(wave, invitation.person.email)
    assert link is not None
    return link, invitation.pk


def _stored_count() -> int:
    """Responses and inbox entries of the open wave: each submit adds exactly one."""
    from vrijuit.surveys.models import InboxEntry, Response, Wave

    wave = Wave.objects.get(period=OPEN_WAVE.period)
    return InboxEntry.objects.filter(wave=wave).count() + Response.objects.filter(wave=wave).count()


def _path_of(link: str, server: str) -> str:
    # The printed link names the configured site; the test server has its own address.
    return link.split("/respond/", 1)[1].join(["/respond/", ""])


def _focused(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, type: e.type || '', name: e.name || '',"
            " text: (e.textContent || '').trim(), checked: !!e.checked}; }"
        )
    )


def test_a_respondent_answers_with_the_keyboard_only(page: Page, server: str) -> None:
    link, _ = _fresh_link(0)
    before = _stored_count()
    page.goto(_path_of(link, server))  # the token in the fragment is posted by the page itself
    expect(page.get_by_role("button", name="Send my answers")).to_be_visible()
    answered: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BUTTON" and focused["text"] == "Send my answers":
            break
        if focused["type"] == "radio" and focused["name"] not in answered:
            # Space picks the focused (first) answer; every other question moves one on.
            page.keyboard.press("Space")
            if len(answered) % 2:
                page.keyboard.press("ArrowDown")
            answered.add(focused["name"])
    else:
        raise AssertionError("Tab never reached the send button")
    assert len(answered) >= 40, "every question is reachable with Tab"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1


def test_a_retried_submit_creates_no_duplicate(page: Page, server: str) -> None:
    link, invitation_id = _fresh_link(1)
    before = _stored_count()
    page.goto(_path_of(link, server))
    page.get_by_label("Strongly agree").first.check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1

    # The browser's back button and a second submit of the same (cached) form.
    page.go_back()
    page.reload()
    if page.get_by_role("button", name="Send my answers").count():
        page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    # The same link opened again (the e-mail clicked twice) leads to the same confirmation.
    page.goto(_path_of(link, server))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1

    from vrijuit.surveys.models import Invitation

    assert Invitation.objects.get(pk=invitation_id).responded
