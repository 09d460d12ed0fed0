"""P8 as a property: on generated organisations, every role's view uses only shown cells and
the union of all roles' views gives an attacker no group of 1..k−1 people.

No database: ``services.plan_results`` is what ``compute_wave_results`` stores, and the role
views read an unsaved ``ResultSnapshot`` holding it, exactly as they read a stored one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from _disclosure_oracles import attacker, cell_members

# Many small teams (the hard case for disclosure), a few large ones.
TEAM_SIZES = st.sampled_from([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12])
GENDERS = ("woman", "man", "other", None)
LEVELS = ("phd", "postdoc", "assistant_professor", "associate_professor", "full_professor")


@dataclass
class Organisation:
    parents: dict[str, str | None]
    teams: list[str]  # each respondent's unit
    gender: list[str | None]
    level: list[str | None] | None
    k: int
    seed: int


@st.composite
def organisations(draw: Any) -> Organisation:
    parents: dict[str, str | None] = {"1": None}
    teams: list[str] = []
    next_id = 2

    def add(parent: str) -> str:
        nonlocal next_id
        unit = str(next_id)
        next_id += 1
        parents[unit] = parent
        return unit

    for _ in range(draw(st.integers(1, 3))):  # faculties
        faculty = add("1")
        for _ in range(draw(st.integers(1, 4))):  # departments
            department = add(faculty)
            # People placed in the department itself, beside its teams (often nobody).
            teams += [department] * draw(st.sampled_from([0, 0, 1, 2, 5]))
            for _ in range(draw(st.integers(0, 4))):
                teams += [add(department)] * draw(TEAM_SIZES)
    n = len(teams)
    weights = draw(st.sampled_from([(0.5, 0.45, 0.03, 0.02), (0.3, 0.3, 0.2, 0.2)]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    gender = [GENDERS[i] for i in rng.choice(4, size=n, p=weights)]
    level = [LEVELS[i] for i in rng.choice(5, size=n)] if draw(st.booleans()) else None
    return Organisation(parents, teams, gender, level, draw(st.sampled_from([3, 5])), seed)


def _frame(org: Organisation, instrument: Any) -> pd.DataFrame:
    from vrijuit.results.services import LEADER, ROLE, TEAM

    rng = np.random.default_rng(org.seed)
    n = len(org.teams)
    leader = rng.random(n) < 0.1
    columns: dict[str, Any] = {}
    for scale in instrument.scales:
        low, high = int(scale.response_format.low), int(scale.response_format.high)
        for item in scale.item_ids:
            answers = rng.integers(low, high + 1, size=n).astype(float)
            answers[rng.random(n) < 0.05] = np.nan  # "prefer not to say"
            if scale.role == "leader_own":
                answers[~leader] = np.nan
            columns[item] = answers
    frame = pd.DataFrame(columns)[list(instrument.item_ids())]
    frame.index = pd.Index([f"r{i}" for i in range(n)], name="respondent")
    frame[TEAM] = org.teams
    frame["gender"] = np.asarray(org.gender, dtype=object)
    if org.level is not None:
        frame["position_level"] = np.asarray(org.level, dtype=object)
    frame[ROLE] = np.where(leader, LEADER, "staff")
    return frame


def _tree(parents: dict[str, str | None]) -> Any:
    from vrijuit.stats.rollup import UnitTree

    units = pd.DataFrame(
        {
            "unit_id": list(parents),
            "parent_id": list(parents.values()),
            "name_nl": [f"Eenheid {u}" for u in parents],
            "name_en": [f"Unit {u}" for u in parents],
        }
    )
    return UnitTree.from_frame(units, name_en="name_en", name_nl="name_nl")


def _key(cell: str) -> tuple[str, str, str, str]:
    kind, rest = cell.split(":", 1)
    if kind == "unit":
        return ("unit", rest, "", "")
    if kind == "attribute":
        attribute, value = rest.split("=", 1)
        return ("attribute", "", attribute, value)
    unit, pair = rest.split("|", 1)
    attribute, value = pair.split("=", 1)
    return ("unit_attribute", unit, attribute, value)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(org=organisations())
def test_every_role_s_view_is_within_shown_and_the_union_leaks_no_small_group(
    org: Organisation,
) -> None:
    from vrijuit.results.models import ResultSnapshot
    from vrijuit.results.presentation import (
        analyst_view,
        leader_view,
        staff_view,
        unit_gap_scales,
        unit_gaps_view,
    )
    from vrijuit.results.services import _instrument, plan_results
    from vrijuit.surveys.models import Wave

    instrument = _instrument("vrijuit")
    attributes = ["gender"] + (["position_level"] if org.level is not None else [])
    frame = _frame(org, instrument)
    report, shown = plan_results(
        frame,
        instrument,
        _tree(org.parents),
        report_attributes=attributes,
        unit_attributes=attributes,
        k=org.k,
    )
    wave = Wave(
        k=org.k, period="2025-najaar", report_attributes=attributes, unit_attributes=attributes
    )
    snapshot = ResultSnapshot(wave=wave, report=report, shown=shown)
    units = sorted(set(org.parents), key=int)
    views = [
        analyst_view(snapshot, "en"),
        staff_view(snapshot, "nl", None),  # the confidential adviser
        *(staff_view(snapshot, "en", unit) for unit in units),
        *(leader_view(snapshot, "nl", unit) for unit in units),  # any unit may have a leader
        *(unit_gaps_view(snapshot, "en", scale)[0] for scale in unit_gap_scales(snapshot)),
    ]
    for view in views:
        assert view.cells <= set(shown), (view.kind, sorted(view.cells - set(shown)))
    union = sorted(set().union(*(view.cells for view in views)))
    event(f"cells in the union: {min(len(union) // 10 * 10, 50)}+")
    event(f"respondents: {min(len(org.teams) // 25 * 25, 100)}+")
    attributes_of = {"gender": org.gender, **({"position_level": org.level} if org.level else {})}
    members = [cell_members(_key(c), org.teams, org.parents, attributes_of) for c in union]
    leaks = attacker(members, len(org.teams), org.k)
    assert leaks == [], [([union[i] for i, _ in combo], sorted(rows)) for combo, rows in leaks]
