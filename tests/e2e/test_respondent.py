"""A respondent answers the open wave one part per page: with the keyboard only, through reloads,
the browser's Back button, the language switch and the check page; without JavaScript the same
questionnaire is one long form. A retried submit counts once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.helpers import accessibility_problems
from vrijuit.demo_site.waves import OPEN_WAVE, respondent_link

QUESTIONS_PATH = "/respond/questions/"


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


def _part_count() -> int:
    """The parts a staff member who leads no unit answers: one per scale for everyone."""
    from vrijuit.surveys import services
    from vrijuit.surveys.models import Wave

    instrument = services.instrument_of(Wave.objects.get(period=OPEN_WAVE.period))
    return len(services.scales_for(instrument, leads_unit=False))


def _focused(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, type: e.type || '', name: e.name || '', id: e.id || '',"
            " text: (e.textContent || '').trim(), checked: !!e.checked}; }"
        )
    )


def _visible_step(page: Page) -> str:
    """The id of the one step (introduction, a part, the check page) that is shown."""
    ids: list[str] = page.evaluate(
        "() => Array.from(document.querySelectorAll('#questionnaire [data-step]'))"
        ".filter((s) => !s.hidden).map((s) => s.id)"
    )
    assert len(ids) == 1, f"one step at a time, not {ids}"
    return ids[0]


def _checked(page: Page) -> dict[str, str]:
    """Every question's chosen value, as the form holds it."""
    return dict(
        page.evaluate(
            "() => Object.fromEntries(Array.from("
            "document.querySelectorAll('#questionnaire input[type=radio]:checked'))"
            ".map((r) => [r.name, r.value]))"
        )
    )


def _open(page: Page, server: str, person_index: int) -> tuple[str, int]:
    link, invitation_id = _fresh_link(person_index)
    page.goto(_path_of(link, server))  # the token in the fragment is posted by the page itself
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    return link, invitation_id


def _next(page: Page) -> None:
    """The visible Next (or Start, or Check and send) button."""
    page.locator("#questionnaire [data-step]:not([hidden]) [data-go=next]").click()


def _answer_visible_part(page: Page, *, leave_open: str = "") -> None:
    """Click the first answer of every question on the shown part, except ``leave_open``."""
    for question in page.locator("#questionnaire [data-step]:not([hidden]) fieldset").all():
        if question.get_attribute("id") != f"question-{leave_open}":
            question.get_by_role("radio").first.check()


def _go_to_review(page: Page) -> None:
    while _visible_step(page) != "step-review":
        _next(page)
    expect(page.get_by_role("heading", name="Check and send")).to_be_focused()


# --- Keyboard only -----------------------------------------------------------------------------


def test_a_respondent_answers_every_part_with_the_keyboard_only(page: Page, server: str) -> None:
    _open(page, server, 0)
    before = _stored_count()
    parts = _part_count()
    assert page.url.endswith(QUESTIONS_PATH), "no token, step or answer in the address"

    # The introduction shows the privacy statement fixed at launch; Tab leads to the start.
    expect(page.get_by_role("heading", name="How your answers are protected")).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Start the questions":
            break
    else:
        raise AssertionError("Tab never reached the start button")
    page.keyboard.press("Enter")

    answered: set[str] = set()
    for number in range(1, parts + 1):
        label = f"Part {number} of {parts}"
        focused = _focused(page)
        assert focused["tag"] == "H2", f"{label}: focus on the part's heading, not {focused}"
        step = _visible_step(page)
        assert focused["id"] == f"{step}-heading"
        expect(page.locator(f"#{step}-label")).to_have_text(label)
        assert page.locator(f"#{step} progress").evaluate("(p) => [p.value, p.max]") == [
            number,
            parts,
        ]
        expect(page.locator("#step-announcer")).to_contain_text(label)
        assert page.title().startswith(f"{label}: "), "the window title names the part"
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = _focused(page)
            if focused["tag"] == "BUTTON" and focused["text"] in ("Next", "Check and send"):
                break
            if focused["type"] == "radio" and focused["name"] not in answered:
                # Space picks the focused (first) answer; every other question moves one on.
                page.keyboard.press("Space")
                if len(answered) % 2:
                    page.keyboard.press("ArrowDown")
                if number == 1 and not answered:
                    # Enter in a middle part must not send the form.
                    page.keyboard.press("Enter")
                    assert _visible_step(page) == step and page.url.endswith(QUESTIONS_PATH)
                answered.add(focused["name"])
        else:
            raise AssertionError(f"{label}: Tab never reached the next button")
        page.keyboard.press("Enter")

    assert len(answered) >= 40, "every question is reachable with Tab"
    assert _stored_count() == before, "nothing is sent before the check page"
    expect(page.get_by_role("heading", name="Check and send")).to_be_focused()
    expect(page.get_by_text("You have answered every question.")).to_be_visible()
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(page)["text"] == "Send my answers":
            break
    else:
        raise AssertionError("Tab never reached the send button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1
    # The tab's draft is gone once the answers are stored.
    assert page.evaluate("() => Object.keys(sessionStorage)") == []


def test_every_step_passes_the_accessibility_basics(page: Page, server: str) -> None:
    _open(page, server, 0)
    steps = 0
    while True:
        step = _visible_step(page)
        problems = accessibility_problems(page)
        assert not problems, f"{step}: {problems}"
        steps += 1
        if step == "step-review":
            break
        _next(page)
    assert steps == _part_count() + 2  # the introduction, every part, the check page


# --- The draft: reload, Back, language ----------------------------------------------------------


def test_a_reload_keeps_the_answers_and_the_part(page: Page, server: str) -> None:
    _open(page, server, 0)
    _next(page)
    _answer_visible_part(page)
    _next(page)
    page.locator("#questionnaire [data-step]:not([hidden]) fieldset").first.get_by_label(
        "Strongly agree"
    ).check()
    part_two, answers = _visible_step(page), _checked(page)
    assert len(answers) == 6

    page.reload()
    expect(page.locator(f"#{part_two}")).to_be_visible()
    assert _visible_step(page) == part_two
    assert _checked(page) == answers
    assert page.url.endswith(QUESTIONS_PATH)
    # The draft is in this tab's sessionStorage and nowhere else in the browser.
    assert page.evaluate("() => localStorage.length") == 0
    assert page.evaluate("() => Object.keys(sessionStorage)") == [
        page.locator("#questionnaire").get_attribute("data-draft-key")
    ]
    cookies = page.context.cookies()
    assert {cookie["name"] for cookie in cookies} <= {"sessionid", "csrftoken", "django_language"}
    assert not any("Strongly" in c["value"] or "SU" in c["value"] for c in cookies)


def test_the_browser_back_button_returns_to_the_previous_part_with_its_answers(
    page: Page, server: str
) -> None:
    _open(page, server, 0)
    _next(page)
    part_one = _visible_step(page)
    _answer_visible_part(page)
    _next(page)
    part_two = _visible_step(page)
    page.locator(f"#{part_two} fieldset").first.get_by_label("Disagree", exact=True).check()
    answers = _checked(page)

    page.go_back()
    expect(page.locator(f"#{part_one}-heading")).to_be_focused()
    assert _visible_step(page) == part_one and _checked(page) == answers
    assert page.url.endswith(QUESTIONS_PATH)
    page.go_forward()
    expect(page.locator(f"#{part_two}-heading")).to_be_focused()
    assert _checked(page) == answers
    page.go_back()
    page.go_back()
    expect(page.get_by_role("heading", name="Before you start")).to_be_focused()
    # A reload on an earlier history entry shows that entry's part, with all answers.
    page.go_forward()
    page.reload()
    expect(page.locator(f"#{part_one}")).to_be_visible()
    assert _checked(page) == answers


def test_the_language_switch_keeps_the_answers_and_the_part(page: Page, server: str) -> None:
    _open(page, server, 0)
    _next(page)
    _answer_visible_part(page)
    _next(page)
    part_two, answers = _visible_step(page), _checked(page)

    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator(f"#{part_two}-label")).to_have_text(f"Deel 2 van {_part_count()}")
    assert _visible_step(page) == part_two and _checked(page) == answers
    assert page.url.endswith(QUESTIONS_PATH)


