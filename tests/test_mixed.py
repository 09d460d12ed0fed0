"""The sufficient-statistics REML random-intercept model agrees with nlme and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from conftest import load_reference
from vrijuit.stats.mixed import fit_random_intercept


@pytest.fixture(scope="module")
def bh1996() -> pd.DataFrame:
    return load_reference("multilevel_bh1996.csv")


def test_null_model_reproduces_nlme_variance_components_on_bh1996(
    bh1996: pd.DataFrame, expected: pd.DataFrame
) -> None:
    fit = fit_random_intercept(bh1996["WBEING"], bh1996["GRP"])
    # R01: nlme::lme(WBEING ~ 1, random = ~1 | GRP): tau = 0.03580079, sigma2 = 0.78949727
    assert fit.tau2 == pytest.approx(0.03580079, rel=1e-5)
    assert fit.sigma2 == pytest.approx(0.78949727, rel=1e-6)
    icc = fit.tau2 / (fit.tau2 + fit.sigma2)
    assert icc == pytest.approx(float(expected.loc["R01", "expected"]), abs=1e-6)
    assert fit.n == len(bh1996) and fit.n_groups == 99


def test_model_with_covariates_matches_statsmodels_mixedlm(bh1996: pd.DataFrame) -> None:
    ours = fit_random_intercept(
        bh1996["WBEING"], bh1996["GRP"], covariates=bh1996[["HRS", "LEAD"]], names=("HRS", "LEAD")
    )
    oracle = smf.mixedlm("WBEING ~ HRS + LEAD", bh1996, groups=bh1996["GRP"]).fit(reml=True)
    np.testing.assert_allclose(ours.coef, oracle.fe_params.to_numpy(), rtol=1e-4)
    assert ours.tau2 == pytest.approx(float(oracle.cov_re.iloc[0, 0]), rel=1e-4)
    assert ours.sigma2 == pytest.approx(float(oracle.scale), rel=1e-4)
    assert ours.names == ("intercept", "HRS", "LEAD")


def test_fixed_effect_covariance_is_the_gls_covariance_built_team_by_team(
    bh1996: pd.DataFrame,
) -> None:
    data = bh1996[bh1996["GRP"] <= 30]
    ours = fit_random_intercept(data["WBEING"], data["GRP"], covariates=data["LEAD"])
    # Naive reference: (Σ_j X_j' V_j⁻¹ X_j)⁻¹ with dense V_j = σ²I + τ²11', one team at a time.
    info = np.zeros((2, 2))
    for _, team in data.groupby("GRP"):
        X = np.column_stack([np.ones(len(team)), team["LEAD"].to_numpy()])
        V = ours.sigma2 * np.eye(len(team)) + ours.tau2 * np.ones((len(team), len(team)))
        info += X.T @ np.linalg.solve(V, X)
    np.testing.assert_allclose(ours.cov, np.linalg.inv(info), rtol=1e-8)
    np.testing.assert_allclose(ours.ci_high - ours.coef, 1.959963985 * ours.se, rtol=1e-8)


def test_negative_icc_data_end_at_the_boundary_and_equal_ordinary_least_squares() -> None:
    rng = np.random.default_rng(7)
    teams = np.repeat(np.arange(30), 6)
    # Team means forced equal: the between-team variance is below chance (negative ICC).
    y = rng.normal(size=teams.shape[0])
    y -= pd.Series(y).groupby(teams).transform("mean").to_numpy()
    x = rng.normal(size=teams.shape[0])
    fit = fit_random_intercept(y, teams, covariates=x)
    assert fit.boundary and fit.tau2 == 0.0
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    np.testing.assert_allclose(fit.coef, ols.params, atol=1e-12)
    np.testing.assert_allclose(fit.se, ols.bse, rtol=1e-10)


def test_missing_values_drop_the_row_and_empty_teams_do_not_count() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 5.0, np.nan])
    teams = np.array(["a", "a", "b", "b", "c", "c", "c", "d"])
    fit = fit_random_intercept(y, teams)
    complete = fit_random_intercept(y[~np.isnan(y)], teams[~np.isnan(y)])
    assert fit.n == 6 and fit.n_groups == 3
    assert fit.tau2 == pytest.approx(complete.tau2) and fit.coef[0] == pytest.approx(
        complete.coef[0]
    )


def test_impossible_models_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="at least 2 teams"):
        fit_random_intercept([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="collinear"):
        fit_random_intercept([1.0, 2.0, 3.0, 4.0], ["a", "a", "b", "b"], covariates=[1.0] * 4)
    with pytest.raises(ValueError, match="2 names given for 1"):
        fit_random_intercept(
            [1.0, 2.0, 3.0, 4.0], [0, 0, 1, 1], covariates=[1, 2, 3, 5], names=("a", "b")
        )
    with pytest.raises(ValueError, match="no fixed effect 'x9'"):
        fit_random_intercept([1.0, 2.0, 3.0, 4.0], [0, 0, 1, 1]).effect("x9")


def test_teams_of_one_respondent_count_through_their_mean_as_in_statsmodels() -> None:
    rng = np.random.default_rng(12)
    size = np.r_[np.ones(15, dtype=int), rng.integers(2, 9, 25)]
    team = np.repeat(np.arange(size.shape[0]), size)
    x = rng.normal(size=team.shape[0])
    y = 2.0 + 0.4 * x + rng.normal(0, 0.6, size.shape[0])[team] + rng.normal(size=team.shape[0])
    data = pd.DataFrame({"y": y, "x": x, "team": team})
    ours = fit_random_intercept(data.y, data.team, covariates=data.x)
    oracle = smf.mixedlm("y ~ x", data, groups=data["team"]).fit(reml=True, method="powell")
    np.testing.assert_allclose(ours.coef, oracle.fe_params.to_numpy(), rtol=1e-4)
    assert ours.tau2 == pytest.approx(float(oracle.cov_re.iloc[0, 0]), rel=1e-4)
    assert ours.sigma2 == pytest.approx(float(oracle.scale), rel=1e-4)
    assert ours.n_groups == 40


def test_inputs_of_different_lengths_or_too_few_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="y has 3 rows but groups has 2"):
        fit_random_intercept([1.0, 2.0, 3.0], ["a", "b"])
    with pytest.raises(ValueError, match="covariates have 2 rows"):
        fit_random_intercept([1.0, 2.0, 3.0], ["a", "b", "b"], covariates=[1.0, 2.0])
    with pytest.raises(ValueError, match="only 2 complete rows"):
        fit_random_intercept([1.0, 2.0], ["a", "b"], covariates=[1.0, 2.0])


def test_data_without_spread_inside_teams_are_refused() -> None:
    with pytest.raises(ValueError, match="does not vary within any team"):
        fit_random_intercept([3.0] * 6, list("aabbcc"))
    with pytest.raises(ValueError, match="does not vary within any team"):
        fit_random_intercept([1.0, 1.0, 2.0, 2.0, 3.0, 3.0], list("aabbcc"))
