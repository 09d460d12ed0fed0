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
