"""ICC(1)/ICC(2), REML and shrunken means against R multilevel/nlme (expected.csv R01-R10,
R22), pingouin (Shrout-Fleiss ICC(1,1) confidence interval) and statsmodels MixedLM."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.regression.mixed_linear_model import MixedLM

from conftest import load_reference
from vrijuit.stats.icc import icc_anova, icc_reml, shrunken_means, team_sums


@pytest.fixture(scope="module")
def bh1996() -> pd.DataFrame:
    return load_reference("multilevel_bh1996.csv")


@pytest.fixture(scope="module")
def klein2000() -> pd.DataFrame:
    return load_reference("multilevel_klein2000.csv")


@pytest.fixture(scope="module")
def shrout_fleiss_long() -> pd.DataFrame:
    wide = load_reference("shrout_fleiss_1979.csv")
    return wide.melt(id_vars="S", var_name="judge", value_name="rating")


def _pair(text: str) -> tuple[float, float]:
    first, second = text.split("/")
    return float(first), float(second)


def _named_pairs(text: str) -> dict[str, tuple[float, float]]:
    """'PAY -0.01/-0.27; WLOAD ...' -> {'PAY': (-0.01, -0.27), ...}."""
    out = {}
    for part in text.split(";"):
        name, values = part.split()
        out[name] = _pair(values)
    return out


def test_anova_icc1_of_wbeing_matches_the_published_bliese_value(
    bh1996: pd.DataFrame, expected: pd.DataFrame
) -> None:
    res = icc_anova(bh1996["WBEING"], bh1996["GRP"])
    assert res.icc1 == pytest.approx(float(expected.loc["R02", "expected"]), abs=1e-7)
    assert res.icc2 == pytest.approx(float(expected.loc["R04", "expected"]), abs=1e-9)
    assert res.k == pytest.approx(74.5656566, abs=1e-7)
    assert (res.df_between, res.df_within, res.n_teams) == (98, 7382 - 99, 99)
    assert not res.negative


@pytest.mark.parametrize(("variable", "ref"), [("HRS", "R05"), ("LEAD", "R06"), ("COHES", "R07")])
def test_anova_icc1_and_icc2_match_multilevel(
    bh1996: pd.DataFrame, expected: pd.DataFrame, variable: str, ref: str
) -> None:
    icc1, icc2 = _pair(expected.loc[ref, "expected"])
    res = icc_anova(bh1996[variable], bh1996["GRP"])
    assert res.icc1 == pytest.approx(icc1, abs=1e-9)
    assert res.icc2 == pytest.approx(icc2, abs=1e-9)


def test_k0_group_size_reproduces_the_bartko_snedecor_value(
    bh1996: pd.DataFrame, expected: pd.DataFrame
) -> None:
    res = icc_anova(bh1996["WBEING"], bh1996["GRP"], group_size="k0")
    assert res.icc1 == pytest.approx(float(expected.loc["R09", "expected"]), abs=1e-9)
    assert res.k == pytest.approx(74.3134873, abs=1e-7)


def test_negative_iccs_are_returned_raw_and_flagged(
    klein2000: pd.DataFrame, expected: pd.DataFrame
) -> None:
    for variable, (icc1, icc2) in _named_pairs(expected.loc["R10", "expected"]).items():
        res = icc_anova(klein2000[variable], klein2000["GRPID"])
        assert res.icc1 == pytest.approx(icc1, abs=1e-9), variable
        assert res.icc2 == pytest.approx(icc2, abs=1e-9), variable
        assert res.negative is (icc1 < 0), variable


def test_negative_anova_icc_is_a_boundary_fit_in_reml(klein2000: pd.DataFrame) -> None:
    res = icc_reml(klein2000["PAY"], klein2000["GRPID"])
    assert res.boundary
    assert res.tau2 == 0.0 and res.icc1 == 0.0
    assert np.all(res.team_reliability == 0.0)
    shrunk = shrunken_means(klein2000["PAY"], klein2000["GRPID"], fit=res)
    np.testing.assert_allclose(shrunk.shrunken_mean, res.mu)


def test_shrout_fleiss_targets_as_one_way_groups_match_psych(
    shrout_fleiss_long: pd.DataFrame, expected: pd.DataFrame
) -> None:
    # expected.csv R22: "as one-way groups Bliese ICC1=.1657417684 ICC2=.4427971337"
    res = icc_anova(shrout_fleiss_long["rating"], shrout_fleiss_long["S"])
    assert res.icc1 == pytest.approx(0.1657417684, abs=1e-9)
    assert res.icc2 == pytest.approx(0.4427971337, abs=1e-9)
    assert "ICC1 .1657417684" in expected.loc["R22", "expected"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_confidence_intervals_match_pingouin_on_balanced_data(
    shrout_fleiss_long: pd.DataFrame,
) -> None:
    oracle = pingouin.intraclass_corr(
        shrout_fleiss_long, targets="S", raters="judge", ratings="rating"
    ).set_index("Type")
    res = icc_anova(shrout_fleiss_long["rating"], shrout_fleiss_long["S"])
    one, mean_of_k = oracle.iloc[0], oracle.iloc[3]  # ICC(1,1) and ICC(1,k)
    assert res.icc1 == pytest.approx(one["ICC"])
    assert res.icc2 == pytest.approx(mean_of_k["ICC"])
    assert res.f == pytest.approx(one["F"])
    # pingouin rounds its CIs to two decimals
    np.testing.assert_allclose(res.icc1_ci, list(one["CI95"]), atol=0.005)
    np.testing.assert_allclose(res.icc2_ci, list(mean_of_k["CI95"]), atol=0.005)


def test_icc2_interval_is_one_minus_one_over_f_bounds_from_scipy(bh1996: pd.DataFrame) -> None:
    from scipy import stats

    res = icc_anova(bh1996["WBEING"], bh1996["GRP"], confidence=0.90)
    f_low = res.f / stats.f.ppf(0.95, res.df_between, res.df_within)
    f_up = res.f * stats.f.ppf(0.95, res.df_within, res.df_between)
    assert res.icc2_ci == pytest.approx((1 - 1 / f_low, 1 - 1 / f_up))
    assert res.icc1_ci[0] < res.icc1 < res.icc1_ci[1]
    assert res.p_value == pytest.approx(stats.f.sf(res.f, res.df_between, res.df_within))


def test_reml_reproduces_nlme_for_wbeing(bh1996: pd.DataFrame, expected: pd.DataFrame) -> None:
    res = icc_reml(bh1996["WBEING"], bh1996["GRP"])
    assert res.icc1 == pytest.approx(float(expected.loc["R01", "expected"]), abs=1e-6)
    assert res.tau2 == pytest.approx(0.03580079, rel=1e-5)
    assert res.sigma2 == pytest.approx(0.78949727, rel=1e-6)
    assert res.mean_reliability == pytest.approx(float(expected.loc["R03", "expected"]), abs=1e-6)
    assert not res.boundary


def test_reml_icc1_and_spearman_brown_icc2_match_mult_icc(
    bh1996: pd.DataFrame, expected: pd.DataFrame
) -> None:
    for part in expected.loc["R08", "expected"].split(";"):
        variable, values = part.split()
        icc1, icc2 = _pair(values)
        res = icc_reml(bh1996[variable], bh1996["GRP"])
        assert res.icc1 == pytest.approx(icc1, abs=1e-6), variable
        assert res.icc2 == pytest.approx(icc2, abs=1e-6), variable


def test_team_reliability_matches_gmeanrel_formula(bh1996: pd.DataFrame) -> None:
    res = icc_reml(bh1996["WBEING"], bh1996["GRP"])
    sizes = bh1996.groupby("GRP").size().to_numpy()
    gmeanrel = sizes * res.icc1 / (1 + (sizes - 1) * res.icc1)
    np.testing.assert_allclose(res.team_reliability, gmeanrel, rtol=1e-10)


def _random_teams(seed: int, n_teams: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 15, size=n_teams)
    team = np.repeat(np.arange(n_teams), sizes)
    y = 3 + rng.normal(0, 0.5, n_teams)[team] + rng.normal(0, 1, team.size)
    return pd.DataFrame({"team": team, "y": y})


def test_reml_variances_and_shrunken_means_match_statsmodels_mixedlm() -> None:
    frame = _random_teams(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = MixedLM(frame["y"], np.ones((len(frame), 1)), groups=frame["team"]).fit(reml=True)
    res = icc_reml(frame["y"], frame["team"])
    assert res.tau2 == pytest.approx(float(fit.cov_re.iloc[0, 0]), rel=1e-4)
    assert res.sigma2 == pytest.approx(float(fit.scale), rel=1e-4)
    assert res.mu == pytest.approx(float(fit.fe_params.iloc[0]), rel=1e-4)
    shrunk = shrunken_means(frame["y"], frame["team"])
    blups = np.array([fit.random_effects[label].iloc[0] for label in shrunk.labels])
    np.testing.assert_allclose(shrunk.shrunken_mean, fit.fe_params.iloc[0] + blups, atol=1e-4)


def test_anova_matches_a_naive_pandas_one_way_anova() -> None:
    frame = _random_teams(11)
    grouped = frame.groupby("team")["y"]
    n, means = grouped.size(), grouped.mean()
    grand = frame["y"].mean()
    msb = (n * (means - grand) ** 2).sum() / (len(n) - 1)
    msw = ((frame["y"] - grouped.transform("mean")) ** 2).sum() / (len(frame) - len(n))
    k = len(frame) / len(n)
    res = icc_anova(frame["y"], frame["team"])
    assert res.msb == pytest.approx(msb) and res.msw == pytest.approx(msw)
    assert res.icc1 == pytest.approx((msb - msw) / (msb + (k - 1) * msw))
    assert res.icc2 == pytest.approx(1 - msw / msb)


def test_teams_of_one_count_between_but_not_within() -> None:
    values = [1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 10.0]
    teams = ["a", "a", "a", "b", "b", "b", "solo"]
    res = icc_anova(values, teams)
    assert (res.df_between, res.df_within, res.n_teams) == (2, 4, 3)
    assert res.msw == pytest.approx(1.0)
    reml = icc_reml(values, teams)
    assert reml.n.tolist() == [3, 3, 1]


def test_missing_values_are_dropped_with_their_rows() -> None:
    values = [1.0, 2.0, np.nan, 5.0, 6.0, np.nan]
    teams = ["a", "a", "a", "b", "b", "c"]
    res = icc_anova(values, teams)
    assert (res.n, res.n_teams) == (4, 2)
    assert res.to_dict()["icc1_ci"][0] is not None


def test_fewer_than_two_teams_or_no_within_variance_raise() -> None:
    with pytest.raises(ValueError, match="at least 2 teams"):
        icc_anova([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="at least 2 teams"):
        icc_reml([1.0, 2.0, np.nan], ["a", "a", "b"])
    with pytest.raises(ValueError, match="one member"):
        icc_anova([1.0, 2.0], ["a", "b"])
    with pytest.raises(ValueError, match="zero variance"):
        icc_anova([3.0, 3.0, 3.0, 3.0], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="zero variance"):
        icc_reml([3.0, 3.0, 3.0, 3.0], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="group_size must be one of"):
        icc_anova([1.0, 2.0, 3.0, 4.0], ["a", "a", "b", "b"], group_size="harmonic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confidence"):
        icc_anova([1.0, 2.0, 3.0, 4.0], ["a", "a", "b", "b"], confidence=95)


def test_a_fit_of_other_data_is_refused() -> None:
    fit = icc_reml([1.0, 2.0, 4.0, 5.0], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="other data"):
        shrunken_means([1.0, 2.0, 4.0, 5.0, 6.0], ["a", "a", "b", "b", "b"], fit=fit)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_teams=st.integers(2, 12))
def test_shrunken_means_lie_between_raw_and_grand_mean_and_rows_can_be_permuted(
    seed: int, n_teams: int
) -> None:
    frame = _random_teams(seed, n_teams)
    if frame.groupby("team").size().max() < 2:
        return
    res = shrunken_means(frame["y"], frame["team"])
    low = np.minimum(res.mean, res.grand_mean) - 1e-9
    high = np.maximum(res.mean, res.grand_mean) + 1e-9
    assert np.all((res.shrunken_mean >= low) & (res.shrunken_mean <= high))
    assert np.all((res.reliability >= 0) & (res.reliability <= 1))
    shuffled = frame.sample(frac=1.0, random_state=seed % 2**31)
    again = icc_anova(shuffled["y"], shuffled["team"])
    assert again.icc1 == pytest.approx(icc_anova(frame["y"], frame["team"]).icc1, abs=1e-12)
    assert icc_reml(shuffled["y"], shuffled["team"]).tau2 == pytest.approx(
        icc_reml(frame["y"], frame["team"]).tau2, rel=1e-6, abs=1e-9
    )


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_teams=st.integers(2, 12), log_theta=st.floats(-8, 3))
def test_the_reml_slope_used_to_polish_the_fit_is_the_derivative_of_the_deviance(
    seed: int, n_teams: int, log_theta: float
) -> None:
    from vrijuit.stats.icc import _profiled_reml_deviance, _reml_slope, _team_sums

    frame = _random_teams(seed, n_teams)
    if frame.groupby("team").size().max() < 2:
        return
    sums = _team_sums(frame["y"], frame["team"])
    h = 1e-5

    def deviance(u: float) -> float:
        return _profiled_reml_deviance(float(np.exp(u)), sums)[0]

    numeric = (deviance(log_theta + h) - deviance(log_theta - h)) / (2 * h)
    assert _reml_slope(float(np.exp(log_theta)), sums) == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_team_sums_match_a_naive_pandas_groupby_and_skip_missing_values() -> None:
    frame = _random_teams(5)
    frame.loc[frame.index[::7], "y"] = np.nan
    sums = team_sums(frame["y"], frame["team"])
    present = frame.dropna(subset=["y"])
    grouped = present.groupby("team")["y"]
    assert sums.labels.tolist() == grouped.size().index.tolist()
    assert sums.n.tolist() == grouped.size().tolist()
    np.testing.assert_allclose(sums.mean, grouped.mean().to_numpy(), rtol=1e-12)
    ssw = ((present["y"] - grouped.transform("mean")) ** 2).sum()
    assert sums.ssw == pytest.approx(ssw, rel=1e-12)
    assert sums.grand_mean == pytest.approx(present["y"].mean(), rel=1e-12)


def test_shared_team_sums_give_the_r_and_statsmodels_values(
    bh1996: pd.DataFrame, expected: pd.DataFrame
) -> None:
    sums = team_sums(bh1996["WBEING"], bh1996["GRP"])
    anova = icc_anova(bh1996["WBEING"], bh1996["GRP"], sums=sums)
    assert anova.icc1 == pytest.approx(float(expected.loc["R02", "expected"]), abs=1e-7)
    assert anova.icc2 == pytest.approx(float(expected.loc["R04", "expected"]), abs=1e-9)
    reml = icc_reml(bh1996["WBEING"], bh1996["GRP"], sums=sums)
    assert reml.icc1 == pytest.approx(float(expected.loc["R01", "expected"]), abs=1e-6)
    frame = _random_teams(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = MixedLM(frame["y"], np.ones((len(frame), 1)), groups=frame["team"]).fit(reml=True)
    shared = team_sums(frame["y"], frame["team"])
    shrunk = shrunken_means(frame["y"], frame["team"], sums=shared)
    blups = np.array([fit.random_effects[label].iloc[0] for label in shrunk.labels])
    np.testing.assert_allclose(shrunk.shrunken_mean, fit.fe_params.iloc[0] + blups, atol=1e-4)


def test_team_sums_refuse_one_team_and_other_objects_as_sums() -> None:
    with pytest.raises(ValueError, match="at least 2 teams"):
        team_sums([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(TypeError, match="team_sums"):
        icc_anova([1.0, 2.0, 4.0, 5.0], ["a", "a", "b", "b"], sums={"n": [2, 2]})
    with pytest.raises(TypeError, match="team_sums"):
        shrunken_means([1.0, 2.0, 4.0, 5.0], ["a", "a", "b", "b"], sums=(2, 2))  # type: ignore[arg-type]
