"""Change between survey waves: per-team change with a Welch interval and the expected
regression to the mean, and the organisation's trend over several waves.

Waves are independent cross-sections (anonymous surveys have no panel id), so a team's change
compares two independent samples (statistics.md §1.7). All team statistics are vectorised with
``np.bincount`` over team codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.stats._distributions import t_ppf
from vrijuit.stats._labels import dense_groups, label_codes
from vrijuit.stats._validation import as_float_vector, check_confidence
from vrijuit.stats.icc import icc_reml
from vrijuit.stats.mixed import fit_random_intercept
from vrijuit.stats.results import Result

__all__ = ["TeamChange", "WaveTrend", "team_change", "wave_trend"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TeamChange(Result):
    """Per-team change from one wave to the next (one entry per team seen in either wave).

    Attributes
    ----------
    labels
        Team labels, sorted; the union of both waves.
    n_before, n_after, mean_before, mean_after, sd_before, sd_after
        Team size, mean and SD (n − 1) per wave; NaN mean for a team absent in a wave.
    difference
        mean_after − mean_before.
    se, df, ci_low, ci_high
        Welch standard error, Welch–Satterthwaite df and CI (NaN when a wave has < 2 scores).
    d
        Cohen's d of the change, difference / pooled SD of the two waves.
    reliability_before
        λ_j = τ²/(τ² + σ²/n_j) of the team mean in the first wave (REML on the first wave).
    expected_regression
        (1 − λ_j)(μ̂ − ȳ_j): the change expected from regression to the mean alone, with μ̂
        the first wave's REML grand mean. Compare it with ``difference`` for teams that were
        flagged because they scored low.
    """

    labels: npt.NDArray[Any]
    n_before: IntArray
    n_after: IntArray
    mean_before: FloatArray
    mean_after: FloatArray
    sd_before: FloatArray
    sd_after: FloatArray
    difference: FloatArray
    se: FloatArray
    df: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    d: FloatArray
    reliability_before: FloatArray
    expected_regression: FloatArray
    grand_mean_before: float
    confidence: float


def _wave_sums(
    scores: FloatArray, codes: IntArray, n_teams: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """n, mean and within-team sum of squares per team (two-pass, no cancellation)."""
    n = np.bincount(codes, minlength=n_teams).astype(np.float64)
    total = np.bincount(codes, weights=scores, minlength=n_teams)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
    dev = scores - mean[codes]
    ss = np.bincount(codes, weights=dev * dev, minlength=n_teams).astype(np.float64)
    return n, np.asarray(mean, dtype=np.float64), ss


def _clean(scores: Any, teams: Any, name: str) -> tuple[FloatArray, IntArray, npt.NDArray[Any]]:
    """Scores with a score and a team: values, team codes, and the distinct team labels."""
    values = as_float_vector(scores, name=name)
    codes, uniques = label_codes(teams, n_rows=values.shape[0], name=f"the teams of {name}")
    keep = ~np.isnan(values) & (codes >= 0)
    return values[keep], codes[keep], uniques


def team_change(
    scores_before: Any,
    teams_before: Any,
    scores_after: Any,
    teams_after: Any,
    *,
    confidence: float = 0.95,
) -> TeamChange:
    """Each team's change between two waves of independent respondents.

    Δ_j = ȳ_j,after − ȳ_j,before; SE_j = √(s²_before/n_before + s²_after/n_after) with the
    Welch–Satterthwaite df and a t interval (Welch 1947); d_j = Δ_j / s_pooled,j (Cohen 1988).

    Regression to the mean (Raudenbush & Bryk 2002; statistics.md §1.7): a team that scored low
    in the first wave is expected to move (1 − λ_j)(μ̂ − ȳ_j) towards the mean without any
    intervention, λ_j being the reliability of its first-wave mean from the REML random-intercept
    model. The result reports this expected move; evaluate interventions against it, or better,
    against comparison teams.

    R, for one team: ``t.test(after, before)``.

    Examples
    --------
    >>> res = team_change([3.0, 3.5, 4.0, 2.0, 2.5, 3.0], list("aaabbb"),
    ...                   [3.5, 4.0, 4.5, 3.0, 3.0, 3.5], list("aaabbb"))
    >>> res.labels.tolist(), res.difference.round(3).tolist()
    (['a', 'b'], [0.5, 0.667])
    >>> res.ci_low.round(3).tolist()
    [-0.633, -0.358]
    """
    confidence = check_confidence(confidence)
    before, raw_before, uniques_before = _clean(scores_before, teams_before, "scores_before")
    after, raw_after, uniques_after = _clean(scores_after, teams_after, "scores_after")
    labels = pd.Index(uniques_before).union(pd.Index(uniques_after), sort=False).sort_values()
    n_teams = len(labels)
    codes_before = labels.get_indexer(pd.Index(uniques_before))[raw_before].astype(np.int64)
    codes_after = labels.get_indexer(pd.Index(uniques_after))[raw_after].astype(np.int64)
    n1, m1, ss1 = _wave_sums(before, codes_before, n_teams)
    n2, m2, ss2 = _wave_sums(after, codes_after, n_teams)

    with np.errstate(invalid="ignore", divide="ignore"):
        v1 = np.where(n1 > 1, ss1 / (n1 - 1), np.nan)
        v2 = np.where(n2 > 1, ss2 / (n2 - 1), np.nan)
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        difference = m2 - m1
        # With two constant waves there is no sampling variance: the interval is the point.
        crit = np.where(se > 0, t_ppf(0.5 + confidence / 2.0, df), 0.0)
        df = np.where(se > 0, df, np.nan)
        pooled = np.sqrt((ss1 + ss2) / (n1 + n2 - 2))
        d = np.where(pooled > 0, difference / pooled, np.nan)

    reliability = np.full(n_teams, np.nan)
    grand_mean = float("nan")
    try:
        fit = icc_reml(before, dense_groups(codes_before, np.asarray(labels, dtype=object)))
    except ValueError:  # one member per team, or no variance: λ_j is not identified
        fit = None
    if fit is not None:
        position = labels.get_indexer(pd.Index(fit.labels))
        reliability[position] = fit.team_reliability
        grand_mean = fit.mu
    expected = (1.0 - reliability) * (grand_mean - m1)

    return TeamChange(
        labels=np.asarray(labels),
        n_before=n1.astype(np.int64),
        n_after=n2.astype(np.int64),
        mean_before=m1,
        mean_after=m2,
        sd_before=np.sqrt(v1),
        sd_after=np.sqrt(v2),
        difference=difference,
        se=se,
        df=df,
        ci_low=difference - crit * se,
        ci_high=difference + crit * se,
        d=d,
        reliability_before=reliability,
        expected_regression=expected,
        grand_mean_before=grand_mean,
        confidence=confidence,
    )


@dataclass(frozen=True)
class WaveTrend(Result):
    """The organisation's linear trend over waves.

    ``slope`` is the change per unit of wave (per year when waves are years) from the GLS/REML
    fit described in :func:`wave_trend`; ``waves``, ``n`` and ``mean`` describe each wave
    (respondent-weighted means).
    """

    waves: FloatArray
    n: IntArray
    mean: FloatArray
    slope: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    intercept: float
    tau2: float
    sigma2: float
    n_cells: int
    confidence: float


def wave_trend(scores: Any, waves: Any, teams: Any, *, confidence: float = 0.95) -> WaveTrend:
    """The organisation trend over survey waves: a random-intercept model with wave as a fixed
    effect, y_ijt = β0 + β1·wave_t + u_jt + e_ijt, fitted by REML over team × wave cells.

    Because wave is constant within a cell, the GLS estimate of β1 equals the weighted least
    squares regression of the cell (team-wave) means on wave with weights 1/(τ² + σ²/n_jt)
    (statistics.md §1.7), with τ², σ² estimated by REML; the SE is the GLS one, √(X'V⁻¹X)⁻¹,
    and the CI is normal. Cells are treated as independent: a team's persistent level across
    waves is not modelled, which usually makes the SE conservative when the same teams take part
    every wave. Waves must be numeric (e.g. 2024, 2026 or 1, 2, 3); at least two are needed.

    R: ``nlme::lme(y ~ wave, random = ~ 1 | cell)``, ``cell = interaction(team, wave)``.

    Examples
    --------
    >>> res = wave_trend([3.0, 3.4, 3.2, 3.6, 3.5, 3.9, 3.7, 4.1],
    ...                  [1, 1, 1, 1, 2, 2, 2, 2], list("aabbaabb"))
    >>> res.mean.round(2).tolist(), round(res.slope, 3)
    ([3.3, 3.8], 0.5)
    """
    confidence = check_confidence(confidence)
    values = as_float_vector(scores, name="scores")
    try:
        wave = as_float_vector(waves, name="waves")
    except (TypeError, ValueError):
        raise ValueError("waves must be numeric, e.g. years or 1, 2, 3.") from None
    if values.shape != wave.shape:
        raise ValueError("scores, waves and teams must have the same length.")
    team_codes, _ = label_codes(teams, n_rows=values.shape[0], name="teams")
    keep = ~np.isnan(values) & ~np.isnan(wave) & (team_codes >= 0)
    values, wave, team_codes = values[keep], wave[keep], team_codes[keep]
    wave_values, wave_codes = np.unique(wave, return_inverse=True)
    if wave_values.shape[0] < 2:
        raise ValueError(f"a trend needs at least 2 waves; got {wave_values.shape[0]}.")
    cell_codes = team_codes * wave_values.shape[0] + wave_codes
    cells = dense_groups(cell_codes, np.arange(int(cell_codes.max()) + 1))
    fit = fit_random_intercept(
        values, cells, covariates=wave, names=("wave",), confidence=confidence
    )
    k = fit.effect("wave")
    n = np.bincount(wave_codes, minlength=wave_values.shape[0])
    mean = np.bincount(wave_codes, weights=values, minlength=wave_values.shape[0]) / n
    return WaveTrend(
        waves=wave_values,
        n=n.astype(np.int64),
        mean=mean,
        slope=float(fit.coef[k]),
        se=float(fit.se[k]),
        ci_low=float(fit.ci_low[k]),
        ci_high=float(fit.ci_high[k]),
        p_value=float(fit.p_value[k]),
        intercept=float(fit.coef[0]),
        tau2=fit.tau2,
        sigma2=fit.sigma2,
        n_cells=fit.n_groups,
        confidence=confidence,
    )
