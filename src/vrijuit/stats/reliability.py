"""Reliability of a scale: Cronbach's alpha with its Feldt interval, McDonald's omega, item-rest
correlations, and whether a scale works alike in subgroups.

Conventions (docs/statistics/reliability-and-scoring.md, design statistics §1.2 and §2.2–2.3):

* Items are passed already reverse-keyed (``InstrumentScores.keyed_items``).
* Missing answers: **pairwise** covariances by default, as ``psych::alpha`` and
  ``pingouin.cronbach_alpha``; ``missing="listwise"`` keeps only complete rows.
* The Feldt interval uses the number of rows actually used (complete rows for listwise, rows with
  at least one answer for pairwise). pingouin 0.7 takes the row count before listwise deletion,
  which makes its interval too narrow; we do not copy that.
* omega_t comes from a one-factor model fitted by maximum likelihood with a model-implied
  denominator; psych's ``omega()`` fits by minres and divides by the sum of the observed matrix,
  so the two differ slightly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize

from vrijuit.stats._distributions import f_ppf
from vrijuit.stats._grouping import any_per_row
from vrijuit.stats._validation import as_float_matrix, check_confidence, check_option
from vrijuit.stats.groups import Groups
from vrijuit.stats.results import Result

__all__ = [
    "AlphaResult",
    "FeldtInterval",
    "InvarianceCheck",
    "InvarianceIssue",
    "ItemCovariance",
    "ItemRestResult",
    "OmegaResult",
    "cronbach_alpha",
    "feldt_interval",
    "item_covariance",
    "item_rest_correlations",
    "mcdonald_omega",
    "scale_works_alike",
]

FloatArray = npt.NDArray[np.float64]
Missing = Literal["pairwise", "listwise"]
_MISSING: tuple[str, ...] = ("pairwise", "listwise")
# Variances below this (relative to the largest item variance) count as zero.
_ZERO_VARIANCE = 1e-12


@dataclass(frozen=True, eq=False)
class ItemCovariance(Result):
    """Covariance and correlation matrices of a scale's items under one missing-data rule.

    Computed once per scale by :func:`item_covariance` and passed instead of the items to
    :func:`cronbach_alpha`, :func:`mcdonald_omega` and :func:`item_rest_correlations`, which
    then skip the pass over the N × K answers (at a million respondents that pass is most of
    their cost).

    Attributes
    ----------
    cov, corr
        K × K covariances and correlations (pairwise: each pair over the rows answering both).
    n_rows
        Rows used: complete rows (listwise) or rows with at least one answer (pairwise).
    pair_n
        K × K rows answering both items of each pair.
    missing
        ``"pairwise"`` or ``"listwise"``.
    """

    cov: FloatArray
    corr: FloatArray
    n_rows: int
    pair_n: FloatArray
    missing: str


def item_covariance(items: Any, *, missing: Missing = "pairwise") -> ItemCovariance:
    """Pairwise or listwise item covariances and correlations, vectorised with matrix products.

    For each pair (j, k) only the rows answering both enter,

    .. math::  C_{jk} = \\frac{\\sum_i x_{ij} x_{ik} - \\frac{1}{n_{jk}}\\sum_i x_{ij}
               \\sum_i x_{ik}}{n_{jk} - 1}

    (sums over the n_jk rows answering both), like R's ``cov(x, use="pairwise")``;
    correlations use the variances over the same rows, like ``cor(x, use="pairwise")``.
    Columns are shifted by a mean of their first rows, so the one-pass sums lose no precision.
    One matrix product runs over all rows; the pairwise counts and sums are completed from the
    rows with a missing answer only (usually a small part).

    Parameters
    ----------
    items
        N × K keyed item answers; NaN = missing.
    missing
        ``"pairwise"`` (default, as psych and pingouin) or ``"listwise"`` (complete rows only).

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, np.nan]])
    >>> moments = item_covariance(x)
    >>> moments.n_rows, moments.pair_n[0].tolist(), round(float(moments.cov[0, 2]), 4)
    (5, [5.0, 5.0, 4.0], 1.1667)
    >>> cronbach_alpha(moments).alpha == cronbach_alpha(x).alpha
    True
    """
    matrix = as_float_matrix(items, name="items")
    check_option(missing, name="missing", allowed=_MISSING)
    n_total = matrix.shape[0]
    unanswered: npt.NDArray[np.bool_] = np.isnan(matrix)
    # Usually most rows are complete; only the rows with a gap need the pairwise bookkeeping.
    gaps = np.flatnonzero(any_per_row(unanswered))
    if missing == "listwise":
        unanswered[gaps] = True
    # Shift each column by a mean of a leading block of rows: the one-pass sums below are then
    # as precise as with exact centring (the covariances do not depend on the shift).
    head = matrix[: min(n_total, 4096)]
    with np.errstate(invalid="ignore", divide="ignore"):
        answered_head = np.count_nonzero(~np.isnan(head), axis=0)
        shift = np.where(answered_head > 0, np.nansum(head, axis=0) / answered_head, 0.0)
    x = matrix - shift
    x[unanswered] = 0.0
    # All rows: cross products (zeros where missing), whose diagonal holds Σx².
    cross = x.T @ x
    column_sum = x.sum(axis=0)
    column_squares = np.diag(cross).copy()
    # Rows with a gap: their sums per pair over the rows answering both.
    x_gap = x[gaps]
    mask_gap = (~unanswered[gaps]).astype(np.float64)
    n_complete = n_total - gaps.shape[0]
    pair_n = n_complete + mask_gap.T @ mask_gap
    gap_sum = x_gap.sum(axis=0)
    gap_squares = (x_gap * x_gap).sum(axis=0)
    # sums[j, k]: Σ x_j over the rows answering k (complete rows, then the rows with a gap).
    sums = (column_sum - gap_sum)[:, np.newaxis] + x_gap.T @ mask_gap
    squares = (column_squares - gap_squares)[:, np.newaxis] + (x_gap * x_gap).T @ mask_gap
    answering = np.count_nonzero(mask_gap.sum(axis=1)) if missing == "pairwise" else 0
    n_rows = n_complete + int(answering)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (cross - sums * sums.T / pair_n) / (pair_n - 1)
        var_jk = (squares - sums * sums / pair_n) / (pair_n - 1)
        corr = cov / np.sqrt(var_jk * var_jk.T)
    np.fill_diagonal(corr, 1.0)
    return ItemCovariance(cov=cov, corr=corr, n_rows=n_rows, pair_n=pair_n, missing=missing)


def _moments(items: Any, missing: str | None) -> ItemCovariance:
    """The items' :class:`ItemCovariance`: given, or computed (pairwise unless told otherwise)."""
    if isinstance(items, ItemCovariance):
        if missing is not None and missing != items.missing:
            raise ValueError(
                f"the item covariances were computed {items.missing}, not {missing}; "
                "compute them with the rule you want."
            )
        return items
    rule = "pairwise" if missing is None else missing
    return item_covariance(items, missing=rule)  # type: ignore[arg-type]


