"""Assemble a :class:`~vrijuit.stats.report_model.Report` from survey responses.

``build_report`` scores the responses, builds the lattice of report *cells* (every unit with its
sub-units; the organisation × each value of a ``by`` attribute; earlier survey waves), asks
:func:`vrijuit.stats.disclosure.plan_disclosure` which cells may be shown, and only then
computes and keeps numbers for the shown cells. Disclosure is the only door: every section reads
the :class:`_Door` and a cell that is not in ``shown`` contributes nothing but a line in
``Report.suppressed`` (its reason, never a number about its people).

Statistics come from the engine modules (scoring, reliability, agreement, icc, dispersion, gaps,
unit_gaps, trend, leaders); a statistic that cannot be computed on valid data (zero variance,
one team, too few people) is left out with a note saying why, instead of breaking the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from vrijuit.i18n import translate
from vrijuit.stats import (
    ENGINE_VERSION,
    _cells,
    _span,
    agreement,
    disclosure,
    dispersion,
    icc,
    leaders,
    reliability,
    scoring,
    trend,
    unit_gaps,
)
from vrijuit.stats import gaps as gap_stats
from vrijuit.stats._labels import dense_groups, text_categorical, text_codes
from vrijuit.stats.disclosure import band
from vrijuit.stats.groups import Groups
from vrijuit.stats.instruments import Instrument, Scale
from vrijuit.stats.report_model import (
    SCHEMA_VERSION,
    AgreementSummary,
    Distribution,
    FlaggedTeam,
    Gap,
    GapSection,
    IccSummary,
    IncidentBlock,
    ItemDistribution,
    LeaderRelation,
    LevelMean,
    LevelTrend,
    Note,
    OrganisationScale,
    Reliability,
    Report,
    ScaleInfo,
    SectorFigure,
    Share,
    Suppression,
    Text,
    UnitGapTable,
    UnitScaleColumns,
    UnitTable,
    WavePoint,
    WaveSlope,
)

__all__ = ["ORGANISATION_CELL", "Progress", "build_report", "sector_figure"]

Progress = Callable[[str, int, int], None]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ORGANISATION_CELL = "unit:__organisation__"
ORGANISATION_ID = "__organisation__"
HISTOGRAM_BINS = 8
MIN_TEAMS_FOR_LEADER_RELATION = 10
# Unit × value cells go through the exact audit only up to this many atoms (membership
# patterns of the candidate cells); beyond it they are hidden unheard, with a note. Measured on
# bench data (unit × gender and × position cells, one run each on a shared 2-core machine), the
# sparse exact audit planned 690 atoms (3,000 people) in 0.05 s, 2,300 (10,000) in 0.5 s, 4,600
# (20,000) in 0.9-1.7 s and 6,800 (30,000) in 2.9 s; the dense audit before it took 11 s at 2,300.
UNIT_CELL_ATOMS = 7_000


def sector_figure() -> SectorFigure:
    """The Labour Inspectorate's 2024 university figures, with source, year and sample.

    Nederlandse Arbeidsinspectie (2024), *Psychosociale arbeidsbelasting universiteiten*:
    more than 9,000 academic staff at 14 universities; 54% experienced unwanted behaviour in the
    past 2 years and 69% saw colleagues affected.

    >>> sector_figure().year
    2024
    """
    return SectorFigure(
        source="Nederlandse Arbeidsinspectie",
        title="Psychosociale arbeidsbelasting universiteiten",
        year=2024,
        sample=Note("report.sector.sample", {"n": "9.000", "universities": 14}),
        figures=(
            Note("report.sector.experienced", {"percent": 54}),
            Note("report.sector.witnessed", {"percent": 69}),
        ),
    )


# -- the cell lattice and the disclosure door -------------------------------------------------


def cell_id(key: Any) -> str:
    """The report's name for a disclosure cell key (``unit:T1``, ``attribute:gender=woman``).

    >>> from vrijuit.stats.disclosure import CellKey
    >>> cell_id(CellKey("attribute", attribute="gender", value="woman"))
    'attribute:gender=woman'
    """
    if key.kind == "unit":
        return f"unit:{key.unit}"
    if key.kind == "attribute":
        return f"attribute:{key.attribute}={key.value}"
    return f"unit_attribute:{key.unit}|{key.attribute}={key.value}"


@dataclass(frozen=True)
class _Door:
    """What the disclosure plan lets through: the shown cells and ``k``."""

    k: int
    shown: frozenset[str]

    def allows(self, cell: str, n: int) -> bool:
        """A number about ``n`` people of ``cell`` may be shown: the cell is shown and n ≥ k."""
        return cell in self.shown and n >= self.k


class _IdNames(Mapping[str, Text]):
    """Each unit named by its own id in both languages, plus a few given names.

    Built on lookup: a report shows a few hundred units, so making a :class:`Text` for each of
    20,000 teams up front cost more than the lookups themselves.
    """

    def __init__(self, units: Sequence[str], given: Mapping[str, Text] | None = None) -> None:
        self._units = dict.fromkeys(units)
        self._given = dict(given or {})
        self._units.update(dict.fromkeys(self._given))

    def __getitem__(self, unit: str) -> Text:
        if unit in self._given:
            return self._given[unit]
        if unit in self._units:
            return Text(unit, unit)
        raise KeyError(unit)

    def __iter__(self) -> Iterator[str]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)


@dataclass(frozen=True)
class _Tree:
    """The unit tree as arrays (from the disclosure lattice) with names and levels."""

    units: tuple[str, ...]
    parent: npt.NDArray[np.int64]
    depth: npt.NDArray[np.int64]
    names: Mapping[str, Text]
    levels: dict[str, str | None]

    @property
    def root(self) -> int:
        return int(np.flatnonzero(self.parent < 0)[0])

    def leaves(self) -> BoolArray:
        has_child = np.zeros(len(self.units), dtype=bool)
        has_child[self.parent[self.parent >= 0]] = True
        return ~has_child


def _organisation_name() -> Text:
    return Text(
        en=translate("report.organisation.unit", "en"),
        nl=translate("report.organisation.unit", "nl"),
    )


def _tree_description(
    tree: Any, teams: Sequence[str]
) -> tuple[dict[str, str | None], Mapping[str, Text], dict[str, str | None]]:
    """Parent map, names and levels from ``tree``: None (flat), a mapping, or a UnitTree."""
    if tree is None:
        parents: dict[str, str | None] = {ORGANISATION_ID: None}
        parents.update(dict.fromkeys(teams, ORGANISATION_ID))
        names = _IdNames(teams, {ORGANISATION_ID: _organisation_name()})
        levels: dict[str, str | None] = dict.fromkeys(teams, "team")
        levels[ORGANISATION_ID] = None
        return parents, names, levels
    if isinstance(tree, Mapping):
        parents = {str(u): None if p is None else str(p) for u, p in tree.items()}
        return parents, _IdNames(list(parents)), dict.fromkeys(parents)
    return _unit_tree_description(tree)


def _unit_tree_description(
    tree: Any,
) -> tuple[dict[str, str | None], dict[str, Text], dict[str, str | None]]:
    """Parents, names and levels from a :class:`vrijuit.stats.rollup.UnitTree`'s arrays.

    Reads ``ids``, ``parent``, ``names`` (``{"en": [...], "nl": [...]}``, missing → the id)
    and ``levels`` in one pass, instead of asking the tree about each unit.
    """
    ids = [str(u) for u in tree.ids.tolist()]
    parent = np.asarray(tree.parent, dtype=np.int64).tolist()
    parents: dict[str, str | None] = {
        unit: None if up < 0 else ids[up] for unit, up in zip(ids, parent, strict=True)
    }
    tree_names = getattr(tree, "names", {}) or {}

    def wording(lang: str) -> list[str]:
        given = tree_names.get(lang)
        if given is None:
            return ids
        return [u if pd.isna(n) else str(n) for u, n in zip(ids, given.tolist(), strict=True)]

    names = {
        unit: Text(en=en, nl=nl)
        for unit, en, nl in zip(ids, wording("en"), wording("nl"), strict=True)
    }
    raw_levels = getattr(tree, "levels", None)
    levels: dict[str, str | None] = dict.fromkeys(ids)
    if raw_levels is not None:
        for unit, level in zip(ids, raw_levels.tolist(), strict=True):
            levels[unit] = None if level is None or pd.isna(level) else str(level)
    return parents, names, levels


# -- helpers -----------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _text(localized: Any) -> Text:
    return Text(en=str(localized.en), nl=str(localized.nl))


def _share(count: int, n: int, ci: tuple[Any, Any], *, cutoff: float, k: int) -> Share:
    """The share below the cut-off; a band instead when the cell is small (R6: n < 2k)."""
    share = count / n
    if n >= 2 * k:
        return Share(cutoff, share, _float(ci[0]), _float(ci[1]))
    shown = band(share, n, k=k)
    if shown.banded:
        return Share(cutoff, None, None, None, True, shown.low, shown.high)
    return Share(cutoff, share, _float(ci[0]), _float(ci[1]))


def _sd(scores: FloatArray) -> float | None:
    valid = scores[~np.isnan(scores)]
    return _float(np.std(valid, ddof=1)) if valid.size > 1 else None


def _bin_edges(scale: Scale) -> FloatArray:
    low, high = float(scale.response_format.low), float(scale.response_format.high)
    return np.linspace(low, high, HISTOGRAM_BINS + 1)


def _bin_index(scores: FloatArray, edges: FloatArray) -> npt.NDArray[np.int64]:
    """Bin of each score (the last bin closed on the right, as ``np.histogram``)."""
    index = np.searchsorted(edges, scores, side="right") - 1
    return np.clip(index, 0, len(edges) - 2).astype(np.int64)


def _histogram(scores: FloatArray, scale: Scale, n: int, k: int) -> Distribution | None:
    """Person scores in equal bins over the response range; only for cells with n ≥ 2k (R6)."""
    if n < 2 * k:
        return None
    edges = _bin_edges(scale)
    counts, _ = np.histogram(scores[~np.isnan(scores)], bins=edges)
    return Distribution(tuple(float(e) for e in edges), tuple(int(c) for c in counts))


@dataclass
class _Context:
    """What every section needs: the current wave's data, scores, tree, attributes, the door."""

    instrument: Instrument
    data: pd.DataFrame
    teams: npt.NDArray[np.int64]  # each row's unit as a code into tree.units
    team_groups: Groups  # the same rows grouped by unit; labels are unit positions
    scores: pd.DataFrame
    keyed: Mapping[str, FloatArray]
    tree: _Tree
    attributes: dict[str, pd.Categorical]  # codes into the sorted texts, −1 = missing
    door: _Door
    unit_shown: BoolArray  # per tree unit: its cell is in the plan's shown set
    organisation_cell: str
    notes: list[Note]
    k: int
    team_cache: dict[str, _TeamStats] = field(default_factory=dict)
    centre: dict[str, float] = field(default_factory=dict)
    score_cache: dict[str, FloatArray] = field(default_factory=dict)
    icc_sums: dict[str, Any] = field(default_factory=dict)  # icc.TeamSums or the error it raised
    scored_teams: dict[str, int] = field(default_factory=dict)

    def scale_scores(self, scale_id: str) -> FloatArray:
        if scale_id not in self.score_cache:
            column = self.scores[scale_id].to_numpy(dtype=np.float64)
            self.score_cache[scale_id] = np.asarray(column, dtype=np.float64)
        return self.score_cache[scale_id]

    def teams_with_scores(self, scale_id: str) -> int:
        """How many teams have a score on a scale (cached: the ICC and team sections ask)."""
        if scale_id not in self.scored_teams:
            valid = ~np.isnan(self.scale_scores(scale_id))
            self.scored_teams[scale_id] = self.n_teams(valid)
        return self.scored_teams[scale_id]

    def team_sums(self, scale_id: str) -> Any:
        """``icc.team_sums`` of a scale's scores (cached: the ICC and shrunken means share it)."""
        if scale_id not in self.icc_sums:
            try:
                self.icc_sums[scale_id] = icc.team_sums(
                    self.scale_scores(scale_id), self.team_groups
                )
            except _UNDEFINED as error:
                self.icc_sums[scale_id] = error
        cached = self.icc_sums[scale_id]
        if isinstance(cached, Exception):
            raise cached
        return cached

    def unit(self, code: Any) -> str:
        """The unit id of an integer team code (``teams`` are codes into the tree's units)."""
        return self.tree.units[int(code)]

    def n_teams(self, rows: BoolArray) -> int:
        """How many teams have at least one of ``rows``."""
        return int(np.count_nonzero(np.bincount(self.teams[rows], minlength=1)))

    def door_shows_n(self, n: FloatArray) -> BoolArray:
        """Numbers about ``n`` people of an already shown cell may be shown: n ≥ k."""
        return np.asarray(n >= self.k, dtype=bool)


