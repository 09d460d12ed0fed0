"""Our engine on the benchmark data: the comparison figures and the full timed analysis.

Two entry points:

* :func:`engine_figures` computes exactly the figures :func:`baseline.baseline_figures` computes,
  with the engine's functions, so ``baseline.compare`` can check that both agree.
* :func:`full_analysis` runs the whole analysis the issue's performance requirement names
  (scores, reliability, agreement, ICC, dispersion, gaps, roll-up, disclosure control), stage by
  stage, and returns each stage's wall time and results.

A stage that raises is reported as failed, with its error, and the other stages still run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from baseline import ALL_FIGURES, Figures
from make_data import CUTOFF, HIGH, LOW, MIN_ITEMS, BenchData, ScaleSpec

__all__ = [
    "ALL_FIGURES",
    "Prepared",
    "StageTiming",
    "engine_figures",
    "engine_scores",
    "full_analysis",
    "scored",
]

FloatArray = npt.NDArray[np.float64]


@dataclass
class Scored:
    """The engine's scale scores and reverse-keyed item matrices, one per scale."""

    scores: dict[str, FloatArray] = field(default_factory=dict)
    keyed: dict[str, FloatArray] = field(default_factory=dict)


def scored(data: BenchData, scales: Iterable[ScaleSpec] | None = None) -> Scored:
    """Reverse-key every scale's items and compute the person scale scores with the engine."""
    from vrijuit.stats.scoring import reverse_key, scale_scores

    out = Scored()
    for scale in scales if scales is not None else data.scales:
        items = data.items(scale)
        flip = np.asarray(scale.reverse)
        items[:, flip] = reverse_key(items[:, flip], low=LOW, high=HIGH)
        out.keyed[scale.id] = items
        out.scores[scale.id] = scale_scores(
            items, reverse=None, low=LOW, high=HIGH, min_items=MIN_ITEMS
        ).scores
    return out


def _series(labels: Any, values: Any) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=np.float64), index=pd.Index(labels).astype(str))


@dataclass
class Prepared:
    """What every figure group starts from: the team grouping and the scored scales."""

    groups: Any
    scored: Scored


def engine_scores(data: BenchData) -> Prepared:
    """Group the respondents by team once and score every scale with the engine."""
    from vrijuit.stats.groups import Groups

    groups = Groups.from_labels(data.responses["team"].to_numpy(dtype=object))
    return Prepared(groups=groups, scored=scored(data))


def engine_figures(
    data: BenchData,
    *,
    include: Iterable[str] = ALL_FIGURES,
    prepared: Prepared | None = None,
) -> Figures:
    """The figures of ``baseline.baseline_figures``, computed with the engine.

    ``prepared`` (from :func:`engine_scores`) lets the scoring be timed on its own.
    """
    parts = set(include)
    prepared = prepared if prepared is not None else engine_scores(data)
    groups, result = prepared.groups, prepared.scored
    figures: Figures = {}
    for scale in data.scales:
        score, keyed, prefix = result.scores[scale.id], result.keyed[scale.id], scale.id
        if "scores" in parts:
            figures[f"{prefix}.score"] = _series(np.arange(score.shape[0]), score)
        if "alpha" in parts:
            from vrijuit.stats.reliability import cronbach_alpha

            figures[f"{prefix}.alpha"] = cronbach_alpha(keyed).alpha
        if "teams" in parts:
            from vrijuit.stats.dispersion import share_below, team_spread

            spread = team_spread(score, groups)
            below = share_below(score, groups, cutoff=CUTOFF)
            figures[f"{prefix}.team.n"] = _series(spread.labels, spread.n)
            figures[f"{prefix}.team.mean"] = _series(spread.labels, spread.mean)
            figures[f"{prefix}.team.sd"] = _series(spread.labels, spread.sd)
            figures[f"{prefix}.team.share_below"] = _series(below.labels, below.share)
        if "agreement" in parts:
            from vrijuit.stats.agreement import average_deviation, awg, null_variance, rwg_j

            uniform = null_variance(HIGH - LOW + 1)
            rwg = rwg_j(keyed, groups, null_variance=uniform)
            a_wg = awg(keyed, groups, low=LOW, high=HIGH)
            ad = average_deviation(keyed, groups)
            figures[f"{prefix}.team.rwg_j"] = _series(rwg.labels, rwg.values)
            figures[f"{prefix}.team.awg"] = _series(a_wg.labels, a_wg.values)
            figures[f"{prefix}.team.ad"] = _series(ad.labels, ad.values)
        if "icc" in parts:
            from vrijuit.stats.icc import icc_anova

            icc = icc_anova(score, groups)
            figures[f"{prefix}.icc1"] = icc.icc1
            figures[f"{prefix}.icc2"] = icc.icc2
    if "rollup" in parts:
        figures.update(_rollup_figures(data, result))
    if "gaps" in parts:
        figures.update(_gap_figures(data, result))
    return figures