def _n_items(items: Any) -> int:
    if isinstance(items, ItemCovariance):
        return int(items.cov.shape[0])
    return int(as_float_matrix(items, name="items").shape[1])


def _alpha_from(cov: FloatArray) -> float:
    k = cov.shape[0]
    total = float(cov.sum())
    if not np.isfinite(total) or total <= 0.0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - float(np.trace(cov)) / total))


@dataclass(frozen=True)
class FeldtInterval(Result):
    """Feldt, Woodruff & Salih (1987) confidence interval for alpha."""

    low: float
    high: float
    confidence: float


def feldt_interval(
    alpha: float, *, n: int, n_items: int, confidence: float = 0.95
) -> FeldtInterval:
    """Feldt confidence interval for Cronbach's alpha.

    With :math:`\\gamma = 1 - \\text{confidence}`, :math:`df_1 = n - 1` and
    :math:`df_2 = (n - 1)(K - 1)`:

    .. math::  \\text{low} = 1 - (1 - \\hat\\alpha)\\, F_{1-\\gamma/2}(df_1, df_2), \\qquad
               \\text{high} = 1 - (1 - \\hat\\alpha)\\, F_{\\gamma/2}(df_1, df_2)

    Parameters
    ----------
    alpha
        The estimate.
    n
        Rows actually used (after listwise deletion, if any).
    n_items
        Number of items K (at least 2).
    confidence
        Coverage, e.g. 0.95.

    Notes
    -----
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. *Applied Psychological Measurement* 11(1), 93–103. R: ``psych::alpha.ci(alpha, n.obs,
    n.var)`` (df fixed in psych 2.2.3). pingouin uses the row count before listwise deletion.

    Examples
    --------
    >>> ci = feldt_interval(0.8, n=100, n_items=5)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.7306, 0.8559)
    """
    confidence = check_confidence(confidence)
    if n_items < 2:
        raise ValueError(f"n_items must be at least 2, got {n_items}.")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}.")
    df1, df2 = n - 1, (n - 1) * (n_items - 1)
    gamma = 1.0 - confidence
    upper_f = float(f_ppf(1.0 - gamma / 2.0, df1, df2))
    lower_f = float(f_ppf(gamma / 2.0, df1, df2))
    return FeldtInterval(
        low=1.0 - (1.0 - alpha) * upper_f,
        high=1.0 - (1.0 - alpha) * lower_f,
        confidence=confidence,
    )