# Engine functions refuse data on which a statistic is undefined (zero variance, too few rows or
# teams, a singular covariance). A report must still build: the statistic is left out and a
# note names it and says why in plain words.
_UNDEFINED = (ValueError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError)


def _not_computable(ctx: _Context, statistic: str, scale: Scale, reason: str) -> None:
    """Note that ``statistic`` could not be computed for ``scale``, and why (once each)."""
    note = Note(f"report.not_computable.{reason}", {"statistic": statistic, "scale": scale.id})
    if note not in ctx.notes:
        ctx.notes.append(note)


def _items_reason(items: FloatArray) -> str:
    """Why a reliability coefficient is undefined on these answers (checked in this order)."""
    complete = items[~np.isnan(items).any(axis=1)] if items.ndim == 2 else items[:0]
    if complete.shape[0] < 3:
        return "too_few_people"
    if (np.ptp(complete, axis=0) == 0).any():
        return "zero_variance_items"
    return "singular"


def _teams_reason(ctx: _Context, scores: FloatArray) -> str:
    """Why a between-team statistic is undefined on these scores (checked in this order)."""
    valid = ~np.isnan(scores)
    if ctx.n_teams(valid) < 2:
        return "one_team"
    if int(np.bincount(ctx.teams[valid]).max()) < 2:
        return "one_per_team"
    if np.ptp(scores[valid]) == 0:
        return "zero_variance"
    return "singular"


# -- the organisation -------------------------------------------------------------------------


def _organisation_scale(
    ctx: _Context, scale: Scale, *, team_stats: bool, reliability: bool = True
) -> OrganisationScale | None:
    scores = ctx.scale_scores(scale.id)
    valid = ~np.isnan(scores)
    n = int(valid.sum())
    if not ctx.door.allows(ctx.organisation_cell, n):
        if ctx.door.allows(ctx.organisation_cell, len(scores)):
            # The organisation is shown, only this scale has too few answers: say so.
            ctx.notes.append(Note("report.note.scale_too_few", {"scale": scale.id, "k": ctx.k}))
        return None
    icc = _icc(ctx, scale, scores) if team_stats else None
    share = None
    if scale.unsafe_below is not None:
        count = int((scores[valid] < scale.unsafe_below).sum())
        interval = _overall_share_ci(ctx, scores, scale.unsafe_below, icc, count, n)
        share = _share(count, n, interval, cutoff=scale.unsafe_below, k=ctx.k)
    return OrganisationScale(
        scale_id=scale.id,
        cell=ctx.organisation_cell,
        n=n,
        mean=_float(np.mean(scores[valid])),
        sd=_sd(scores),
        distribution=_histogram(scores, scale, n, ctx.k),
        share_below=share,
        reliability=_reliability(ctx, scale) if reliability else None,
        icc=icc,
        agreement=_agreement_summary(ctx, scale) if team_stats else None,
        items=_item_distributions(ctx, scale),
    )


