"""Team spread, share below the cut-off and polarisation, against statsmodels (Wilson interval),
scipy (skewness/kurtosis), R multilevel (rwg on a scale score, expected.csv R18) and a naive
per-team pandas reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from conftest import load_reference
from vrijuit.i18n import LANGUAGES, catalog
from vrijuit.stats.dispersion import (
    POLARISATION_REASONS,
    overall_share_below,
    polarisation,
    share_below,
    team_spread,
    wilson_interval,
)


def _random_scores(seed: int, n_teams: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, size=n_teams)
    team = np.repeat([f"t{j}" for j in range(n_teams)], sizes)
    score = np.round(rng.uniform(1, 5, team.size) * 4) / 4  # multiples of 1/4, like K = 4
    score[rng.random(team.size) < 0.1] = np.nan
    return pd.DataFrame({"team": team, "score": score})


def test_team_mean_and_sd_match_pandas_groupby() -> None:
    frame = _random_scores(3)
    res = team_spread(frame["score"], frame["team"])
    grouped = frame.groupby("team")["score"]
    np.testing.assert_allclose(res.mean, grouped.mean().to_numpy())
    np.testing.assert_allclose(res.sd, grouped.std(ddof=1).to_numpy())
    assert res.n.tolist() == grouped.count().tolist()


def test_wilson_interval_matches_statsmodels() -> None:
    counts = np.array([0, 1, 3, 7, 10, 5])
    sizes = np.array([10, 10, 9, 12, 10, 6])
    for level in (0.90, 0.95):
        low, high = wilson_interval(counts, sizes, confidence=level)
        ref_low, ref_high = proportion_confint(counts, sizes, alpha=1 - level, method="wilson")
        np.testing.assert_allclose(low, ref_low, atol=1e-12)
        np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_share_below_is_strict_and_matches_a_naive_count_with_statsmodels_ci() -> None:
    frame = _random_scores(5)
    res = share_below(frame["score"], frame["team"], cutoff=3.0)
    valid = frame.dropna()
    naive = valid.groupby("team")["score"].agg(count=lambda s: int((s < 3.0).sum()), n="size")
    assert res.count.tolist() == naive["count"].tolist()
    assert res.n.tolist() == naive["n"].tolist()
    ref_low, ref_high = proportion_confint(naive["count"], naive["n"], method="wilson")
    np.testing.assert_allclose(res.ci_low, ref_low, atol=1e-12)
    np.testing.assert_allclose(res.ci_high, ref_high, atol=1e-12)
    exactly_at = share_below([3.0, 3.0, 2.75], ["a"] * 3, cutoff=3.0)
    assert exactly_at.count.tolist() == [1]


def test_overall_share_widens_the_interval_by_the_design_effect() -> None:
    frame = _random_scores(9, n_teams=10).dropna()
    res = overall_share_below(frame["score"], frame["team"], cutoff=3.0, icc1=0.15)
    n, teams = len(frame), frame["team"].nunique()
    deff = 1 + (n / teams - 1) * 0.15
    assert res.design_effect == pytest.approx(deff)
    assert res.n_effective == pytest.approx(n / deff)
    count = int((frame["score"] < 3.0).sum())
    ref_low, ref_high = proportion_confint(count / n * (n / deff), n / deff, method="wilson")
    assert (res.ci_low, res.ci_high) == pytest.approx((ref_low, ref_high))
    naive = overall_share_below(frame["score"], frame["team"], cutoff=3.0, icc1=0.0)
    assert naive.ci_high - naive.ci_low < res.ci_high - res.ci_low


def test_negative_icc_does_not_narrow_the_overall_interval() -> None:
    scores, teams = [1, 4, 4, 2, 4, 4], [1, 1, 1, 2, 2, 2]
    res = overall_share_below(scores, teams, cutoff=3, icc1=-0.2)
    assert res.design_effect == 1.0 and res.n_effective == 6.0
    with pytest.raises(ValueError, match="icc1"):
        overall_share_below(scores, teams, cutoff=3, icc1=1.5)
    with pytest.raises(ValueError, match="no scores"):
        overall_share_below([np.nan], [1], cutoff=3, icc1=0.1)


def test_polarisation_rwg_on_the_scale_score_matches_multilevel(expected: pd.DataFrame) -> None:
    lq2002 = load_reference("multilevel_lq2002.csv")
    res = polarisation(lq2002["LEAD"], lq2002["COMPID"], cutoff=3.0, null_variance=2.0)
    assert np.nanmean(res.rwg) == pytest.approx(float(expected.loc["R18", "expected"]), abs=1e-9)


def test_bimodality_coefficient_matches_scipy_skew_and_kurtosis() -> None:
    frame = _random_scores(21, n_teams=5).dropna()
    res = polarisation(frame["score"], frame["team"], cutoff=3.0, null_variance=2.0)
    for label, block in frame.groupby("team"):
        x = block["score"].to_numpy()
        value = res.bimodality[res.labels.tolist().index(label)]
        if len(x) < 4 or np.var(x) == 0:
            assert np.isnan(value)
            continue
        n = len(x)
        g1, g2 = stats.skew(x, bias=False), stats.kurtosis(x, bias=False)
        reference = (g1**2 + 1) / (g2 + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
        assert value == pytest.approx(reference, rel=1e-9)


def test_a_fine_mean_hiding_an_unsafe_minority_is_flagged_with_its_reasons() -> None:
    split = [4.75, 4.5, 4.75, 4.5, 4.5, 4.75, 1.5, 1.25]  # mean 3.81, 25% below 3
    calm = [3.5, 3.75, 3.5, 3.25, 3.5, 3.75, 3.5, 3.5]
    low_everyone = [2.0, 2.25, 2.5, 2.0, 2.25, 2.5, 2.0, 2.25]
    small = [4.5, 4.5, 1.0, 1.0]
    scores = split + calm + low_everyone + small
    teams = ["split"] * 8 + ["calm"] * 8 + ["low"] * 8 + ["small"] * 4
    res = polarisation(scores, teams, cutoff=3.0, null_variance=2.0)
    flags = dict(zip(res.labels.tolist(), res.flagged.tolist(), strict=True))
    assert flags == {"calm": False, "low": False, "small": False, "split": True}
    position = res.labels.tolist().index("split")
    assert res.reasons(position)[:2] == ("mean_fine", "unsafe_group")
    assert {"low_agreement", "bimodal"} & set(res.reasons(position))
    assert res.share_below[position] == pytest.approx(0.25)
    assert not res.eligible[res.labels.tolist().index("small")]
    assert res.reasons(res.labels.tolist().index("small")) == ()


def test_a_single_unsafe_person_is_not_a_group() -> None:
    scores = [4.5, 4.5, 4.5, 4.5, 1.0]
    res = polarisation(scores, ["t"] * 5, cutoff=3.0, null_variance=2.0)
    assert res.count_below.tolist() == [1]
    assert not res.unsafe_group[0] and not res.flagged[0]
    assert res.low_agreement_flag[0], "the disagreement itself is still reported"
    relaxed = polarisation(scores, ["t"] * 5, cutoff=3.0, null_variance=2.0, min_count=1)
    assert relaxed.flagged[0]


def test_everyone_slightly_below_is_low_not_polarised() -> None:
    scores = [3.0, 3.25, 3.0, 2.75, 2.75, 3.25, 3.0, 3.0]
    res = polarisation(scores, ["t"] * 8, cutoff=3.0, null_variance=2.0)
    assert res.unsafe_group[0] and res.mean_fine[0]
    assert not res.low_agreement[0] and not res.bimodal[0] and not res.flagged[0]


def test_every_reason_code_has_a_message_in_both_languages() -> None:
    messages = catalog()
    for code in POLARISATION_REASONS:
        entry = messages[f"dispersion.reason.{code}"]
        assert set(entry) == set(LANGUAGES)
    assert "dispersion.polarised" in messages and "dispersion.low_agreement" in messages


def test_invalid_arguments_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="cutoff"):
        share_below([1.0], [1], cutoff=float("nan"))
    with pytest.raises(ValueError, match="null_variance"):
        polarisation([1.0], [1], cutoff=3, null_variance=-1)
    with pytest.raises(ValueError, match="min_share"):
        polarisation([1.0], [1], cutoff=3, null_variance=2, min_share=0)
    with pytest.raises(ValueError, match="confidence"):
        share_below([1.0], [1], cutoff=3, confidence=1.0)
    with pytest.raises(ValueError, match="finite"):
        team_spread([np.inf], [1])


def test_team_without_scores_gets_nan_not_an_error() -> None:
    res = share_below([np.nan, 2.0, 4.0], ["a", "b", "b"], cutoff=3)
    assert res.n.tolist() == [0, 2]
    assert np.isnan(res.share[0]) and np.isnan(res.ci_low[0])
    assert res.to_dict()["share"] == [None, 0.5]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_changes_nothing_and_values_stay_in_range(seed: int) -> None:
    frame = _random_scores(seed)
    shuffled = frame.sample(frac=1.0, random_state=seed % 2**31)
    a = polarisation(frame["score"], frame["team"], cutoff=3.0, null_variance=2.0)
    b = polarisation(shuffled["score"], shuffled["team"], cutoff=3.0, null_variance=2.0)
    np.testing.assert_array_equal(a.flagged, b.flagged)
    np.testing.assert_allclose(a.rwg, b.rwg, atol=1e-12)
    np.testing.assert_allclose(a.bimodality, b.bimodality, atol=1e-9)
    s = share_below(frame["score"], frame["team"], cutoff=3.0)
    ok = ~np.isnan(s.share)
    assert np.all((s.ci_low[ok] <= s.share[ok]) & (s.share[ok] <= s.ci_high[ok]))
    assert np.all((s.ci_low[ok] >= 0) & (s.ci_high[ok] <= 1))
    finite = a.rwg[~np.isnan(a.rwg)]
    assert np.all((finite >= 0) & (finite <= 1))
