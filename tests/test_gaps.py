"""Subgroup gaps: Welch differences, d and g with their intervals, Holm, the within-team gap
and the hierarchy trend, each checked against scipy, pingouin or statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

from vrijuit.stats.gaps import (
    hedges_g,
    hedges_j,
    holm,
    mean_difference,
    ordered_level_trend,
    subgroup_gaps,
)

RNG = np.random.default_rng(20261124)
X = RNG.normal(3.6, 0.7, size=40)
Y = RNG.normal(3.2, 1.0, size=25)


def test_welch_difference_matches_scipy_welch_t_test() -> None:
    ours = mean_difference(X, Y, confidence=0.9)
    oracle = stats.ttest_ind(X, Y, equal_var=False)
    ci = oracle.confidence_interval(confidence_level=0.9)
    assert ours.t == pytest.approx(oracle.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(oracle.pvalue, rel=1e-10)
    assert ours.df == pytest.approx(oracle.df, rel=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert ours.difference == pytest.approx(X.mean() - Y.mean())


def test_welch_difference_skips_missing_values_and_refuses_groups_of_one() -> None:
    with_missing = mean_difference(np.append(X, np.nan), Y)
    assert with_missing.n_x == 40 and with_missing.t == pytest.approx(mean_difference(X, Y).t)
    with pytest.raises(ValueError, match="at least 2 values"):
        mean_difference([1.0, np.nan], Y)


def test_two_constant_groups_have_a_gap_without_a_test() -> None:
    res = mean_difference([4.0, 4.0, 4.0], [3.0, 3.0])
    assert res.difference == 1.0 and res.se == 0.0
    assert np.isnan(res.p_value) and (res.ci_low, res.ci_high) == (1.0, 1.0)
    assert np.isnan(hedges_g([4.0, 4.0, 4.0], [3.0, 3.0]).d)


def test_cohens_d_matches_pingouin_and_g_uses_the_exact_gamma_correction() -> None:
    ours = hedges_g(X, Y)
    assert ours.d == pytest.approx(pingouin.compute_effsize(X, Y, eftype="cohen"), rel=1e-12)
    df = len(X) + len(Y) - 2
    exact_j = special.gamma(df / 2) / (np.sqrt(df / 2) * special.gamma((df - 1) / 2))
    assert ours.j == pytest.approx(exact_j, rel=1e-12)
    assert ours.g == pytest.approx(exact_j * ours.d, rel=1e-12)
    # pingouin's g uses the approximation 1 − 3/(4(n1+n2) − 9): close, not identical.
    approx_g = pingouin.compute_effsize(X, Y, eftype="hedges")
    assert ours.g == pytest.approx(approx_g, rel=1e-4) and ours.g != approx_g


def test_hedges_olkin_interval_matches_pingouin_compute_esci() -> None:
    ours = hedges_g(X, Y, ci_method="hedges_olkin", confidence=0.9)
    low, high = pingouin.compute_esci(
        stat=ours.d, nx=len(X), ny=len(Y), eftype="cohen", confidence=0.9, decimals=12
    )
    assert (ours.d_ci_low, ours.d_ci_high) == pytest.approx((low, high), abs=1e-10)


def test_noncentral_t_interval_puts_alpha_half_in_each_tail() -> None:
    ours = hedges_g(X, Y, confidence=0.95)
    n1, n2 = len(X), len(Y)
    scale = np.sqrt(n1 * n2 / (n1 + n2))
    t_obs, df = ours.d * scale, n1 + n2 - 2
    assert stats.nct.sf(t_obs, df, ours.d_ci_low * scale) == pytest.approx(0.025, abs=1e-9)
    assert stats.nct.cdf(t_obs, df, ours.d_ci_high * scale) == pytest.approx(0.025, abs=1e-9)
    assert (ours.g_ci_low, ours.g_ci_high) == pytest.approx(
        (ours.j * ours.d_ci_low, ours.j * ours.d_ci_high)
    )


@settings(max_examples=25, deadline=None)
@given(
    d=st.floats(-3, 3),
    n1=st.integers(2, 300),
    n2=st.integers(2, 300),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_noncentral_interval_contains_d_and_is_close_to_hedges_olkin_for_large_groups(
    d: float, n1: int, n2: int, confidence: float
) -> None:
    # Two groups built to have exactly this d: unit SD, means d apart.
    x = np.linspace(-1, 1, n1)
    y = np.linspace(-1, 1, n2)
    x = (x - x.mean()) / max(x.std(ddof=1), 1e-12) if n1 > 1 else x
    y = (y - y.mean()) / max(y.std(ddof=1), 1e-12)
    res = hedges_g(x + d, y, confidence=confidence)
    assert res.d == pytest.approx(d, abs=1e-9)
    assert res.d_ci_low < res.d < res.d_ci_high
    if min(n1, n2) >= 150 and abs(d) < 1:
        ho = hedges_g(x + d, y, confidence=confidence, ci_method="hedges_olkin")
        assert res.d_ci_low == pytest.approx(ho.d_ci_low, abs=0.02)


def test_hedges_j_is_zero_at_one_df_and_tends_to_one() -> None:
    assert hedges_j(1) == 0.0 and np.isnan(hedges_j(0.5))
    assert hedges_j(2_000_000) == pytest.approx(1 - 3 / (4 * 2_000_000 - 1), rel=1e-12)


def _naive_holm(p: list[float]) -> list[float]:
    """Holm by its definition: the i-th smallest p times (m − i), then monotone up."""
    order = sorted(range(len(p)), key=lambda k: p[k])
    out = [0.0] * len(p)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[k]))
        out[k] = running
    return out


def test_holm_matches_statsmodels_multipletests() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.001, 0.04])
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(np.nan)), min_size=1, max_size=12))
def test_holm_skips_missing_p_values_and_follows_its_definition(p: list[float]) -> None:
    p_arr = np.array(p)
    ours = holm(p_arr)
    valid = ~np.isnan(p_arr)
    assert np.isnan(ours[~valid]).all()
    np.testing.assert_allclose(ours[valid], _naive_holm(p_arr[valid].tolist()), rtol=1e-12)


def _survey(seed: int = 3) -> pd.DataFrame:
    """Teams differ in safety; the minority is concentrated in the less safe teams and also
    feels less safe within the same team (a composition and a within-team part)."""
    rng = np.random.default_rng(seed)
    n_teams = 60
    team_effect = rng.normal(0, 0.5, n_teams)
    size = rng.integers(4, 25, n_teams)
    team = np.repeat(np.arange(n_teams), size)
    p_minority = 1 / (1 + np.exp(3 * team_effect))[team] * 0.5
    group = np.where(rng.random(team.shape[0]) < p_minority, "international", "dutch")
    group[rng.random(team.shape[0]) < 0.08] = "unknown"
    y = 3.6 + team_effect[team] - 0.3 * (group == "international") + rng.normal(0, 0.8, len(team))
    return pd.DataFrame({"y": y, "group": group, "team": team})


def test_each_group_against_the_rest_matches_scipy_and_holm() -> None:
    data = _survey()
    res = subgroup_gaps(data["y"], data["group"], confidence=0.95)
    assert [g.group for g in res.gaps] == ["dutch", "international", "unknown"]
    raw_p = []
    for gap in res.gaps:
        mine = data["group"] == gap.group
        oracle = stats.ttest_ind(data.y[mine], data.y[~mine], equal_var=False)
        assert gap.difference.t == pytest.approx(oracle.statistic, rel=1e-10)
        assert gap.effect.d == pytest.approx(
            pingouin.compute_effsize(data.y[mine], data.y[~mine]), rel=1e-10
        )
        assert gap.comparison == "rest" and gap.within is None
        raw_p.append(oracle.pvalue)
    expected = multipletests(raw_p, method="holm")[1]
    np.testing.assert_allclose([g.p_holm for g in res.gaps], expected, rtol=1e-10)


def test_comparison_with_a_reference_group_uses_only_that_group() -> None:
    data = _survey()
    res = subgroup_gaps(data["y"], data["group"], reference="dutch")
    assert [g.group for g in res.gaps] == ["international", "unknown"]
    gap = res.gap("international")
    oracle = stats.ttest_ind(
        data.y[data.group == "international"], data.y[data.group == "dutch"], equal_var=False
    )
    assert gap.difference.t == pytest.approx(oracle.statistic, rel=1e-10)
    assert gap.comparison == "dutch"
    with pytest.raises(ValueError, match="was not compared"):
        res.gap("dutch")


def test_within_team_gap_matches_statsmodels_mixedlm_and_splits_off_composition() -> None:
    data = _survey()
    res = subgroup_gaps(data["y"], data["group"], reference="dutch", teams=data["team"])
    within = res.gap("international").within
    assert within is not None
    rows = data[data.group != "unknown"].assign(G=lambda d: (d.group == "international") * 1.0)
    oracle = smf.mixedlm("y ~ G", rows, groups=rows["team"]).fit(reml=True)
    null = smf.mixedlm("y ~ 1", rows, groups=rows["team"]).fit(reml=True)
    assert within.gap == pytest.approx(oracle.fe_params["G"], rel=1e-4)
    assert within.se == pytest.approx(oracle.bse["G"], rel=0.02)  # nlme-style SE, see mixed.py
    raw = res.gap("international").difference.difference
    assert within.composition == pytest.approx(raw - oracle.fe_params["G"], rel=1e-3)
    tau2, sigma2 = float(null.cov_re.iloc[0, 0]), float(null.scale)
    assert within.d_within == pytest.approx(oracle.fe_params["G"] / np.sqrt(sigma2), rel=1e-4)
    assert within.d_total == pytest.approx(oracle.fe_params["G"] / np.sqrt(tau2 + sigma2), rel=1e-4)
    # The generated minority sits in less safe teams: part of the raw gap is composition.
    assert raw < within.gap < 0 and within.composition < 0


def test_small_groups_are_skipped_with_a_reason_and_never_computed() -> None:
    scores = [4.0, 4.5, 3.5, 4.0, 3.0, 2.5, 3.5, 3.0, 4.0]
    groups = ["a", "a", "a", "a", "b", "b", "b", "b", "c"]
    res = subgroup_gaps(scores, groups, min_n=2)
    assert res.skipped == {"c": "fewer_than_min_n"}
    res = subgroup_gaps(scores, groups, reference="c", min_n=2)
    assert res.gaps == ()
    assert res.skipped == {"a": "comparison_fewer_than_min_n", "b": "comparison_fewer_than_min_n"}
    assert res.to_dict()["skipped"] == res.skipped
    with pytest.raises(ValueError, match="min_n must be at least 2"):
        subgroup_gaps(scores, groups, min_n=1)
    with pytest.raises(ValueError, match="reference group 'z'"):
        subgroup_gaps(scores, groups, reference="z")


def test_missing_scores_and_labels_are_left_out() -> None:
    res = subgroup_gaps(
        [4.0, 4.5, np.nan, 4.0, 3.0, 2.5, 3.5, 3.0, 1.0],
        ["a", "a", "a", "a", "b", "b", "b", "b", None],
        min_n=2,
    )
    gap = res.gap("a")
    assert (gap.difference.n_x, gap.difference.n_y) == (3, 4)
    assert gap.difference.difference == pytest.approx(np.mean([4, 4.5, 4]) - 3.0)


ORDER = ["phd", "postdoc", "assistant", "associate", "full"]


def test_level_trend_matches_an_ordinary_least_squares_contrast() -> None:
    rng = np.random.default_rng(11)
    level = rng.choice([*ORDER, "support"], size=400, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1])
    y = 3.2 + 0.15 * pd.Series(level).map({k: i for i, k in enumerate(ORDER)}).fillna(0)
    y = y.to_numpy() + rng.normal(0, 0.8, 400)
    res = ordered_level_trend(y, level, ORDER)
    ranked = level != "support"
    dummies = pd.get_dummies(pd.Categorical(level[ranked], categories=ORDER)).astype(float)
    ols = sm.OLS(y[ranked], dummies).fit()
    c = np.arange(5) - 2.0
    test = ols.t_test(c / (c @ c))
    assert res.slope == pytest.approx(float(test.effect[0]), rel=1e-10)
    assert res.se == pytest.approx(float(test.sd[0, 0]), rel=1e-10)
    assert res.p_value == pytest.approx(float(test.pvalue), rel=1e-8)
    np.testing.assert_allclose(res.mean, ols.params.to_numpy(), rtol=1e-12)
    assert res.other == {"support": int((~ranked).sum())}
    assert res.df == int(ranked.sum()) - 5


def test_level_trend_keeps_the_spacing_of_a_skipped_level() -> None:
    scores = [3.0, 3.2, 9.0, 4.0, 4.2, 5.0, 5.2]
    levels = ["phd", "phd", "postdoc", "assistant", "assistant", "associate", "associate"]
    res = ordered_level_trend(scores, levels, ORDER, min_n=2)
    assert res.levels == ("phd", "assistant", "associate")
    assert res.skipped == {"postdoc": "fewer_than_min_n", "full": "fewer_than_min_n"}
    # Positions 0, 2, 3: least-squares slope of the means 3.1, 4.1, 5.1 on those positions.
    assert res.slope == pytest.approx(np.polyfit([0, 2, 3], [3.1, 4.1, 5.1], 1)[0])
    with pytest.raises(ValueError, match="at least 2 levels"):
        ordered_level_trend(scores, levels, ORDER, min_n=3)
    with pytest.raises(ValueError, match="more than once"):
        ordered_level_trend(scores, levels, ["phd", "phd"])


@settings(max_examples=20, deadline=None)
@given(
    x=st.lists(st.integers(1, 5).map(float), min_size=2, max_size=30),
    y=st.lists(st.integers(1, 5).map(float), min_size=2, max_size=30),
)
def test_swapping_the_groups_mirrors_the_gap_and_its_interval(
    x: list[float], y: list[float]
) -> None:
    forward, backward = mean_difference(x, y), mean_difference(y, x)
    assert forward.difference == pytest.approx(-backward.difference, abs=1e-12)
    assert forward.ci_low == pytest.approx(-backward.ci_high, abs=1e-9)
    es_forward, es_backward = hedges_g(x, y), hedges_g(y, x)
    if not np.isnan(es_forward.d):
        assert es_forward.g == pytest.approx(-es_backward.g, abs=1e-12)
        assert es_forward.d_ci_low == pytest.approx(-es_backward.d_ci_high, abs=1e-6)


def test_level_steps_are_welch_tests_with_holm_and_the_within_team_slope_matches_statsmodels() -> (
    None
):
    rng = np.random.default_rng(21)
    n = 600
    team = rng.integers(0, 40, n)
    position = rng.integers(0, 5, n)
    # Seniors sit in safer teams, and within a team safety also rises with level.
    team_effect = rng.normal(0, 0.4, 40)
    y = 3.2 + team_effect[team] + 0.1 * position + rng.normal(0, 0.7, n)
    level = np.array(ORDER, dtype=object)[position]
    res = ordered_level_trend(y, level, ORDER, teams=team)
    assert len(res.steps) == 4
    raw_p = []
    for k, step in enumerate(res.steps):
        upper, lower = y[position == k + 1], y[position == k]
        oracle = stats.ttest_ind(upper, lower, equal_var=False)
        assert step.t == pytest.approx(oracle.statistic, rel=1e-10)
        raw_p.append(oracle.pvalue)
    np.testing.assert_allclose(res.steps_p_holm, _naive_holm(raw_p), rtol=1e-10)
    assert res.within is not None
    data = pd.DataFrame({"y": y, "position": position.astype(float), "team": team})
    mixed = smf.mixedlm("y ~ position", data, groups=data["team"]).fit(reml=True)
    assert res.within.slope == pytest.approx(float(mixed.fe_params["position"]), rel=1e-4)
    assert res.within.n_teams == 40


def test_within_team_gap_against_the_rest_matches_statsmodels_and_needs_two_teams() -> None:
    data = _survey(seed=8)
    res = subgroup_gaps(data["y"], data["group"], teams=data["team"])
    within = res.gap("international").within
    assert within is not None
    rows = data.assign(G=(data.group == "international") * 1.0)
    oracle = smf.mixedlm("y ~ G", rows, groups=rows["team"]).fit(reml=True, method="powell")
    assert within.gap == pytest.approx(float(oracle.fe_params["G"]), rel=1e-4)
    # All three comparisons share the same rows, hence the same null model.
    assert len({g.within.tau2_null for g in res.gaps if g.within is not None}) == 1
    one_team = subgroup_gaps(data["y"], data["group"], teams=np.zeros(len(data)))
    assert all(g.within is None for g in one_team.gaps)


def test_noncentral_interval_survives_scipy_nan_in_the_far_tail() -> None:
    # Found by hypothesis: scipy.stats.nct.cdf(-4, 2, 8.86) is NaN while bracketing.
    res = hedges_g([1.0, 1.0], [3.0, 4.0])
    t_obs, df = res.d, 2  # n1 = n2 = 2: t = d·√(n1n2/(n1+n2)) = d
    assert stats.nct.sf(t_obs, df, res.d_ci_low) == pytest.approx(0.025, abs=1e-9)
    assert stats.nct.cdf(t_obs, df, res.d_ci_high) == pytest.approx(0.025, abs=1e-9)


def test_noncentral_interval_for_a_huge_effect_in_tiny_groups() -> None:
    res = hedges_g([9.0, 9.5, 10.0], [1.0, 1.5, 2.0], confidence=0.99)
    scale = np.sqrt(3 * 3 / 6)
    t_obs = res.d * scale
    assert stats.nct.sf(t_obs, 4, res.d_ci_low * scale) == pytest.approx(0.005, abs=1e-9)
    assert stats.nct.cdf(t_obs, 4, res.d_ci_high * scale) == pytest.approx(0.005, abs=1e-9)
    assert res.d_ci_low > 2 and res.d_ci_high > 3 * res.d_ci_low


def test_teams_may_be_given_as_a_prepared_grouping() -> None:
    from vrijuit.stats.groups import Groups

    data = _survey(seed=4)
    by_labels = subgroup_gaps(data["y"], data["group"], reference="dutch", teams=data["team"])
    by_groups = subgroup_gaps(
        data["y"], data["group"], reference="dutch", teams=Groups.from_labels(data["team"])
    )
    first, second = by_labels.gap("international").within, by_groups.gap("international").within
    assert first is not None and second is not None
    assert first.gap == second.gap and first.se == second.se


def test_a_within_team_gap_that_cannot_be_estimated_is_left_out() -> None:
    # Every team is entirely one group: G is collinear with nothing, but no one varies in-team.
    scores = [3.0, 3.0, 4.0, 4.0, 2.0, 2.0, 5.0, 5.0]
    groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    teams = ["t1", "t1", "t2", "t2", "t3", "t3", "t4", "t4"]
    res = subgroup_gaps(scores, groups, teams=teams, min_n=2)
    assert res.gap("a").within is None
    assert res.gap("a").difference.difference == pytest.approx(0.0)
