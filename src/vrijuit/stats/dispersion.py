"""Dispersion within teams: spread, the share who feel unsafe, and polarised teams.

A team mean hides how its members differ. For social safety that difference is a finding, not
noise (a "dispersion model", Chan 1998): a team whose mean looks fine can hold a group that does
not feel safe at all. This module reports, per team and at once for all teams,

* the mean and SD of the scale scores (:func:`team_spread`);
* the share below the unsafe cut-off with a Wilson interval (:func:`share_below`), and the
  organisation-wide share with a clustering-adjusted interval (:func:`overall_share_below`);
* a polarisation flag with the reasons behind it (:func:`polarisation`).

"Below the cut-off" is strict: score < cutoff. Fix the cut-off before fielding; person scores
are means of K items, so only multiples of 1/K occur.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from vrijuit.stats._distributions import norm_ppf
from vrijuit.stats._grouping import as_groups
from vrijuit.stats._validation import as_float_vector, check_confidence
from vrijuit.stats.groups import Groups
from vrijuit.stats.results import Result

__all__ = [
    "POLARISATION_REASONS",
    "OverallShareBelow",
    "Polarisation",
    "ShareBelow",
    "TeamSpread",
    "overall_share_below",
    "polarisation",
    "share_below",
    "team_spread",
    "wilson_interval",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Reason codes a :class:`Polarisation` can give; the report explains each with the catalog
#: message ``dispersion.reason.<code>`` (``locale/dispersion.yaml``).
POLARISATION_REASONS = ("mean_fine", "unsafe_group", "low_agreement", "bimodal")


def _scores_and_groups(scores: Any, groups: Groups | Any) -> tuple[FloatArray, Groups]:
    y = as_float_vector(scores, name="scores")
    if np.any(np.isinf(y)):
        raise ValueError("scores must be finite or NaN (missing).")
    grouping = as_groups(groups, n_rows=y.shape[0])
    keep = ~np.isnan(y)
    return y[keep], grouping.subset(keep)


def _check_cutoff(cutoff: float) -> float:
    value = float(cutoff)
    if not np.isfinite(value):
        raise ValueError(f"cutoff must be a finite number, got {cutoff!r}.")
    return value


def wilson_interval(
    count: Any, n: Any, *, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson (1927) score interval for a proportion count/n, element-wise.

    (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − γ/2). Unlike the
    Wald interval it stays inside [0, 1] and is sensible for p̂ = 0 or 1 and small n. ``n`` may
    be fractional (an effective sample size). NaN where n = 0.

    Notes
    -----
    R: ``prop.test(x, n, correct=FALSE)$conf.int``; Python:
    ``statsmodels.stats.proportion.proportion_confint(x, n, method="wilson")``.

    Examples
    --------
    >>> low, high = wilson_interval([2], [10])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0567, 0.5098)
    """
    level = check_confidence(confidence)
    x = np.asarray(count, dtype=np.float64)
    size = np.asarray(n, dtype=np.float64)
    z = float(norm_ppf(1.0 - (1.0 - level) / 2.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / size
        centre = p + z * z / (2.0 * size)
        half = z * np.sqrt(p * (1.0 - p) / size + z * z / (4.0 * size * size))
        denominator = 1.0 + z * z / size
        low = np.where(size > 0, (centre - half) / denominator, np.nan)
        high = np.where(size > 0, (centre + half) / denominator, np.nan)
    # At p̂ = 0 (1) the lower (upper) bound is exactly 0 (1); rounding would leave 1e-17.
    low = np.where((x <= 0) & (size > 0), 0.0, low)
    high = np.where((x >= size) & (size > 0), 1.0, high)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class TeamSpread(Result):
    """Per team: respondents with a score, mean and SD (n − 1 divisor; NaN for n < 2)."""

    labels: npt.NDArray[Any]
    n: IntArray
    mean: FloatArray
    sd: FloatArray


def team_spread(scores: Any, groups: Groups | Any) -> TeamSpread:
    """Team mean and within-team standard deviation ("climate strength").

    s_j = √(Σ_i (y_ij − ȳ_j)²/(n_j − 1)) on the person scale scores; lower SD is a stronger
    climate (Schneider, Salvaggio & Subirats 2002). The coefficient of variation is not
    reported: it is not meaningful on a bounded Likert scale. Missing scores are skipped.

    Notes
    -----
    R: ``tapply(y, team, mean)`` and ``tapply(y, team, sd)``.

    Examples
    --------
    >>> res = team_spread([3, 4, 5, 2, np.nan], ["a", "a", "a", "b", "b"])
    >>> res.n.tolist(), res.mean.tolist(), res.sd.tolist()
    ([3, 1], [4.0, 2.0], [1.0, nan])
    """
    y, grouping = _scores_and_groups(scores, groups)
    return TeamSpread(
        labels=grouping.labels,
        n=grouping.sizes(),
        mean=grouping.mean(y),
        sd=np.sqrt(grouping.var(y)),
    )


@dataclass(frozen=True, eq=False)
class ShareBelow(Result):
    """Per team: how many scored strictly below the cut-off, the share and its Wilson CI."""

    labels: npt.NDArray[Any]
    n: IntArray
    count: IntArray
    share: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    cutoff: float
    confidence: float


def share_below(
    scores: Any, groups: Groups | Any, *, cutoff: float, confidence: float = 0.95
) -> ShareBelow:
    """Share of each team scoring strictly below ``cutoff``, with a Wilson interval.

    p̂_j = #{i: y_ij < c}/n_j, e.g. c = 3 on a 1–5 scale ("on average disagrees that the team
    is safe"). The interval is :func:`wilson_interval`. Missing scores are skipped; a team
    without scores gets NaN.

    Notes
    -----
    R: ``prop.test(sum(y < c), length(y), correct=FALSE)`` per team.

    Examples
    --------
    >>> res = share_below([2.5, 3, 4, 1, 2], ["a", "a", "a", "b", "b"], cutoff=3)
    >>> res.count.tolist(), [round(s, 4) for s in res.share.tolist()]
    ([1, 2], [0.3333, 1.0])
    """
    c = _check_cutoff(cutoff)
    level = check_confidence(confidence)
    y, grouping = _scores_and_groups(scores, groups)
    n = grouping.sizes()
    count = grouping.sum((y < c).astype(np.float64)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, count / n, np.nan)
    low, high = wilson_interval(count, n, confidence=level)
    return ShareBelow(
        labels=grouping.labels,
        n=n,
        count=count,
        share=share,
        ci_low=low,
        ci_high=high,
        cutoff=c,
        confidence=level,
    )


@dataclass(frozen=True)
class OverallShareBelow(Result):
    """Organisation-wide share below the cut-off with a design-effect-adjusted Wilson CI."""

    n: int
    count: int
    share: float
    n_teams: int
    mean_team_size: float
    icc1: float
    design_effect: float
    n_effective: float
    ci_low: float
    ci_high: float
    cutoff: float
    confidence: float


def overall_share_below(
    scores: Any,
    groups: Groups | Any,
    *,
    cutoff: float,
    icc1: float,
    confidence: float = 0.95,
) -> OverallShareBelow:
    """Organisation-wide share below ``cutoff``, its CI widened for clustering in teams.

    Members of one team answer alike, so N respondents carry less information than N
    independent ones. Kish's (1965) design effect DEFF = 1 + (n̄ − 1)·ICC(1), with n̄ = N/J the
    mean team size, gives the effective sample size n_eff = N/DEFF; the Wilson interval is then
    computed with n_eff. A negative ICC(1) is treated as 0 (DEFF = 1): we never let clustering
    make the interval narrower than simple random sampling.

    Parameters
    ----------
    scores, groups
        Person scale scores and their teams.
    cutoff
        Strict "<" threshold.
    icc1
        ICC(1) of the scores, e.g. ``icc_anova(scores, groups).icc1``.
    confidence
        Level of the interval.

    Notes
    -----
    R: ``prop.test(x, n_eff, correct=FALSE)`` with n_eff = N/DEFF, or a cluster bootstrap.

    Examples
    --------
    >>> res = overall_share_below([1, 4, 4, 2, 4, 4], [1, 1, 1, 2, 2, 2], cutoff=3, icc1=0.5)
    >>> round(res.share, 4), res.design_effect, res.n_effective
    (0.3333, 2.0, 3.0)
    """
    c = _check_cutoff(cutoff)
    level = check_confidence(confidence)
    rho = float(icc1)
    if not np.isfinite(rho) or rho > 1.0:
        raise ValueError(f"icc1 must be a finite number at most 1, got {icc1!r}.")
    y, grouping = _scores_and_groups(scores, groups)
    N = int(y.shape[0])
    if N == 0:
        raise ValueError("there are no scores to summarise.")
    J = int(np.count_nonzero(grouping.sizes()))
    count = int(np.count_nonzero(y < c))
    mean_size = N / J
    deff = 1.0 + (mean_size - 1.0) * max(rho, 0.0)
    n_eff = N / deff
    share = count / N
    low, high = wilson_interval([share * n_eff], [n_eff], confidence=level)
    return OverallShareBelow(
        n=N,
        count=count,
        share=share,
        n_teams=J,
        mean_team_size=mean_size,
        icc1=rho,
        design_effect=deff,
        n_effective=n_eff,
        ci_low=float(low[0]),
        ci_high=float(high[0]),
        cutoff=c,
        confidence=level,
    )


@dataclass(frozen=True, eq=False)
class Polarisation(Result):
    """Per team: the components of the polarisation rule, the flags and the reasons.

    Attributes
    ----------
    labels, n, mean
        Teams, respondents with a score, team mean.
    count_below, share_below
        Respondents strictly below the cut-off, and their share.
    rwg
        Single-item rwg of the scale scores (variance truncated at the null; NaN for n < 2).
    bimodality
        Sarle's bimodality coefficient (NaN for n < 4 or zero variance).
    eligible
        n ≥ ``min_n``: only then is a team judged at all.
    mean_fine, unsafe_group, low_agreement, bimodal
        The four components (see :func:`polarisation`).
    flagged
        Polarised: eligible, mean fine, an unsafe group, and low agreement or bimodal.
    low_agreement_flag
        Eligible and low agreement, whatever the mean: dispersion worth discussing by itself.
    """

    labels: npt.NDArray[Any]
    n: IntArray
    mean: FloatArray
    count_below: IntArray
    share_below: FloatArray
    rwg: FloatArray
    bimodality: FloatArray
    eligible: BoolArray
    mean_fine: BoolArray
    unsafe_group: BoolArray
    low_agreement: BoolArray
    bimodal: BoolArray
    flagged: BoolArray
    low_agreement_flag: BoolArray
    cutoff: float
    null_variance: float
    min_n: int
    min_share: float
    min_count: int
    max_rwg: float
    bimodality_threshold: float

    def reasons(self, position: int) -> tuple[str, ...]:
        """Codes of the components that hold for the team at ``position`` (in ``labels``).

        Codes come from :data:`POLARISATION_REASONS`, in that order; the report words each as
        the catalog message ``dispersion.reason.<code>``.
        """
        components = (
            self.mean_fine[position],
            self.unsafe_group[position],
            self.low_agreement[position],
            self.bimodal[position],
        )
        return tuple(
            code for code, holds in zip(POLARISATION_REASONS, components, strict=True) if holds
        )


def _bimodality_coefficient(
    n: FloatArray, mean: FloatArray, m2: FloatArray, m3: FloatArray, m4: FloatArray
) -> FloatArray:
    """Sarle's bimodality coefficient per team from bias-corrected skewness and kurtosis.

    BC = (G1² + 1) / (G2 + 3(n − 1)²/((n − 2)(n − 3))), with G1, G2 the sample skewness and
    excess kurtosis as SAS computes them (scipy ``skew/kurtosis(bias=False)``), from the
    central moments m2, m3, m4 (divisor n) of each team.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = m3 / m2**1.5
        g2 = m4 / m2**2 - 3.0
        skew = np.sqrt(n * (n - 1.0)) / (n - 2.0) * g1
        kurt = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
        coefficient = (skew**2 + 1.0) / (kurt + 3.0 * (n - 1.0) ** 2 / ((n - 2.0) * (n - 3.0)))
    # Relative to the scale of the data, so rounding noise in a constant team is not variance.
    flat = m2 <= 1e-12 * (1.0 + mean**2)
    return np.where((n >= 4) & ~flat, coefficient, np.nan)


def _team_moments(
    y: FloatArray, grouping: Groups
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """n, mean, variance (n − 1) and central moments m2, m3, m4 (divisor n) of every team.

    Two passes over the rows: the team sums give the means, then the powers of the deviations
    from the team mean (two-pass, as numerically stable as ``Groups.var``) are summed with one
    bincount each; powers by multiplication (``**3`` would call ``pow`` per element).
    """
    codes, n_groups = grouping.codes, grouping.n_groups
    n = np.bincount(codes, minlength=n_groups).astype(np.int64)
    size = n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.bincount(codes, weights=y, minlength=n_groups) / size, np.nan)
    deviation = y - mean[codes]
    squared = deviation * deviation
    ss = np.bincount(codes, weights=squared, minlength=n_groups)
    deviation *= squared  # now the cubes
    cubes = np.bincount(codes, weights=deviation, minlength=n_groups)
    squared *= squared  # now the fourth powers
    fourth = np.bincount(codes, weights=squared, minlength=n_groups)
    denominator = np.maximum(size, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, ss / (size - 1.0), np.nan)
    return n, mean, var, ss / denominator, cubes / denominator, fourth / denominator


def polarisation(
    scores: Any,
    groups: Groups | Any,
    *,
    cutoff: float,
    null_variance: float,
    min_n: int = 5,
    min_share: float = 0.20,
    min_count: int = 2,
    max_rwg: float = 0.50,
    bimodality_threshold: float = 5.0 / 9.0,
) -> Polarisation:
    """Flag teams whose fine-looking mean hides a group that feels unsafe.

    A team is **polarised** when all of these hold:

    1. *eligible*: n_j ≥ ``min_n`` (default 5, the reporting floor; smaller teams are not
       judged);
    2. *mean fine*: ȳ_j ≥ ``cutoff`` — the mean alone would not raise concern;
    3. *unsafe group*: the share strictly below the cut-off is ≥ ``min_share`` (default 20%)
       and at least ``min_count`` people (default 2: one person is not a group, and flagging on
       one answer would point at that person);
    4. *split*: low agreement, rwg < ``max_rwg`` (default .50, the upper end of "weak agreement"
       in LeBreton & Senter 2008), **or** a bimodal distribution, Sarle's bimodality
       coefficient > ``bimodality_threshold`` (default 5/9, the value of a uniform
       distribution; SAS Institute 1990; Pfister et al. 2013).

    Condition 4 separates a team that is split from one where everybody sits a bit lower: a
    fifth of the team below 3 with everyone near 3 is not polarisation, a fifth at 1.5 and the
    rest at 4.5 is. rwg is computed on the scale scores with the *item* null (as
    ``multilevel::rwg`` on a scale score), which is conservative: scale scores vary less than
    items, so a low rwg there is a strong signal.

    Separately, ``low_agreement_flag`` marks every eligible team with rwg < ``max_rwg``,
    whatever its mean: dispersion is itself a finding, not noise.

    Parameters
    ----------
    scores, groups
        Person scale scores (NaN = missing) and their teams.
    cutoff
        The unsafe cut-off (strict "<"), e.g. 3 on a 1–5 scale.
    null_variance
        σ²E of one item of the response format, e.g. ``null_variance(5)`` = 2.0.
    min_n, min_share, min_count, max_rwg, bimodality_threshold
        The thresholds above.

    Returns
    -------
    Polarisation
        The components and the flags; ``reasons(i)`` lists the reason codes of team i.

    Examples
    --------
    >>> scores = [4.5, 4.5, 4.5, 4.5, 1.5, 1.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5]
    >>> teams = ["split"] * 6 + ["calm"] * 6
    >>> res = polarisation(scores, teams, cutoff=3, null_variance=2.0)
    >>> res.labels.tolist(), res.flagged.tolist()
    (['calm', 'split'], [False, True])
    >>> res.reasons(1)
    ('mean_fine', 'unsafe_group', 'low_agreement')
    """
    c = _check_cutoff(cutoff)
    sigma2 = float(null_variance)
    if not np.isfinite(sigma2) or sigma2 <= 0:
        raise ValueError(f"null_variance must be a positive number, got {null_variance!r}.")
    if min_n < 2 or min_count < 1:
        raise ValueError("min_n must be at least 2 and min_count at least 1.")
    if not 0.0 < min_share <= 1.0:
        raise ValueError(f"min_share must lie in (0, 1], got {min_share!r}.")
    y, grouping = _scores_and_groups(scores, groups)
    n, mean, var, m2, m3, m4 = _team_moments(y, grouping)
    count = np.bincount(grouping.codes[y < c], minlength=grouping.n_groups).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, count / n, np.nan)
    rwg = 1.0 - np.minimum(var, sigma2) / sigma2
    bimodality = _bimodality_coefficient(n.astype(np.float64), mean, m2, m3, m4)

    eligible = n >= min_n
    mean_fine = eligible & (mean >= c)
    unsafe_group = eligible & (share >= min_share) & (count >= min_count)
    low_agreement = eligible & (rwg < max_rwg)
    bimodal = eligible & (bimodality > bimodality_threshold)
    flagged = mean_fine & unsafe_group & (low_agreement | bimodal)

    return Polarisation(
        labels=grouping.labels,
        n=n,
        mean=mean,
        count_below=count,
        share_below=share,
        rwg=rwg,
        bimodality=bimodality,
        eligible=eligible,
        mean_fine=mean_fine,
        unsafe_group=unsafe_group,
        low_agreement=low_agreement,
        bimodal=bimodal,
        flagged=flagged,
        low_agreement_flag=low_agreement,
        cutoff=c,
        null_variance=sigma2,
        min_n=int(min_n),
        min_share=float(min_share),
        min_count=int(min_count),
        max_rwg=float(max_rwg),
        bimodality_threshold=float(bimodality_threshold),
    )