# --- The check page ---------------------------------------------------------------------------


def test_the_check_page_lists_an_open_question_and_its_link_goes_to_it(
    page: Page, server: str
) -> None:
    _open(page, server, 0)
    before = _stored_count()
    _next(page)
    open_item = page.locator("#questionnaire [data-step]:not([hidden]) fieldset").nth(2)
    item_id = (open_item.get_attribute("id") or "").removeprefix("question-")
    question = " ".join((open_item.locator("legend").text_content() or "").split())
    for _ in range(_part_count()):
        _answer_visible_part(page, leave_open=item_id)
        _next(page)

    expect(page.get_by_role("heading", name="Check and send")).to_be_focused()
    expect(page.locator("#review-open-count")).to_have_text("1")
    link = page.get_by_role("link", name=question)
    expect(link).to_have_count(1)
    link.click()
    focused = _focused(page)
    assert focused["type"] == "radio" and focused["name"] == item_id
    assert page.url.endswith(QUESTIONS_PATH), "the jump puts nothing in the address"
    page.keyboard.press("Space")
    page.get_by_role("button", name="Back to check and send").click()
    expect(page.get_by_text("You have answered every question.")).to_be_visible()
    expect(page.locator("#review-open")).to_be_hidden()
    # Back returns to the part the link led to, as the browser's history says.
    page.go_back()
    expect(page.locator(f"#question-{item_id}")).to_be_visible()
    page.go_forward()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1


def test_a_retried_submit_creates_no_duplicate(page: Page, server: str) -> None:
    link, invitation_id = _open(page, server, 1)
    before = _stored_count()
    _next(page)
    page.get_by_label("Strongly agree").first.check()
    _go_to_review(page)
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


# --- Without JavaScript -----------------------------------------------------------------------


@pytest.fixture
def page_without_script(browser: Browser, server: str) -> Iterator[Page]:
    """Like ``page``, with JavaScript switched off."""
    context = browser.new_context(
        base_url=server,
        locale="en-GB",
        java_script_enabled=False,
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_without_javascript_the_code_is_pasted_and_the_questionnaire_is_one_long_form(
    page_without_script: Page, server: str
) -> None:
    page = page_without_script
    link, _ = _fresh_link(0)
    before = _stored_count()
    # The fragment cannot be read without a script: the start page asks for the code instead.
    page.goto(_path_of(link, server))
    expect(page.get_by_text("Opening your survey")).to_be_hidden()
    page.get_by_label("Your personal code").fill(link.split("#", 1)[1])
    page.get_by_role("button", name="Start the survey").click()

    parts = _part_count()
    for number in range(1, parts + 1):
        expect(page.get_by_text(f"Part {number} of {parts}", exact=True)).to_be_visible()
    expect(page.locator("#questionnaire progress").first).to_be_hidden()
    expect(page.get_by_role("button", name="Next")).to_have_count(0)  # hidden: no name to find
    expect(page.get_by_text("Nothing is stored before you press the button")).to_be_visible()
    expect(page.get_by_text("kept only in this browser tab")).to_be_hidden()
    page.get_by_label("Strongly agree").first.check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    assert _stored_count() == before + 1
