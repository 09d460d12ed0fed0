"""The Report: what a survey round's analysis says, as frozen dataclasses with ``to_dict()``.

The Report is language-neutral: it holds ids, keys and numbers; the renderer
(:mod:`vrijuit.render`) turns keys into Dutch or English text. Its JSON form
(``report.to_dict()``) is documented in ``docs/report-schema.md`` and ``docs/report.schema.json``.

Every number about people belongs to a *cell* (a unit with its subtree, the organisation × one
attribute value, or a unit × one attribute value) that passed the disclosure plan; a suppressed
cell appears only in :attr:`Report.suppressed`, with its reason and without any numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

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
    "UnitScale",
    "UnitSection",
    "WavePoint",
    "json_schema",
]

SCHEMA_VERSION = "1.0"

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

    Never a per-team leader score: that would be one person's answers.
    """

    leader_scale_id: str
    team_scale_id: str
    n_teams: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    disattenuated: float | None


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

    ``reason`` is a ``report.suppressed.<reason>`` key; ``revealed`` is the size of the group
    that showing the cell would expose (from the disclosure plan), when the plan says so.
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
    units: tuple[UnitSection, ...]
    flagged: tuple[FlaggedTeam, ...]
    gaps: tuple[GapSection, ...]
    levels: tuple[LevelTrend, ...]
    leaders: LeaderRelation | None
    voice: tuple[OrganisationScale, ...]
    incidents: IncidentBlock | None
    suppressed: tuple[Suppression, ...]
    notes: tuple[Note, ...] = ()

    def scale(self, scale_id: str) -> ScaleInfo:
        """The scale description with id ``scale_id``."""
        for info in self.scales:
            if info.scale_id == scale_id:
                return info
        raise KeyError(f"the report has no scale {scale_id!r}.")

    def unit(self, unit_id: str) -> UnitSection:
        """The shown unit with id ``unit_id``."""
        for section in self.units:
            if section.unit_id == unit_id:
                return section
        raise KeyError(f"the report shows no unit {unit_id!r}.")


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
        hints = get_type_hints(cls)
        doc = (cls.__doc__ or "").strip().splitlines()
        definitions[name] = {
            "type": "object",
            "description": doc[0] if doc else name,
            "properties": {f.name: _type_schema(hints[f.name], definitions) for f in fields(cls)},
            "required": [f.name for f in fields(cls)],
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}"}


def _type_schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(hint)
    arguments = get_args(hint)
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
