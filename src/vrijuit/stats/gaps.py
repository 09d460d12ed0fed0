"""Gaps between subgroups: Welch mean differences, Cohen's d and Hedges' g, subgroup-vs-rest
comparisons with Holm-adjusted p-values, the within-team gap, and ordered hierarchy levels.

Conventions (statistics.md §1.6, where implementations differ):

* The raw gap Δ = ȳ_1 − ȳ_2 has a Welch CI with the Welch–Satterthwaite df (R ``t.test``,
  ``scipy.stats.ttest_ind(equal_var=False)``), so unequal variances are allowed.
* Cohen's d divides by the pooled SD (n − 1 divisors); Hedges' g = J·d with the **exact**
  J = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)), df = n1 + n2 − 2 (Hedges 1981). pingouin and many
  programs use the approximation J ≈ 1 − 3/(4·df − 1); the two differ by < 0.1 % from df = 10.
* The CI for d inverts the non-central t (Steiger & Fouladi 1997; Cumming & Finch 2001), as JASP
  and R ``MBESS::ci.smd`` do; pingouin's Hedges–Olkin d ± t·SE is available with
  ``ci_method="hedges_olkin"``. The CI for g is the CI for d times J.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from vrijuit.stats._distributions import nct_cdf, nct_sf, norm_ppf, t_ppf, t_sf
from vrijuit.stats._labels import dense_groups, label_codes
from vrijuit.stats._validation import as_float_vector, check_confidence, check_option
from vrijuit.stats.groups import Groups
from vrijuit.stats.mixed import RandomInterceptFit, fit_random_intercept
from vrijuit.stats.results import Result

__all__ = [
    "EffectSize",
    "GroupGap",
    "LevelTrend",
    "MeanDifference",
    "SubgroupGaps",
    "WithinTeamGap",
    "WithinTeamSlope",
    "hedges_g",
    "hedges_j",
    "holm",
    "mean_difference",
    "ordered_level_trend",
    "subgroup_gaps",
]

FloatArray = npt.NDArray[np.float64]
CiMethod = Literal["nct", "hedges_olkin"]
_CI_METHODS: tuple[str, ...] = ("nct", "hedges_olkin")


@dataclass(frozen=True)
class MeanDifference(Result):
    """Welch comparison of two means: Δ = mean_x − mean_y with its CI and two-sided p."""

    n_x: int
    n_y: int
    mean_x: float
    mean_y: float
    sd_x: float
    sd_y: float
    difference: float
    se: float
    df: float
    t: float
    p_value: float
    ci_low: float
    ci_high: float
    confidence: float


@dataclass(frozen=True)
class EffectSize(Result):
    """Cohen's d (pooled SD) and Hedges' g = J·d, each with a confidence interval."""

    n_x: int
    n_y: int
    d: float
    d_ci_low: float
    d_ci_high: float
    g: float
    g_ci_low: float
    g_ci_high: float
    j: float
    df: int
    ci_method: str
    confidence: float


def _clean(values: Any, name: str) -> FloatArray:
    array = as_float_vector(values, name=name)
    return array[~np.isnan(array)]


def mean_difference(x: Any, y: Any, *, confidence: float = 0.95) -> MeanDifference:
    """Welch's difference of two means with a Welch–Satterthwaite confidence interval.

    Δ = x̄ − ȳ, SE = √(s_x²/n_x + s_y²/n_y),
    ν = SE⁴ / [(s_x²/n_x)²/(n_x − 1) + (s_y²/n_y)²/(n_y − 1)], CI Δ ± t_{ν}·SE (Welch 1947).
    Missing values (NaN) are dropped. Each group needs at least 2 values. When both variances are
    zero the SE is 0 and t, p are undefined (NaN).

    R: ``t.test(x, y)``; Python: ``scipy.stats.ttest_ind(x, y, equal_var=False)``.

    Examples
    --------
    >>> res = mean_difference([3.0, 4.0, 5.0, 4.0], [2.0, 3.0, 3.0, 2.0])
    >>> round(res.difference, 3), round(res.df, 2), round(res.ci_low, 3), round(res.ci_high, 3)
    (1.5, 5.4, 0.243, 2.757)
    """
    confidence = check_confidence(confidence)
    xs, ys = _clean(x, "x"), _clean(y, "y")
    n_x, n_y = xs.shape[0], ys.shape[0]
    if n_x < 2 or n_y < 2:
        raise ValueError(f"each group needs at least 2 values; got {n_x} and {n_y}.")
    m_x, m_y = float(xs.mean()), float(ys.mean())
    v_x, v_y = float(xs.var(ddof=1)), float(ys.var(ddof=1))
    return _welch(n_x, n_y, m_x, m_y, v_x, v_y, confidence)


def _welch(
    n_x: int, n_y: int, m_x: float, m_y: float, v_x: float, v_y: float, confidence: float
) -> MeanDifference:
    a, b = v_x / n_x, v_y / n_y
    se = float(np.sqrt(a + b))
    diff = m_x - m_y
    if se > 0:
        df = (a + b) ** 2 / (a * a / (n_x - 1) + b * b / (n_y - 1))
        t = diff / se
        p = float(2.0 * t_sf(abs(t), df))
        half = float(t_ppf(0.5 + confidence / 2.0, df)) * se
    else:  # both groups constant: no sampling variance to speak of
        df, t, p, half = float("nan"), float("nan"), float("nan"), 0.0
    return MeanDifference(
        n_x=n_x,
        n_y=n_y,
        mean_x=m_x,
        mean_y=m_y,
        sd_x=float(np.sqrt(v_x)),
        sd_y=float(np.sqrt(v_y)),
        difference=diff,
        se=se,
        df=float(df),
        t=float(t),
        p_value=p,
        ci_low=diff - half,
        ci_high=diff + half,
        confidence=confidence,
    )


def hedges_j(df: Any) -> FloatArray:
    """Exact small-sample correction J = Γ(df/2) / (√(df/2)·Γ((df − 1)/2)) (Hedges 1981).

    Computed as ``poch(df/2 − 1/2, 1/2)/√(df/2)`` (a ratio of gamma functions without
    overflow or cancellation), so it stays accurate for a million respondents. J is 0 at
    df = 1 and NaN below.

    Examples
    --------
    >>> round(float(hedges_j(10)), 6), round(1 - 3 / (4 * 10 - 1), 6)
    (0.922746, 0.923077)
    """
    dfs = np.asarray(df, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = dfs / 2.0
        ratio = special.poch(np.maximum(half - 0.5, 0.0), 0.5) / np.sqrt(half)
        out = np.where(dfs > 1, ratio, np.where(dfs == 1, 0.0, np.nan))
    return np.asarray(out, dtype=np.float64)


def _nct_interval(t_obs: float, df: float, confidence: float) -> tuple[float, float]:
    """Non-centrality parameters δ_L, δ_U with P(T ≥ t_obs | δ_L) = P(T ≤ t_obs | δ_U) = α/2."""
    alpha_half = (1.0 - confidence) / 2.0

    # scipy's nct returns NaN for some far-tail probabilities (e.g. cdf(-4, 2, 8.86)); those
    # are negligible, so they count as 0 and the bracket keeps its sign.
    def upper_tail(delta: float) -> float:  # increasing in δ
        return float(np.nan_to_num(nct_sf(t_obs, df, delta), nan=0.0)) - alpha_half

    def lower_tail(delta: float) -> float:  # decreasing in δ
        return float(np.nan_to_num(nct_cdf(t_obs, df, delta), nan=0.0)) - alpha_half

    step = 2.0 * float(norm_ppf(1.0 - alpha_half)) * max(1.0, abs(t_obs) / np.sqrt(df))
    lo = t_obs - step
    while upper_tail(lo) > 0:
        lo -= step
    delta_low = optimize.brentq(upper_tail, lo, t_obs, xtol=1e-12)
    hi = t_obs + step
    while lower_tail(hi) > 0:
        hi += step
    delta_high = optimize.brentq(lower_tail, t_obs, hi, xtol=1e-12)
    return float(delta_low), float(delta_high)


def _effect_size(
    n_x: int,
    n_y: int,
    diff: float,
    v_x: float,
    v_y: float,
    confidence: float,
    ci_method: str,
) -> EffectSize:
    df = n_x + n_y - 2
    pooled = np.sqrt(((n_x - 1) * v_x + (n_y - 1) * v_y) / df)
    d = float(diff / pooled) if pooled > 0 else float("nan")
    j = float(hedges_j(df))
    if np.isnan(d):
        low = high = float("nan")
    elif ci_method == "nct":
        scale = np.sqrt(n_x * n_y / (n_x + n_y))
        delta_low, delta_high = _nct_interval(d * scale, float(df), confidence)
        low, high = delta_low / scale, delta_high / scale
    else:  # Hedges & Olkin (1985) standard error, critical value from t_df as pingouin
        se = np.sqrt((n_x + n_y) / (n_x * n_y) + d * d / (2.0 * (n_x + n_y)))
        crit = float(t_ppf(0.5 + confidence / 2.0, df))
        low, high = d - crit * se, d + crit * se
    return EffectSize(
        n_x=n_x,
        n_y=n_y,
        d=d,
        d_ci_low=float(low),
        d_ci_high=float(high),
        g=j * d,
        g_ci_low=j * float(low),
        g_ci_high=j * float(high),
        j=j,
        df=df,
        ci_method=ci_method,
        confidence=confidence,
    )


def hedges_g(
    x: Any, y: Any, *, confidence: float = 0.95, ci_method: CiMethod = "nct"
) -> EffectSize:
    """Cohen's d and Hedges' g of x − y, with a confidence interval.

    d = (x̄ − ȳ)/s_p with s_p = √[((n_x − 1)s_x² + (n_y − 1)s_y²)/(n_x + n_y − 2)] (Cohen 1988);
    g = J·d with the exact J of :func:`hedges_j` (Hedges 1981). With ``ci_method="nct"`` the CI
    for d inverts the non-central t distribution of t = d·√(n_x n_y/(n_x + n_y)) with
    df = n_x + n_y − 2 (Steiger & Fouladi 1997); ``"hedges_olkin"`` gives
    d ± t_{df}·√[(n_x + n_y)/(n_x n_y) + d²/(2(n_x + n_y))] (Hedges & Olkin 1985), which is what
    ``pingouin.compute_esci`` returns. Note that pingouin's ``compute_effsize(eftype="hedges")``
    uses the approximate J = 1 − 3/(4(n_x + n_y) − 9). d is NaN when both groups are constant.

    R: ``effectsize::hedges_g(x, y)`` (also non-central t) or ``MBESS::ci.smd``.

    Examples
    --------
    >>> es = hedges_g([3.0, 4.0, 5.0, 4.0, 3.0], [2.0, 3.0, 3.0, 2.0, 4.0])
    >>> round(es.d, 4), round(es.g, 4), round(es.d_ci_low, 3), round(es.d_ci_high, 3)
    (1.1952, 1.0789, -0.202, 2.532)
    """
    confidence = check_confidence(confidence)
    check_option(ci_method, name="ci_method", allowed=_CI_METHODS)
    xs, ys = _clean(x, "x"), _clean(y, "y")
    if xs.shape[0] < 2 or ys.shape[0] < 2:
        raise ValueError(
            f"each group needs at least 2 values; got {xs.shape[0]} and {ys.shape[0]}."
        )
    return _effect_size(
        xs.shape[0],
        ys.shape[0],
        float(xs.mean() - ys.mean()),
        float(xs.var(ddof=1)),
        float(ys.var(ddof=1)),
        confidence,
        ci_method,
    )


def holm(p_values: Any) -> FloatArray:
    """Holm (1979) step-down adjusted p-values; NaN entries are left out and stay NaN.

    p_(i) adjusted = max_{k ≤ i} min(1, (m − k + 1)·p_(k)) for the sorted p-values.
    R: ``p.adjust(p, "holm")``.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    p = as_float_vector(p_values, name="p_values")
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.shape[0]
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out


