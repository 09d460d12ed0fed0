"""The benchmark's baseline is right, and its equality check with the engine really checks.

bench/bench_engine.py claims "the engine and the straightforward baseline give the same
numbers". That claim is only worth something if (1) the baseline itself reproduces the reference
implementation (R ``multilevel``) on the reference data, (2) the engine agrees with it on
synthetic data like the benchmark's, and (3) the comparison fails when a number differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import baseline
import bench_engine
import pipeline
from conftest import load_reference
from make_data import CUTOFF, HIGH, LOW, instrument_yaml, make_data

LEAD = [f"LEAD{i:02d}" for i in range(1, 12)]
COH = [f"COH0{i}" for i in range(1, 6)]


def _value(expected: pd.DataFrame, row: str) -> float:
    return float(expected.loc[row, "expected"])


def _labelled(expected: pd.DataFrame, row: str, prefix: str = "") -> dict[str, float]:
    """Pull "1044B 0.73..." pairs out of an expected.csv cell (after ``prefix`` if given)."""
    text = str(expected.loc[row, "expected"])
    if prefix:
        text = text.split(prefix, 1)[1].split(";")[0]
    return {label: float(value) for label, value in re.findall(r"(1044[BC]) ([0-9.]+)", text)}


@pytest.fixture(scope="module")
def lq2002() -> pd.DataFrame:
    return load_reference("multilevel_lq2002.csv")


@pytest.fixture(scope="module")
def small_survey() -> object:
    return make_data(1_500, n_teams=60, missing_rate=0.05, seed=7)


# --- (1) the baseline reproduces R multilevel ------------------------------------------------


def test_baseline_rwg_j_reproduces_multilevel_on_lq2002(lq2002, expected) -> None:
    per_team = lq2002[LEAD].groupby(lq2002["COMPID"]).apply(baseline.team_rwg_j)
    assert per_team.mean() == pytest.approx(_value(expected, "R11"), abs=1e-7)


def test_baseline_awg_reproduces_multilevel_on_lq2002(lq2002, expected) -> None:
    per_team = lq2002[LEAD].groupby(lq2002["COMPID"]).apply(baseline.team_awg)
    assert per_team.mean() == pytest.approx(_value(expected, "R14"), abs=1e-9)
    assert per_team.loc[2] == pytest.approx(0.2925750905, abs=1e-9)  # R14's COMPID 2


def test_baseline_average_deviation_reproduces_multilevel_on_lq2002(lq2002, expected) -> None:
    per_team = lq2002[LEAD].groupby(lq2002["COMPID"]).apply(baseline.team_average_deviation)
    assert per_team.mean() == pytest.approx(_value(expected, "R16"), abs=1e-8)


def test_baseline_anova_icc_reproduces_multilevel_on_bh1996(expected) -> None:
    bh1996 = load_reference("multilevel_bh1996.csv")
    icc1, icc2 = baseline.anova_icc(bh1996["WBEING"], bh1996["GRP"])
    assert icc1 == pytest.approx(_value(expected, "R02"), abs=1e-7)
    assert icc2 == pytest.approx(_value(expected, "R04"), abs=1e-9)


def test_baseline_follows_multilevel_2_8_missing_data_rules_on_cohesion(expected) -> None:
    cohesion = load_reference("multilevel_cohesion.csv")
    by_unit = cohesion[COH].groupby(cohesion["UNIT"])
    rwg = by_unit.apply(baseline.team_rwg_j)  # pairwise item variances (2.8)
    awg = by_unit.apply(baseline.team_awg)  # listwise
    ad = by_unit.apply(baseline.team_average_deviation)  # listwise
    for unit, value in _labelled(expected, "R20").items():
        assert rwg.loc[unit] == pytest.approx(value, abs=1e-9)
    for unit, value in _labelled(expected, "R21", "awg").items():
        assert awg.loc[unit] == pytest.approx(value, abs=1e-9)
    for unit, value in _labelled(expected, "R21", "AD").items():
        assert ad.loc[unit] == pytest.approx(value, abs=1e-9)


def test_baseline_team_statistics_of_a_single_respondent_are_missing() -> None:
    one = pd.DataFrame({"a": [4.0], "b": [2.0]})
    assert np.isnan(baseline.team_rwg_j(one))
    assert np.isnan(baseline.team_awg(one))
    assert np.isnan(baseline.team_average_deviation(one))
    spread = baseline.team_spread(pd.Series([2.0]))
    assert spread["n"] == 1 and spread["mean"] == 2.0 and np.isnan(spread["sd"])
    assert spread["share_below"] == 1.0  # 2 < CUTOFF


def test_baseline_awg_is_one_when_everybody_gives_the_lowest_answer() -> None:
    floor = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 1.0, 1.0]})
    assert baseline.team_awg(floor) == 1.0


# --- (2) the engine agrees with the baseline --------------------------------------------------


@pytest.mark.parametrize("part", pipeline.ALL_FIGURES)
def test_engine_and_baseline_give_the_same_numbers(small_survey, part: str) -> None:
    ours = pipeline.engine_figures(small_survey, include=[part])
    theirs = baseline.baseline_figures(small_survey, include=[part])
    assert ours.keys() == theirs.keys()
    assert baseline.compare(ours, theirs) == []


def test_engine_team_figures_match_a_naive_groupby_on_one_team(small_survey) -> None:
    """Spot check without the baseline module: one team by hand."""
    ours = pipeline.engine_figures(small_survey, include=["teams"])
    team = small_survey.responses["team"].iloc[0]
    scale = small_survey.scales[0]
    keyed = small_survey.responses.loc[small_survey.responses["team"] == team, list(scale.items)]
    keyed = keyed.astype(float)
    flipped = [item for item, rev in zip(scale.items, scale.reverse, strict=True) if rev]
    keyed[flipped] = (LOW + HIGH) - keyed[flipped]
    score = keyed.mean(axis=1)[keyed.count(axis=1) >= 3]
    assert ours[f"{scale.id}.team.mean"][team] == pytest.approx(score.mean())
    assert ours[f"{scale.id}.team.share_below"][team] == pytest.approx((score < CUTOFF).mean())


def test_every_stage_of_the_full_analysis_runs(small_survey) -> None:
    timings, outputs = pipeline.full_analysis(small_survey)
    assert [t.name for t in timings] == [name for name, _ in pipeline.STAGES]
    failed = [f"{t.name}: {t.detail}" for t in timings if t.status == "failed"]
    assert failed == []
    if all(t.status == "ok" for t in timings):
        assert {"climate.rwg_j", "climate.rollup", "disclosure"} <= outputs.keys()


def test_benchmark_runs_end_to_end_at_a_tiny_size(capsys) -> None:
    status = bench_engine.main(
        ["--size", "1500", "--compare-size", "800", "--repeat", "1", "--parts", "abcf"]
    )
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "numbers agree: yes" in printed
    assert "FAILED" not in printed and "NO:" not in printed


# --- (3) the comparison catches differences ---------------------------------------------------


def _figures() -> baseline.Figures:
    return {
        "s.alpha": 0.8,
        "s.team.mean": pd.Series([3.0, np.nan, 4.25], index=["T1", "T2", "T3"]),
    }


def test_compare_accepts_identical_figures_with_missing_values() -> None:
    assert baseline.compare(_figures(), _figures()) == []


def test_compare_accepts_the_same_labels_in_another_order() -> None:
    shuffled = _figures()
    shuffled["s.team.mean"] = shuffled["s.team.mean"].iloc[::-1]
    assert baseline.compare(_figures(), shuffled) == []


def test_compare_reports_a_team_value_that_differs() -> None:
    changed = _figures()
    changed["s.team.mean"] = changed["s.team.mean"].copy()
    changed["s.team.mean"]["T3"] = 4.2501
    problems = baseline.compare(_figures(), changed)
    assert len(problems) == 1 and "s.team.mean" in problems[0] and "T3" in problems[0]


def test_compare_reports_nan_against_a_number() -> None:
    changed = _figures()
    changed["s.team.mean"] = pd.Series([3.0, 3.5, 4.25], index=["T1", "T2", "T3"])
    assert len(baseline.compare(_figures(), changed)) == 1


def test_compare_reports_a_scalar_that_differs() -> None:
    changed = _figures()
    changed["s.alpha"] = 0.81
    assert baseline.compare(_figures(), changed) == [
        "s.alpha: 1 of 1 differ, first at (value): ours 0.8, baseline 0.81"
    ]


def test_compare_reports_missing_figures_and_different_teams() -> None:
    fewer = {"s.team.mean": pd.Series([3.0, np.nan], index=["T1", "T2"])}
    problems = baseline.compare(_figures(), fewer)
    assert any("only in ours" in p for p in problems)
    assert any("labels differ" in p for p in problems)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=8),
    where=st.integers(min_value=0, max_value=7),
    shift=st.floats(1e-5, 10),
)
def test_compare_finds_any_change_beyond_its_tolerance(
    values: list[float], where: int, shift: float
) -> None:
    labels = [f"T{i}" for i in range(len(values))]
    ours = {"x": pd.Series(values, index=labels)}
    theirs = {"x": ours["x"].copy()}
    assert baseline.compare(ours, theirs) == []
    theirs["x"].iloc[where % len(values)] += shift
    assert len(baseline.compare(ours, theirs)) == 1


# --- the synthetic data -----------------------------------------------------------------------


def test_same_seed_gives_the_same_survey() -> None:
    first, second = make_data(300, n_teams=12, seed=3), make_data(300, n_teams=12, seed=3)
    pd.testing.assert_frame_equal(first.responses, second.responses)
    assert not make_data(300, n_teams=12, seed=4).responses.equals(first.responses)


def test_survey_has_every_team_in_a_four_level_tree(small_survey) -> None:
    units = small_survey.units
    teams = units.loc[units["level"] == "team", "unit_id"]
    assert len(teams) == 60
    assert set(small_survey.responses["team"]) == set(teams)  # every team has a respondent
    assert units["unit_id"].is_unique
    assert units["parent_id"].isna().sum() == 1
    assert set(units["parent_id"].dropna()) <= set(units["unit_id"])
    assert units["level"].unique().tolist() == ["organisation", "faculty", "department", "team"]


def test_survey_answers_are_on_the_scale_or_missing(small_survey) -> None:
    answers = small_survey.responses[small_survey.item_columns].to_numpy()
    present = answers[~np.isnan(answers)]
    assert set(np.unique(present)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.03 < np.isnan(answers).mean() < 0.07  # missing_rate 0.05


def test_reverse_keyed_items_run_against_the_others(small_survey) -> None:
    scale = small_survey.scales[0]
    frame = small_survey.responses[list(scale.items)]
    reversed_item = scale.items[scale.reverse.index(True)]
    normal_item = scale.items[scale.reverse.index(False)]
    assert frame[reversed_item].corr(frame[normal_item]) < -0.2


def test_instrument_file_loads_with_the_engine(tmp_path, small_survey) -> None:
    instruments = pytest.importorskip("vrijuit.stats.instruments")
    path = tmp_path / "bench.yaml"
    path.write_text(instrument_yaml(small_survey.scales), encoding="utf-8")
    loaded = instruments.load_instrument(path)
    assert list(loaded.item_ids()) == small_survey.item_columns
    assert [s.id for s in loaded.headline_scales()] == [small_survey.scales[0].id]
