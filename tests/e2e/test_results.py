"""Leaders see their own subtree only; a small team's results are held back, with the reason."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.helpers import closed_wave_pk, log_in, unit_pk

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
