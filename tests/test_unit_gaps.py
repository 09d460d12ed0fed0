"""unit_value_gaps: every unit × value at once matches gaps.mean_difference / hedges_g and scipy
on a naive per-unit selection, counts match the disclosure lattice, and edge cases behave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vrijuit.stats.disclosure import CellKey, cells_for_report
from vrijuit.stats.gaps import hedges_g, mean_difference
from vrijuit.stats.unit_gaps import subtree_depth, unit_value_gaps

# org(0) → faculties f1(1), f2(2); f1 → teams 3, 4; f2 → teams 5, 6; team 7 directly under org
PARENT = np.array([-1, 0, 0, 1, 1, 2, 2, 0])
NAMES = ["org", "f1", "f2", "t3", "t4", "t5", "t6", "t7"]
VALUES = ["a", "b", "c"]


def survey(seed: int = 3, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    team = rng.choice([3, 4, 5, 6, 7], size=n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    value = rng.choice([-1, 0, 1, 2], size=n, p=[0.08, 0.5, 0.3, 0.12])
    score = 4.0 + 0.3 * team + 0.6 * (value == 1) + rng.normal(0, 1.0, n)
    score[rng.random(n) < 0.06] = np.nan
    return pd.DataFrame({"team": team, "value": value, "score": score})


def subtree(unit: int) -> set[int]:
    """The unit and everything below it, by walking each unit's ancestors (the naive way)."""
    inside = set()
    for u in range(len(PARENT)):
        walk = u
        while walk >= 0:
            if walk == unit:
                inside.add(u)
                break
            walk = int(PARENT[walk])
    return inside


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return survey()


def test_every_unit_and_value_matches_mean_difference_and_hedges_g_on_a_naive_selection(
    frame: pd.DataFrame,
) -> None:
    res = unit_value_gaps(frame.score, frame.team, frame.value, parent=PARENT)
    assert res.mean.shape == (len(PARENT), len(VALUES))
    checked = 0
    for unit in range(len(PARENT)):
        people = frame[frame.team.isin(subtree(unit))]
        for v in range(len(VALUES)):
            x = people.score[people.value == v].dropna()
            y = people.score[people.value != v].dropna()  # the rest includes a missing value
            assert (res.n[unit, v], res.n_other[unit, v]) == (len(x), len(y))
            if len(x) < 2 or len(y) < 2:
                assert np.isnan(res.difference[unit, v])
                continue
            welch = mean_difference(x, y)
            effect = hedges_g(x, y)
            got = [res.mean[unit, v], res.mean_other[unit, v], res.sd[unit, v]]
            got += [res.sd_other[unit, v], res.difference[unit, v], res.se[unit, v]]
            got += [res.df[unit, v], res.p_value[unit, v], res.ci_low[unit, v]]
            got += [res.ci_high[unit, v], res.d[unit, v], res.g[unit, v]]
            want = [welch.mean_x, welch.mean_y, welch.sd_x, welch.sd_y, welch.difference]
            want += [welch.se, welch.df, welch.p_value, welch.ci_low, welch.ci_high]
            want += [effect.d, effect.g]
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
            assert res.g_ci_low[unit, v] == pytest.approx(effect.g_ci_low, abs=1e-8)
            assert res.g_ci_high[unit, v] == pytest.approx(effect.g_ci_high, abs=1e-8)
            checked += 1
    assert checked >= 20


def test_welch_p_and_interval_match_scipy(frame: pd.DataFrame) -> None:
    res = unit_value_gaps(frame.score, frame.team, frame.value, parent=PARENT)
    people = frame[frame.team.isin(subtree(1))]
    x = people.score[people.value == 1].dropna()
    y = people.score[people.value != 1].dropna()
    test = stats.ttest_ind(x, y, equal_var=False)
    interval = test.confidence_interval(0.95)
    assert res.p_value[1, 1] == pytest.approx(test.pvalue, rel=1e-9)
    assert (res.ci_low[1, 1], res.ci_high[1, 1]) == pytest.approx(
        (interval.low, interval.high), rel=1e-9
    )


def test_the_hedges_olkin_interval_matches_pingouin(frame: pd.DataFrame) -> None:
    res = unit_value_gaps(
        frame.score, frame.team, frame.value, parent=PARENT, ci_method="hedges_olkin"
    )
    people = frame[frame.team == 3]
    x = people.score[people.value == 0].dropna()
    y = people.score[people.value != 0].dropna()
    d = res.d[3, 0]
    low, high = pg.compute_esci(d, nx=len(x), ny=len(y), eftype="cohen", decimals=12)
    j = res.g[3, 0] / d
    assert (res.g_ci_low[3, 0], res.g_ci_high[3, 0]) == pytest.approx((j * low, j * high), rel=1e-9)