@dataclass(frozen=True)
class WithinTeamGap(Result):
    """The gap within teams, γ10 of y_ij = γ00 + γ10·G_ij + u_j + e_ij (REML).

    ``composition`` = raw gap − γ10: the part of the raw gap due to the group sitting in other
    teams. ``d_within`` = γ10/σ_W and ``d_total`` = γ10/√(τ² + σ²), with σ², τ² from the null
    model on the same rows (Hedges 2007).
    """

    gap: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    composition: float
    d_within: float
    d_total: float
    tau2_null: float
    sigma2_null: float
    n_teams: int


@dataclass(frozen=True)
class GroupGap(Result):
    """One group compared with the rest (or with the reference group)."""

    group: Any
    comparison: Any
    difference: MeanDifference
    effect: EffectSize
    p_holm: float
    within: WithinTeamGap | None


@dataclass(frozen=True)
class SubgroupGaps(Result):
    """Every compared group, plus the groups that were not compared and why.

    ``skipped`` maps a group label to a reason code: ``"fewer_than_min_n"`` (the group itself),
    ``"comparison_fewer_than_min_n"`` (the rest or the reference group is too small).
    """

    gaps: tuple[GroupGap, ...]
    skipped: dict[Any, str]
    reference: Any
    min_n: int
    confidence: float

    def gap(self, group: Any) -> GroupGap:
        """The comparison for ``group``."""
        for item in self.gaps:
            if item.group == group:
                return item
        raise ValueError(f"group {group!r} was not compared (skipped: {self.skipped}).")