def _reliability(ctx: _Context, scale: Scale) -> Reliability | None:
    if len(scale.items) < 2:
        return None
    answers = ctx.keyed[scale.id]
    try:
        # One pass over the answers for both coefficients: the covariances are shared.
        items = reliability.item_covariance(answers)
        alpha = reliability.cronbach_alpha(items)
    except _UNDEFINED:
        _not_computable(ctx, "alpha", scale, _items_reason(answers))
        return None
    if _float(alpha.alpha) is None:  # e.g. every total the same: alpha is 0/0
        _not_computable(ctx, "alpha", scale, _items_reason(answers))
    omega = None
    if len(scale.items) >= 3:
        try:
            omega = _float(reliability.mcdonald_omega(items).omega)
        except _UNDEFINED:
            _not_computable(ctx, "omega", scale, _items_reason(answers))
    return Reliability(
        alpha=_float(alpha.alpha),
        alpha_ci_low=_float(alpha.ci_low),
        alpha_ci_high=_float(alpha.ci_high),
        omega=omega,
        n_items=len(scale.items),
        n=int(alpha.n),
    )


def _icc(ctx: _Context, scale: Scale, scores: FloatArray) -> IccSummary | None:
    if ctx.teams_with_scores(scale.id) < 2:
        if not np.isnan(scores).all():
            _not_computable(ctx, "icc", scale, "one_team")
        return None
    try:
        result = icc.icc_anova(scores, ctx.team_groups, sums=ctx.team_sums(scale.id))
    except _UNDEFINED:
        _not_computable(ctx, "icc", scale, _teams_reason(ctx, scores))
        return None
    low, high = result.icc1_ci
    return IccSummary(
        icc1=_float(result.icc1),
        icc1_ci_low=_float(low),
        icc1_ci_high=_float(high),
        icc2=_float(result.icc2),
        n_teams=int(result.n_teams),
        negative=bool(result.negative),
    )


def _overall_share_ci(
    ctx: _Context, scores: FloatArray, cutoff: float, icc: IccSummary | None, count: int, n: int
) -> tuple[Any, Any]:
    """Wilson CI for the organisation, widened by the design effect when ICC(1) is known."""
    if icc is None or icc.icc1 is None:
        low, high = dispersion.wilson_interval(np.array([count]), np.array([n]))
        return (low[0], high[0])
    overall = dispersion.overall_share_below(scores, ctx.team_groups, cutoff=cutoff, icc1=icc.icc1)
    return (overall.ci_low, overall.ci_high)


def _item_distributions(ctx: _Context, scale: Scale) -> tuple[ItemDistribution, ...]:
    """Answer counts per item for the whole organisation (raw answers), only when n ≥ 2k."""
    fmt = scale.response_format
    categories = tuple(range(int(fmt.low), int(fmt.high) + 1))
    out = []
    for item in scale.items:
        if item.id not in ctx.data.columns:
            continue
        answers = pd.to_numeric(ctx.data[item.id], errors="coerce").to_numpy(dtype=np.float64)
        answered = answers[~np.isnan(answers)]
        n = int(answered.size)
        if n < 2 * ctx.k or not ctx.door.allows(ctx.organisation_cell, n):
            continue
        counts = np.bincount(answered.astype(np.int64) - categories[0], minlength=len(categories))
        out.append(
            ItemDistribution(
                item.id,
                _text(item.text),
                item.reverse,
                categories,
                tuple(int(c) for c in counts[: len(categories)]),
                n,
            )
        )
    return tuple(out)


def _wave_points(
    scale: Scale,
    scores: FloatArray,
    waves: npt.NDArray[Any],
    teams: npt.NDArray[np.int64],
    k: int,
) -> tuple[tuple[WavePoint, ...], WaveSlope | None]:
    """Organisation mean per wave with a CI that allows for clustering in teams, and the slope.

    The per-wave interval is the t interval with Kish's (1965) effective sample size
    n_eff = n / DEFF, DEFF = 1 + (n̄ − 1)·max(ICC(1), 0), n̄ = n / teams, ICC(1) from the one-way
    ANOVA of that wave (a negative ICC(1) gives DEFF = 1: clustering never narrows the CI).
    The slope is :func:`vrijuit.stats.trend.wave_trend` (random intercept per team × wave,
    REML) over the waves with at least k scores: per unit of the wave label when the labels are
    numbers, else per wave (waves numbered 1, 2, … in time order). A wave with fewer than k
    scores is left out.
    """
    from vrijuit.stats._distributions import t_ppf  # scipy.stats itself costs ~1 s to import

    order = _wave_order(pd.Series(waves))
    numeric = pd.to_numeric(pd.Series([str(w) for w in order]), errors="coerce")
    per = "wave_value" if numeric.notna().all() else "wave"
    positions = numeric.to_numpy(dtype=np.float64) if per == "wave_value" else None
    points = []
    wave_number = np.full(scores.shape[0], np.nan)
    for index, wave in enumerate(order):  # a loop over waves (a handful), vectorised inside
        rows = (waves == wave) & ~np.isnan(scores)
        n = int(rows.sum())
        if n < k:
            continue
        values = scores[rows]
        deff = 1.0
        try:
            anova = icc.icc_anova(values, teams[rows])
            deff = 1.0 + (n / int(anova.n_teams) - 1.0) * max(float(anova.icc1), 0.0)
        except _UNDEFINED:  # one team only: no between-team variance to estimate
            pass
        n_eff = n / deff
        mean = float(values.mean())
        spread = float(values.std(ddof=1)) if n > 1 else float("nan")
        half = float(t_ppf(0.975, max(n_eff - 1.0, 1.0)) * spread / np.sqrt(n_eff))
        points.append(WavePoint(str(wave), n, mean, _float(mean - half), _float(mean + half), deff))
        wave_number[rows] = positions[index] if positions is not None else index + 1.0
    slope = None
    if len(points) >= 2:
        keep = ~np.isnan(wave_number)
        try:
            fit = trend.wave_trend(scores[keep], wave_number[keep], teams[keep])
        except _UNDEFINED:  # e.g. too few teams for the model
            fit = None
        if fit is not None:
            slope = WaveSlope(
                slope=_float(fit.slope),
                se=_float(fit.se),
                ci_low=_float(fit.ci_low),
                ci_high=_float(fit.ci_high),
                p_value=_float(fit.p_value),
                n_waves=len(points),
                per=per,
            )
    return tuple(points), slope


# -- per unit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TeamStats:
    """Per-unit team statistics for one scale, aligned with ``tree.units`` (NaN/False elsewhere).

    Computed for every team at once with the vectorised engine kernels (one Groups, one count
    table per scale) and scattered to unit positions, so no Python object is made per team.
    """

    rwg_j: FloatArray
    awg: FloatArray
    ad: FloatArray
    shrunken: FloatArray
    polarised: BoolArray
    low_agreement: BoolArray
    flag_rwg: FloatArray


def _team_stats(ctx: _Context, scale: Scale) -> _TeamStats:
    """All teams at once with the vectorised engine kernels (cached per scale)."""
    if scale.id not in ctx.team_cache:
        ctx.team_cache[scale.id] = _compute_team_stats(ctx, scale)
    return ctx.team_cache[scale.id]


def _scatter(n_units: int, labels: Any, values: Any, fill: Any = np.nan) -> npt.NDArray[Any]:
    """Values per team label (unit positions) placed at their unit positions."""
    values = np.asarray(values)
    out = np.full(n_units, fill, dtype=values.dtype if values.dtype != bool else bool)
    out[np.asarray(labels, dtype=np.int64)] = values
    return out


