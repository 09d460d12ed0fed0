"""A random-intercept linear mixed model, fitted by REML from per-team sufficient statistics.

The model is y_ij = x_ij'β + u_j + e_ij with u_j ~ N(0, τ²) and e_ij ~ N(0, σ²) (Laird & Ware
1982; Raudenbush & Bryk 2002). With θ = τ²/σ² the covariance of team j is σ²·H_j where
H_j = I + θ·11', whose inverse is I − c_j·11' with c_j = θ/(1 + n_jθ). Every quantity REML needs
is therefore a sum over teams of a few per-team totals (n_j, Σx, Σy) plus the overall X'X, X'y
and y'y:

* A(θ) = X'H⁻¹X = X'X − Σ_j c_j s_j s_j',  s_j = Σ_i x_ij
* b(θ) = X'H⁻¹y = X'y − Σ_j c_j s_j t_j,  t_j = Σ_i y_ij
* β̂ = A⁻¹b,  σ̂² = (y'H⁻¹y − b'β̂)/(N − p)
* −2ℓ_REML(θ) = (N − p)·(1 + log 2πσ̂²) + Σ_j log(1 + n_jθ) + log|A|

so each evaluation costs O(J·p²), not O(N). θ is found by a bounded one-dimensional search; the
boundary θ = 0 (τ² = 0, as nlme and statsmodels reach for negative-ICC data) is compared
explicitly. The fixed-effect covariance is σ̂²·A⁻¹ (as nlme ``vcov`` and statsmodels
``MixedLM``); confidence intervals use the normal distribution, like statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from vrijuit.stats._distributions import norm_ppf, norm_sf
from vrijuit.stats._validation import as_float_matrix, as_float_vector, check_confidence
from vrijuit.stats.groups import Groups
from vrijuit.stats.results import Result

__all__ = ["RandomInterceptFit", "fit_random_intercept"]

FloatArray = npt.NDArray[np.float64]

# log θ is searched in this range; beyond it τ² is either zero for all practical purposes or
# the within-team variance is negligible.
_LOG_THETA_BOUNDS = (-25.0, 20.0)


@dataclass(frozen=True)
class RandomInterceptFit(Result):
    """A REML random-intercept fit.

    Attributes
    ----------
    names
        Names of the fixed effects; the first is ``"intercept"``.
    coef, se, ci_low, ci_high, p_value
        Fixed-effect estimates, standard errors, normal-theory CI and two-sided p-values.
    cov
        Covariance matrix of the fixed effects, σ̂²·(X'H⁻¹X)⁻¹.
    tau2, sigma2
        Between-team and within-team variance (REML).
    n, n_groups
        Rows and teams used (rows with a missing value are dropped).
    reml_deviance
        −2 × the restricted log-likelihood at the estimate (with constants, as in nlme).
    boundary
        True when τ² is estimated at its boundary, 0.
    """

    names: tuple[str, ...]
    coef: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    p_value: FloatArray
    cov: FloatArray
    tau2: float
    sigma2: float
    n: int
    n_groups: int
    confidence: float
    reml_deviance: float
    boundary: bool

    def effect(self, name: str) -> int:
        """Index of fixed effect ``name`` in ``coef``."""
        if name not in self.names:
            raise ValueError(f"no fixed effect {name!r}; the model has {list(self.names)}.")
        return self.names.index(name)


@dataclass(frozen=True)
class _Totals:
    """Sufficient statistics of one data set (y and X centred on their means)."""

    n_j: FloatArray  # (J,)
    s_j: FloatArray  # (J, p) column sums of X per team
    t_j: FloatArray  # (J,) sums of y per team
    xtx: FloatArray  # (p, p)
    xty: FloatArray  # (p,)
    yty: float
    n: int


def _totals(y: FloatArray, X: FloatArray, codes: npt.NDArray[np.int64], n_groups: int) -> _Totals:
    n_j = np.bincount(codes, minlength=n_groups).astype(np.float64)
    p = X.shape[1]
    s_j = np.empty((n_groups, p))
    s_j[:, 0] = n_j  # the intercept column is all ones: its team sums are the team sizes
    for k in range(1, p):  # a loop over the few fixed effects, not over teams
        s_j[:, k] = np.bincount(codes, weights=X[:, k], minlength=n_groups)
    t_j = np.bincount(codes, weights=y, minlength=n_groups).astype(np.float64)
    return _Totals(
        n_j=n_j, s_j=s_j, t_j=t_j, xtx=X.T @ X, xty=X.T @ y, yty=float(y @ y), n=y.shape[0]
    )


def _profile(theta: float, tot: _Totals) -> tuple[float, FloatArray, FloatArray, float]:
    """REML deviance, β̂, A⁻¹ and σ̂² at a given θ = τ²/σ²."""
    c = theta / (1.0 + tot.n_j * theta)
    # Sums over the J teams as plain reductions, not BLAS products: a threaded BLAS call on a
    # J-vector with a p × p result can wait ~10 ms for a thread on a busy 2-core machine, and
    # the search makes dozens of calls.
    weighted = tot.s_j * c[:, np.newaxis]
    A = tot.xtx - (weighted[:, :, np.newaxis] * tot.s_j[:, np.newaxis, :]).sum(axis=0)
    b = tot.xty - (weighted * tot.t_j[:, np.newaxis]).sum(axis=0)
    yhy = tot.yty - float(np.sum(c * tot.t_j * tot.t_j))
    A_inv = np.asarray(np.linalg.inv(A), dtype=np.float64)
    beta = A_inv @ b
    p = A.shape[0]
    dof = tot.n - p
    sigma2 = max(float(yhy - float(b @ beta)), 0.0) / dof
    _, logdet = np.linalg.slogdet(A)
    deviance = (
        dof * (1.0 + np.log(2.0 * np.pi * sigma2))
        + float(np.sum(np.log1p(tot.n_j * theta)))
        + float(logdet)
    )
    return float(deviance), beta, A_inv, sigma2


def fit_random_intercept(
    y: Any,
    groups: Any,
    *,
    covariates: Any = None,
    names: tuple[str, ...] | None = None,
    confidence: float = 0.95,
) -> RandomInterceptFit:
    """Fit y_ij = γ00 + x_ij'γ + u_j + e_ij by REML from per-team sufficient statistics.

    Parameters
    ----------
    y
        Outcome per respondent (NaN = missing; the row is dropped).
    groups
        Team of each respondent: a :class:`~vrijuit.stats.groups.Groups` or a label array.
    covariates
        Optional (N × p) matrix (or 1-D vector) of fixed-effect covariates; an intercept is
        always added. Rows with a missing covariate are dropped.
    names
        Names of the covariates (default ``x1, x2, ...``).
    confidence
        Level of the normal-theory confidence intervals.

    Returns
    -------
    RandomInterceptFit

    Notes
    -----
    Data in which no team has any internal spread (σ² = 0) are refused with a ValueError.

    Reproduces ``nlme::lme(y ~ x, random = ~ 1 | team, method = "REML")`` and
    ``statsmodels.MixedLM.from_formula("y ~ x", groups=team).fit(reml=True)``. Teams with one
    respondent contribute to τ² through their mean; the model needs at least two teams and more
    rows than fixed effects. Raudenbush & Bryk (2002), ch. 3; Laird & Ware (1982).

    Examples
    --------
    >>> y = [1.0, 2.0, 3.0, 4.0, 6.0, 5.0]
    >>> fit = fit_random_intercept(y, ["a", "a", "b", "b", "c", "c"])
    >>> round(float(fit.coef[0]), 4), round(fit.sigma2, 4), round(fit.tau2, 4)
    (3.5, 0.5, 3.75)
    """
    confidence = check_confidence(confidence)
    y_vec = as_float_vector(y, name="y")
    grouping = groups if isinstance(groups, Groups) else Groups.from_labels(groups)
    if grouping.n_rows != y_vec.shape[0]:
        raise ValueError(f"y has {y_vec.shape[0]} rows but groups has {grouping.n_rows}.")
    if covariates is None:
        X_raw = np.empty((y_vec.shape[0], 0))
    else:
        X_raw = as_float_matrix(covariates, name="covariates")
        if X_raw.shape[0] != y_vec.shape[0]:
            raise ValueError(f"covariates have {X_raw.shape[0]} rows but y has {y_vec.shape[0]}.")
    p_cov = X_raw.shape[1]
    if names is None:
        names = tuple(f"x{k + 1}" for k in range(p_cov))
    if len(names) != p_cov:
        raise ValueError(f"{len(names)} names given for {p_cov} covariates.")

    keep = ~np.isnan(y_vec) & ~np.isnan(X_raw).any(axis=1)
    complete = bool(keep.all())  # then no copies of the rows are made
    y_used = y_vec if complete else y_vec[keep]
    X_used = X_raw if complete else X_raw[keep]
    # Re-code the teams that still have rows, so empty teams do not enter Σ log(1 + n_jθ).
    kept_codes = grouping.codes if complete else grouping.codes[keep]
    present = np.bincount(kept_codes, minlength=grouping.n_groups) > 0
    codes = (np.cumsum(present) - 1)[kept_codes]
    n_groups = int(present.sum())
    n = int(y_used.shape[0])
    p = p_cov + 1
    if n_groups < 2:
        raise ValueError(f"a random-intercept model needs at least 2 teams; got {n_groups}.")
    if n <= p:
        raise ValueError(f"the model has {p} fixed effects but only {n} complete rows.")

    # Centring y and the covariates keeps the sums of squares small (no cancellation with a
    # million rows); the intercept is moved back afterwards.
    y_mean = float(y_used.mean())
    x_mean = X_used.mean(axis=0)
    X = np.column_stack([np.ones(n), X_used - x_mean])
    tot = _totals(y_used - y_mean, X, codes.astype(np.int64), n_groups)
    if np.linalg.matrix_rank(tot.xtx) < p:
        raise ValueError("the covariates are collinear (or constant); the model cannot be fitted.")
    # Without any spread inside the teams σ² is 0 and the likelihood has no maximum.
    team_mean = tot.t_j / tot.n_j
    within = y_used - y_mean - team_mean[codes]
    if float(within @ within) <= 1e-12 * max(float(tot.yty), 1.0):
        raise ValueError(
            "y does not vary within any team; the random-intercept model is degenerate."
        )

    search = optimize.minimize_scalar(
        lambda log_theta: _profile(float(np.exp(log_theta)), tot)[0],
        bounds=_LOG_THETA_BOUNDS,
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    theta = float(np.exp(search.x))
    deviance, beta, A_inv, sigma2 = _profile(theta, tot)
    at_zero = _profile(0.0, tot)
    boundary = at_zero[0] <= deviance
    if boundary:
        theta = 0.0
        deviance, beta, A_inv, sigma2 = at_zero

    # Undo the centring: β0 = β0' + ȳ − Σ x̄_k β_k.
    T = np.eye(p)
    T[0, 1:] = -x_mean
    coef = T @ beta
    coef[0] += y_mean
    cov = sigma2 * (T @ A_inv @ T.T)
    se = np.sqrt(np.diag(cov))
    z = float(norm_ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2.0 * norm_sf(np.abs(coef / se))
    return RandomInterceptFit(
        names=("intercept", *names),
        coef=coef,
        se=se,
        ci_low=coef - z * se,
        ci_high=coef + z * se,
        p_value=np.asarray(p_value, dtype=np.float64),
        cov=cov,
        tau2=theta * sigma2,
        sigma2=sigma2,
        n=n,
        n_groups=n_groups,
        confidence=confidence,
        reml_deviance=deviance,
        boundary=bool(boundary),
    )
