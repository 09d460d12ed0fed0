"""Leaders see their own subtree only; a small team's results are held back, with the reason."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.helpers import accessibility_problems, closed_wave_pk, log_in, unit_pk

SMALL_TEAM = "ped-kind"  # 5 staff, 3 or 4 answer in every wave (demo data README, pattern 6)
SMALL_TEAM_NAMES = re.compile("Kinderopvang en Ontwikkeling|Early Childhood Development")


def test_a_leader_sees_their_subtree_and_not_another_unit(page: Page) -> None:
    wave = closed_wave_pk()
    log_in(page, "department leader")  # leads Psychologie (psy)

    response = page.goto(f"/results/{wave}/units/{unit_pk('psy')}/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Psycholog")
    # A team inside the subtree is there, a team elsewhere in the faculty is not.
    expect(page.get_by_text("Klinische Psychologie").first).to_be_visible()
    assert page.get_by_text("Orthopedagogiek").count() == 0

    team = page.goto(f"/results/{wave}/units/{unit_pk('psy-klin')}/")
    assert team is not None and team.status == 200

    for elsewhere in ("ped", "ped-orth", "fsw"):
        refused = page.goto(f"/results/{wave}/units/{unit_pk(elsewhere)}/")
        assert refused is not None and refused.status == 403, elsewhere
        assert "Orthopedagogiek" not in page.content()


def test_the_dean_reads_the_faculty_on_a_short_page_and_opens_a_department(page: Page) -> None:
    """The faculty's own results and one row per department (not the whole subtree): the page
    was about 167,000 px tall at 1280 px when every unit below was expanded."""
    page.set_viewport_size({"width": 1280, "height": 800})
    wave = closed_wave_pk()
    log_in(page, "dean")
    page.goto(f"/results/{wave}/units/{unit_pk('fsw')}/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 8000, height
    # Headings in order: one h1, then an h2 per table.
    levels = page.locator("main h1, main h2, main h3").evaluate_all(
        "(hs) => hs.map((h) => Number(h.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1 and max(levels[1:]) == 2
    subs = page.locator("table[data-table='sub-units']")
    expect(subs.locator("th[scope='row'] a", has_text="Psychologie")).to_have_count(1)
    assert subs.locator("th[scope='row']", has_text="Klinische Psychologie").count() == 0
    assert not accessibility_problems(page)
    # Each sub-unit opens its own page; the breadcrumb leads back to the faculty.
    subs.locator("th[scope='row'] a", has_text="Psychologie").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Psychologie")
    crumbs = page.locator("nav.breadcrumb")
    expect(crumbs.locator("[aria-current='page']")).to_contain_text("Psychologie")
    crumbs.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sociale Wetenschappen")


def test_a_team_leader_cannot_see_the_department_above(page: Page) -> None:
    wave = closed_wave_pk()
    log_in(page, "team leader")  # leads Sociale Psychologie (psy-soc)
    own = page.goto(f"/results/{wave}/units/{unit_pk('psy-soc')}/")
    assert own is not None and own.status == 200
    above = page.goto(f"/results/{wave}/units/{unit_pk('psy')}/")
    assert above is not None and above.status == 403


def test_a_small_team_is_suppressed_with_an_explanation(page: Page) -> None:
    wave = closed_wave_pk()
    log_in(page, "dean")
    response = page.goto(f"/results/{wave}/units/{unit_pk('ped')}/")
    assert response is not None and response.status == 200
    main = page.locator("main")
    # The team is named, with the reason its numbers are not shown, in words.
    expect(main.get_by_text(SMALL_TEAM_NAMES).first).to_be_visible()
    expect(main).to_contain_text(re.compile(r"fewer than 5|minder dan 5", re.IGNORECASE))
    # ... and none of its numbers: no table row of the team carries a figure.
    rows = main.locator("tr", has_text=SMALL_TEAM_NAMES)
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td").all_inner_texts()
        assert not any(re.fullmatch(r"\d+([.,]\d+)?%?", cell.strip()) for cell in cells), cells


def test_an_analyst_chooses_a_scale_with_the_keyboard_and_reads_the_gaps_per_unit(
    page: Page, screenshot_dir: Path
) -> None:
    """The per-unit differences: reached from the analysis page, the scale chosen with the
    keyboard alone, the tables in labelled scrolling regions; photographed for the docs."""
    wave = closed_wave_pk()
    log_in(page, "analyst")
    page.goto(f"/results/{wave}/analysis/")
    page.get_by_role("link", name=re.compile("binnen elke eenheid|within each unit")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("binnen elke eenheid|within each unit")
    )
    select = page.get_by_label(re.compile("^(Schaal|Scale)$"))
    options = select.locator("option").all_inner_texts()
    assert len(options) > 1
    # Keyboard only: focus the list, move to the second scale, Tab to the button, Enter.
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"scale="))
    expect(select).to_have_value(re.compile(r".+"))
    assert select.evaluate("s => s.selectedIndex") == 1
    regions = page.locator('.table-scroll[role="region"]')
    assert regions.count() >= 1
    caption = page.locator("h2[id^='t-unit-gaps-']").first
    expect(caption).to_contain_text(options[1])
    # Units by their path, in tree order; rows without figures say why in words.
    assert page.locator("table[data-table^='unit-gaps-'] th[scope='row']", has_text="›").count()
    page.screenshot(path=str(screenshot_dir / "analyst-unit-gaps.png"), full_page=False)
    assert not accessibility_problems(page)
