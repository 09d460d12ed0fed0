"""The Report: what a survey round's analysis says, as frozen dataclasses with ``to_dict()``.

The Report is language-neutral: it holds ids, keys and numbers; the renderer
(:mod:`vrijuit.render`) turns keys into Dutch or English text. Its JSON form
(``report.to_dict()``) is documented in ``docs/report-schema.md`` and ``docs/report.schema.json``.

Every number about people belongs to a *cell* (a unit with its subtree, the organisation × one
attribute value, or a unit × one attribute value) that passed the disclosure plan; a suppressed
cell appears only in :attr:`Report.suppressed`, with its reason and without any numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints, overload

import numpy as np
import numpy.typing as npt

from vrijuit.stats.results import Result

__all__ = [
    "SCHEMA_VERSION",
    "SHARE_BANDS",
    "AgreementSummary",
    "Distribution",
    "Flag",
    "FlaggedTeam",
    "Gap",
    "GapSection",
    "IccSummary",
    "IncidentBlock",
    "ItemDistribution",
    "LeaderRelation",
    "LevelMean",
    "LevelTrend",
    "Note",
    "OrganisationScale",
    "Reliability",
    "Report",
    "ScaleInfo",
    "SectorFigure",
    "Share",
    "Suppression",
    "Text",
    "UnitGapTable",
    "UnitScale",
    "UnitScaleColumns",
    "UnitSection",
    "UnitTable",
    "WavePoint",
    "WaveSlope",
    "json_schema",
]

# 2.0: the units are one columnar table (a list per field) instead of one object per unit.
# 2.1: unit_gaps filled (with Hedges' g columns); leaders carry the clipped correction.
SCHEMA_VERSION = "2.1"

# Columns of the unit tables: numpy arrays in Python, one JSON array per field (NaN → null).
# The metadata string names the JSON type of an element; "counts" is a 2-D integer array whose
# rows are lists, or null where the row is negative (a distribution that is not shown).
FloatColumn = Annotated[npt.NDArray[np.float64], "number"]
IntColumn = Annotated[npt.NDArray[np.int64], "integer"]
BoolColumn = Annotated[npt.NDArray[np.bool_], "boolean"]
TextColumn = Annotated[npt.NDArray[np.object_], "string"]
CountsColumn = Annotated[npt.NDArray[np.int64], "counts"]

# R6 (anonymity.md): a share in a cell with n < 2k is shown as one of these bands, so that a
# unanimous cell never reads "0%" or "100%".
SHARE_BANDS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Text(Result):
    """Wording that comes with the data (unit names, scale names, item text) in both languages."""

    en: str
    nl: str

    def get(self, lang: str) -> str:
        """The wording in ``lang`` ("en" or "nl"), falling back to English."""
        return self.nl if lang == "nl" and self.nl else self.en


@dataclass(frozen=True)
class Note(Result):
    """A message for the reader: a ``report.*`` catalog key with its placeholder values."""

    key: str
    params: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True)
class Share(Result):
    """Share of people whose scale score lies below the cut-off.

    In a cell with n < 2k (R6) ``banded`` is true: ``share``, ``ci_low`` and ``ci_high`` are
    None and the share is given only as the band ``[band_low, band_high)`` from ``SHARE_BANDS``.
    """

    cutoff: float
    share: float | None
    ci_low: float | None
    ci_high: float | None
    banded: bool = False
    band_low: float | None = None
    band_high: float | None = None


@dataclass(frozen=True)
class Distribution(Result):
    """Histogram of person scale scores: ``counts[i]`` people in ``[edges[i], edges[i+1])``.

    The last bin is closed on the right. ``edges`` align with the scale's response range.
    """

    edges: tuple[float, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True)
class ItemDistribution(Result):
    """Answers to one item in one shown cell: ``counts[i]`` people chose ``categories[i]``."""

    item_id: str
    text: Text
    reverse: bool
    categories: tuple[int, ...]
    counts: tuple[int, ...]
    n: int


@dataclass(frozen=True)
class Reliability(Result):
    """Internal consistency of a scale in the organisation's data."""

    alpha: float | None
    alpha_ci_low: float | None
    alpha_ci_high: float | None
    omega: float | None
    n_items: int
    n: int