def _agreement_indices(ctx: _Context, scale: Scale) -> tuple[Any, Any, Any]:
    """rwg(J), a_wg and AD from one answer count table per scale (whole-number answers)."""
    items = ctx.keyed[scale.id]
    groups = ctx.team_groups
    fmt = scale.response_format
    null = float(agreement.null_variance(fmt.n_options))
    try:
        counts = agreement.team_item_counts(items, groups, low=int(fmt.low), high=int(fmt.high))
    except (TypeError, ValueError):  # fractional answers: the indices count from the matrix
        counts = None
    rwg_j = agreement.rwg_j(items, groups, null_variance=null, counts=counts)
    awg = agreement.awg(items, groups, low=float(fmt.low), high=float(fmt.high), counts=counts)
    ad = agreement.average_deviation(items, groups, counts=counts)
    return rwg_j, awg, ad


def _compute_team_stats(ctx: _Context, scale: Scale) -> _TeamStats:
    n_units = len(ctx.tree.units)
    scores = ctx.scale_scores(scale.id)
    valid = ~np.isnan(scores)
    indices = [np.full(n_units, np.nan) for _ in range(3)]
    try:
        for index, result in enumerate(_agreement_indices(ctx, scale)):
            indices[index] = _scatter(n_units, result.labels, result.values)
    except _UNDEFINED:
        _not_computable(ctx, "agreement", scale, _teams_reason(ctx, scores))
    shrunken = np.full(n_units, np.nan)
    if ctx.teams_with_scores(scale.id) >= 2:
        try:
            means = icc.shrunken_means(scores, ctx.team_groups, sums=ctx.team_sums(scale.id))
            shrunken = _scatter(n_units, means.labels, means.shrunken_mean)
        except _UNDEFINED:
            _not_computable(ctx, "shrunken_mean", scale, _teams_reason(ctx, scores))
    polarised = np.zeros(n_units, dtype=bool)
    low_agreement = np.zeros(n_units, dtype=bool)
    flag_rwg = np.full(n_units, np.nan)
    if scale.unsafe_below is not None and valid.any():
        null = float(agreement.null_variance(scale.response_format.n_options))
        try:
            polar = dispersion.polarisation(
                scores, ctx.team_groups, cutoff=scale.unsafe_below, null_variance=null
            )
            polarised = _scatter(n_units, polar.labels, polar.flagged, False)
            low_agreement = _scatter(n_units, polar.labels, polar.low_agreement_flag, False)
            flag_rwg = _scatter(n_units, polar.labels, polar.rwg)
        except _UNDEFINED:
            _not_computable(ctx, "polarisation", scale, _teams_reason(ctx, scores))
    return _TeamStats(
        rwg_j=indices[0],
        awg=indices[1],
        ad=indices[2],
        shrunken=shrunken,
        polarised=polarised,
        low_agreement=low_agreement,
        flag_rwg=flag_rwg,
    )


def _roll_up(direct: FloatArray, tree: _Tree) -> FloatArray:
    """Sums per unit over its whole subtree: add each level into its parents, deepest first."""
    total = direct.copy()
    for depth in range(int(tree.depth.max(initial=0)), 0, -1):  # a loop over levels only
        at = np.flatnonzero(tree.depth == depth)
        np.add.at(total, tree.parent[at], total[at])
    return total


def _bands(share: FloatArray, width: float = 0.25) -> tuple[FloatArray, FloatArray]:
    """:func:`vrijuit.stats.disclosure.band` for many shares at once: the band's (low, high]."""
    steps = round(1.0 / width)
    step = np.clip(np.ceil(np.nan_to_num(share) * steps - 1e-9) - 1, 0, steps - 1)
    return step / steps, (step + 1) / steps