def _within_team_gap(
    scores: FloatArray,
    in_group: FloatArray,
    teams: Groups,
    raw: float,
    confidence: float,
    null: RandomInterceptFit | None,
) -> tuple[WithinTeamGap | None, RandomInterceptFit | None]:
    """The within-team gap, and the null model on the same rows (for reuse)."""
    if np.count_nonzero(np.bincount(teams.codes, minlength=teams.n_groups)) < 2:
        return None, null
    try:
        if null is None:
            null = fit_random_intercept(scores, teams, confidence=confidence)
        fit = fit_random_intercept(
            scores, teams, covariates=in_group, names=("group",), confidence=confidence
        )
    except ValueError:  # no spread within teams, or the group fills whole teams only
        return None, null
    k = fit.effect("group")
    gap = float(fit.coef[k])
    total_sd = np.sqrt(null.tau2 + null.sigma2)
    within = WithinTeamGap(
        gap=gap,
        se=float(fit.se[k]),
        ci_low=float(fit.ci_low[k]),
        ci_high=float(fit.ci_high[k]),
        p_value=float(fit.p_value[k]),
        composition=raw - gap,
        d_within=gap / np.sqrt(null.sigma2) if null.sigma2 > 0 else float("nan"),
        d_total=gap / total_sd if total_sd > 0 else float("nan"),
        tau2_null=null.tau2,
        sigma2_null=null.sigma2,
        n_teams=fit.n_groups,
    )
    return within, null