@dataclass(frozen=True)
class IccSummary(Result):
    """ICC(1) with CI and ICC(2) from the one-way ANOVA over teams."""

    icc1: float | None
    icc1_ci_low: float | None
    icc1_ci_high: float | None
    icc2: float | None
    n_teams: int
    negative: bool


@dataclass(frozen=True)
class AgreementSummary(Result):
    """Mean and median rwg(J) over the shown teams."""

    mean_rwg_j: float | None
    median_rwg_j: float | None
    n_teams: int
    null_distribution: str


@dataclass(frozen=True)
class WavePoint(Result):
    """One survey wave of the organisation: n, mean and its CI."""

    wave: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    design_effect: float | None = None


@dataclass(frozen=True)
class WaveSlope(Result):
    """The organisation's linear trend over the waves (random-intercept model, REML).

    ``per`` is ``"wave_value"`` when the wave labels are numbers (e.g. years: change per year)
    and ``"wave"`` when they are names (waves numbered 1, 2, … in time order: change per wave).
    """

    slope: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_waves: int
    per: str


@dataclass(frozen=True)
class ScaleInfo(Result):
    """What the reader needs to know about a scale: id, name, role, range and the cut-off."""

    scale_id: str
    name: Text
    role: str
    headline: bool
    low: float
    high: float
    cutoff: float | None
    n_items: int


@dataclass(frozen=True)
class OrganisationScale(Result):
    """The organisation's picture on one scale."""

    scale_id: str
    cell: str
    n: int
    mean: float | None
    sd: float | None
    distribution: Distribution | None
    share_below: Share | None
    reliability: Reliability | None
    icc: IccSummary | None
    agreement: AgreementSummary | None
    trend: tuple[WavePoint, ...] = ()
    items: tuple[ItemDistribution, ...] = ()
    wave_slope: WaveSlope | None = None


@dataclass(frozen=True)
class Flag(Result):
    """A signal about a team on a scale; ``code`` names a ``report.flag.<code>`` explanation."""

    code: str
    params: dict[str, str | int | float] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitScale(Result):
    """One unit (with its subtree) on one scale."""

    scale_id: str
    n: int
    mean: float | None
    sd: float | None
    shrunken_mean: float | None
    distribution: Distribution | None
    share_below: Share | None
    rwg_j: float | None
    awg: float | None
    ad: float | None
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class UnitSection(Result):
    """One shown unit of the tree; ``team`` is true for a unit people belong to directly."""

    unit_id: str
    cell: str
    name: Text
    parent_id: str | None
    depth: int
    level: str | None
    team: bool
    n: int
    scales: tuple[UnitScale, ...]


@dataclass(frozen=True)
class FlaggedTeam(Result):
    """A team with at least one flag, for the "flagged teams" list."""

    unit_id: str
    scale_id: str
    flags: tuple[Flag, ...]


def _json_column(values: npt.NDArray[Any]) -> list[Any]:
    """One column as a JSON list, fast: ``tolist()`` once, then NaN (and None text) → None."""
    if values.ndim == 2:  # a counts matrix: a negative row is "not shown"
        rows: list[Any] = values.tolist()
        for index in np.flatnonzero(values[:, 0] < 0) if values.shape[1] else ():
            rows[index] = None
        return rows
    out: list[Any] = values.tolist()
    if values.dtype.kind == "f":
        for index in np.flatnonzero(~np.isfinite(values)):
            out[index] = None
    return out