def _unit_scale_columns(
    ctx: _Context, scale: Scale, rows: npt.NDArray[np.int64], totals: FloatArray
) -> UnitScaleColumns:
    """One scale for the shown units ``rows`` (positions in the tree), from subtree totals."""
    k = ctx.k
    leaves = ctx.tree.leaves()[rows]
    n = totals[rows, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = ctx.centre[scale.id] + totals[rows, 1] / n
        var = (totals[rows, 2] - totals[rows, 1] ** 2 / n) / (n - 1)
        share = totals[rows, 3] / n
    sd = np.sqrt(np.maximum(var, 0.0))
    shown = ctx.door_shows_n(n)
    banded = shown & (n < 2 * k)
    has_cutoff = scale.unsafe_below is not None
    ci_low, ci_high = dispersion.wilson_interval(totals[rows, 3], np.maximum(n, 1.0))
    band_low, band_high = _bands(share)
    exact = shown & ~banded & has_cutoff
    counts = totals[rows, 4:].astype(np.int64)
    counts[~(shown & (n >= 2 * k))] = -1
    stats = _team_stats(ctx, scale)
    team = leaves & shown

    def only(mask: BoolArray, values: FloatArray) -> FloatArray:
        return np.where(mask, values, np.nan)

    polarised = stats.polarised[rows] & team
    polar_share = np.full(rows.shape[0], None, dtype=object)
    for index in np.flatnonzero(polarised):  # flagged teams only: a few per cent
        if banded[index]:
            text = f"{round(100 * band_low[index])}–{round(100 * band_high[index])}%"
        else:
            text = f"{round(100 * float(share[index]))}%"
        polar_share[index] = text
    low_agreement = stats.low_agreement[rows] & team
    return UnitScaleColumns(
        scale_id=scale.id,
        cutoff=scale.unsafe_below,
        edges=tuple(float(e) for e in _bin_edges(scale)),
        shown=shown,
        n=np.where(shown, n, 0).astype(np.int64),
        mean=only(shown, mean),
        sd=only(shown & (n > 1), sd),
        shrunken_mean=only(team, stats.shrunken[rows]),
        share=only(exact, share),
        share_ci_low=only(exact, np.asarray(ci_low, dtype=np.float64)),
        share_ci_high=only(exact, np.asarray(ci_high, dtype=np.float64)),
        banded=banded & has_cutoff,
        band_low=only(banded & has_cutoff, band_low),
        band_high=only(banded & has_cutoff, band_high),
        distribution=counts,
        rwg_j=only(team, stats.rwg_j[rows]),
        awg=only(team, stats.awg[rows]),
        ad=only(team, stats.ad[rows]),
        polarised=polarised,
        polarised_share=polar_share,
        low_agreement=low_agreement,
        low_agreement_rwg=only(low_agreement, stats.flag_rwg[rows]),
    )


def _scale_totals(ctx: _Context, scale: Scale) -> FloatArray:
    """Per unit (with its subtree): n, Σ(y − c), Σ(y − c)², count below the cut-off, bins.

    Scores are centred on the organisation mean c first, so the variance from the sums keeps
    its precision; one bincount per column over the respondents, then the roll-up.
    """
    n_units = len(ctx.tree.units)
    scores = ctx.scale_scores(scale.id)
    valid = ~np.isnan(scores)
    codes = ctx.teams[valid]
    values = scores[valid]
    centre = float(values.mean()) if values.size else 0.0
    ctx.centre[scale.id] = centre
    deviation = values - centre
    below = (
        (values < scale.unsafe_below).astype(np.float64)
        if scale.unsafe_below is not None
        else np.zeros_like(values)
    )
    bins = _bin_index(values, _bin_edges(scale))
    direct = np.empty((n_units, 4 + HISTOGRAM_BINS))
    direct[:, 0] = np.bincount(codes, minlength=n_units)
    direct[:, 1] = np.bincount(codes, weights=deviation, minlength=n_units)
    direct[:, 2] = np.bincount(codes, weights=deviation * deviation, minlength=n_units)
    direct[:, 3] = np.bincount(codes, weights=below, minlength=n_units)
    hist = np.bincount(codes * HISTOGRAM_BINS + bins, minlength=n_units * HISTOGRAM_BINS)
    direct[:, 4:] = hist.reshape(n_units, HISTOGRAM_BINS)
    return _roll_up(direct, ctx.tree)


def _units(ctx: _Context, climate: Sequence[Scale]) -> UnitTable:
    """Every shown unit (with its subtree) as columns, vectorised over units."""
    tree = ctx.tree
    members = _roll_up(np.bincount(ctx.teams, minlength=len(tree.units)).astype(np.float64), tree)
    order = np.asarray(_tree_order(tree), dtype=np.int64)
    rows = order[ctx.unit_shown[order] & (members[order] >= ctx.k)]
    units = np.asarray(tree.units, dtype=object)[rows]
    parents = tree.parent[rows]
    parent_ids = np.asarray(tree.units, dtype=object)[np.maximum(parents, 0)]
    parent_ids[parents < 0] = None
    names = [tree.names.get(str(u)) for u in units]
    return UnitTable(
        unit_id=units,
        cell=np.array([f"unit:{u}" for u in units], dtype=object).reshape(rows.shape[0]),
        name_en=np.array(
            [u if t is None else t.en for u, t in zip(units, names, strict=True)], dtype=object
        ).reshape(rows.shape[0]),
        name_nl=np.array(
            [u if t is None else t.nl for u, t in zip(units, names, strict=True)], dtype=object
        ).reshape(rows.shape[0]),
        parent_id=parent_ids.astype(object),
        depth=tree.depth[rows].astype(np.int64),
        level=np.array([tree.levels.get(str(u)) for u in units], dtype=object).reshape(
            rows.shape[0]
        ),
        team=tree.leaves()[rows],
        n=members[rows].astype(np.int64),
        scales=tuple(
            _unit_scale_columns(ctx, scale, rows, _scale_totals(ctx, scale)) for scale in climate
        ),
    )


def _flagged(units: UnitTable) -> tuple[FlaggedTeam, ...]:
    """Teams with at least one flag, in unit order (a few per cent of the teams)."""
    out = []
    for scale in units.scales:
        for index in np.flatnonzero(scale.polarised | scale.low_agreement):
            row = scale.row(int(index))
            if row is not None and row.flags:
                out.append(FlaggedTeam(str(units.unit_id[index]), scale.scale_id, row.flags))
    return tuple(out)


def _tree_order(tree: _Tree) -> list[int]:
    """Units depth first from the root, children in the order of their ids."""
    children: dict[int, list[int]] = {}
    by_id = np.argsort(np.asarray(tree.units, dtype=object).astype(str), kind="stable")
    for index in by_id[::-1].tolist():  # reversed: the stack pops the smallest id first
        parent = int(tree.parent[index])
        if parent >= 0:
            children.setdefault(parent, []).append(index)
    order: list[int] = []
    stack = [tree.root]
    while stack:
        index = stack.pop()
        order.append(index)
        stack.extend(children.get(index, ()))
    return order


def _agreement_summary(ctx: _Context, scale: Scale) -> AgreementSummary | None:
    """Mean and median rwg(J) over the shown teams only."""
    stats = _team_stats(ctx, scale)
    keep = ctx.unit_shown & ctx.tree.leaves() & ~np.isnan(stats.rwg_j)
    values = stats.rwg_j[keep]
    if values.size == 0:
        return None
    return AgreementSummary(
        mean_rwg_j=float(np.mean(values)),
        median_rwg_j=float(np.median(values)),
        n_teams=int(values.size),
        null_distribution="uniform",
    )


# -- subgroup gaps and hierarchy levels -------------------------------------------------------


def _shown_values(
    ctx: _Context, attribute: str
) -> tuple[BoolArray, npt.NDArray[np.int64], npt.NDArray[Any]]:
    """Rows whose value of ``attribute`` is a shown organisation × value cell, their codes
    (−1 = missing) and the values (sorted texts) the codes index."""
    labels = ctx.attributes[attribute]
    # Factorised once per report (missing → −1), then one bincount: no comparison of 1M objects.
    codes = np.asarray(labels.codes, dtype=np.int64)
    values = np.asarray(labels.categories, dtype=object)
    sizes = np.bincount(codes[codes >= 0], minlength=len(values))
    allowed = np.array(
        [
            ctx.door.allows(f"attribute:{attribute}={value}", int(size))
            for value, size in zip(values, sizes, strict=True)
        ]
        + [False],  # code −1: missing
        dtype=bool,
    )
    return allowed[codes], codes, values


def _issue_note(issue: Any, scale: Scale) -> Note:
    item = issue.item
    item_id = scale.items[item].id if isinstance(item, int) and item < len(scale.items) else ""
    return Note(
        f"report.alike.{issue.kind}",
        {
            "group": str(issue.group),
            "item": item_id,
            "value": round(float(issue.value), 2),
            "threshold": round(float(issue.threshold), 2),
        },
    )


def _gap_section(ctx: _Context, attribute: str, scale: Scale) -> GapSection:
    scores = ctx.scale_scores(scale.id)
    keep, codes, values = _shown_values(ctx, attribute)
    keep &= ~np.isnan(scores)
    # The kept rows grouped by their value (only the values that occur), for every call below.
    groups = dense_groups(codes[keep], values)
    if groups.labels.shape[0] < 2:
        return GapSection(
            attribute, scale.id, None, None, (Note("report.alike.too_few_groups"),), ()
        )
    if np.ptp(scores[keep]) == 0:  # everyone the same score: nothing to compare
        note = Note("report.not_computable.zero_variance", {"statistic": "gaps", "scale": scale.id})
        return GapSection(attribute, scale.id, None, None, (note,), ())
    try:
        check = reliability.scale_works_alike(
            ctx.keyed[scale.id][keep], groups, min_group_size=2 * ctx.k
        )
    except _UNDEFINED:
        check = None
    if check is None:
        why = _items_reason(ctx.keyed[scale.id][keep])
        note = Note(f"report.not_computable.{why}", {"statistic": "gaps", "scale": scale.id})
        return GapSection(attribute, scale.id, None, None, (note,), ())
    reasons = tuple(_issue_note(issue, scale) for issue in check.issues)
    if not check.works_alike:
        return GapSection(attribute, scale.id, None, False, reasons, ())
    try:
        result = gap_stats.subgroup_gaps(
            scores[keep],
            groups,
            teams=ctx.team_groups.subset(keep),  # the report's Groups: no re-factorising
            min_n=ctx.k,
        )
    except _UNDEFINED:
        why = "zero_variance" if np.ptp(scores[keep]) == 0 else "singular"
        note = Note(f"report.not_computable.{why}", {"statistic": "gaps", "scale": scale.id})
        return GapSection(attribute, scale.id, None, True, (*reasons, note), ())
    gaps = []
    for gap in result.gaps:
        cell = f"attribute:{attribute}={gap.group}"
        difference, effect, within = gap.difference, gap.effect, gap.within
        if not (ctx.door.allows(cell, int(difference.n_x)) and int(difference.n_y) >= ctx.k):
            continue
        gaps.append(
            Gap(
                group=str(gap.group),
                cell=cell,
                n=int(difference.n_x),
                n_other=int(difference.n_y),
                mean=_float(difference.mean_x),
                mean_other=_float(difference.mean_y),
                difference=_float(difference.difference),
                ci_low=_float(difference.ci_low),
                ci_high=_float(difference.ci_high),
                hedges_g=_float(effect.g),
                g_ci_low=_float(effect.g_ci_low),
                g_ci_high=_float(effect.g_ci_high),
                p_holm=_float(gap.p_holm),
                within_team_difference=None if within is None else _float(within.gap),
                within_team_ci_low=None if within is None else _float(within.ci_low),
                within_team_ci_high=None if within is None else _float(within.ci_high),
            )
        )
    reference = None if result.reference is None else str(result.reference)
    return GapSection(attribute, scale.id, reference, True, reasons, tuple(gaps))


def _level_trend(
    ctx: _Context, attribute: str, order: Sequence[str], scale: Scale
) -> LevelTrend | None:
    scores = ctx.scale_scores(scale.id)
    keep, codes, values = _shown_values(ctx, attribute)
    keep &= ~np.isnan(scores)
    occurs = {str(v) for v in values[np.bincount(codes[keep], minlength=len(values)) > 0]}
    present = [level for level in order if level in occurs]
    if len(present) < 2:
        return None
    try:
        trend = gap_stats.ordered_level_trend(
            scores[keep],
            dense_groups(codes[keep], values),
            [str(p) for p in present],
            min_n=ctx.k,
        )
    except _UNDEFINED:
        why = "zero_variance" if np.ptp(scores[keep]) == 0 else "singular"
        _not_computable(ctx, "levels", scale, why)
        return None
    levels = []
    for level, n, mean, sd in zip(trend.levels, trend.n, trend.mean, trend.sd, strict=True):
        cell = f"attribute:{attribute}={level}"
        if ctx.door.allows(cell, int(n)):
            levels.append(LevelMean(str(level), cell, int(n), _float(mean), _float(sd)))
    return LevelTrend(
        attribute,
        scale.id,
        tuple(levels),
        _float(trend.slope),
        _float(trend.ci_low),
        _float(trend.ci_high),
        _float(trend.p_value),
    )


# -- gaps inside units ------------------------------------------------------------------------


def _unit_value_shown(plan: Any, lattice: Any, attribute: str) -> BoolArray:
    """Units × values of ``attribute`` whose ``unit_attribute`` cell the plan shows."""
    j = lattice.attribute_names.index(attribute)
    values = {value: index for index, value in enumerate(lattice.attribute_values[j])}
    position = {unit: index for index, unit in enumerate(lattice.units)}
    shown = np.zeros((len(lattice.units), len(values)), dtype=bool)
    for key in plan.shown:
        if key.kind == "unit_attribute" and key.attribute == attribute:
            shown[position[key.unit], values[key.value]] = True
    return shown


def _unit_gaps(
    ctx: _Context,
    plan: Any,
    lattice: Any,
    unit_by: Sequence[str],
    climate: Sequence[Scale],
    sections: Sequence[GapSection],
    *,
    every_scale: bool = False,
) -> tuple[UnitGapTable, ...]:
    """Per unit attribute, the first headline scale's gap (every headline scale's with
    ``every_scale``) in every unit where it may be shown.

    Only where the organisation-level check found that the scale works alike across the
    attribute's groups (the same condition as the organisation's gaps).
    """
    headlines = [scale for scale in climate if scale.headline]
    alike = {(s.attribute, s.scale_id) for s in sections if s.works_alike}
    tables = []
    for scale in headlines if every_scale else headlines[:1]:
        for attribute in unit_by:
            if (attribute, scale.id) in alike:
                table = _unit_gap_table(ctx, plan, lattice, attribute, scale)
                if table is not None:
                    tables.append(table)
    return tuple(tables)


def _unit_gap_table(
    ctx: _Context, plan: Any, lattice: Any, attribute: str, scale: Scale
) -> UnitGapTable | None:
    """The gaps of one attribute in every unit at once (vectorised over units × values)."""
    shown = _unit_value_shown(plan, lattice, attribute)
    shown &= ctx.unit_shown[:, None]
    if not shown.any():
        return None
    j = lattice.attribute_names.index(attribute)
    values = np.asarray(lattice.attribute_values[j], dtype=object)
    result = unit_gaps.unit_value_gaps(
        ctx.scale_scores(scale.id),
        ctx.teams,
        lattice.attribute_codes[:, j],
        parent=ctx.tree.parent,
        n_values=len(values),
        wanted=shown,
    )
    k = ctx.k
    # The rest of the unit (unit minus unit × value) is derivable from the two shown cells, so
    # it must have k members itself, and every number needs k scores in both groups.
    keep = shown & (result.members_other >= k) & (result.n >= k) & (result.n_other >= k)
    order = np.asarray(_tree_order(ctx.tree), dtype=np.int64)
    at, value = np.nonzero(keep[order])
    if at.size == 0:
        return None
    unit = order[at]
    unit_ids = np.asarray(ctx.tree.units, dtype=object)[unit]
    groups = values[value]
    cells = [f"unit_attribute:{u}|{attribute}={g}" for u, g in zip(unit_ids, groups, strict=True)]
    return UnitGapTable(
        attribute=attribute,
        scale_id=scale.id,
        unit_id=unit_ids,
        group=groups,
        cell=np.array(cells, dtype=object),
        n=result.n[unit, value],
        n_other=result.n_other[unit, value],
        mean=result.mean[unit, value],
        mean_other=result.mean_other[unit, value],
        difference=result.difference[unit, value],
        ci_low=result.ci_low[unit, value],
        ci_high=result.ci_high[unit, value],
        hedges_g=result.g[unit, value],
        g_ci_low=result.g_ci_low[unit, value],
        g_ci_high=result.g_ci_high[unit, value],
    )


# -- leaders ----------------------------------------------------------------------------------


def _leader_relation(
    ctx: _Context, leader_scale: Scale, team_scale: Scale, is_leader: BoolArray
) -> LeaderRelation | None:
    """Organisation-level correlation of leaders' own safety with their teams' (members only)."""
    own = ctx.scale_scores(leader_scale.id)
    climate = ctx.scale_scores(team_scale.id)
    leader_rows = is_leader & ~np.isnan(own)
    leader_scores = {
        int(team): float(score)
        for team, score in zip(ctx.teams[leader_rows], own[leader_rows], strict=True)
    }
    members = ~is_leader & ~np.isnan(climate)
    teams_with_both = set(leader_scores) & {int(t) for t in np.unique(ctx.teams[members])}
    if len(teams_with_both) < MIN_TEAMS_FOR_LEADER_RELATION:
        return None
    leader_reliability = None
    if int(leader_rows.sum()) >= MIN_TEAMS_FOR_LEADER_RELATION and len(leader_scale.items) >= 2:
        # Disattenuate with the reliability of the leaders' own scale among the leaders.
        try:
            alpha = reliability.cronbach_alpha(ctx.keyed[leader_scale.id][leader_rows])
            value = _float(alpha.alpha)
        except _UNDEFINED:  # then the correlation is given without the correction
            value = None
        leader_reliability = value if value is not None and 0.0 < value <= 1.0 else None
    try:
        result = leaders.leader_team_relation(
            leader_scores,
            climate[members],
            ctx.teams[members],
            leader_reliability=leader_reliability,
        )
    except _UNDEFINED:
        spread = min(np.ptp(list(leader_scores.values())), np.ptp(climate[members]))
        _not_computable(ctx, "leaders", team_scale, "zero_variance" if spread == 0 else "singular")
        return None
    return LeaderRelation(
        leader_scale_id=leader_scale.id,
        team_scale_id=team_scale.id,
        n_teams=int(result.n_teams),
        r=_float(result.r),
        ci_low=_float(result.ci_low),
        ci_high=_float(result.ci_high),
        disattenuated=_float(result.disattenuated),
        disattenuated_clipped=_float(result.disattenuated_clipped),
        exceeds_one=bool(result.exceeds_one),
    )


# -- what is not shown ------------------------------------------------------------------------

# Disclosure reason codes → ``report.suppressed.<reason>`` keys (plain words for the reader).
_REASONS = {
    "below_k": "below_k",
    "differencing": "complementary",
    "earlier_release": "earlier",
    "unverified": "unverified",
}


def _suppressions(plan: Any, tree: _Tree, root_cell: str) -> tuple[Suppression, ...]:
    out = []
    for key, reason in sorted(plan.suppressed.items(), key=lambda kv: cell_id(kv[0])):
        cell = cell_id(key)
        because = None
        if reason.leak is not None:
            # The leak's size is below k by definition: never published ("fewer than k" is
            # all a reader learns, as in disclosure.explain), so only the other cell is named.
            others = [
                cell_id(term.cell)
                for term in reason.leak.terms
                if term.cell != key and term.release is None
            ]
            because = others[0] if others else None
        unit = key.unit or None
        name = tree.names.get(unit) if unit is not None else None
        out.append(
            Suppression(
                cell=cell,
                kind=str(key.kind),
                unit_id=unit,
                attribute=key.attribute or None,
                value=key.value or None,
                reason=_REASONS.get(str(reason.code), str(reason.code)),
                because_of=because,
                name=name,
            )
        )
    return tuple(out)


# -- the whole report -------------------------------------------------------------------------


def _column(data: pd.DataFrame, name: str, what: str) -> pd.Series[Any]:
    if name not in data.columns:
        raise ValueError(f"the {what} column {name!r} is not in the responses.")
    return data[name]


def _labels(column: pd.Series[Any], *, missing_as_text: bool = False) -> pd.Categorical:
    """Labels as text in a categorical (``_labels.text_categorical``): −1 for missing.

    Factorised once per report, and every later step (the lattice, the gaps, the level trend)
    reuses the codes instead of factorising a million strings again. ``missing_as_text`` is for
    the team column only: a report built from data in memory has always kept a row without a
    team as a unit of its own named by its text ("nan", "None"), as ``astype(str)`` does;
    refusing such rows instead would change which data ``build_report`` accepts. Otherwise a
    missing value is in no cell of the attribute.
    """
    return text_categorical(column, missing="text" if missing_as_text else "code")


def build_report(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    team_column: str = "team",
    tree: Any = None,
    by: Sequence[str] = (),
    levels: Mapping[str, Sequence[str]] | None = None,
    wave_column: str | None = None,
    k: int = 5,
    role_column: str | None = None,
    leader_role: str = "leader",
    progress: Progress | None = None,
    excluded: Sequence[Any] = (),
    unit_attributes: Sequence[str] | None = None,
    unit_gaps_every_scale: bool = False,
    on_plan: Callable[[Any, Any], None] | None = None,
) -> Report:
    """Analyse a survey round and assemble the :class:`Report`; only shown cells get numbers.

    Parameters
    ----------
    responses
        One row per respondent: item columns (answer codes, NaN = missing or "prefer not to
        say"), the team column, and any attribute, wave and role columns.
    instrument
        The instrument the responses answer (:func:`vrijuit.stats.instruments.load_instrument`).
    team_column
        Each respondent's unit (a leaf of ``tree``).
    tree
        The unit tree: a ``UnitTree`` (``vrijuit.stats.rollup``), a mapping unit → parent
        (``None`` for the root), or ``None`` for a flat organisation of teams.
    by
        Background attributes for subgroup gaps (organisation × value cells).
    levels
        Ordered attributes (e.g. position: PhD … professor) with their order, for the
        hierarchy-level trend.
    wave_column
        Survey round; the report covers the last round, earlier rounds give the trend.
    k
        Minimum group size (R1); cells are planned with
        :func:`vrijuit.stats.disclosure.plan_disclosure`.
    role_column, leader_role
        Rows with ``role_column == leader_role`` are team leaders: their own-safety scale is only
        ever used in the organisation-level leader–team correlation.
    progress
        ``progress(stage, done, total)`` with stages ``reading``, ``scoring``, ``disclosure``
        and ``statistics`` (the CLI adds ``rendering``).
    excluded
        The problems of rows the importer left out (``ResponseImport.excluded`` with
        ``on_bad_rows="exclude"``): the report's notes give their count and each row's reason.
    unit_attributes
        The attributes of ``by`` that also get unit × value cells and per-unit gaps; ``None``
        (the default) means every ``by`` attribute. A survey that promised its respondents
        unit × value cells for fewer attributes (the web app's waves) passes those.
    unit_gaps_every_scale
        Per-unit gaps for every headline scale instead of the first one only (the printed
        report shows one; the web app's analysts choose a scale).
    on_plan
        Called once with the cell lattice and the disclosure plan the report was made with, for
        a caller that stores which cells were shown (the web app's snapshots) without planning
        the same lattice a second time.

    Returns
    -------
    Report
        Language-neutral; render it with :func:`vrijuit.render.render_html`.

    Notes
    -----
    Disclosure first: the lattice (every unit with its subtree, organisation × every value of
    ``by`` and ``levels``, unit × every value of ``unit_attributes``) is planned before any
    statistic is computed, and every section only keeps numbers for cells in the plan's
    ``shown`` set with n ≥ k. Shares in cells with n < 2k are bands (R6); distributions are
    given only for cells with n ≥ 2k.

    Examples
    --------
    >>> from vrijuit.stats.instruments import load_instrument
    >>> instrument = load_instrument("edmondson")
    >>> rng = np.random.default_rng(1)
    >>> items = list(instrument.item_ids())
    >>> answers = pd.DataFrame(rng.integers(1, 8, size=(60, len(items))), columns=items)
    >>> answers["team"] = np.repeat(["a", "b", "c", "d"], 15)
    >>> report = build_report(answers, instrument)
    >>> report.n_respondents, [u.unit_id for u in report.units][1:]
    (60, ['a', 'b', 'c', 'd'])
    """

    def tick(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"responses must be a pandas DataFrame, got {type(responses).__name__}.")
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}.")
    tick("reading", 0, 1)
    levels = dict(levels or {})
    data = responses
    waves: npt.NDArray[Any] | None = None
    if wave_column is not None:
        waves = _column(responses, wave_column, "wave").to_numpy()
        # Waves in the order they first appear (a categorical's own order wins): names such as
        # "2025-voorjaar" and "2025-najaar" do not sort by time.
        order = _wave_order(responses[wave_column])
        last = order[-1]
        data = responses.loc[waves == last].reset_index(drop=True)
    teams = _labels(_column(data, team_column, "team"), missing_as_text=True)
    unit_by = tuple(by) if unit_attributes is None else tuple(unit_attributes)
    if not set(unit_by) <= set(by):
        extra = ", ".join(sorted(set(unit_by) - set(by)))
        raise ValueError(f"unit attributes must be among the by attributes; not in by: {extra}.")
    attributes = {name: _labels(_column(data, name, "attribute")) for name in (*by, *levels)}
    tick("reading", 1, 1)

    tick("scoring", 0, 1)
    scored = scoring.score_instrument(data, instrument)
    all_scores = None
    all_teams = np.zeros(0, dtype=np.int64)
    if waves is not None:
        # The same team rules as the last wave's (text; a missing team is a unit of its own).
        all_teams = text_codes(responses[team_column], missing="text")[0]
        all_scores = scoring.score_instrument(responses, instrument)
    tick("scoring", 1, 1)

    tick("disclosure", 0, 1)
    parents, names, unit_levels = _tree_description(tree, [str(t) for t in teams.categories])
    # Unit × value cells of the ``unit_by`` attributes are planned with everything else, so the
    # per-unit gaps pass the same differencing audit as every other shown number.
    lattice = disclosure.cells_for_report(teams, parents, attributes)
    fits = bool(unit_by) and _few_leaf_cells(lattice, k)
    if fits:  # only then are the unit × value cells worth building and auditing
        lattice = disclosure.cells_for_report(teams, parents, attributes, unit_attributes=unit_by)
    plan, unverified_attributes = _plan(lattice, k)
    if not fits:
        unverified_attributes = tuple(sorted(set(unit_by)))
    if on_plan is not None:
        on_plan(lattice, plan)
    door = _Door(k, frozenset(cell_id(key) for key in plan.shown))
    tree_arrays = _Tree(
        tuple(str(u) for u in lattice.units),
        np.asarray(lattice.parent, dtype=np.int64),
        np.asarray(lattice.depth, dtype=np.int64),
        names,
        unit_levels,
    )
    tick("disclosure", 1, 1)

    team_codes = np.asarray(lattice.team_codes, dtype=np.int64)
    ctx = _Context(
        instrument=instrument,
        data=data,
        teams=team_codes,
        team_groups=_unit_groups(team_codes, len(tree_arrays.units)),
        scores=scored.scores,
        keyed=scored.keyed,
        tree=tree_arrays,
        attributes=attributes,
        door=door,
        unit_shown=_unit_shown(plan, tree_arrays),
        organisation_cell=cell_id(lattice.root),
        notes=_excluded_notes(excluded)
        + [
            Note("report.note.unit_cells_unverified", {"attribute": a})
            for a in unverified_attributes
        ],
        k=k,
    )
    scored_scales = [s for s in instrument.scales if s.id in scored.scores.columns]
    climate = [s for s in scored_scales if s.role == "climate"]
    climate.sort(key=lambda s: not s.headline)
    total = 4 + len(climate) * max(len(by) + len(levels), 1)
    done = 0
    tick("statistics", done, total)

    organisation = []
    for scale in climate:
        org = _organisation_scale(ctx, scale, team_stats=True)
        if org is not None and waves is not None and all_scores is not None:
            trend, slope = _wave_points(
                scale,
                all_scores.scores[scale.id].to_numpy(dtype=np.float64),
                waves,
                all_teams,
                k,
            )
            org = OrganisationScale(**{**_fields(org), "trend": trend, "wave_slope": slope})
        if org is not None:
            organisation.append(org)
    done += 1
    tick("statistics", done, total)

    units = _units(ctx, climate)
    flagged = _flagged(units)
    done += 1
    tick("statistics", done, total)

    gaps = []
    trends = []
    for scale in (s for s in climate if s.headline):
        for attribute in by:
            gaps.append(_gap_section(ctx, attribute, scale))
            done += 1
            tick("statistics", done, total)
        for attribute, level_order in levels.items():
            trend_result = _level_trend(ctx, attribute, [str(o) for o in level_order], scale)
            if trend_result is not None:
                trends.append(trend_result)
            done += 1
            tick("statistics", done, total)

    unit_gaps = _unit_gaps(
        ctx, plan, lattice, unit_by, climate, gaps, every_scale=unit_gaps_every_scale
    )

    leader = None
    leader_scales = [s for s in scored_scales if s.role == "leader_own"]
    if role_column is not None and leader_scales and climate:
        roles = _column(data, role_column, "role").astype(str).to_numpy()
        leader = _leader_relation(ctx, leader_scales[0], climate[0], roles == leader_role)

    voice = tuple(
        org
        for scale in scored_scales
        if scale.role == "behaviour"
        and (org := _organisation_scale(ctx, scale, team_stats=False)) is not None
    )
    incident_scales = tuple(
        org
        for scale in scored_scales
        if scale.role == "incidents"
        and (org := _organisation_scale(ctx, scale, team_stats=False, reliability=False))
        is not None
    )
    incidents = IncidentBlock(incident_scales, sector_figure()) if incident_scales else None
    tick("statistics", total, total)

    return Report(
        schema_version=SCHEMA_VERSION,
        engine_version=ENGINE_VERSION,
        instrument_id=instrument.id,
        instrument_version=str(instrument.version),
        instrument_name=_text(instrument.name),
        k=k,
        n_respondents=len(data) if door.allows(ctx.organisation_cell, len(data)) else 0,
        scales=tuple(_scale_info(s) for s in scored_scales),
        organisation=tuple(organisation),
        units=units,
        flagged=flagged,
        gaps=tuple(gaps),
        levels=tuple(trends),
        leaders=leader,
        voice=voice,
        incidents=incidents,
        suppressed=_suppressions(plan, tree_arrays, ctx.organisation_cell),
        notes=tuple(ctx.notes),
        unit_gaps=unit_gaps,
    )


