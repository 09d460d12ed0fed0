"""Non-independence and the reliability of team means: ICC(1), ICC(2) and shrunken team means.

Two estimators, both computed from per-team sufficient statistics (n_j, ȳ_j and the within-team
sum of squares) in one pass over the rows:

* :func:`icc_anova`, the one-way ANOVA ICC(1)/ICC(2) of Bartko (1976) and Bliese (2000), with
  F-based confidence intervals; negative values are returned as they are and flagged;
* :func:`icc_reml`, the random-intercept model y_ij = μ + u_j + e_ij fitted by REML, giving
  τ², σ², ICC = τ²/(τ² + σ²) and the team reliabilities λ_j, which
  :func:`shrunken_means` uses for empirical-Bayes team means.

Rows with a missing value are dropped (R's ``na.omit``); teams left without rows are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

from vrijuit.stats._distributions import f_ppf, f_sf
from vrijuit.stats._grouping import as_groups
from vrijuit.stats._validation import as_float_vector, check_confidence, check_option
from vrijuit.stats.groups import Groups
from vrijuit.stats.results import Result

__all__ = [
    "IccResult",
    "RemlIccResult",
    "ShrunkenMeans",
    "TeamSums",
    "icc_anova",
    "icc_reml",
    "shrunken_means",
    "team_sums",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TeamSums:
    """Sufficient statistics of the one-way layout, for the teams with at least one value.

    Build them once per scale with :func:`team_sums` and pass them as ``sums=`` to
    :func:`icc_anova`, :func:`icc_reml` and :func:`shrunken_means`, which then skip their own
    pass over the respondents.
    """

    labels: npt.NDArray[Any]
    n: IntArray
    mean: FloatArray
    ssw: float
    grand_mean: float

    @property
    def n_total(self) -> int:
        return int(self.n.sum())

    @property
    def n_teams(self) -> int:
        return int(self.n.shape[0])


def team_sums(values: Any, groups: Groups | Any) -> TeamSums:
    """Team sizes, team means, the pooled within-team sum of squares and the grand mean.

    n_j, ȳ_j = Σ_i y_ij / n_j, SSW = Σ_j Σ_i (y_ij − ȳ_j)² (two passes, for precision) and
    ȳ = Σ y / N, over the non-missing values; teams without a value are left out. These are the
    sufficient statistics of the one-way random-effects model (Searle, Casella & McCulloch 1992),
    shared by :func:`icc_anova`, :func:`icc_reml` and :func:`shrunken_means`.

    Parameters
    ----------
    values
        One value per respondent (a scale score); NaN rows are dropped.
    groups
        A :class:`Groups` or one team label per respondent.

    Returns
    -------
    TeamSums
        Raises ``ValueError`` when fewer than 2 teams have a value.

    Notes
    -----
    R: ``tapply(y, team, length)``, ``tapply(y, team, mean)`` and
    ``sum(residuals(aov(y ~ as.factor(team)))^2)``.

    Examples
    --------
    >>> sums = team_sums([1, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"])
    >>> sums.n.tolist(), sums.mean.tolist(), sums.ssw, sums.grand_mean
    ([3, 3], [2.0, 5.0], 4.0, 3.5)
    """
    y = as_float_vector(values, name="values")
    grouping = as_groups(groups, n_rows=y.shape[0])
    keep = ~np.isnan(y)
    if np.any(np.isinf(y)):
        raise ValueError("values must be finite or NaN (missing).")
    codes = grouping.codes[keep]
    y = y[keep]
    # Three bincounts over the rows: sizes, sums, then the squared deviations from each team's
    # own mean (two-pass, as stable as Groups.sum_of_squares).
    n = np.bincount(codes, minlength=grouping.n_groups)
    present = n > 0
    if int(present.sum()) < 2:
        raise ValueError(f"an ICC needs at least 2 teams with data, got {int(present.sum())}.")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, weights=y, minlength=grouping.n_groups) / n
    deviation = y - mean[codes]
    ssw = float(np.sum(deviation * deviation))
    return TeamSums(
        labels=grouping.labels[present],
        n=n[present].astype(np.int64),
        mean=mean[present],
        ssw=ssw,
        grand_mean=float(y.mean()),
    )


_team_sums = team_sums  # the earlier private name, still used by tests of the REML internals


def _check_sums(sums: Any) -> TeamSums:
    if not isinstance(sums, TeamSums):
        raise TypeError(f"sums must come from team_sums(), got {type(sums).__name__}.")
    return sums


@dataclass(frozen=True)
class IccResult(Result):
    """One-way ANOVA ICC(1) and ICC(2) with their confidence intervals.

    ``negative`` is true when MSB < MSW, i.e. ICC(1) and ICC(2) are below zero: teams are *less*
    alike than random groups would be. The raw values are reported, not clipped.
    """

    icc1: float
    icc2: float
    icc1_ci: tuple[float, float]
    icc2_ci: tuple[float, float]
    f: float
    p_value: float
    df_between: int
    df_within: int
    msb: float
    msw: float
    k: float
    group_size: str
    n: int
    n_teams: int
    confidence: float
    negative: bool


def icc_anova(
    values: Any,
    groups: Groups | Any,
    *,
    group_size: Literal["mean", "k0"] = "mean",
    confidence: float = 0.95,
    sums: TeamSums | None = None,
) -> IccResult:
    """ICC(1) and ICC(2) from a one-way ANOVA over teams (Bartko 1976; Bliese 2000).

    With MSB = Σ n_j(ȳ_j − ȳ)²/(J − 1), MSW = Σ_j Σ_i (y_ij − ȳ_j)²/(N − J) and F = MSB/MSW:

    * ICC(1) = (MSB − MSW) / (MSB + (k − 1)·MSW)
    * ICC(2) = (MSB − MSW) / MSB = 1 − 1/F

    Team size k: ``"mean"`` uses k = N/J, as ``multilevel::ICC1`` (recommended, comparable with
    Bliese and R); ``"k0"`` uses the classical k0 = (N − Σ n_j²/N)/(J − 1) (Snedecor & Cochran).
    Teams with one member count towards MSB, not MSW.

    Confidence intervals (Shrout & Fleiss 1979, case 1; McGraw & Wong 1996), with
    df1 = J − 1, df2 = N − J, F_L = F / F_{1−γ/2}(df1, df2) and F_U = F · F_{1−γ/2}(df2, df1):
    ICC(1) ∈ [(F_L − 1)/(F_L + k − 1), (F_U − 1)/(F_U + k − 1)], ICC(2) ∈ [1 − 1/F_L, 1 − 1/F_U].
    They are exact for equal team sizes and approximate otherwise (best with ``k0``).

    Parameters
    ----------
    values
        One value per respondent (a scale score); NaN rows are dropped.
    groups
        A :class:`Groups` or one team label per respondent.
    group_size
        ``"mean"`` (N/J) or ``"k0"``.
    confidence
        Level of the intervals.
    sums
        :func:`team_sums` of these same values and groups, to share one pass over the
        respondents between statistics; computed here when omitted.

    Returns
    -------
    IccResult
        Negative estimates are returned raw with ``negative=True``.

    Notes
    -----
    R: ``multilevel::ICC1(aov(y ~ as.factor(team)))`` and ``multilevel::ICC2(...)``.

    Examples
    --------
    >>> res = icc_anova([1, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"])
    >>> round(res.icc1, 4), round(res.icc2, 4), res.negative
    (0.8065, 0.9259, False)
    """
    check_option(group_size, name="group_size", allowed=("mean", "k0"))
    level = check_confidence(confidence)
    sums = team_sums(values, groups) if sums is None else _check_sums(sums)
    N, J = sums.n_total, sums.n_teams
    df_between, df_within = J - 1, N - J
    if df_within < 1:
        raise ValueError("every team has one member; the within-team variance is undefined.")
    ssb = float(np.sum(sums.n * (sums.mean - sums.grand_mean) ** 2))
    msb, msw = ssb / df_between, sums.ssw / df_within
    if msw == 0.0 and msb == 0.0:
        raise ValueError("values have zero variance; the ICC is undefined.")
    if group_size == "mean":
        k = N / J
    else:
        k = (N - float(np.sum(sums.n.astype(np.float64) ** 2)) / N) / df_between
    with np.errstate(divide="ignore", invalid="ignore"):
        f = msb / msw if msw > 0 else float("inf")
        icc1 = (msb - msw) / (msb + (k - 1.0) * msw)
        icc2 = (msb - msw) / msb if msb > 0 else float("-inf")
        alpha = 1.0 - level
        f_low = f / float(f_ppf(1.0 - alpha / 2.0, df_between, df_within))
        f_up = f * float(f_ppf(1.0 - alpha / 2.0, df_within, df_between))
        icc1_ci = ((f_low - 1.0) / (f_low + k - 1.0), (f_up - 1.0) / (f_up + k - 1.0))
        icc2_ci = (1.0 - 1.0 / f_low, 1.0 - 1.0 / f_up)
    return IccResult(
        icc1=float(icc1),
        icc2=float(icc2),
        icc1_ci=(float(icc1_ci[0]), float(icc1_ci[1])),
        icc2_ci=(float(icc2_ci[0]), float(icc2_ci[1])),
        f=float(f),
        p_value=float(f_sf(f, df_between, df_within)),
        df_between=df_between,
        df_within=df_within,
        msb=msb,
        msw=msw,
        k=float(k),
        group_size=group_size,
        n=N,
        n_teams=J,
        confidence=level,
        negative=bool(msb < msw),
    )


@dataclass(frozen=True, eq=False)
class RemlIccResult(Result):
    """Random-intercept model fitted by REML.

    Attributes
    ----------
    tau2, sigma2
        Between-team and within-team variance.
    mu
        The estimated grand mean (GLS, weights n_j/(σ² + n_jτ²)).
    icc1
        τ²/(τ² + σ²).
    icc2
        Spearman–Brown of ICC(1) with the mean team size N/J (``multilevel::mult.icc``).
    labels, n
        Teams used and their sizes.
    team_reliability
        λ_j = τ²/(τ² + σ²/n_j) per team.
    mean_reliability
        Mean of λ_j (``multilevel::gmeanrel``'s MeanRel).
    boundary
        True when the fit sits at τ² = 0 (teams no more alike than random groups).
    """

    tau2: float
    sigma2: float
    mu: float
    icc1: float
    icc2: float
    labels: npt.NDArray[Any]
    n: IntArray
    team_reliability: FloatArray
    mean_reliability: float
    boundary: bool
    reml_deviance: float


def _profiled_reml_deviance(theta: float, sums: TeamSums) -> tuple[float, float, float]:
    """−2ℓ_REML with σ² profiled out, for θ = τ²/σ²; returns (deviance, σ̂², μ̂).

    With V_j = σ²(1 + n_jθ): μ̂ = Σ w_j ȳ_j/Σ w_j, w_j = n_j/(1 + n_jθ),
    Q = SSW + Σ w_j(ȳ_j − μ̂)², σ̂² = Q/(N − 1) and, up to a constant,
    −2ℓ_REML = (N − 1)·log σ̂² + Σ log(1 + n_jθ) + log Σ w_j.
    """
    n = sums.n.astype(np.float64)
    one_plus = 1.0 + n * theta
    w = n / one_plus
    mu = float(np.sum(w * sums.mean) / np.sum(w))
    q = sums.ssw + float(np.sum(w * (sums.mean - mu) ** 2))
    sigma2 = q / (sums.n_total - 1)
    deviance = (
        (sums.n_total - 1) * np.log(sigma2)
        + float(np.sum(np.log(one_plus)))
        + float(np.log(np.sum(w)))
    )
    return float(deviance), sigma2, mu


def _reml_slope(theta: float, sums: TeamSums) -> float:
    """θ · ∂(−2ℓ_REML)/∂θ, the slope of the profiled deviance in log θ.

    With w_j = n_j/(1 + n_jθ) (so ∂w_j/∂θ = −w_j²) and Q as in the deviance,
    ∂Q/∂θ = −Σ w_j²(ȳ_j − μ̂)² (μ̂ minimises Q, so its own change drops out), and
    ∂D/∂θ = (N − 1)·Q′/Q + Σ w_j − Σ w_j²/Σ w_j.
    """
    n = sums.n.astype(np.float64)
    w = n / (1.0 + n * theta)
    total_w = float(np.sum(w))
    mu = float(np.sum(w * sums.mean)) / total_w
    centred = (sums.mean - mu) ** 2
    q = sums.ssw + float(np.sum(w * centred))
    w2 = w * w
    dq = -float(np.sum(w2 * centred))
    return theta * ((sums.n_total - 1) * dq / q + total_w - float(np.sum(w2)) / total_w)


def _polish(log_theta: float, sums: TeamSums) -> float:
    """Refine the search's log θ on the analytic slope (secant steps).

    The deviance is flat near its minimum, so a search on its values stops wherever rounding
    noise hides the difference (up to ~1e-6 relative in τ² when the rows are reordered); the
    slope crosses zero sharply. A step is kept only when it lowers |slope| and stays close.
    """
    x0, x1 = log_theta, log_theta + 1e-4
    g0, g1 = _reml_slope(float(np.exp(x0)), sums), _reml_slope(float(np.exp(x1)), sums)
    best, best_g = (x0, abs(g0)) if abs(g0) <= abs(g1) else (x1, abs(g1))
    for _ in range(8):
        if g1 == g0 or not np.isfinite(g1 - g0):
            break
        x2 = x1 - g1 * (x1 - x0) / (g1 - g0)
        if not np.isfinite(x2) or abs(x2 - log_theta) > 0.1:
            break
        x0, g0 = x1, g1
        x1, g1 = x2, _reml_slope(float(np.exp(x2)), sums)
        if abs(g1) < best_g:
            best, best_g = x1, abs(g1)
        if abs(x1 - x0) < 1e-14 * max(1.0, abs(x1)):
            break
    return best


def icc_reml(values: Any, groups: Groups | Any, *, sums: TeamSums | None = None) -> RemlIccResult:
    """ICC(1) from a random-intercept model y_ij = μ + u_j + e_ij fitted by REML.

    u_j ~ N(0, τ²), e_ij ~ N(0, σ²); ICC(1) = τ²/(τ² + σ²) (Raudenbush & Bryk 2002). The
    restricted likelihood depends on the data only through n_j, ȳ_j and the within-team sum of
    squares SSW, so it is evaluated exactly in O(J):

    −2ℓ_REML = (N − J)·log σ² + Σ log(σ² + n_jτ²) + SSW/σ²
    + Σ n_j(ȳ_j − μ̂)²/(σ² + n_jτ²) + log Σ w_j + const,  w_j = n_j/(σ² + n_jτ²).

    σ² is profiled out analytically and the ratio θ = τ²/σ² ≥ 0 is found by a bounded
    one-dimensional search (on log θ), compared with the boundary θ = 0. A fit at τ² = 0 is
    reported with ``boundary=True`` (where the ANOVA ICC would be negative). ICC(2) is the
    Spearman–Brown step-up with the mean team size, as ``multilevel::mult.icc``; the team
    reliabilities are λ_j = τ²/(τ² + σ²/n_j) and their mean is ``gmeanrel``'s MeanRel.

    Parameters
    ----------
    values, groups
        One value per respondent (NaN rows are dropped) and a :class:`Groups` or team labels.
    sums
        :func:`team_sums` of these same values and groups, to share one pass over the
        respondents between statistics; computed here when omitted.

    Notes
    -----
    R: ``nlme::lme(y ~ 1, random = ~1 | team)`` (REML);
    ``multilevel::mult.icc(x, grpid)``; ``multilevel::gmeanrel(model)``.

    Examples
    --------
    >>> res = icc_reml([1, 2, 3, 4, 5, 6, 2, 3], ["a", "a", "a", "b", "b", "b", "c", "c"])
    >>> round(res.icc1, 4), res.boundary
    (0.7206, False)
    """
    return _reml_from_sums(team_sums(values, groups) if sums is None else _check_sums(sums))


def _reml_from_sums(sums: TeamSums) -> RemlIccResult:
    if sums.n_total - sums.n_teams < 1:
        raise ValueError("every team has one member; τ² and σ² cannot be separated.")
    if sums.ssw == 0.0 and np.all(sums.mean == sums.mean[0]):
        raise ValueError("values have zero variance; the ICC is undefined.")

    def objective(log_theta: float) -> float:
        return _profiled_reml_deviance(float(np.exp(log_theta)), sums)[0]

    # The search interval spans ICC values from ~1e-12 to ~1 - 1e-8.
    found = optimize.minimize_scalar(
        objective,
        bounds=(np.log(1e-12), np.log(1e8)),
        method="bounded",
        options={"xatol": 1e-10, "maxiter": 500},
    )
    log_theta = _polish(float(found.x), sums)
    polished = _profiled_reml_deviance(float(np.exp(log_theta)), sums)[0]
    if not polished <= float(found.fun) + 1e-9 * (1.0 + abs(float(found.fun))):
        log_theta = float(found.x)  # the polish may not make the fit worse beyond rounding
    theta = float(np.exp(log_theta))
    at_zero = _profiled_reml_deviance(0.0, sums)[0]
    boundary = at_zero <= float(found.fun)
    if boundary:
        theta = 0.0
    deviance, sigma2, mu = _profiled_reml_deviance(theta, sums)
    tau2 = theta * sigma2
    icc1 = tau2 / (tau2 + sigma2)
    k = sums.n_total / sums.n_teams
    icc2 = k * icc1 / (1.0 + (k - 1.0) * icc1)
    n = sums.n.astype(np.float64)
    reliability = tau2 / (tau2 + sigma2 / n)
    return RemlIccResult(
        tau2=tau2,
        sigma2=sigma2,
        mu=mu,
        icc1=icc1,
        icc2=icc2,
        labels=sums.labels,
        n=sums.n,
        team_reliability=reliability,
        mean_reliability=float(reliability.mean()),
        boundary=bool(boundary),
        reml_deviance=deviance,
    )


@dataclass(frozen=True, eq=False)
class ShrunkenMeans(Result):
    """Empirical-Bayes team means.

    Attributes
    ----------
    labels, n
        Teams and their sizes (teams without data are left out).
    mean
        Raw team means ȳ_j.
    shrunken_mean
        ȳ*_j = μ̂ + λ_j(ȳ_j − μ̂): pulled towards μ̂, more so for small or unreliable teams.
    reliability
        λ_j = τ²/(τ² + σ²/n_j).
    grand_mean
        μ̂ from the REML fit.
    """

    labels: npt.NDArray[Any]
    n: IntArray
    mean: FloatArray
    shrunken_mean: FloatArray
    reliability: FloatArray
    grand_mean: float


def shrunken_means(
    values: Any,
    groups: Groups | Any,
    *,
    fit: RemlIccResult | None = None,
    sums: TeamSums | None = None,
) -> ShrunkenMeans:
    """Empirical-Bayes (shrunken) team means ȳ*_j = μ̂ + λ_j(ȳ_j − μ̂).

    λ_j = τ²/(τ² + σ²/n_j) from the REML random-intercept model (Raudenbush & Bryk 2002).
    Rank and flag teams on these, not on raw means: a small team's extreme raw mean is mostly
    noise and would "improve" next wave by regression to the mean alone.

    Parameters
    ----------
    values, groups
        As :func:`icc_reml`.
    fit
        A REML fit of the same data to reuse; fitted here when omitted.
    sums
        :func:`team_sums` of these same values and groups, to share one pass over the
        respondents between statistics; computed here when omitted.

    Notes
    -----
    R: ``coef(nlme::lme(y ~ 1, random = ~1 | team))`` gives the same shrunken means.

    Examples
    --------
    >>> res = shrunken_means([1, 2, 3, 4, 5, 6, 2, 3], ["a", "a", "a", "b", "b", "b", "c", "c"])
    >>> [round(v, 3) for v in res.shrunken_mean.tolist()]
    [2.135, 4.792, 2.61]
    """
    sums = team_sums(values, groups) if sums is None else _check_sums(sums)
    model = _reml_from_sums(sums) if fit is None else fit
    if model.n.shape != sums.n.shape or not np.array_equal(model.n, sums.n):
        raise ValueError("fit was made on other data than values and groups.")
    shrunk = model.mu + model.team_reliability * (sums.mean - model.mu)
    return ShrunkenMeans(
        labels=sums.labels,
        n=sums.n,
        mean=sums.mean,
        shrunken_mean=shrunk,
        reliability=model.team_reliability,
        grand_mean=model.mu,
    )
