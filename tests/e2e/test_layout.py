"""Wide tables never push a page past the window's right edge, on a laptop or a phone: a table
too wide for the page scrolls inside its own labelled region that the keyboard can reach."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from e2e.helpers import closed_wave_pk, log_in, unit_pk

# Per table: is the page (or only its region) too wide, and is that region labelled and focusable?
_TABLES_JS = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page is ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  for (const table of document.querySelectorAll('main table')) {
    const what = table.innerText.slice(0, 40);
    const region = table.closest('.table-scroll');
    if (!region) {
      if (table.scrollWidth > table.parentElement.clientWidth + 1) {
        problems.push(`a table wider than the page outside a scroll region: ${what}`);
      }
      continue;
    }
    const label = document.getElementById(region.getAttribute('aria-labelledby') || '');
    if (region.getAttribute('role') !== 'region' || region.tabIndex !== 0 || !label
        || !label.textContent.trim()) {
      problems.push(`a scroll region without role, tabindex or label: ${what}`);
    }
  }
  return problems;
}"""


def _leader(page: Page) -> None:
    log_in(page, "department leader")
    page.goto(f"/results/{closed_wave_pk()}/units/{unit_pk('psy')}/")


def _analysis(page: Page) -> None:
    log_in(page, "analyst")
    page.goto(f"/results/{closed_wave_pk()}/analysis/")


def _people(page: Page) -> None:
    log_in(page, "administrator")
    page.goto("/organisation/people/")


def _waves(page: Page) -> None:
    log_in(page, "analyst")
    page.goto("/surveys/")


PAGES: dict[str, Callable[[Page], None]] = {
    "leader": _leader,
    "analysis": _analysis,
    "people": _people,
    "waves": _waves,
}


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_wide_tables_scroll_inside_a_labelled_region(page: Page, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    PAGES[name](page)
    assert page.locator("main table").count() > 0
    problems = page.evaluate(_TABLES_JS)
    assert not problems, f"{name} at {width} px: {problems}"


def test_a_scroll_region_scrolls_with_the_keyboard(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    _leader(page)
    region = page.locator(".table-scroll").first
    region.focus()
    assert region.evaluate("(element) => element.scrollWidth > element.clientWidth")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: the position moves over a few frames, not at the key press.
    page.wait_for_function(
        "(element) => element.scrollLeft > 0", arg=region.element_handle(), timeout=3000
    )


# --- The respondent's questionnaire on a phone -------------------------------------------------

# The page is no wider than the window, and every control a respondent taps is at least
# 24 × 24 CSS px (WCAG 2.5.8); controls on steps that are not shown have no size and are skipped.
_TARGETS_JS = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page is ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  const controls = 'header a, header select, header button, main a, main button, main select, '
    + 'main input:not([type=hidden])';
  for (const control of document.querySelectorAll(controls)) {
    if (control.classList.contains('skip-link')) continue;
    const box = control.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.width < 24 || box.height < 24) {
      const what = control.id || control.textContent.trim().slice(0, 40)
        || control.outerHTML.slice(0, 60);
      problems.push(`${what}: ${box.width.toFixed(1)} × ${box.height.toFixed(1)} px`);
    }
  }
  return problems;
}"""


def test_the_questionnaire_fits_a_phone_on_every_step(page: Page, server: str) -> None:
    from e2e.test_respondent import _answer_visible_part, _next, _open, _visible_step

    page.set_viewport_size({"width": 390, "height": 800})
    _open(page, server, 0)
    seen = []
    while True:
        step = _visible_step(page)
        seen.append(step)
        problems = page.evaluate(_TARGETS_JS)
        assert not problems, f"{step} at 390 px: {problems}"
        if step == "step-review":
            break
        if step != "step-intro":
            # One question per part left open, so that the check page lists its links.
            _answer_visible_part(page, leave_open=_first_item_on(page))
        _next(page)
    assert page.locator(".review-list a").count() == len(seen) - 2


def _first_item_on(page: Page) -> str:
    question = page.locator("#questionnaire [data-step]:not([hidden]) fieldset").first
    return (question.get_attribute("id") or "").removeprefix("question-")