_EXCLUDED_REASONS = (
    "out_of_range",
    "unknown_answer",
    "missing_team",
    "missing_respondent_id",
    "missing_wave",
    "duplicate_id",
)


def _excluded_notes(problems: Sequence[Any]) -> list[Note]:
    """The rows the importer left out: their count, then one note per problem with its reason."""
    if not problems:
        return []
    rows = sorted({int(p.row) for p in problems})
    notes = [Note("report.note.excluded_rows", {"n": len(rows)})]
    for problem in sorted(problems, key=lambda p: (int(p.row), str(p.column))):
        reason = str(problem.code).rsplit(".", 1)[-1]
        key = f"report.excluded.{reason if reason in _EXCLUDED_REASONS else 'other'}"
        params: dict[str, str | int | float] = {
            "row": int(problem.row),
            "column": str(problem.column),
            "value": str(problem.value),
        }
        notes.append(Note(key, params))
    return notes


def _few_leaf_cells(lattice: Any, k: int) -> bool:
    """Whether unit × value cells may fit the atom budget: a cheap bound from the unit cells.

    Leaf units are disjoint, so every leaf with at least k people (a candidate cell) makes an
    atom of its own: more such leaves than ``UNIT_CELL_ATOMS`` means more atoms than that.
    """
    n_units = len(lattice.units)
    inner = np.bincount(lattice.parent[lattice.parent >= 0], minlength=n_units) > 0
    sizes = np.bincount(lattice.team_codes, minlength=n_units)  # a leaf's people are its own
    return int(np.count_nonzero(~inner & (sizes >= k))) <= UNIT_CELL_ATOMS


