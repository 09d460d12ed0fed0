"""Change between waves, checked team by team against scipy's Welch test and pingouin's d; the
regression-to-the-mean term and the wave trend against statsmodels MixedLM and WLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from vrijuit.stats.trend import team_change, wave_trend


def _wave(seed: int, n_teams: int, shift: float, team_effect: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 15, n_teams)
    team = np.repeat(np.arange(n_teams), size)
    y = 3.5 + shift + team_effect[team] + rng.normal(0, 0.7, team.shape[0])
    return pd.DataFrame({"y": y, "team": [f"t{t:02d}" for t in team]})


@pytest.fixture(scope="module")
def waves() -> tuple[pd.DataFrame, pd.DataFrame]:
    effect = np.random.default_rng(0).normal(0, 0.4, 40)
    before = _wave(1, 36, 0.0, effect)  # teams t36..t39 only answer in the second wave
    after = _wave(2, 40, 0.2, effect)
    after.loc[after.index[:3], "y"] = np.nan  # missing scores are skipped
    return before, after


def test_team_change_matches_a_welch_test_per_team(waves: tuple[pd.DataFrame, ...]) -> None:
    before, after = waves
    res = team_change(before.y, before.team, after.y, after.team, confidence=0.9)
    assert res.labels.tolist() == sorted(set(before.team) | set(after.team))
    checked = 0
    for k, label in enumerate(res.labels):
        x = after.y[(after.team == label) & after.y.notna()].to_numpy()
        y = before.y[before.team == label].to_numpy()
        assert (res.n_after[k], res.n_before[k]) == (len(x), len(y))
        if len(y) == 0:
            assert np.isnan(res.difference[k]) and np.isnan(res.expected_regression[k])
            continue
        assert res.difference[k] == pytest.approx(x.mean() - y.mean(), rel=1e-12)
        if len(x) < 2 or len(y) < 2:
            assert np.isnan(res.se[k]) and np.isnan(res.ci_low[k])
            continue
        oracle = stats.ttest_ind(x, y, equal_var=False)
        ci = oracle.confidence_interval(confidence_level=0.9)
        assert res.df[k] == pytest.approx(oracle.df, rel=1e-10)
        assert (res.ci_low[k], res.ci_high[k]) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert res.d[k] == pytest.approx(pingouin.compute_effsize(x, y), rel=1e-10)
        checked += 1
    assert checked > 20


def test_expected_regression_to_the_mean_uses_first_wave_reml_reliabilities(
    waves: tuple[pd.DataFrame, ...],
) -> None:
    before, after = waves
    res = team_change(before.y, before.team, after.y, after.team)
    null = smf.mixedlm("y ~ 1", before, groups=before["team"]).fit(reml=True)
    tau2, sigma2 = float(null.cov_re.iloc[0, 0]), float(null.scale)
    mu = float(null.fe_params.iloc[0])
    grouped = before.groupby("team")["y"]
    n, mean = grouped.size(), grouped.mean()
    lam = tau2 / (tau2 + sigma2 / n)
    expected = ((1 - lam) * (mu - mean)).reindex(res.labels).to_numpy()
    np.testing.assert_allclose(res.expected_regression, expected, rtol=1e-3, atol=1e-6)
    assert res.grand_mean_before == pytest.approx(mu, rel=1e-6)
    # Teams below the mean are expected to rise, teams above it to fall.
    known = ~np.isnan(res.expected_regression)
    below = res.mean_before[known] < res.grand_mean_before
    assert (res.expected_regression[known][below] > 0).all()
    assert (res.expected_regression[known][~below] < 0).all()


def test_constant_teams_give_a_point_interval_and_no_effect_size() -> None:
    res = team_change([3.0, 3.0, 2.0, 4.0], list("aabb"), [4.0, 4.0, 3.0, 5.0], list("aabb"))
    assert res.difference.tolist() == [1.0, 1.0]
    assert (res.ci_low[0], res.ci_high[0]) == (1.0, 1.0) and np.isnan(res.d[0])
    assert res.to_dict()["d"][0] is None


def test_one_member_per_team_leaves_regression_to_the_mean_unknown() -> None:
    res = team_change([3.0, 4.0], ["a", "b"], [3.5, 4.5], ["a", "b"])
    assert np.isnan(res.expected_regression).all() and np.isnan(res.se).all()
    with pytest.raises(ValueError, match="the teams of scores_before has 1"):
        team_change([3.0, 4.0], ["a"], [3.5], ["a"])


def _panel(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for wave in (2022, 2024, 2026):
        for team in range(25):
            size = int(rng.integers(2, 12))
            level = 3.4 + 0.05 * (wave - 2022) + rng.normal(0, 0.3)
            rows += [(wave, f"t{team}", level + e) for e in rng.normal(0, 0.8, size)]
    return pd.DataFrame(rows, columns=["wave", "team", "y"])


def test_wave_trend_equals_weighted_least_squares_of_team_means() -> None:
    data = _panel()
    res = wave_trend(data.y, data.wave, data.team)
    data["cell"] = data.team + "-" + data.wave.astype(str)
    # statsmodels' default optimiser stops early on these small cells (ConvergenceWarning);
    # Powell converges, to the same REML log-likelihood as ours.
    centred = data.assign(wave=data.wave - 2024)
    mixed = smf.mixedlm("y ~ wave", centred, groups=centred["cell"]).fit(reml=True, method="powell")
    assert mixed.converged
    assert res.tau2 == pytest.approx(float(mixed.cov_re.iloc[0, 0]), rel=1e-4)
    assert res.sigma2 == pytest.approx(float(mixed.scale), rel=1e-4)
    assert res.slope == pytest.approx(float(mixed.fe_params["wave"]), rel=1e-4)
    cells = data.groupby("cell").agg(y=("y", "mean"), n=("y", "size"), wave=("wave", "first"))
    weights = 1.0 / (res.tau2 + res.sigma2 / cells.n)
    wls = sm.WLS(cells.y, sm.add_constant(cells.wave), weights=weights).fit(cov_type="fixed scale")
    assert res.slope == pytest.approx(float(wls.params["wave"]), rel=1e-9)
    assert res.se == pytest.approx(float(wls.bse["wave"]), rel=1e-6)
    assert res.n_cells == 75 and res.waves.tolist() == [2022, 2024, 2026]
    np.testing.assert_allclose(res.mean, data.groupby("wave").y.mean().to_numpy())


def test_wave_trend_needs_numeric_waves_and_at_least_two_of_them() -> None:
    with pytest.raises(ValueError, match="waves must be numeric"):
        wave_trend([3.0, 4.0], ["spring", "autumn"], ["a", "a"])
    with pytest.raises(ValueError, match="at least 2 waves"):
        wave_trend([3.0, 4.0, 3.5], [1, 1, 1], ["a", "b", "b"])


def test_wave_trend_refuses_columns_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        wave_trend([3.0, 4.0], [1, 2, 2], ["a", "a"])
