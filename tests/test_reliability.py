"""Reliability against R (expected.csv R19), pingouin, statsmodels, scipy and naive references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy.stats import f as f_distribution
from statsmodels.multivariate.factor import Factor

from conftest import load_reference
from vrijuit.stats.groups import Groups
from vrijuit.stats.reliability import (
    ItemCovariance,
    cronbach_alpha,
    feldt_interval,
    item_covariance,
    item_rest_correlations,
    mcdonald_omega,
    scale_works_alike,
)

LEAD = [f"LEAD{i:02d}" for i in range(1, 12)]


@pytest.fixture(scope="module")
def lead() -> pd.DataFrame:
    return load_reference("multilevel_lq2002.csv")[LEAD]


def _provenance_number(expected: pd.DataFrame, row: str, label: str) -> float:
    """A number quoted in the provenance text of expected.csv, after ``label``."""
    text = str(expected.loc[row, "provenance"])
    return float(text.split(label, 1)[1].split(";")[0].strip())


def _one_factor(n: int, loadings: list[float], seed: int, noise: float = 0.6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(n, 1))
    return factor * np.asarray(loadings) + rng.normal(size=(n, len(loadings))) * noise


def test_alpha_of_lead_items_matches_r_multilevel_and_psych(lead, expected) -> None:
    row = expected.loc["R19"]
    result = cronbach_alpha(lead)
    assert result.alpha == pytest.approx(float(row["expected"]), abs=float(row["tolerance"]))
    assert (result.n, result.n_items) == (2042, 11)


def test_standardised_alpha_of_lead_items_matches_psych(lead, expected) -> None:
    psych_std = _provenance_number(expected, "R19", "psych std.alpha")
    assert cronbach_alpha(lead).std_alpha == pytest.approx(psych_std, abs=1e-9)


def test_alpha_and_feldt_interval_match_pingouin_on_complete_data(lead) -> None:
    ours = cronbach_alpha(lead)
    alpha, ci = pg.cronbach_alpha(lead)
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    # pingouin rounds its interval to 3 decimals
    assert [ours.ci_low, ours.ci_high] == pytest.approx(list(ci), abs=5e-4 + 1e-12)


def test_feldt_interval_matches_the_formula_with_scipy_f_quantiles() -> None:
    n, k, alpha = 57, 6, 0.71
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci = feldt_interval(alpha, n=n, n_items=k, confidence=0.90)
    assert ci.low == pytest.approx(1 - (1 - alpha) * f_distribution.isf(0.05, df1, df2), rel=1e-12)
    assert ci.high == pytest.approx(1 - (1 - alpha) * f_distribution.isf(0.95, df1, df2), rel=1e-12)
    assert ci.low < alpha < ci.high


def test_listwise_feldt_interval_uses_the_complete_rows_not_pingouins_row_count() -> None:
    data = pg.read_dataset("cronbach_wide_missing")
    complete = data.dropna()
    ours = cronbach_alpha(data, missing="listwise")
    pingouin_alpha, pingouin_ci = pg.cronbach_alpha(data, nan_policy="listwise")
    assert ours.alpha == pytest.approx(pingouin_alpha, abs=1e-12)
    assert ours.n == len(complete) == 9
    n, k = len(complete), data.shape[1]
    low = 1 - (1 - ours.alpha) * f_distribution.ppf(0.975, n - 1, (n - 1) * (k - 1))
    high = 1 - (1 - ours.alpha) * f_distribution.ppf(0.025, n - 1, (n - 1) * (k - 1))
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert (round(ours.ci_low, 3), round(ours.ci_high, 3)) == (0.533, 0.947)
    # pingouin 0.7 takes n before deleting rows: its interval is the narrower n = 12 one.
    assert list(pingouin_ci) == [0.581, 0.933]


def test_pairwise_alpha_with_missing_answers_matches_pingouin_and_flags_a_non_psd_matrix() -> None:
    data = pg.read_dataset("cronbach_wide_missing")
    ours = cronbach_alpha(data)
    alpha, ci = pg.cronbach_alpha(data)
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    assert [ours.ci_low, ours.ci_high] == pytest.approx(list(ci), abs=5e-4 + 1e-12)
    eigenvalues = np.linalg.eigvalsh(data.cov().to_numpy())
    assert ours.covariance_psd == bool(eigenvalues.min() >= -1e-10 * np.abs(eigenvalues).max())


def test_standardised_alpha_with_missing_answers_uses_pairwise_correlations() -> None:
    data = pg.read_dataset("cronbach_wide_missing")
    correlations = data.corr().to_numpy()  # pandas: pairwise complete, like cor(use="pairwise")
    k = data.shape[1]
    expected = k / (k - 1) * (1 - k / correlations.sum())
    assert cronbach_alpha(data).std_alpha == pytest.approx(expected, rel=1e-12)
    off_diagonal = correlations[~np.eye(k, dtype=bool)]
    assert cronbach_alpha(data).mean_r == pytest.approx(off_diagonal.mean(), rel=1e-12)


def test_a_clearly_non_psd_pairwise_covariance_is_flagged() -> None:
    # Each pair is answered on different people: 1&2 and 2&3 move together, 1&3 oppositely.
    nan = np.nan
    up, down = [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]
    rows = [[a, a, nan] for a in up] + [[nan, a, a] for a in up]
    rows += [[a, nan, b] for a, b in zip(up, down, strict=True)]
    result = cronbach_alpha(np.array(rows))
    assert not result.covariance_psd
    assert "not_psd" in result.problems
    assert cronbach_alpha(np.array(rows), missing="listwise").problems == ("too_few_rows",)


def test_negative_alpha_is_flagged_as_a_probable_keying_error() -> None:
    x = _one_factor(300, [0.8, 0.8, -0.8], seed=2)
    result = cronbach_alpha(x)
    assert result.alpha < 0
    assert result.probable_keying_error
    assert "negative_alpha" in result.problems
    assert not cronbach_alpha(x * [1, 1, -1]).probable_keying_error


def test_zero_variance_items_are_kept_in_raw_alpha_and_named() -> None:
    x = _one_factor(100, [0.8, 0.7, 0.6], seed=3)
    x[:, 1] = 4.0
    result = cronbach_alpha(x)
    frame = pd.DataFrame(x)
    assert result.alpha == pytest.approx(pg.cronbach_alpha(frame)[0], abs=1e-12)
    assert result.zero_variance_items == (1,)
    assert np.isnan(result.std_alpha)
    assert "zero_variance" in result.problems


def test_alpha_needs_two_items_and_three_rows() -> None:
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(np.ones((10, 1)))
    nan = np.nan
    disjoint = cronbach_alpha([[1, nan], [2, nan], [3, nan], [nan, 1], [nan, 3]])
    assert disjoint.problems == ("too_few_pairs",) and np.isnan(disjoint.alpha)
    small = cronbach_alpha([[1, 2], [2, 3]])
    assert np.isnan(small.alpha) and small.problems == ("too_few_rows",)
    assert small.to_dict()["alpha"] is None
    with pytest.raises(ValueError, match="missing must be one of"):
        cronbach_alpha(np.ones((5, 2)), missing="available")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confidence"):
        cronbach_alpha(np.ones((5, 2)), confidence=95)
    with pytest.raises(ValueError, match="n_items must be at least 2"):
        feldt_interval(0.8, n=10, n_items=1)
    with pytest.raises(ValueError, match="n must be at least 2"):
        feldt_interval(0.8, n=1, n_items=3)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=0, max_value=10_000),
    st.lists(st.floats(min_value=-5, max_value=5), min_size=4, max_size=4),
)
def test_alpha_does_not_change_when_items_are_shifted_or_rows_reordered(seed, shifts) -> None:
    x = _one_factor(40, [0.9, 0.5, 0.7, 0.3], seed=seed)
    base = cronbach_alpha(x)
    moved = cronbach_alpha(x[np.random.default_rng(seed).permutation(40)] + shifts)
    assert moved.alpha == pytest.approx(base.alpha, abs=1e-9)
    assert moved.std_alpha == pytest.approx(base.std_alpha, abs=1e-9)
    assert base.alpha <= 1.0
    listwise = cronbach_alpha(x, missing="listwise")
    assert listwise.alpha == pytest.approx(base.alpha, abs=1e-12)


def test_ml_omega_of_lead_items_matches_the_r_ml_one_factor_value(lead, expected) -> None:
    ml_omega = _provenance_number(expected, "R19", "ML 1-factor model-implied omega")
    result = mcdonald_omega(lead)
    assert result.converged
    # R's value is for the standardised items (psych works on correlations); the optimiser's
    # convergence tolerance leaves about 1e-8.
    assert result.omega_std == pytest.approx(ml_omega, abs=1e-6)


def test_ml_omega_differs_from_psych_minres_omega_by_less_than_a_thousandth(lead, expected) -> None:
    psych_omega = _provenance_number(expected, "R19", "psych omega(nfactors=1) omega.tot")
    # psych: minres loadings and the observed correlation sum as denominator (see the docs).
    assert 1e-4 < abs(mcdonald_omega(lead).omega_std - psych_omega) < 1e-3


def test_omega_matches_statsmodels_maximum_likelihood_factor_analysis(lead) -> None:
    x = lead.to_numpy(dtype=float)
    fit = Factor(corr=np.corrcoef(x.T), n_factor=1, method="ml", nobs=len(x)).fit()
    loadings = np.abs(fit.loadings[:, 0])
    uniqueness = np.asarray(fit.uniqueness)
    ours = mcdonald_omega(lead)
    np.testing.assert_allclose(ours.std_loadings, loadings, atol=1e-4)
    expected_std = loadings.sum() ** 2 / (loadings.sum() ** 2 + uniqueness.sum())
    assert ours.omega_std == pytest.approx(expected_std, abs=1e-6)
    sd = x.std(axis=0, ddof=1)  # ML is scale-invariant: rescale to the covariance metric
    raw_l, raw_u = loadings * sd, uniqueness * sd**2
    assert ours.omega == pytest.approx(
        raw_l.sum() ** 2 / (raw_l.sum() ** 2 + raw_u.sum()), abs=1e-6
    )
    np.testing.assert_allclose(ours.uniquenesses, raw_u, rtol=1e-3)


def test_omega_matches_an_independent_ml_fit_on_the_covariance_matrix() -> None:
    x = _one_factor(400, [1.2, 0.9, 0.7, 0.5, 0.8], seed=11, noise=0.8)
    s = np.cov(x.T)
    k = s.shape[0]

    def discrepancy(p: np.ndarray) -> float:  # Nelder–Mead on log θ: different from ours
        sigma = np.outer(p[:k], p[:k]) + np.diag(np.exp(p[k:]))
        return float(np.linalg.slogdet(sigma)[1] + np.trace(s @ np.linalg.inv(sigma)))

    start = np.concatenate([np.sqrt(np.diag(s)) * 0.7, np.log(np.diag(s) * 0.5)])
    fit = optimize.minimize(
        discrepancy, start, method="Nelder-Mead",
        options={"maxiter": 40_000, "maxfev": 40_000, "xatol": 1e-10, "fatol": 1e-14},
    )  # fmt: skip
    loadings, theta = np.abs(fit.x[:k]), np.exp(fit.x[k:])
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + theta.sum())
    assert mcdonald_omega(x).omega == pytest.approx(expected, abs=1e-5)


def test_omega_flags_negative_loadings_and_needs_three_varying_items() -> None:
    x = _one_factor(300, [0.8, 0.7, -0.6, 0.5], seed=5)
    assert mcdonald_omega(x).negative_loadings == (2,)
    with pytest.raises(ValueError, match="at least 3 items"):
        mcdonald_omega(x[:, :2])
    constant = x.copy()
    constant[:, 0] = 3.0
    with pytest.raises(ValueError, match="zero-variance"):
        mcdonald_omega(constant)
    with pytest.raises(ValueError, match="at least 3 rows"):
        mcdonald_omega(x[:2])


def test_a_heywood_case_stays_on_the_uniqueness_bound() -> None:
    rng = np.random.default_rng(9)
    factor = rng.normal(size=(300, 1))
    x = np.hstack([factor, factor * 0.6 + rng.normal(size=(300, 2)) * 0.8])
    result = mcdonald_omega(x)
    assert result.heywood == (0,)
    assert result.uniquenesses[0] >= 1e-6 * 0.9999 * x[:, 0].var(ddof=1)


def test_item_rest_correlations_match_a_naive_pandas_reference(lead) -> None:
    ours = item_rest_correlations(lead)
    naive = [lead[c].corr(lead.drop(columns=c).sum(axis=1)) for c in LEAD]
    np.testing.assert_allclose(ours.item_rest, naive, rtol=1e-10)
    dropped = [pg.cronbach_alpha(lead.drop(columns=c))[0] for c in LEAD]
    np.testing.assert_allclose(ours.alpha_if_deleted, dropped, rtol=1e-10)
    with pytest.raises(ValueError, match="at least 3 items"):
        item_rest_correlations(lead.iloc[:, :2])


def test_a_scale_with_the_same_structure_in_both_groups_works_alike() -> None:
    x = _one_factor(400, [0.9, 0.8, 0.7, 0.8], seed=21)
    check = scale_works_alike(x, np.repeat(["women", "men"], 200))
    assert check.works_alike and check.issues == ()
    assert check.labels.tolist() == ["men", "women"]
    for code, label in enumerate(["men", "women"]):
        rows = x[200:] if label == "men" else x[:200]
        assert check.alpha[code] == pytest.approx(pg.cronbach_alpha(pd.DataFrame(rows))[0])
        assert check.n[code] == 200


def test_groups_given_as_a_groups_object_check_the_same_as_pingouin_per_group() -> None:
    x = _one_factor(300, [0.9, 0.8, 0.7, 0.6], seed=26)
    labels = np.repeat(["c", "a", "b"], 100)
    check = scale_works_alike(x, Groups.from_labels(labels))
    assert check.labels.tolist() == ["a", "b", "c"]
    for code, label in enumerate(["a", "b", "c"]):
        rows = pd.DataFrame(x[labels == label])
        assert check.alpha[code] == pytest.approx(pg.cronbach_alpha(rows)[0], rel=1e-10)
        assert check.n[code] == 100
    with pytest.raises(ValueError, match="one label per row"):
        scale_works_alike(x, Groups.from_labels(labels[:10]))


def test_an_item_that_does_not_measure_the_same_in_one_group_is_named() -> None:
    x = _one_factor(400, [0.9, 0.8, 0.7, 0.8], seed=22)
    x[200:, 3] = np.random.default_rng(1).normal(size=200)  # item 4 is noise in group b
    check = scale_works_alike(x, np.repeat(["a", "b"], 200))
    assert not check.works_alike
    low = [(i.group, i.item) for i in check.issues if i.kind == "low_item_rest"]
    assert low == [("b", 3)]
    assert any("item 4" in reason and "group b" in reason for reason in check.reasons())


def test_unreliable_groups_and_differing_alphas_are_reported() -> None:
    good = _one_factor(200, [0.9, 0.9, 0.9, 0.9], seed=23, noise=0.4)
    weak = _one_factor(200, [0.3, 0.3, 0.3, 0.3], seed=24, noise=1.0)
    check = scale_works_alike(np.vstack([good, weak]), np.repeat(["g", "w"], 200))
    kinds = {(issue.kind, issue.group) for issue in check.issues}
    assert ("low_alpha", "w") in kinds
    assert ("alpha_difference", "w") in kinds
    assert check.to_dict()["works_alike"] is False


def test_a_group_too_small_to_check_is_reported_not_hidden() -> None:
    x = _one_factor(105, [0.9, 0.8, 0.7], seed=25)
    check = scale_works_alike(x, ["big"] * 100 + ["tiny"] * 5)
    assert [(i.kind, i.group, i.value) for i in check.issues] == [("too_few", "tiny", 5.0)]
    assert np.isnan(check.alpha[1])
    with pytest.raises(ValueError, match="one label per row"):
        scale_works_alike(x, ["a"] * 3)
    with pytest.raises(ValueError, match="missing values"):
        scale_works_alike(x, [None] * 105)


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.0, max_value=0.3))
def test_pairwise_alpha_with_random_gaps_matches_pingouin(seed, share_missing) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(np.clip(3 + _one_factor(60, [0.9, 0.7, 0.8, 0.6, 0.5], seed=seed), 1, 5))
    x[rng.random(x.shape) < share_missing] = np.nan
    frame = pd.DataFrame(x)
    ours = cronbach_alpha(frame)
    if frame.count().min() < 3:  # too thin for either implementation to mean much
        return
    assert ours.alpha == pytest.approx(pg.cronbach_alpha(frame)[0], abs=1e-10)
    listwise = frame.dropna()
    if len(listwise) >= 3 and (listwise.var() > 0).all():
        expected = pg.cronbach_alpha(listwise)[0]
        assert cronbach_alpha(frame, missing="listwise").alpha == pytest.approx(expected, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    share_missing=st.floats(0.0, 0.3),
    missing=st.sampled_from(["pairwise", "listwise"]),
)
def test_item_covariance_equals_pandas_pairwise_cov_and_corr(
    seed: int, share_missing: float, missing: str
) -> None:
    rng = np.random.default_rng(seed)
    x = _one_factor(60, [0.8, 0.6, 0.5, 0.4], seed) * 3 + 1000.0  # far from 0: centring matters
    x[rng.random(x.shape) < share_missing] = np.nan
    frame = pd.DataFrame(x)
    if missing == "listwise":
        frame = frame.dropna()
    moments = item_covariance(x, missing=missing)  # type: ignore[arg-type]
    # pandas computes each pair over the rows answering both (R's use="pairwise").
    np.testing.assert_allclose(moments.cov, frame.cov().to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(moments.corr, frame.corr().to_numpy(), rtol=1e-9, atol=1e-12)
    answered = frame.notna().astype(float).to_numpy()
    np.testing.assert_array_equal(moments.pair_n, answered.T @ answered)
    assert moments.n_rows == int(frame.notna().any(axis=1).sum())


def test_shared_item_covariance_gives_the_same_alpha_omega_and_item_rest() -> None:
    x = _one_factor(300, [0.8, 0.7, 0.6, 0.5], 3)
    x[np.random.default_rng(3).random(x.shape) < 0.05] = np.nan
    for missing in ("pairwise", "listwise"):
        moments = item_covariance(x, missing=missing)  # type: ignore[arg-type]
        assert isinstance(moments, ItemCovariance) and moments.missing == missing
        assert cronbach_alpha(moments) == cronbach_alpha(x, missing=missing)  # type: ignore[arg-type]
        omega_shared = mcdonald_omega(moments)
        omega_items = mcdonald_omega(x, missing=missing)  # type: ignore[arg-type]
        assert omega_shared.omega == omega_items.omega and omega_shared.missing == missing
        shared = item_rest_correlations(moments)
        direct = item_rest_correlations(x, missing=missing)  # type: ignore[arg-type]
        np.testing.assert_array_equal(shared.item_rest, direct.item_rest)
        assert shared.n == direct.n


def test_shared_item_covariance_with_another_missing_rule_is_refused() -> None:
    moments = item_covariance(_one_factor(50, [0.8, 0.7, 0.6], 1), missing="listwise")
    with pytest.raises(ValueError, match="computed listwise, not pairwise"):
        cronbach_alpha(moments, missing="pairwise")
    with pytest.raises(ValueError, match="at least 3 items"):
        mcdonald_omega(item_covariance(_one_factor(50, [0.8, 0.7], 1)))