def _plan(lattice: Any, k: int) -> tuple[Any, tuple[str, ...]]:
    """The disclosure plan, and the attributes whose unit × value cells are all hidden unheard.

    The exact audit of unit × value cells refuses beyond ``_span.MAX_ATOMS`` atoms (membership
    patterns) and the planner then hides every unit × value cell as ``unverified`` — after
    spending its rounds to get there (seconds at 100,000 people); below that limit its time
    still grows fast with the atoms. When the candidate cells (n ≥ k) make more than
    ``UNIT_CELL_ATOMS`` atoms, the unit × value cells are left out of the plan at once: none is
    shown, and one note per attribute says why instead of one line per cell (tens of thousands
    in a large organisation). Hiding is the safe direction: the planner could at most have shown
    some of them.
    """
    if not lattice.unit_attributes:
        return disclosure.plan_disclosure(lattice, k=k), ()
    limit = min(UNIT_CELL_ATOMS, int(_span.MAX_ATOMS))
    candidates = frozenset(cell.key for cell in lattice.cells if cell.n >= k)
    if _cells.release_atoms(lattice, candidates, ()).sizes.shape[0] <= limit:
        return disclosure.plan_disclosure(lattice, k=k), ()
    base = [cell.key for cell in lattice.cells if cell.key.kind != "unit_attribute"]
    plan = disclosure.plan_disclosure(lattice, k=k, cells=base)
    return plan, tuple(lattice.unit_attributes)


