"""The straightforward way an analyst computes the same statistics: pandas groupby-apply per team.

This is the comparison point of the benchmark (the issue asks the engine to be at least 50 times
faster on the same data in the same run) and a second, independent implementation of the same
conventions (``compare`` checks that both give the same numbers). It is deliberately written the
way a careful analyst would write it in a notebook — readable, correct, one team at a time:

* scale scores: reverse-key with the declared bounds, mean of the answered items when at least
  ``MIN_ITEMS`` were answered;
* Cronbach's alpha per scale: ``pingouin.cronbach_alpha`` (pairwise covariances);
* per team, with ``groupby(...).apply``: n, mean, SD, share strictly below the cut-off of the
  scale score; rwg(J) (uniform null, truncated, pairwise item variances, team size counted as
  all rows — ``multilevel::rwg.j`` 2.8); a_wg (listwise, items with an inadmissible mean dropped
  — ``multilevel::awg``); AD around the mean (listwise, divisor n — ``multilevel::ad.m``);
* ICC(1)/ICC(2) from a one-way ANOVA computed with groupby (k = N/J, ``multilevel::ICC1``);
* roll-up along the unit tree by filtering the respondents of each node's subtree;
* subgroup gaps (each gender vs the rest): Welch's t-test from scipy, Hedges' g from pingouin,
  Holm-adjusted p-values from pingouin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pingouin
from scipy import stats

from make_data import CUTOFF, HIGH, LOW, MIN_ITEMS, BenchData, ScaleSpec

__all__ = ["ALL_FIGURES", "Figures", "Scored", "baseline_figures", "baseline_scores", "compare"]

# The groups of figures both sides compute; "scores" are the person scale scores themselves.
ALL_FIGURES = ("scores", "alpha", "teams", "agreement", "icc", "rollup", "gaps")

# Every figure is either one number or a Series indexed by team, node or group label.
Figures = dict[str, Any]

UNIFORM_NULL = (HIGH - LOW + 1) ** 2 - 1
UNIFORM_NULL_VARIANCE = UNIFORM_NULL / 12.0


def keyed_items(data: BenchData, scale: ScaleSpec) -> pd.DataFrame:
    """The scale's items with reverse-keyed items flipped: x' = (L + H) − x."""
    block = data.responses[list(scale.items)].astype(float)
    for item, reverse in zip(scale.items, scale.reverse, strict=True):
        if reverse:
            block[item] = (LOW + HIGH) - block[item]
    return block


def scale_score(keyed: pd.DataFrame) -> pd.Series:
    """Mean of the answered items, missing when fewer than MIN_ITEMS were answered."""
    return keyed.mean(axis=1).where(keyed.count(axis=1) >= MIN_ITEMS)


def team_spread(scores: pd.Series) -> pd.Series:
    answered = scores.dropna()
    n = len(answered)
    return pd.Series(
        {
            "n": float(n),
            "mean": answered.mean() if n else np.nan,
            "sd": answered.std(ddof=1) if n > 1 else np.nan,
            "share_below": (answered < CUTOFF).mean() if n else np.nan,
        }
    )


def team_rwg_j(block: pd.DataFrame) -> float:
    if len(block) < 2:
        return np.nan
    # R's mean() without na.rm: an item with fewer than two answers makes the team's rwg(J) NA.
    mean_variance = block.var(ddof=1).mean(skipna=False)
    if np.isnan(mean_variance):
        return np.nan
    ratio = min(mean_variance, UNIFORM_NULL_VARIANCE) / UNIFORM_NULL_VARIANCE
    K = block.shape[1]
    return K * (1 - ratio) / (K * (1 - ratio) + ratio)


def team_awg(block: pd.DataFrame) -> float:
    complete = block.dropna()
    k = len(complete)
    if k < 2:
        return np.nan
    values = []
    for item in complete.columns:
        M = complete[item].mean()
        variance = complete[item].var(ddof=1)
        if M in (LOW, HIGH):
            values.append(1.0)
        elif (LOW * (k - 1) + HIGH) / k <= M <= (HIGH * (k - 1) + LOW) / k:
            maximum = ((HIGH + LOW) * M - M**2 - HIGH * LOW) * k / (k - 1)
            values.append(1 - 2 * variance / maximum)
        else:
            values.append(np.nan)
    return float(np.nanmean(values)) if not np.all(np.isnan(values)) else np.nan


def team_average_deviation(block: pd.DataFrame) -> float:
    complete = block.dropna()
    if len(complete) < 2:
        return np.nan
    return float((complete - complete.mean()).abs().mean().mean())


def anova_icc(scores: pd.Series, teams: pd.Series) -> tuple[float, float]:
    frame = pd.DataFrame({"y": scores, "team": teams}).dropna()
    grouped = frame.groupby("team")["y"]
    n_j = grouped.size()
    mean_j = grouped.mean()
    N, J = len(frame), len(n_j)
    grand = frame["y"].mean()
    msb = float((n_j * (mean_j - grand) ** 2).sum() / (J - 1))
    msw = float(((frame["y"] - grouped.transform("mean")) ** 2).sum() / (N - J))
    k = N / J
    return (msb - msw) / (msb + (k - 1) * msw), (msb - msw) / msb


def _subtree_teams(units: pd.DataFrame) -> dict[str, list[str]]:
    """For every node, the list of units in its subtree (itself included)."""
    children: dict[str, list[str]] = {}
    for unit, parent in zip(units["unit_id"], units["parent_id"], strict=True):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(unit)

    def collect(node: str) -> list[str]:
        found = [node]
        for child in children.get(node, []):
            found.extend(collect(child))
        return found

    return {unit: collect(unit) for unit in units["unit_id"]}


@dataclass
class Scored:
    """The reverse-keyed item frames and person scale scores, one per scale."""

    keyed: dict[str, pd.DataFrame]
    scores: dict[str, pd.Series]


def baseline_scores(data: BenchData, scales: Iterable[ScaleSpec] | None = None) -> Scored:
    """Reverse-key and score every scale the straightforward way."""
    keyed = {scale.id: keyed_items(data, scale) for scale in scales or data.scales}
    return Scored(keyed=keyed, scores={key: scale_score(frame) for key, frame in keyed.items()})


def baseline_figures(
    data: BenchData,
    *,
    include: Iterable[str] = ALL_FIGURES,
    scored: Scored | None = None,
) -> Figures:
    """Every figure of the comparison, computed the straightforward way.

    ``scored`` (from :func:`baseline_scores`) lets the scoring be timed on its own.
    """
    parts = set(include)
    scored = scored if scored is not None else baseline_scores(data)
    responses = data.responses
    teams = responses["team"]
    figures: Figures = {}
    for prefix, keyed in scored.keyed.items():
        score = scored.scores[prefix]
        if "scores" in parts:
            figures[f"{prefix}.score"] = score.set_axis(score.index.astype(str))
        if "alpha" in parts:
            figures[f"{prefix}.alpha"] = float(pingouin.cronbach_alpha(data=keyed)[0])
        if "teams" in parts:
            spread = score.groupby(teams).apply(team_spread).unstack()
            for column in ("n", "mean", "sd", "share_below"):
                figures[f"{prefix}.team.{column}"] = spread[column].astype(float)
        if "agreement" in parts:
            by_team = keyed.groupby(teams)
            figures[f"{prefix}.team.rwg_j"] = by_team.apply(team_rwg_j).astype(float)
            figures[f"{prefix}.team.awg"] = by_team.apply(team_awg).astype(float)
            figures[f"{prefix}.team.ad"] = by_team.apply(team_average_deviation).astype(float)
        if "icc" in parts:
            icc1, icc2 = anova_icc(score, teams)
            figures[f"{prefix}.icc1"] = icc1
            figures[f"{prefix}.icc2"] = icc2
    if "rollup" in parts:
        figures.update(_rollup(data, scored.scores))
    if "gaps" in parts:
        figures.update(_gaps(responses["gender"], scored.scores))
    return figures


def _rollup(data: BenchData, scores: Mapping[str, pd.Series]) -> Figures:
    frame = pd.DataFrame(scores)
    frame["team"] = data.responses["team"]
    rows = {}
    for node, members in _subtree_teams(data.units).items():
        subset = frame[frame["team"].isin(members)]
        row = {}
        for scale_id in scores:
            answered = subset[scale_id].dropna()
            n = len(answered)
            row[f"{scale_id}.n"] = float(n)
            row[f"{scale_id}.mean"] = answered.mean() if n else np.nan
            row[f"{scale_id}.sd"] = answered.std(ddof=1) if n > 1 else np.nan
            row[f"{scale_id}.share_below"] = (answered < CUTOFF).mean() if n else np.nan
        rows[node] = row
    table = pd.DataFrame.from_dict(rows, orient="index").sort_index()
    return {
        f"{column.split('.')[0]}.node.{column.split('.')[1]}": table[column].astype(float)
        for column in table.columns
    }


def _gaps(attribute: pd.Series, scores: Mapping[str, pd.Series]) -> Figures:
    figures: Figures = {}
    for scale_id, score in scores.items():
        rows = {}
        for value in sorted(attribute.dropna().unique()):
            inside = score[attribute == value].dropna()
            outside = score[attribute != value].dropna()
            test = stats.ttest_ind(inside, outside, equal_var=False)
            interval = test.confidence_interval(0.95)
            rows[value] = {
                "difference": inside.mean() - outside.mean(),
                "ci_low": interval.low,
                "ci_high": interval.high,
                "p": test.pvalue,
                # pingouin's g uses the approximate J; we use the exact J (statistics.md 1.6).
                "g": pingouin.compute_effsize(inside, outside, eftype="cohen")
                * hedges_exact_j(len(inside) + len(outside) - 2),
            }
        table = pd.DataFrame.from_dict(rows, orient="index").sort_index()
        _, table["p_holm"] = pingouin.multicomp(table["p"].to_numpy(), method="holm")
        for column in table.columns:
            figures[f"{scale_id}.gap.{column}"] = table[column].astype(float)
    return figures


def compare(ours: Figures, theirs: Figures, *, rtol: float = 1e-7, atol: float = 1e-9) -> list[str]:
    """Every difference between two sets of figures, as readable lines (empty when they agree).

    Series are compared on their labels (both must have the same labels); NaN equals NaN.
    """
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        if key not in ours or key not in theirs:
            problems.append(f"{key}: only in {'ours' if key in ours else 'the baseline'}")
            continue
        a, b = ours[key], theirs[key]
        if isinstance(a, pd.Series) or isinstance(b, pd.Series):
            a, b = pd.Series(a), pd.Series(b)
            a.index, b.index = a.index.astype(str), b.index.astype(str)
            if sorted(a.index) != sorted(b.index):
                extra = sorted(set(a.index) ^ set(b.index))[:5]
                problems.append(f"{key}: labels differ (e.g. {extra})")
                continue
            left = a.sort_index().to_numpy(dtype=float)
            right = b.sort_index().to_numpy(dtype=float)
            labels = a.sort_index().index
        else:
            left = np.atleast_1d(np.asarray(a, dtype=float))
            right = np.atleast_1d(np.asarray(b, dtype=float))
            labels = pd.Index(["(value)"])
        close = np.isclose(left, right, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            bad = int(np.flatnonzero(~close)[0])
            problems.append(
                f"{key}: {int((~close).sum())} of {close.size} differ, first at {labels[bad]}: "
                f"ours {float(left[bad])!r}, baseline {float(right[bad])!r}"
            )
    return problems


def hedges_exact_j(df: float) -> float:
    """Hedges' exact small-sample correction J(df) (for tests of the pingouin approximation)."""
    return math.exp(math.lgamma(df / 2) - math.lgamma((df - 1) / 2)) / math.sqrt(df / 2)