def test_member_counts_are_the_disclosure_lattices_cells_and_the_rest_of_the_unit(
    frame: pd.DataFrame,
) -> None:
    frame = frame.assign(score=np.where(np.arange(len(frame)) % 9 == 0, np.nan, frame.score))
    res = unit_value_gaps(frame.score, frame.team, frame.value, parent=PARENT)
    labels = np.where(frame.value >= 0, np.array(VALUES)[frame.value.clip(0)], None)
    tree = {name: (None if p < 0 else NAMES[p]) for name, p in zip(NAMES, PARENT, strict=True)}
    lattice = cells_for_report(
        [NAMES[t] for t in frame.team], tree, {"x": labels}, unit_attributes=["x"]
    )
    for unit in range(1, len(PARENT)):
        whole = lattice.cell(CellKey("unit", unit=NAMES[unit])).n
        for v, value in enumerate(VALUES):
            key = CellKey("unit_attribute", unit=NAMES[unit], attribute="x", value=value)
            assert res.members[unit, v] == lattice.cell(key).n
            assert res.members_other[unit, v] == whole - lattice.cell(key).n


def test_a_group_of_one_or_an_unwanted_cell_gets_no_statistics() -> None:
    scores = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 4.0]
    res = unit_value_gaps(
        scores,
        [1, 1, 1, 1, 2, 2, 2],
        [0, 1, 1, 1, 0, 0, 1],
        parent=[-1, 0, 0],
        wanted=[[True, True], [True, True], [False, False]],
    )
    assert (res.n[1, 0], res.members[1, 0]) == (1, 1)
    assert np.isnan(res.difference[1, 0]) and np.isnan(res.g_ci_low[1, 0])
    assert np.isnan(res.difference[2]).all()  # not wanted
    assert res.members[2].tolist() == [2, 1]  # counts are always given
    assert np.isfinite(res.difference[0]).all()


def test_two_constant_groups_give_a_point_interval_and_no_effect_size() -> None:
    res = unit_value_gaps(
        [3.0, 3.0, 3.0, 5.0, 5.0, 5.0], [1] * 6, [0, 0, 0, 1, 1, 1], parent=[-1, 0]
    )
    assert res.difference[1, 0] == pytest.approx(-2.0)
    assert res.se[1, 0] == 0.0 and np.isnan(res.df[1, 0]) and np.isnan(res.p_value[1, 0])
    assert res.ci_low[1, 0] == res.ci_high[1, 0] == pytest.approx(-2.0)
    assert np.isnan(res.d[1, 0]) and np.isnan(res.g_ci_low[1, 0])


def test_a_far_tail_effect_matches_the_bracketing_search_of_gaps() -> None:
    x, y = [1.0, 1.0], [3.0, 4.0]  # the case that made scipy's nct return NaN
    res = unit_value_gaps([*x, *y], [1] * 4, [0, 0, 1, 1], parent=[-1, 0])
    effect = hedges_g(x, y)
    assert res.g[1, 0] == pytest.approx(effect.g, rel=1e-12)
    assert (res.g_ci_low[1, 0], res.g_ci_high[1, 0]) == pytest.approx(
        (effect.g_ci_low, effect.g_ci_high), abs=1e-8
    )


def test_all_scores_missing_gives_counts_but_no_numbers() -> None:
    res = unit_value_gaps([np.nan] * 4, [1, 1, 1, 1], [0, 0, 1, -1], parent=[-1, 0])
    assert res.members[1].tolist() == [2, 1] and res.n[1].tolist() == [0, 0]
    assert np.isnan(res.mean).all() and np.isnan(res.difference).all()


def test_bad_input_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="cycle"):
        subtree_depth([1, 0])
    with pytest.raises(ValueError, match="positions below 2"):
        unit_value_gaps([1.0], [2], [0], parent=[-1, 0])
    with pytest.raises(ValueError, match="at least -1"):
        unit_value_gaps([1.0], [1], [-2], parent=[-1, 0])
    with pytest.raises(TypeError, match="integer codes"):
        unit_value_gaps([1.0], [1.5], [0], parent=[-1, 0])
    with pytest.raises(ValueError, match="one code per score"):
        unit_value_gaps([1.0, 2.0], [1], [0, 0], parent=[-1, 0])
    with pytest.raises(ValueError, match="wanted must have shape"):
        unit_value_gaps([1.0], [1], [0], parent=[-1, 0], wanted=[True])
    with pytest.raises(ValueError, match="ci_method"):
        unit_value_gaps([1.0], [1], [0], parent=[-1, 0], ci_method="exact")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.integers(0, 1), st.integers(1, 7)), min_size=4, max_size=40
    )
)
def test_with_two_values_and_none_missing_the_gaps_mirror_each_other(
    rows: list[tuple[int, int, int]],
) -> None:
    team, value, score = (np.array(column) for column in zip(*rows, strict=True))
    res = unit_value_gaps(score.astype(float), team, value, parent=[-1, 0, 0, 0], n_values=2)
    units = res.members + res.members_other
    assert (units == units[:, :1]).all()  # each value plus its rest is the whole unit
    assert units[0, 0] == len(rows)
    np.testing.assert_allclose(res.difference[:, 0], -res.difference[:, 1], atol=1e-9)
    np.testing.assert_allclose(res.ci_low[:, 0], -res.ci_high[:, 1], atol=1e-9)
    np.testing.assert_allclose(res.g[:, 0], -res.g[:, 1], atol=1e-9)
    np.testing.assert_allclose(res.g_ci_low[:, 0], -res.g_ci_high[:, 1], atol=1e-6)
