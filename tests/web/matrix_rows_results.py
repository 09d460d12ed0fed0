"""Permission-matrix rows for the results pages and downloads (a released snapshot exists)."""

from __future__ import annotations

from typing import Any

from web.matrix_rows import LOGIN, Row, statuses


def _wave(org: Any) -> dict[str, Any]:
    """One wave with a released snapshot per test organisation.

    The matrix builds the URL once per persona; the wave is made on the first call and kept on
    the organisation object, which lives as long as the test.
    """
    from vrijuit.results.services import compute_wave_results
    from web.results_data import add_responses, make_wave

    wave_id: int | None = getattr(org, "_results_wave_id", None)
    if wave_id is None:
        wave = make_wave(org)
        add_responses(wave, org.clinical, 6)
        add_responses(wave, org.psychology, 6, leader=True)
        add_responses(wave, org.pedagogy, 6)
        compute_wave_results(wave)
        wave_id = wave.pk
        org._results_wave_id = wave_id
    return {"wave_id": wave_id}


def _unit(unit: str, fmt: str | None = None) -> Any:
    def kwargs(org: Any) -> dict[str, Any]:
        extra = {"fmt": fmt} if fmt else {}
        return {**_wave(org), "unit_id": getattr(org, unit).pk, **extra}

    return kwargs


def _fmt(fmt: str) -> Any:
    return lambda org: {**_wave(org), "fmt": fmt}


EVERY_ROLE = statuses(200)
LEADER_PAGE = statuses(403, leader=200, analyst=200)
OTHER_PAGE = statuses(403, other_leader=200, analyst=200)
ANALYST = statuses(403, analyst=200)

ROWS: dict[str, list[Row]] = {
    "results:index": [Row(statuses(200))],
    "results:organisation": [
        Row(EVERY_ROLE, kwargs=_wave, note="staff: also their own unit; adviser: aggregates only")
    ],
    "results:organisation_download": [Row(EVERY_ROLE, kwargs=_fmt("csv"))],
    "results:unit": [
        Row(LEADER_PAGE, kwargs=_unit("psychology"), note="the leader's own unit"),
        Row(LEADER_PAGE, kwargs=_unit("clinical"), note="a team in the leader's subtree"),
        Row(OTHER_PAGE, kwargs=_unit("pedagogy"), note="another leader's unit"),
        Row(ANALYST, kwargs=_unit("faculty"), note="above every leader"),
    ],
    "results:unit_download": [
        Row(LEADER_PAGE, kwargs=_unit("psychology", "csv")),
        Row(OTHER_PAGE, kwargs=_unit("pedagogy", "csv")),
    ],
    "results:analysis": [Row(ANALYST, kwargs=_wave)],
    "results:analysis_download": [Row(ANALYST, kwargs=_fmt("csv"))],
    "results:unit_gaps": [
        Row(ANALYST, kwargs=_wave, note="unit x attribute cells: analysts only, never leaders")
    ],
    # CSV only, like the other downloads: tests/web/test_background.py reads every matrix page
    # as text (the PDF is checked in test_results_unit_gaps.py and test_results_promise.py).
    "results:unit_gaps_download": [Row(ANALYST, kwargs=_fmt("csv"))],
}
assert LOGIN == 302