def _columns_dict(table: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in fields(table):
        value = getattr(table, column.name)
        if isinstance(value, np.ndarray):
            out[column.name] = _json_column(value)
        elif isinstance(value, tuple):
            out[column.name] = [v.to_dict() if isinstance(v, Result) else v for v in value]
        else:
            out[column.name] = value
    return out


def _cell(values: npt.NDArray[Any], index: int) -> Any:
    """Element ``index`` as a plain Python value (NaN → None)."""
    value = values[index].item() if isinstance(values[index], np.generic) else values[index]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass(frozen=True, eq=False)
class UnitScaleColumns(Result):
    """One scale for every row of a :class:`UnitTable`, as columns aligned with its units.

    ``shown`` is false where the unit is shown but this scale is not (fewer than k scores); all
    other columns are then null/false for that row. The share is a band in rows with
    ``banded`` (n < 2k, R6); ``distribution`` rows are counts over ``edges`` (n ≥ 2k) or null.
    Team statistics (``shrunken_mean``, ``rwg_j``, ``awg``, ``ad``, flags) are null/false for
    units that are not teams. ``polarised_share`` and ``low_agreement_rwg`` are the flags'
    wording (text: a percentage, or a band for a banded share).
    """

    scale_id: str
    cutoff: float | None
    edges: tuple[float, ...]
    shown: BoolColumn
    n: IntColumn
    mean: FloatColumn
    sd: FloatColumn
    shrunken_mean: FloatColumn
    share: FloatColumn
    share_ci_low: FloatColumn
    share_ci_high: FloatColumn
    banded: BoolColumn
    band_low: FloatColumn
    band_high: FloatColumn
    distribution: CountsColumn
    rwg_j: FloatColumn
    awg: FloatColumn
    ad: FloatColumn
    polarised: BoolColumn
    polarised_share: TextColumn
    low_agreement: BoolColumn
    low_agreement_rwg: FloatColumn

    def to_dict(self) -> dict[str, Any]:
        return _columns_dict(self)

    def row(self, index: int) -> UnitScale | None:
        """Row ``index`` as a :class:`UnitScale` (None where the scale is not shown)."""
        if not bool(self.shown[index]):
            return None
        share = None
        if self.cutoff is not None and self.n[index] > 0:
            share = Share(
                self.cutoff,
                _cell(self.share, index),
                _cell(self.share_ci_low, index),
                _cell(self.share_ci_high, index),
                bool(self.banded[index]),
                _cell(self.band_low, index),
                _cell(self.band_high, index),
            )
        distribution = None
        if self.distribution.shape[1] and self.distribution[index, 0] >= 0:
            distribution = Distribution(self.edges, tuple(self.distribution[index].tolist()))
        flags: list[Flag] = []
        if bool(self.polarised[index]):
            flags.append(Flag("polarised", {"share": str(self.polarised_share[index])}))
        if bool(self.low_agreement[index]):
            rwg = _cell(self.low_agreement_rwg, index)
            flags.append(Flag("low_agreement", {"rwg": round(rwg, 2) if rwg is not None else ""}))
        return UnitScale(
            scale_id=self.scale_id,
            n=int(self.n[index]),
            mean=_cell(self.mean, index),
            sd=_cell(self.sd, index),
            shrunken_mean=_cell(self.shrunken_mean, index),
            distribution=distribution,
            share_below=share,
            rwg_j=_cell(self.rwg_j, index),
            awg=_cell(self.awg, index),
            ad=_cell(self.ad, index),
            flags=tuple(flags),
        )


@dataclass(frozen=True, eq=False)
class UnitTable(Result):
    """Every shown unit, depth first from the root, as columns (one JSON list per field).

    Iterating gives one :class:`UnitSection` per unit (built on demand), so a renderer reads it
    as rows; ``report.units[i]`` and ``len(report.units)`` work as for a tuple.
    """

    unit_id: TextColumn
    cell: TextColumn
    name_en: TextColumn
    name_nl: TextColumn
    parent_id: TextColumn
    depth: IntColumn
    level: TextColumn
    team: BoolColumn
    n: IntColumn
    scales: tuple[UnitScaleColumns, ...]

    def to_dict(self) -> dict[str, Any]:
        return _columns_dict(self)

    def __len__(self) -> int:
        return int(self.unit_id.shape[0])

    def __bool__(self) -> bool:
        return len(self) > 0

    @overload
    def __getitem__(self, index: int) -> UnitSection: ...

    @overload
    def __getitem__(self, index: slice) -> list[UnitSection]: ...

    def __getitem__(self, index: int | slice) -> UnitSection | list[UnitSection]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if not -len(self) <= index < len(self):
            raise IndexError(f"unit row {index} out of range for {len(self)} units.")
        index %= len(self)
        parent = self.parent_id[index]
        return UnitSection(
            unit_id=str(self.unit_id[index]),
            cell=str(self.cell[index]),
            name=Text(str(self.name_en[index]), str(self.name_nl[index])),
            parent_id=None if parent is None else str(parent),
            depth=int(self.depth[index]),
            level=None if self.level[index] is None else str(self.level[index]),
            team=bool(self.team[index]),
            n=int(self.n[index]),
            scales=tuple(row for scale in self.scales if (row := scale.row(index)) is not None),
        )

    def __iter__(self) -> Iterator[UnitSection]:
        return (self[index] for index in range(len(self)))

    def index(self, unit_id: str) -> int:
        """Row of ``unit_id``; KeyError when the unit is not shown."""
        found = np.flatnonzero(self.unit_id == unit_id)
        if found.size == 0:
            raise KeyError(f"the report shows no unit {unit_id!r}.")
        return int(found[0])

    @classmethod
    def from_sections(cls, sections: Sequence[UnitSection]) -> UnitTable:
        """The table holding ``sections`` (e.g. a hand-made report), in their order."""
        n_rows = len(sections)

        def text(values: Sequence[str | None]) -> npt.NDArray[np.object_]:
            return np.array(list(values), dtype=object).reshape(n_rows)

        scale_ids = list(dict.fromkeys(s.scale_id for u in sections for s in u.scales))
        return cls(
            unit_id=text([u.unit_id for u in sections]),
            cell=text([u.cell for u in sections]),
            name_en=text([u.name.en for u in sections]),
            name_nl=text([u.name.nl for u in sections]),
            parent_id=text([u.parent_id for u in sections]),
            depth=np.array([u.depth for u in sections], dtype=np.int64),
            level=text([u.level for u in sections]),
            team=np.array([u.team for u in sections], dtype=bool),
            n=np.array([u.n for u in sections], dtype=np.int64),
            scales=tuple(_scale_columns(scale_id, sections) for scale_id in scale_ids),
        )


def _scale_columns(scale_id: str, sections: Sequence[UnitSection]) -> UnitScaleColumns:
    rows = [next((s for s in u.scales if s.scale_id == scale_id), None) for u in sections]
    n_rows = len(rows)

    def floats(values: Sequence[float | None]) -> npt.NDArray[np.float64]:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    shares = [None if r is None else r.share_below for r in rows]
    dists = [None if r is None else r.distribution for r in rows]
    edges = next((d.edges for d in dists if d is not None), ())
    counts = np.full((n_rows, max(len(edges) - 1, 0)), -1, dtype=np.int64)
    for index, dist in enumerate(dists):
        if dist is not None and len(dist.counts) == counts.shape[1]:
            counts[index] = dist.counts
    flags = [{f.code: f for f in r.flags} if r is not None else {} for r in rows]
    cutoff = next((s.cutoff for s in shares if s is not None), None)
    return UnitScaleColumns(
        scale_id=scale_id,
        cutoff=cutoff,
        edges=tuple(edges),
        shown=np.array([r is not None for r in rows], dtype=bool),
        n=np.array([0 if r is None else r.n for r in rows], dtype=np.int64),
        mean=floats([None if r is None else r.mean for r in rows]),
        sd=floats([None if r is None else r.sd for r in rows]),
        shrunken_mean=floats([None if r is None else r.shrunken_mean for r in rows]),
        share=floats([None if s is None else s.share for s in shares]),
        share_ci_low=floats([None if s is None else s.ci_low for s in shares]),
        share_ci_high=floats([None if s is None else s.ci_high for s in shares]),
        banded=np.array([s is not None and s.banded for s in shares], dtype=bool),
        band_low=floats([None if s is None else s.band_low for s in shares]),
        band_high=floats([None if s is None else s.band_high for s in shares]),
        distribution=counts,
        rwg_j=floats([None if r is None else r.rwg_j for r in rows]),
        awg=floats([None if r is None else r.awg for r in rows]),
        ad=floats([None if r is None else r.ad for r in rows]),
        polarised=np.array(["polarised" in f for f in flags], dtype=bool),
        polarised_share=np.array(
            [
                str(f["polarised"].params.get("share", "")) if "polarised" in f else None
                for f in flags
            ],
            dtype=object,
        ).reshape(n_rows),
        low_agreement=np.array(["low_agreement" in f for f in flags], dtype=bool),
        low_agreement_rwg=floats(
            [
                float(f["low_agreement"].params["rwg"]) if "low_agreement" in f else None
                for f in flags
            ]
        ),
    )


@dataclass(frozen=True, eq=False)
class UnitGapTable(Result):
    """Gaps inside units: in each unit, one attribute value against the rest of the unit.

    One row per unit × value (depth first from the root, values in order) where the unit and its
    ``unit_attribute`` cell are shown and both the value's people and the rest of the unit
    (``U minus U × value``, which a reader can derive from the two, including people who left
    the attribute empty) number at least k, as members and as scores. ``difference`` =
    ``mean`` − ``mean_other`` with the Welch CI; ``hedges_g`` with the non-central-t CI
    (:func:`vrijuit.stats.unit_gaps.unit_value_gaps`).
    """

    attribute: str
    scale_id: str
    unit_id: TextColumn
    group: TextColumn
    cell: TextColumn
    n: IntColumn
    n_other: IntColumn
    mean: FloatColumn
    mean_other: FloatColumn
    difference: FloatColumn
    ci_low: FloatColumn
    ci_high: FloatColumn
    hedges_g: FloatColumn
    g_ci_low: FloatColumn
    g_ci_high: FloatColumn

    def to_dict(self) -> dict[str, Any]:
        return _columns_dict(self)

    def __len__(self) -> int:
        return int(self.unit_id.shape[0])


@dataclass(frozen=True)
class Gap(Result):
    """One group (organisation × attribute value) against the rest or a reference group."""

    group: str
    cell: str
    n: int
    n_other: int
    mean: float | None
    mean_other: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    hedges_g: float | None
    g_ci_low: float | None
    g_ci_high: float | None
    p_holm: float | None
    within_team_difference: float | None = None
    within_team_ci_low: float | None = None
    within_team_ci_high: float | None = None


@dataclass(frozen=True)
class GapSection(Result):
    """Gaps for one attribute on one scale, shown only after the scale-works-alike check."""

    attribute: str
    scale_id: str
    reference: str | None
    works_alike: bool | None
    reasons: tuple[Note, ...]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class LevelMean(Result):
    """One ordered hierarchy level: n and mean."""

    level: str
    cell: str
    n: int
    mean: float | None
    sd: float | None


@dataclass(frozen=True)
class LevelTrend(Result):
    """Means over ordered hierarchy levels with the linear-trend contrast."""

    attribute: str
    scale_id: str
    levels: tuple[LevelMean, ...]
    slope: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


@dataclass(frozen=True)
class LeaderRelation(Result):
    """Organisation-level relation between leaders' own safety and their teams' safety.

    Never a per-team leader score: that would be one person's answers. ``disattenuated`` is the
    correction for measurement error as computed (for analysts); it can exceed 1 in absolute
    value (sampling error in r or in the reliabilities), and is then no correlation:
    ``exceeds_one`` is true and ``disattenuated_clipped`` (±1) is what a reader is shown.
    """

    leader_scale_id: str
    team_scale_id: str
    n_teams: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    disattenuated: float | None
    disattenuated_clipped: float | None = None
    exceeds_one: bool = False


@dataclass(frozen=True)
class SectorFigure(Result):
    """A published comparison figure, always with its source, year and sample."""

    source: str
    title: str
    year: int
    sample: Note
    figures: tuple[Note, ...]


@dataclass(frozen=True)
class IncidentBlock(Result):
    """The secondary unwanted-behaviour block: our own measure beside the sector figure."""

    scales: tuple[OrganisationScale, ...]
    sector: SectorFigure


@dataclass(frozen=True)
class Suppression(Result):
    """A cell that is not shown, with the reason; it carries no numbers about people.

    ``reason`` is a ``report.suppressed.<reason>`` key. ``revealed`` is never a count below k:
    the group that showing the cell would expose always has fewer than k people, so a built
    report leaves it null and the reader learns only "fewer than k" (as
    :func:`vrijuit.stats.disclosure.explain`); the field stays for schema compatibility.
    """

    cell: str
    kind: str
    unit_id: str | None
    attribute: str | None
    value: str | None
    reason: str
    because_of: str | None = None
    revealed: int | None = None
    name: Text | None = None


@dataclass(frozen=True)
class Report(Result):
    """The whole report of one survey round, language-neutral."""

    schema_version: str
    engine_version: str
    instrument_id: str
    instrument_version: str
    instrument_name: Text
    k: int
    n_respondents: int
    scales: tuple[ScaleInfo, ...]
    organisation: tuple[OrganisationScale, ...]
    units: UnitTable
    flagged: tuple[FlaggedTeam, ...]
    gaps: tuple[GapSection, ...]
    levels: tuple[LevelTrend, ...]
    leaders: LeaderRelation | None
    voice: tuple[OrganisationScale, ...]
    incidents: IncidentBlock | None
    suppressed: tuple[Suppression, ...]
    notes: tuple[Note, ...] = ()
    unit_gaps: tuple[UnitGapTable, ...] = ()

    def __post_init__(self) -> None:
        # A hand-made report may list its units as UnitSection rows; keep them as the table.
        if not isinstance(self.units, UnitTable):
            object.__setattr__(self, "units", UnitTable.from_sections(tuple(self.units)))

    def scale(self, scale_id: str) -> ScaleInfo:
        """The scale description with id ``scale_id``."""
        for info in self.scales:
            if info.scale_id == scale_id:
                return info
        raise KeyError(f"the report has no scale {scale_id!r}.")

    def unit(self, unit_id: str) -> UnitSection:
        """The shown unit with id ``unit_id``."""
        return self.units[self.units.index(unit_id)]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Report.to_dict()``, derived from the dataclasses.

    ``docs/report.schema.json`` is this function's output; a test keeps the two identical.

    >>> schema = json_schema()
    >>> schema["$ref"], "share" in schema["$defs"]["Share"]["required"]
    ('#/$defs/Report', True)
    """
    definitions: dict[str, Any] = {}
    _define(Report, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://vrijuit.nl/schema/report-" + SCHEMA_VERSION + ".json",
        "title": "Vrijuit report",
        "description": (
            "Report.to_dict(): language-neutral keys, ids and numbers; NaN is null. "
            "See docs/report-schema.md."
        ),
        "$ref": "#/$defs/Report",
        "$defs": dict(sorted(definitions.items())),
    }


def _define(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    name = cls.__name__
    if name not in definitions:
        definitions[name] = {}  # placeholder against recursion
        hints = get_type_hints(cls, include_extras=True)
        doc = (cls.__doc__ or "").strip().splitlines()
        definitions[name] = {
            "type": "object",
            "description": doc[0] if doc else name,
            "properties": {f.name: _type_schema(hints[f.name], definitions) for f in fields(cls)},
            "required": [f.name for f in fields(cls)],
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}"}


_COLUMN_ITEMS: dict[str, dict[str, Any]] = {
    "number": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "string": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    "counts": {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}]},
}


def _type_schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(hint)
    arguments = get_args(hint)
    if origin is Annotated:
        return {"type": "array", "items": _COLUMN_ITEMS[hint.__metadata__[0]]}
    if origin in (Union, UnionType):
        options = [_type_schema(a, definitions) for a in arguments if a is not type(None)]
        if type(None) in arguments:
            options.append({"type": "null"})
        return options[0] if len(options) == 1 else {"anyOf": options}
    if origin is tuple:
        return {"type": "array", "items": _type_schema(arguments[0], definitions)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(arguments[1], definitions)}
    if is_dataclass(hint) and isinstance(hint, type):
        return _define(hint, definitions)
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in simple:
        return {"type": simple[hint]}
    raise TypeError(f"no JSON Schema for type {hint!r}.")