def _rollup_figures(data: BenchData, result: Scored) -> Figures:
    from vrijuit.stats.rollup import UnitTree, rollup

    tree = UnitTree.from_frame(data.units, unit="unit_id", parent="parent_id")
    teams = data.responses["team"].to_numpy(dtype=object)
    figures: Figures = {}
    for scale_id, score in result.scores.items():
        node = rollup(score, teams, tree, cutoff=CUTOFF)
        labels = node.units
        figures[f"{scale_id}.node.n"] = _series(labels, node.n)
        figures[f"{scale_id}.node.mean"] = _series(labels, node.mean)
        figures[f"{scale_id}.node.sd"] = _series(labels, node.sd)
        figures[f"{scale_id}.node.share_below"] = _series(labels, node.share_below)
    return figures


def _gap_figures(data: BenchData, result: Scored) -> Figures:
    from vrijuit.stats.gaps import subgroup_gaps

    gender = data.responses["gender"].to_numpy(dtype=object)
    figures: Figures = {}
    for scale_id, score in result.scores.items():
        gaps = subgroup_gaps(score, gender, min_n=2)
        labels = [gap.group for gap in gaps.gaps]
        columns = {
            "difference": [gap.difference.difference for gap in gaps.gaps],
            "ci_low": [gap.difference.ci_low for gap in gaps.gaps],
            "ci_high": [gap.difference.ci_high for gap in gaps.gaps],
            "p": [gap.difference.p_value for gap in gaps.gaps],
            "g": [gap.effect.g for gap in gaps.gaps],
            "p_holm": [gap.p_holm for gap in gaps.gaps],
        }
        for column, values in columns.items():
            figures[f"{scale_id}.gap.{column}"] = _series(labels, values)
    return figures


# --- the full analysis, stage by stage -----------------------------------------------------


@dataclass
class StageTiming:
    """One stage of the full analysis: its wall time, or why it did not run."""

    name: str
    seconds: float = float("nan")
    status: str = "ok"  # "ok" or "failed"
    detail: str = ""


@dataclass
class _Context:
    data: BenchData
    groups: Any = None
    result: Scored | None = None
    tree: Any = None
    outputs: dict[str, Any] = field(default_factory=dict)


def _stage_grouping(ctx: _Context) -> str:
    from vrijuit.stats.groups import Groups

    ctx.groups = Groups.from_labels(ctx.data.responses["team"].to_numpy(dtype=object))
    return f"{ctx.groups.n_groups} teams"


def _stage_scores(ctx: _Context) -> str:
    ctx.result = scored(ctx.data)
    return f"{len(ctx.result.scores)} scales"


def _stage_reliability(ctx: _Context) -> str:
    from vrijuit.stats import reliability

    assert ctx.result is not None
    for scale_id, keyed in ctx.result.keyed.items():
        # One covariance pass per scale, shared by the three coefficients (as build_report).
        moments = reliability.item_covariance(keyed)
        ctx.outputs[f"{scale_id}.alpha"] = reliability.cronbach_alpha(moments)
        ctx.outputs[f"{scale_id}.omega"] = reliability.mcdonald_omega(moments)
        ctx.outputs[f"{scale_id}.item_rest"] = reliability.item_rest_correlations(moments)
    return "alpha, omega, item-rest per scale (one shared item covariance each)"


def _stage_agreement(ctx: _Context) -> str:
    from vrijuit.stats import agreement

    assert ctx.result is not None
    uniform = agreement.null_variance(HIGH - LOW + 1)
    for scale_id, keyed in ctx.result.keyed.items():
        # One team × item × answer count table per scale, shared by the four indices (as
        # build_report does).
        counts = agreement.team_item_counts(keyed, ctx.groups, low=LOW, high=HIGH)
        ctx.outputs[f"{scale_id}.rwg_j"] = agreement.rwg_j(
            keyed, ctx.groups, null_variance=uniform, counts=counts
        )
        ctx.outputs[f"{scale_id}.rwg_j_lindell"] = agreement.rwg_j_lindell(
            keyed, ctx.groups, null_variance=uniform, counts=counts
        )
        ctx.outputs[f"{scale_id}.awg"] = agreement.awg(
            keyed, ctx.groups, low=LOW, high=HIGH, counts=counts
        )
        ctx.outputs[f"{scale_id}.ad"] = agreement.average_deviation(
            keyed, ctx.groups, counts=counts
        )
    return "rwg(J), r*wg(J), a_wg, AD per scale (one shared answer count table each)"


def _stage_icc(ctx: _Context) -> str:
    from vrijuit.stats import icc

    assert ctx.result is not None
    for scale_id, score in ctx.result.scores.items():
        # One pass over the respondents per scale, shared by the three (as build_report does).
        sums = icc.team_sums(score, ctx.groups)
        ctx.outputs[f"{scale_id}.icc"] = icc.icc_anova(score, ctx.groups, sums=sums)
        fit = icc.icc_reml(score, ctx.groups, sums=sums)
        ctx.outputs[f"{scale_id}.icc_reml"] = fit
        ctx.outputs[f"{scale_id}.shrunken"] = icc.shrunken_means(
            score, ctx.groups, fit=fit, sums=sums
        )
    return "ANOVA + REML ICC, shrunken means per scale (one shared set of team sums)"


