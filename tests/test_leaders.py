"""Leaders' own safety vs their team: Pearson/Fisher against scipy, ICC(2) against R multilevel
(bh1996), the cross-level model against statsmodels MixedLM, correct_gcor against its documented
example (R33)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from conftest import load_reference
from vrijuit.stats.leaders import correct_gcor, leader_team_relation


@pytest.fixture(scope="module")
def bh1996() -> pd.DataFrame:
    return load_reference("multilevel_bh1996.csv")


@pytest.fixture(scope="module")
def leaders(bh1996: pd.DataFrame) -> dict[int, float]:
    """A 'leader score' per company: the company's mean leadership rating plus noise."""
    rng = np.random.default_rng(42)
    per_team = bh1996.groupby("GRP")["G.LEAD"].first()
    return {int(k): float(v) + rng.normal(0, 0.2) for k, v in per_team.items()}


def test_team_level_correlation_matches_scipy_pearson_with_fisher_interval(
    bh1996: pd.DataFrame, leaders: dict[int, float]
) -> None:
    res = leader_team_relation(leaders, bh1996["WBEING"], bh1996["GRP"], confidence=0.9)
    team_means = bh1996.groupby("GRP")["WBEING"].mean()  # naive reference
    L = pd.Series(leaders).reindex(team_means.index)
    oracle = stats.pearsonr(L, team_means)
    ci = oracle.confidence_interval(confidence_level=0.9)
    assert res.r == pytest.approx(oracle.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(oracle.pvalue, rel=1e-8)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert res.n_teams == 99 and res.n_members.sum() == len(bh1996)
    np.testing.assert_allclose(res.member_mean, team_means.to_numpy(), rtol=1e-12)


def test_disattenuation_uses_the_anova_icc2_of_the_members(
    bh1996: pd.DataFrame, leaders: dict[int, float], expected: pd.DataFrame
) -> None:
    res = leader_team_relation(leaders, bh1996["WBEING"], bh1996["GRP"], leader_reliability=0.8)
    # R04: multilevel::ICC2(aov(WBEING ~ as.factor(GRP), bh1996))
    assert res.icc2 == pytest.approx(float(expected.loc["R04", "expected"]), abs=1e-9)
    assert res.disattenuated == pytest.approx(res.r / np.sqrt(0.7717128755 * 0.8), rel=1e-9)
    assert not res.exceeds_one and res.disattenuated_clipped == res.disattenuated


def test_a_corrected_value_above_one_is_flagged_and_clipped(
    bh1996: pd.DataFrame,
) -> None:
    team_means = bh1996.groupby("GRP")["WBEING"].mean()
    almost_the_mean = {k: v + 0.01 * (k % 3) for k, v in team_means.items()}
    res = leader_team_relation(
        almost_the_mean, bh1996["WBEING"], bh1996["GRP"], leader_reliability=0.5
    )
    assert res.disattenuated > 1 and res.exceeds_one and res.disattenuated_clipped == 1.0


def test_cross_level_model_matches_statsmodels_mixedlm(
    bh1996: pd.DataFrame, leaders: dict[int, float]
) -> None:
    res = leader_team_relation(leaders, bh1996["WBEING"], bh1996["GRP"])
    data = bh1996.assign(L=bh1996["GRP"].map(leaders))
    model = smf.mixedlm("WBEING ~ L", data, groups=data["GRP"]).fit(reml=True)
    null = smf.mixedlm("WBEING ~ 1", data, groups=data["GRP"]).fit(reml=True)
    assert res.gamma01 == pytest.approx(float(model.fe_params["L"]), rel=1e-4)
    tau2_model, tau2_null = float(model.cov_re.iloc[0, 0]), float(null.cov_re.iloc[0, 0])
    assert res.tau2_model == pytest.approx(tau2_model, rel=1e-4)
    # statsmodels stops 2e-4 short on the null model; nlme (R01 provenance) is the sharper oracle.
    assert res.tau2_null == pytest.approx(tau2_null, rel=1e-3)
    assert res.tau2_null == pytest.approx(0.03580079, rel=1e-5)
    assert res.tau2_explained == pytest.approx((0.03580079 - tau2_model) / 0.03580079, rel=1e-3)
    sd_l = pd.Series(leaders).std(ddof=1)
    assert res.latent_correlation == pytest.approx(
        float(model.fe_params["L"]) * sd_l / np.sqrt(0.03580079), rel=1e-4
    )
    assert res.gamma01_ci_low < res.gamma01 < res.gamma01_ci_high


def test_members_of_teams_without_a_leader_score_are_left_out() -> None:
    leaders = {"a": 3.5, "b": 3.0, "c": 4.5, "d": 2.5, "e": np.nan}
    members = [4.0, 4.5, 4.2, 3.0, 3.4, 2.8, 4.0, 3.6, 3.8, 2.6, 3.0, 2.4, 1.0, 5.0, np.nan]
    teams = [*"aaabbbcccddd", "e", "x", "a"]
    res = leader_team_relation(leaders, members, teams)
    assert res.labels.tolist() == ["a", "b", "c", "d"]
    assert res.n_members.tolist() == [3, 3, 3, 3]
    expected_r = np.corrcoef([3.5, 3.0, 4.5, 2.5], [12.7 / 3, 9.2 / 3, 11.4 / 3, 8.0 / 3])[0, 1]
    assert res.r == pytest.approx(expected_r)


def test_too_few_teams_or_bad_reliability_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 3 teams"):
        leader_team_relation({"a": 3.0, "b": 4.0}, [3.0, 3.5, 4.0], ["a", "a", "b"])
    with pytest.raises(ValueError, match="no member belongs"):
        leader_team_relation({"a": 3.0}, [3.0], ["z"])
    with pytest.raises(ValueError, match="leader_reliability"):
        leader_team_relation({"a": 3.0}, [3.0], ["a"], leader_reliability=0.0)


def test_correct_gcor_reproduces_the_documented_example(expected: pd.DataFrame) -> None:
    value = correct_gcor(w_corr=0.35, b_corr=0.25, icc2_x=0.59, icc2_y=0.52)
    assert value == pytest.approx(float(expected.loc["R33", "expected"]), abs=1e-9)


def test_correct_gcor_leaves_a_perfectly_reliable_correlation_alone() -> None:
    assert correct_gcor(w_corr=0.1, b_corr=0.4, icc2_x=1.0, icc2_y=1.0) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="icc2_x"):
        correct_gcor(w_corr=0.1, b_corr=0.4, icc2_x=-0.2, icc2_y=0.5)
    with pytest.raises(ValueError, match="b_corr"):
        correct_gcor(w_corr=0.1, b_corr=1.4, icc2_x=0.2, icc2_y=0.5)


def test_three_teams_give_r_without_a_fisher_interval() -> None:
    res = leader_team_relation(
        {"a": 3.0, "b": 4.0, "c": 3.5}, [3.0, 3.2, 4.1, 3.9, 3.4, 3.8], list("aabbcc")
    )
    assert res.n_teams == 3 and not np.isnan(res.r)
    assert np.isnan(res.ci_low) and np.isnan(res.ci_high)
    assert res.to_dict()["ci_low"] is None


def test_reliability_weighted_correlation_matches_statsmodels_descrstatsw(
    bh1996: pd.DataFrame, leaders: dict[int, float]
) -> None:
    from statsmodels.stats.weightstats import DescrStatsW

    res = leader_team_relation(leaders, bh1996["WBEING"], bh1996["GRP"])
    lam = res.tau2_null / (res.tau2_null + 0.78949727 / res.n_members)
    oracle = DescrStatsW(np.column_stack([res.leader, res.member_mean]), weights=lam).corrcoef
    assert res.r_weighted == pytest.approx(oracle[0, 1], rel=1e-6)
    assert res.r_weighted != pytest.approx(res.r, rel=1e-6)