def subgroup_gaps(
    scores: Any,
    group_labels: Any,
    *,
    reference: Any = None,
    teams: Any = None,
    confidence: float = 0.95,
    min_n: int = 5,
    ci_method: CiMethod = "nct",
) -> SubgroupGaps:
    """Compare each group of a categorical attribute with the rest, or with a reference group.

    For every group g (gender, nationality group, contract type, ...) with at least ``min_n``
    scores, and a comparison (all other respondents with a group label, or the ``reference``
    group) that also has ``min_n``: the Welch difference ȳ_g − ȳ_rest with CI
    (:func:`mean_difference`), Cohen's d and Hedges' g with CI (:func:`hedges_g`), and the
    Welch p-value Holm-adjusted over all comparisons made (Holm 1979). Respondents with a missing
    score or a missing group label are left out.

    When ``teams`` is given, each comparison also gets the within-team gap γ10 of the REML model
    y_ij = γ00 + γ10·G_ij + u_j + e_ij (G = 1 for the group, 0 for the comparison), with its SE
    and normal CI, the composition part (raw − γ10), and d_W = γ10/σ_W and d_T = γ10/√(τ² + σ²)
    with τ², σ² of the null model (statistics.md §1.6; Hedges 2007; Raudenbush & Bryk 2002).
    R: ``nlme::lme(y ~ G, random = ~ 1 | team)``.

    Disclosure control (what may be shown) is decided elsewhere; ``min_n`` (at least 2) only keeps
    the statistics from being computed on tiny groups.

    Examples
    --------
    >>> scores = [4.0, 4.5, 3.5, 4.0, 3.0, 2.5, 3.5, 3.0, 4.0, 4.5]
    >>> groups = ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c"]
    >>> res = subgroup_gaps(scores, groups, min_n=3)
    >>> [(gap.group, round(gap.difference.difference, 3)) for gap in res.gaps], res.skipped
    ([('a', 0.583), ('b', -1.083)], {'c': 'fewer_than_min_n'})
    """
    confidence = check_confidence(confidence)
    check_option(ci_method, name="ci_method", allowed=_CI_METHODS)
    if min_n < 2:
        raise ValueError(f"min_n must be at least 2; got {min_n}.")
    values = as_float_vector(scores, name="scores")
    n_rows = values.shape[0]
    all_codes, uniques = label_codes(group_labels, n_rows=n_rows, name="group_labels")
    keep = ~np.isnan(values) & (all_codes >= 0)
    team_groups = None
    if teams is not None:
        team_codes, team_uniques = label_codes(teams, n_rows=n_rows, name="teams")
        keep &= team_codes >= 0
        team_groups = dense_groups(team_codes[keep], team_uniques)
    values = values[keep]
    codes = all_codes[keep]
    n_by = np.bincount(codes, minlength=len(uniques))
    reference_code = -1
    if reference is not None:
        matches = np.flatnonzero(uniques == reference)
        if matches.size == 0:
            raise ValueError(f"reference group {reference!r} does not occur in group_labels.")
        reference_code = int(matches[0])

    compared: list[tuple[Any, MeanDifference, EffectSize, WithinTeamGap | None]] = []
    skipped: dict[Any, str] = {}
    # Against the rest, every comparison uses all rows: one null model serves them all.
    shared_null: RandomInterceptFit | None = None
    for code, group in enumerate(uniques):  # a handful of groups, each comparison is vectorised
        if code == reference_code:
            continue
        mine = codes == code
        other = codes != code if reference is None else codes == reference_code
        if n_by[code] < min_n:
            skipped[group] = "fewer_than_min_n"
            continue
        if int(other.sum()) < min_n:
            skipped[group] = "comparison_fewer_than_min_n"
            continue
        x, y = values[mine], values[other]
        diff = _welch(
            x.shape[0],
            y.shape[0],
            float(x.mean()),
            float(y.mean()),
            float(x.var(ddof=1)),
            float(y.var(ddof=1)),
            confidence,
        )
        effect = _effect_size(
            x.shape[0],
            y.shape[0],
            diff.difference,
            diff.sd_x**2,
            diff.sd_y**2,
            confidence,
            ci_method,
        )
        within = None
        if team_groups is not None:
            if reference is None:
                within, shared_null = _within_team_gap(
                    values,
                    mine.astype(np.float64),
                    team_groups,
                    diff.difference,
                    confidence,
                    shared_null,
                )
            else:
                rows = mine | other
                within, _ = _within_team_gap(
                    values[rows],
                    mine[rows].astype(np.float64),
                    team_groups.subset(rows),
                    diff.difference,
                    confidence,
                    None,
                )
        compared.append((group, diff, effect, within))

    adjusted = holm([c[1].p_value for c in compared]) if compared else np.empty(0)
    gaps = tuple(
        GroupGap(
            group=group,
            comparison="rest" if reference is None else reference,
            difference=diff,
            effect=effect,
            p_holm=float(p_adj),
            within=within,
        )
        for (group, diff, effect, within), p_adj in zip(compared, adjusted, strict=True)
    )
    return SubgroupGaps(
        gaps=gaps, skipped=skipped, reference=reference, min_n=min_n, confidence=confidence
    )