def _unit_groups(team_codes: npt.NDArray[np.int64], n_units: int) -> Groups:
    """The respondents grouped by their unit, once per report; labels are unit positions."""
    present = np.flatnonzero(np.bincount(team_codes, minlength=n_units))
    dense = np.full(n_units, -1, dtype=np.int64)
    dense[present] = np.arange(present.shape[0])
    return Groups(codes=dense[team_codes], labels=present.astype(np.int64))


def _unit_shown(plan: Any, tree: _Tree) -> BoolArray:
    """Per tree unit: whether its cell (the unit with its subtree) is shown."""
    position = {unit: index for index, unit in enumerate(tree.units)}
    shown = np.zeros(len(tree.units), dtype=bool)
    for key in plan.shown:
        if key.kind == "unit" and key.unit in position:
            shown[position[key.unit]] = True
    return shown


def _wave_order(column: pd.Series[Any]) -> list[Any]:
    """Waves in time order: a categorical's categories, else the order of first appearance."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna())
        return [c for c in column.cat.categories if c in present]
    return list(pd.unique(column.dropna()))


def _fields(result: Any) -> dict[str, Any]:
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


def _scale_info(scale: Scale) -> ScaleInfo:
    fmt = scale.response_format
    return ScaleInfo(
        scale_id=scale.id,
        name=_text(scale.name),
        role=str(scale.role),
        headline=bool(scale.headline),
        low=float(fmt.low),
        high=float(fmt.high),
        cutoff=None if scale.unsafe_below is None else float(scale.unsafe_below),
        n_items=len(scale.items),
    )