def _stage_dispersion(ctx: _Context) -> str:
    from vrijuit.stats import agreement, dispersion

    assert ctx.result is not None
    uniform = agreement.null_variance(HIGH - LOW + 1)
    for scale_id, score in ctx.result.scores.items():
        ctx.outputs[f"{scale_id}.spread"] = dispersion.team_spread(score, ctx.groups)
        ctx.outputs[f"{scale_id}.below"] = dispersion.share_below(score, ctx.groups, cutoff=CUTOFF)
        icc1 = ctx.outputs[f"{scale_id}.icc"].icc1 if f"{scale_id}.icc" in ctx.outputs else 0.1
        ctx.outputs[f"{scale_id}.overall_below"] = dispersion.overall_share_below(
            score, ctx.groups, cutoff=CUTOFF, icc1=icc1
        )
        ctx.outputs[f"{scale_id}.polarisation"] = dispersion.polarisation(
            score, ctx.groups, cutoff=CUTOFF, null_variance=uniform
        )
    return "mean/SD, share below (Wilson), overall share, polarisation per scale"


def _stage_gaps(ctx: _Context) -> str:
    from vrijuit.stats import gaps

    assert ctx.result is not None
    responses = ctx.data.responses
    headline = next(iter(ctx.result.scores))
    # The team Groups of the grouping stage is reused, and the attribute columns are passed as
    # pandas columns (factorised as such, several times faster than an object array).
    gender = responses["gender"]
    for scale_id, score in ctx.result.scores.items():
        # The within-team (REML) gap for the headline scale, raw gaps for the others.
        ctx.outputs[f"{scale_id}.gender_gaps"] = gaps.subgroup_gaps(
            score,
            gender,
            teams=ctx.groups if scale_id == headline else None,
        )
    if hasattr(gaps, "ordered_level_trend"):
        levels = responses["position"]
        order = ["phd", "postdoc", "assistant", "associate", "full"]
        ctx.outputs["levels"] = gaps.ordered_level_trend(ctx.result.scores[headline], levels, order)
    return "gender gaps per scale (within-team REML for the headline), level trend"


def _stage_rollup(ctx: _Context) -> str:
    from vrijuit.stats.rollup import UnitTree, rollup

    assert ctx.result is not None
    ctx.tree = UnitTree.from_frame(ctx.data.units, unit="unit_id", parent="parent_id")
    for scale_id, score in ctx.result.scores.items():
        # The team Groups of the grouping stage: the labels are factorised once, not per scale.
        ctx.outputs[f"{scale_id}.rollup"] = rollup(score, ctx.groups, ctx.tree, cutoff=CUTOFF)
    return f"{len(ctx.data.units)} nodes per scale"


def _stage_disclosure(ctx: _Context) -> str:
    from vrijuit.stats import disclosure

    responses = ctx.data.responses
    units = ctx.data.units
    parents = {
        unit: parent if isinstance(parent, str) else None
        for unit, parent in zip(units["unit_id"], units["parent_id"], strict=True)
    }
    lattice = disclosure.cells_for_report(
        responses["team"].to_numpy(dtype=object),
        parents,
        {
            "gender": responses["gender"].to_numpy(dtype=object),
            "position": responses["position"].to_numpy(dtype=object),
        },
    )
    plan = disclosure.plan_disclosure(lattice)
    ctx.outputs["disclosure"] = plan
    return f"{len(plan.shown)} cells shown, {len(plan.suppressed)} suppressed ({plan.method})"


STAGES: tuple[tuple[str, Callable[[_Context], str]], ...] = (
    ("grouping", _stage_grouping),
    ("scores", _stage_scores),
    ("reliability", _stage_reliability),
    ("agreement", _stage_agreement),
    ("icc", _stage_icc),
    ("dispersion", _stage_dispersion),
    ("gaps", _stage_gaps),
    ("rollup", _stage_rollup),
    ("disclosure", _stage_disclosure),
)


def full_analysis(data: BenchData) -> tuple[list[StageTiming], dict[str, Any]]:
    """Run every stage of the analysis; a failing stage is reported and the others still run."""
    ctx = _Context(data=data)
    timings = []
    for name, stage in STAGES:
        timing = StageTiming(name)
        start = time.perf_counter()
        try:
            timing.detail = stage(ctx)
            timing.seconds = time.perf_counter() - start
        except Exception as error:  # a benchmark reports a failing stage and goes on
            timing.status = "failed"
            timing.detail = f"{type(error).__name__}: {error}"
        timings.append(timing)
    return timings, ctx.outputs