@dataclass(frozen=True)
class LevelTrend(Result):
    """Level means along an ordered hierarchy and the linear-trend contrast.

    ``slope`` is the least-squares slope of the level means on the level's position in
    ``order`` (the average change per step up), with the pooled-variance (one-way ANOVA) SE,
    df = N − L, t CI and p. ``skipped`` holds levels of ``order`` below ``min_n``; ``other``
    holds the respondents whose level is not in ``order`` (e.g. support staff): level → n.
    ``steps`` are the Welch differences between adjacent levels (higher − lower) with
    Holm-adjusted p in ``steps_p_holm``. ``within`` is the within-team slope when teams were
    given.
    """

    levels: tuple[Any, ...]
    n: npt.NDArray[np.int64]
    mean: FloatArray
    sd: FloatArray
    weights: FloatArray
    slope: float
    se: float
    df: int
    t: float
    p_value: float
    ci_low: float
    ci_high: float
    skipped: dict[Any, str]
    other: dict[Any, int]
    steps: tuple[MeanDifference, ...]
    steps_p_holm: FloatArray
    within: WithinTeamSlope | None
    confidence: float


@dataclass(frozen=True)
class WithinTeamSlope(Result):
    """γ10 of y_ij = γ00 + γ10·position_ij + u_j + e_ij (REML): the change per level step
    among colleagues of the same team."""

    slope: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_teams: int