@dataclass(frozen=True)
class AlphaResult(Result):
    """Cronbach's alpha of a set of (keyed) items.

    Attributes
    ----------
    alpha
        Raw alpha from the covariance matrix (NaN when not computable, see ``problems``).
    std_alpha
        Standardised alpha from the correlation matrix.
    ci_low, ci_high
        Feldt interval, with ``n`` rows.
    n
        Rows used: complete rows (listwise) or rows with at least one answer (pairwise).
    n_items
        Number of items K.
    mean_r
        Mean inter-item correlation.
    missing
        ``"pairwise"`` or ``"listwise"``.
    covariance_psd
        False when the pairwise covariance matrix has a clearly negative eigenvalue (alpha is
        then less trustworthy; prefer listwise).
    zero_variance_items
        Indices of items on which everybody gave the same answer.
    probable_keying_error
        True when alpha is negative: items are negatively related, usually an item that should
        have been reverse-keyed.
    problems
        Short codes for what made the estimate missing or doubtful: ``"too_few_rows"`` (fewer
        than 3 rows with answers), ``"too_few_pairs"`` (some pair of items answered together by
        fewer than 2 people), ``"zero_variance"``, ``"not_psd"``, ``"negative_alpha"``.
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    n: int
    n_items: int
    mean_r: float
    missing: str
    confidence: float
    covariance_psd: bool
    zero_variance_items: tuple[int, ...]
    probable_keying_error: bool
    problems: tuple[str, ...]


def _is_psd(cov: FloatArray) -> bool:
    if not np.isfinite(cov).all():
        return False
    eigenvalues = np.linalg.eigvalsh(cov)
    scale = max(float(np.abs(eigenvalues).max()), 1e-300)
    return bool(eigenvalues.min() >= -1e-10 * scale)


def cronbach_alpha(
    items: Any, *, missing: Missing | None = None, confidence: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha, standardised alpha and the Feldt confidence interval.

    .. math::  \\alpha = \\frac{K}{K-1}\\Bigl(1 - \\frac{\\operatorname{tr} C}
               {\\mathbf 1^\\top C \\mathbf 1}\\Bigr), \\qquad
               \\alpha_{std} = \\frac{K}{K-1}\\Bigl(1 - \\frac{K}
               {\\mathbf 1^\\top R \\mathbf 1}\\Bigr)

    with C the item covariance matrix and R the correlation matrix.

    Parameters
    ----------
    items
        N × K item answers, already reverse-keyed; NaN = missing. Or their
        :class:`ItemCovariance` (computed once per scale and shared with omega and item-rest).
    missing
        ``"pairwise"`` (default, as psych and pingouin) or ``"listwise"``; with an
        :class:`ItemCovariance`, the rule it was computed with.
    confidence
        Coverage of the Feldt interval.

    Notes
    -----
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika* 16, 297–334. Feldt, Woodruff & Salih (1987) for the interval, with n = the
    rows actually used (pingouin 0.7 uses the rows before listwise deletion).
    R: ``psych::alpha(x)$total$raw_alpha`` and ``std.alpha``; ``multilevel::cronbach(x)``.
    Standardised alpha with missing data uses ``cor(use="pairwise")`` as psych ≥ 2.4.4.
    Zero-variance items are kept in raw alpha (psych drops them with a warning); their
    correlations are undefined, so ``std_alpha`` is then NaN.
    Fewer than 3 rows give NaN with the problem ``"too_few_rows"``.

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5]])
    >>> result = cronbach_alpha(x)
    >>> round(result.alpha, 4), result.n
    (0.9333, 5)
    """
    confidence = check_confidence(confidence)
    n_items = _n_items(items)
    if n_items < 2:
        raise ValueError(f"alpha needs at least 2 items, got {n_items}.")
    moments = _moments(items, missing)
    problems: list[str] = []
    variances = np.diag(moments.cov)
    finite_var = np.where(np.isfinite(variances), variances, 0.0)
    largest = max(float(finite_var.max()), 0.0)
    zero = tuple(int(i) for i in np.flatnonzero(finite_var <= _ZERO_VARIANCE * max(largest, 1.0)))
    nan = float("nan")
    if moments.n_rows < 3 or not np.isfinite(moments.cov).all():
        return AlphaResult(
            alpha=nan, std_alpha=nan, ci_low=nan, ci_high=nan, n=moments.n_rows,
            n_items=n_items, mean_r=nan, missing=moments.missing, confidence=confidence,
            covariance_psd=False, zero_variance_items=zero, probable_keying_error=False,
            problems=("too_few_rows",) if moments.n_rows < 3 else ("too_few_pairs",),
        )  # fmt: skip
    alpha = _alpha_from(moments.cov)
    if zero:
        problems.append("zero_variance")
        std_alpha = mean_r = nan
    else:
        off_diagonal = moments.corr[~np.eye(n_items, dtype=bool)]
        mean_r = float(off_diagonal.mean())
        std_alpha = n_items / (n_items - 1) * (1.0 - n_items / float(moments.corr.sum()))
    psd = _is_psd(moments.cov)
    if not psd:
        problems.append("not_psd")
    keying = bool(np.isfinite(alpha) and alpha < 0.0)
    if keying:
        problems.append("negative_alpha")
    if np.isfinite(alpha):
        ci = feldt_interval(alpha, n=moments.n_rows, n_items=n_items, confidence=confidence)
        ci_low, ci_high = ci.low, ci.high
    else:
        ci_low = ci_high = nan
    return AlphaResult(
        alpha=alpha,
        std_alpha=std_alpha,
        ci_low=ci_low,
        ci_high=ci_high,
        n=moments.n_rows,
        n_items=n_items,
        mean_r=mean_r,
        missing=moments.missing,
        confidence=confidence,
        covariance_psd=psd,
        zero_variance_items=zero,
        probable_keying_error=keying,
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class OmegaResult(Result):
    """McDonald's omega_t from a one-factor model fitted by maximum likelihood.

    Attributes
    ----------
    omega
        omega_t of the raw item sum (loadings on the covariance scale).
    omega_std
        omega_t of the standardised items (loadings on the correlation scale).
    loadings, uniquenesses
        On the covariance scale (λ, θ); ``std_loadings`` on the correlation scale.
    n, n_items
        Rows used and items.
    converged
        Whether the optimiser reported convergence.
    negative_loadings
        Items loading negatively: probably not reverse-keyed.
    heywood
        Items whose uniqueness hit the lower bound (a Heywood case).
    """

    omega: float
    omega_std: float
    loadings: FloatArray
    std_loadings: FloatArray
    uniquenesses: FloatArray
    n: int
    n_items: int
    missing: str
    converged: bool
    negative_loadings: tuple[int, ...]
    heywood: tuple[int, ...]


_THETA_MIN = 1e-6


def _fit_one_factor(corr: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """ML one-factor fit to a correlation matrix: loadings λ and uniquenesses θ ≥ 1e-6.

    Minimises F = log|Σ| + tr(R Σ⁻¹) with Σ = λλᵀ + diag(θ) (the constants −log|R| − K do not
    change the minimiser). Gradient: with G = Σ⁻¹ − Σ⁻¹RΣ⁻¹, ∂F/∂λ = 2Gλ and ∂F/∂θ = diag(G).
    """
    k = corr.shape[0]
    # Start from the first principal component, a standard and stable choice.
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    start_loadings = eigenvectors[:, -1] * np.sqrt(max(float(eigenvalues[-1]), 1e-3))
    start_loadings = np.clip(start_loadings, -0.95, 0.95)
    start = np.concatenate([start_loadings, np.maximum(1.0 - start_loadings**2, 0.05)])

    def objective(params: FloatArray) -> tuple[float, FloatArray]:
        loadings, theta = params[:k], params[k:]
        sigma = np.outer(loadings, loadings) + np.diag(theta)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(params)
        inverse = np.linalg.inv(sigma)
        value = logdet + float(np.trace(corr @ inverse))
        g = inverse - inverse @ corr @ inverse
        return value, np.concatenate([2.0 * g @ loadings, np.diag(g)])

    bounds = [(None, None)] * k + [(_THETA_MIN, None)] * k
    fit = optimize.minimize(
        objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
    )  # fmt: skip
    loadings = np.asarray(fit.x[:k], dtype=np.float64)
    theta = np.asarray(fit.x[k:], dtype=np.float64)
    if loadings.sum() < 0:  # the sign of a factor is arbitrary: make it point "up"
        loadings = -loadings
    return loadings, theta, bool(fit.success)


def mcdonald_omega(items: Any, *, missing: Missing | None = None) -> OmegaResult:
    """McDonald's omega_t from a one-factor (congeneric) model fitted by maximum likelihood.

    .. math::  \\omega_t = \\frac{(\\sum_m \\lambda_m)^2}
               {(\\sum_m \\lambda_m)^2 + \\sum_m \\theta_m}

    with loadings λ and unique variances θ of the model Σ = λλᵀ + diag(θ), fitted by minimising
    the ML discrepancy log|Σ| + tr(SΣ⁻¹) − log|S| − K (scipy L-BFGS-B, θ ≥ 1e-6 on the
    correlation scale). ML is scale-invariant, so the model is fitted to the correlation matrix
    and rescaled by the item standard deviations for ``omega`` (raw sum); ``omega_std`` uses the
    standardised loadings.

    Parameters
    ----------
    items
        N × K keyed item answers (K ≥ 3; K = 2 does not identify a one-factor model), or their
        :class:`ItemCovariance`.
    missing
        ``"pairwise"`` (default) or ``"listwise"`` moments; with an :class:`ItemCovariance`,
        the rule it was computed with.

    Notes
    -----
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum. The denominator is
    model-implied. psych's ``omega(x, nfactors=1)`` fits by minres and divides by the sum of the
    observed correlation matrix, so its omega.tot is slightly different (e.g. .9031 against
    .9022 here on LEAD01–11 of ``multilevel::lq2002``). R equivalent of ours:
    ``f <- factanal(covmat=cor(x), factors=1, n.obs=n)``; ``sum(l)^2 / (sum(l)^2 + sum(u))``
    on the covariance scale. No closed-form interval; bootstrap if one is needed.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> factor = rng.normal(size=(500, 1))
    >>> x = factor * [0.8, 0.7, 0.6, 0.5] + rng.normal(size=(500, 4)) * 0.6
    >>> round(mcdonald_omega(x).omega, 2)
    0.8
    """
    n_items = _n_items(items)
    if n_items < 3:
        raise ValueError(
            f"omega needs at least 3 items for a one-factor model, got {n_items}; use alpha."
        )
    moments = _moments(items, missing)
    if moments.n_rows < 3 or not np.isfinite(moments.cov).all():
        raise ValueError(f"omega needs at least 3 rows with answers, got {moments.n_rows}.")
    sd = np.sqrt(np.diag(moments.cov))
    if (sd <= 0).any():
        zero = ", ".join(str(int(i)) for i in np.flatnonzero(sd <= 0))
        raise ValueError(f"omega is undefined with zero-variance items (columns {zero}).")
    # Rescale the covariance matrix, not the pairwise correlations: the fit then reproduces
    # the covariances exactly as psych and lavaan would with covariance input.
    corr = moments.cov / np.outer(sd, sd)
    std_loadings, std_theta, converged = _fit_one_factor(corr)
    loadings = std_loadings * sd
    theta = std_theta * sd**2
    return OmegaResult(
        omega=_omega(loadings, theta),
        omega_std=_omega(std_loadings, std_theta),
        loadings=loadings,
        std_loadings=std_loadings,
        uniquenesses=theta,
        n=moments.n_rows,
        n_items=n_items,
        missing=moments.missing,
        converged=converged,
        negative_loadings=tuple(int(i) for i in np.flatnonzero(std_loadings < 0)),
        heywood=tuple(int(i) for i in np.flatnonzero(std_theta <= _THETA_MIN * 1.0001)),
    )


def _omega(loadings: FloatArray, theta: FloatArray) -> float:
    common = float(loadings.sum()) ** 2
    return common / (common + float(theta.sum()))


@dataclass(frozen=True)
class ItemRestResult(Result):
    """Per item: the correlation with the sum of the other items, and alpha without it.

    Attributes
    ----------
    item_rest
        Corrected item-total correlations (psych ``r.drop``).
    alpha_if_deleted
        Raw alpha of the other items (psych ``alpha.drop$raw_alpha``).
    n
        Rows used.
    """

    item_rest: FloatArray
    alpha_if_deleted: FloatArray
    n: int
    missing: str


def item_rest_correlations(items: Any, *, missing: Missing | None = None) -> ItemRestResult:
    """Item-rest (corrected item-total) correlations and alpha-if-item-deleted.

    From the covariance matrix C, for item m with rest score :math:`R_m = \\sum_{j\\ne m} x_j`:

    .. math::  r_{m,R_m} = \\frac{\\sum_{j\\ne m} C_{mj}}
               {\\sqrt{C_{mm}\\,(\\mathbf 1^\\top C\\mathbf 1 - 2\\sum_j C_{mj} + C_{mm})}}

    and alpha-if-deleted is alpha of C without row and column m.

    Parameters
    ----------
    items
        N × K keyed item answers (K ≥ 3), or their :class:`ItemCovariance`.
    missing
        ``"pairwise"`` (default) or ``"listwise"``; with an :class:`ItemCovariance`, the rule
        it was computed with.

    Notes
    -----
    With complete data this is the Pearson correlation of each item with the sum of the others.
    R: ``psych::alpha(x)$item.stats$r.drop`` and ``$alpha.drop$raw_alpha``. A low value (< .20)
    suggests an item that does not measure what the others measure, or a keying error when
    negative. With pairwise missing data the covariances are pairwise, as in psych.

    Examples
    --------
    >>> x = np.array([[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 5, 4], [5, 4, 5]])
    >>> np.round(item_rest_correlations(x).item_rest, 3).tolist()
    [0.969, 0.795, 0.908]
    """
    n_items = _n_items(items)
    if n_items < 3:
        raise ValueError(f"item-rest statistics need at least 3 items, got {n_items}.")
    moments = _moments(items, missing)
    item_rest, alpha_if_deleted = _item_rest_from(moments.cov)
    return ItemRestResult(
        item_rest=np.asarray(item_rest, dtype=np.float64),
        alpha_if_deleted=np.asarray(alpha_if_deleted, dtype=np.float64),
        n=moments.n_rows,
        missing=moments.missing,
    )


def _item_rest_from(cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Item-rest correlations and alpha-if-deleted from one covariance matrix."""
    n_items = cov.shape[0]
    row_sums = cov.sum(axis=1)
    total = float(cov.sum())
    diagonal = np.diag(cov)
    covariance_with_rest = row_sums - diagonal
    rest_variance = total - 2.0 * row_sums + diagonal
    with np.errstate(invalid="ignore", divide="ignore"):
        item_rest = covariance_with_rest / np.sqrt(diagonal * rest_variance)
        # alpha without item m: the trace and the total both lose item m's part.
        trace_without = np.trace(cov) - diagonal
        alpha_if_deleted = (n_items - 1) / (n_items - 2) * (1.0 - trace_without / rest_variance)
    alpha_if_deleted = np.where(rest_variance > 0, alpha_if_deleted, np.nan)
    return np.asarray(item_rest, dtype=np.float64), np.asarray(alpha_if_deleted, dtype=np.float64)


@dataclass(frozen=True)
class InvarianceIssue(Result):
    """One reason why a scale does not work alike across groups.

    ``kind`` is ``"low_alpha"`` (alpha below ``min_alpha`` in ``group``), ``"alpha_difference"``
    (largest minus smallest group alpha above ``max_alpha_difference``; ``group`` is the lowest),
    ``"low_item_rest"`` (item ``item`` below ``min_item_rest`` in ``group``) or ``"too_few"``
    (fewer than ``min_group_size`` rows in ``group``, so it could not be checked).
    """

    kind: str
    group: str
    item: int | None
    value: float
    threshold: float


@dataclass(frozen=True)
class InvarianceCheck(Result):
    """Reliability and item-rest correlations per group, with a verdict.

    Attributes
    ----------
    labels
        The groups (sorted).
    n
        Rows used per group.
    alpha
        Raw alpha per group.
    item_rest
        Groups × items item-rest correlations.
    works_alike
        True when no issue was found.
    issues
        The reasons when it does not work alike (see :class:`InvarianceIssue`).
    """

    labels: npt.NDArray[Any]
    n: npt.NDArray[np.int64]
    alpha: FloatArray
    item_rest: FloatArray
    works_alike: bool
    issues: tuple[InvarianceIssue, ...]

    def reasons(self) -> tuple[str, ...]:
        """The issues as short English sentences (for logs; reports translate ``issues``)."""
        texts = {
            "low_alpha": "alpha {value:.2f} in group {group} is below {threshold:.2f}",
            "alpha_difference": "group alphas differ by {value:.2f}, more than {threshold:.2f}",
            "low_item_rest": (
                "item {item} has an item-rest correlation of {value:.2f} in group {group}, "
                "below {threshold:.2f}"
            ),
            "too_few": "group {group} has {value:.0f} rows, fewer than {threshold:.0f}",
        }
        return tuple(
            texts[issue.kind].format(
                value=issue.value,
                threshold=issue.threshold,
                group=issue.group,
                item=(issue.item or 0) + 1,
            )
            for issue in self.issues
        )


def scale_works_alike(
    items: Any,
    group_labels: Any,
    *,
    missing: Missing = "pairwise",
    min_alpha: float = 0.60,
    max_alpha_difference: float = 0.10,
    min_item_rest: float = 0.20,
    min_group_size: int = 10,
) -> InvarianceCheck:
    """Check that a scale measures alike in subgroups before comparing their scores.

    Computes raw alpha and item-rest correlations in every group. The scale does *not* work
    alike when a group's alpha is below ``min_alpha``, when group alphas differ by more than
    ``max_alpha_difference``, when an item's item-rest correlation is below ``min_item_rest`` in
    some group, or when a group is too small to check. This is a screening heuristic, not a test
    of measurement invariance (for that, fit a multi-group CFA).

    Parameters
    ----------
    items
        N × K keyed item answers (K ≥ 3).
    group_labels
        N group labels (e.g. gender, contract type); no missing labels. A
        :class:`~vrijuit.stats.groups.Groups` is used as it is (no re-factorising).
    missing
        Missing-data rule for the covariances.
    min_alpha, max_alpha_difference, min_item_rest, min_group_size
        Thresholds (defaults: .60, .10, .20, 10).

    Notes
    -----
    The per-group statistics loop over the (few) subgroups of one attribute, not over teams.
    Thresholds follow common practice: alpha ≥ .60 for group comparisons (Nunnally 1978 treats
    .70 as modest), item-rest ≥ .20 (Streiner, Norman & Cairney 2015, *Health Measurement
    Scales*). R: ``by(x, g, psych::alpha)``.

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> f = rng.normal(size=(400, 1))
    >>> x = f + rng.normal(size=(400, 4)) * 0.7
    >>> check = scale_works_alike(x, np.repeat(["a", "b"], 200))
    >>> check.works_alike, check.labels.tolist()
    (True, ['a', 'b'])
    """
    matrix = as_float_matrix(items, name="items")
    n_items = matrix.shape[1]
    if n_items < 3:
        raise ValueError(f"the check needs at least 3 items, got {n_items}.")
    if isinstance(group_labels, Groups):  # already factorised by the caller: reuse its codes
        codes, uniques = group_labels.codes, group_labels.labels
    else:
        labels = np.asarray(group_labels)
        if labels.shape != (matrix.shape[0],):
            raise ValueError(
                f"group_labels must have one label per row ({matrix.shape[0]}), got {labels.shape}."
            )
        raw_codes, raw_uniques = pd.factorize(pd.Series(labels), sort=True)
        codes, uniques = raw_codes, np.asarray(raw_uniques)
    if codes.shape != (matrix.shape[0],):
        raise ValueError(
            f"group_labels must have one label per row ({matrix.shape[0]}), got {codes.shape}."
        )
    if (codes < 0).any():
        raise ValueError("group_labels contain missing values.")
    n_groups = len(uniques)
    alphas = np.full(n_groups, np.nan)
    item_rest = np.full((n_groups, n_items), np.nan)
    sizes = np.zeros(n_groups, dtype=np.int64)
    issues: list[InvarianceIssue] = []
    for code in range(n_groups):
        group = str(uniques[code])
        moments = _moments(matrix[codes == code], missing)
        moments_rows = moments.n_rows
        sizes[code] = moments_rows
        if moments_rows < min_group_size:
            issues.append(
                InvarianceIssue("too_few", group, None, float(moments_rows), float(min_group_size))
            )
            continue
        alphas[code] = _alpha_from(moments.cov) if np.isfinite(moments.cov).all() else float("nan")
        item_rest[code] = _item_rest_from(moments.cov)[0]
        if not alphas[code] >= min_alpha:
            issues.append(InvarianceIssue("low_alpha", group, None, float(alphas[code]), min_alpha))
        for item in np.flatnonzero(~(item_rest[code] >= min_item_rest)):
            issues.append(
                InvarianceIssue(
                    "low_item_rest", group, int(item), float(item_rest[code, item]), min_item_rest
                )
            )
    finite = np.isfinite(alphas)
    if finite.sum() >= 2:
        spread = float(alphas[finite].max() - alphas[finite].min())
        if spread > max_alpha_difference:
            lowest = str(uniques[int(np.nanargmin(alphas))])
            issues.append(
                InvarianceIssue("alpha_difference", lowest, None, spread, max_alpha_difference)
            )
    return InvarianceCheck(
        labels=np.asarray(uniques),
        n=sizes,
        alpha=alphas,
        item_rest=item_rest,
        works_alike=not issues,
        issues=tuple(issues),
    )