def ordered_level_trend(
    scores: Any,
    levels: Any,
    order: Sequence[Any],
    *,
    teams: Any = None,
    confidence: float = 0.95,
    min_n: int = 5,
) -> LevelTrend:
    """Means per ordered level (PhD, postdoc, assistant, associate, full professor) and a linear
    trend contrast.

    With level positions r_l in ``order`` and c_l = r_l − mean(r) over the levels that have at
    least ``min_n`` scores, the contrast ψ = Σ c_l ȳ_l is scaled to the slope b = ψ/Σ c_l², the
    unweighted least-squares slope of the level means on position. Its SE is
    √(MSW·Σ c_l²/n_l)/Σ c_l² with the pooled within-level variance MSW on N − L df (the classical
    one-way ANOVA contrast; e.g. Maxwell & Delaney 2004, ch. 6). Levels not in ``order`` (support
    staff) are reported separately and left out of the trend.

    Adjacent levels are also compared pairwise (Welch, :func:`mean_difference`) with Holm's
    adjustment over the steps. With ``teams``, the REML model y_ij = γ00 + γ10·r_ij + u_j + e_ij
    on the same respondents gives the within-team slope per step (respondent-weighted, unlike
    the unweighted slope of the level means).

    R: ``lm(y ~ 0 + level)`` then ``multcomp::glht(fit, linfct = t(c)/sum(c^2))``;
    ``nlme::lme(y ~ position, random = ~ 1 | team)``.

    Examples
    --------
    >>> scores = [3.0, 3.5, 4.0, 3.5, 4.0, 4.5, 4.0, 4.5, 5.0]
    >>> lv = ["phd"] * 3 + ["postdoc"] * 3 + ["prof"] * 3
    >>> res = ordered_level_trend(scores, lv, ["phd", "postdoc", "prof"], min_n=2)
    >>> res.mean.tolist(), round(res.slope, 3), res.df
    ([3.5, 4.0, 4.5], 0.5, 6)
    """
    confidence = check_confidence(confidence)
    if min_n < 2:
        raise ValueError(f"min_n must be at least 2; got {min_n}.")
    order = list(order)
    if len(set(order)) != len(order):
        raise ValueError("order lists a level more than once.")
    values = as_float_vector(scores, name="scores")
    codes, uniques = label_codes(levels, n_rows=values.shape[0], name="levels")
    keep = ~np.isnan(values) & (codes >= 0)
    team_codes = team_uniques = None
    if teams is not None:
        team_codes, team_uniques = label_codes(teams, n_rows=values.shape[0], name="teams")
        keep &= team_codes >= 0
        team_codes = team_codes[keep]
    values, codes = values[keep], codes[keep]
    where = {level: k for k, level in enumerate(order)}
    unique_position = np.array([where.get(u, -1) for u in uniques.tolist()], dtype=np.int64)
    position = unique_position[codes] if codes.size else codes
    n_unique = np.bincount(codes, minlength=uniques.shape[0])
    other = {
        uniques[k]: int(n_unique[k])
        for k in range(uniques.shape[0])
        if unique_position[k] < 0 and n_unique[k] > 0
    }
    in_order = position >= 0
    pos = position[in_order]
    vals = values[in_order]
    n_all = np.bincount(pos, minlength=len(order))
    skipped = {order[k]: "fewer_than_min_n" for k in range(len(order)) if n_all[k] < min_n}
    used = np.flatnonzero(n_all >= min_n)
    if used.shape[0] < 2:
        raise ValueError(f"a trend needs at least 2 levels with {min_n} or more scores.")
    sums = np.bincount(pos, weights=vals, minlength=len(order))[used]
    n = n_all[used]
    mean = sums / n
    row_level = np.full(len(order), -1)
    row_level[used] = np.arange(used.shape[0])
    mask = row_level[pos] >= 0
    dev = vals[mask] - mean[row_level[pos[mask]]]
    ss = np.bincount(row_level[pos[mask]], weights=dev * dev, minlength=used.shape[0])
    sd = np.sqrt(ss / (n - 1))
    c = used.astype(np.float64) - used.mean()
    sum_c2 = float(c @ c)
    weights = c / sum_c2
    N = int(n.sum())
    df = N - used.shape[0]
    msw = float(ss.sum()) / df
    slope = float(weights @ mean)
    se = float(np.sqrt(msw * np.sum(weights**2 / n)))
    crit = float(t_ppf(0.5 + confidence / 2.0, df))
    t = slope / se if se > 0 else float("nan")
    p = float(2.0 * t_sf(abs(t), df)) if se > 0 else float("nan")

    in_used = np.zeros(in_order.shape[0], dtype=bool)
    in_used[np.flatnonzero(in_order)[mask]] = True
    level_of_row = np.full(in_order.shape[0], -1)
    level_of_row[in_used] = row_level[pos[mask]]
    steps = tuple(
        _welch(
            int(n[k + 1]),
            int(n[k]),
            float(mean[k + 1]),
            float(mean[k]),
            float(sd[k + 1] ** 2),
            float(sd[k] ** 2),
            confidence,
        )
        for k in range(used.shape[0] - 1)
    )
    within = None
    if team_codes is not None and team_uniques is not None:
        team_groups = dense_groups(team_codes[in_used], team_uniques)
        if team_groups.n_groups >= 2:
            fit = fit_random_intercept(
                values[in_used],
                team_groups,
                covariates=used[level_of_row[in_used]].astype(np.float64),
                names=("position",),
                confidence=confidence,
            )
            k = fit.effect("position")
            within = WithinTeamSlope(
                slope=float(fit.coef[k]),
                se=float(fit.se[k]),
                ci_low=float(fit.ci_low[k]),
                ci_high=float(fit.ci_high[k]),
                p_value=float(fit.p_value[k]),
                n_teams=fit.n_groups,
            )
    return LevelTrend(
        levels=tuple(order[k] for k in used),
        n=n.astype(np.int64),
        mean=mean,
        sd=sd,
        weights=weights,
        slope=slope,
        se=se,
        df=df,
        t=float(t),
        p_value=p,
        ci_low=slope - crit * se,
        ci_high=slope + crit * se,
        skipped=skipped,
        other=other,
        steps=steps,
        steps_p_holm=holm([step.p_value for step in steps]),
        within=within,
        confidence=confidence,
    )
