"""What each role sees of a snapshot: tables of formatted text, the same for page, CSV and PDF.

Every number comes out of ``ResultSnapshot.report`` and only for a cell in the snapshot's
``shown`` list, and each table records the cells it used (``Table.cells``), so a property test
can check that every role's view is a subset of what was planned (P8). The page, the CSV and
the PDF all render these tables, so a download is exactly what the page shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vrijuit.render.charts import Chart, histogram, trend_plot
from vrijuit.render.formatting import format_ci, format_number, format_percent, format_share_band
from vrijuit.results.models import ResultSnapshot
from vrijuit.surveys.models import Wave

REASONS = {
    "below_k": gettext_lazy("Fewer than %(k)s people answered, so no results are shown."),
    "complementary": gettext_lazy(
        "Hidden so that nobody can work out the answers of a group smaller than %(k)s by "
        "comparing this with other results."
    ),
    "differencing": gettext_lazy(
        "Hidden so that nobody can work out the answers of a group smaller than %(k)s by "
        "comparing this with other results."
    ),
    "earlier_release": gettext_lazy(
        "Not updated: since the last release fewer than %(k)s new answers came in, and showing "
        "the new figure would reveal them."
    ),
    "unverified": gettext_lazy(
        "Hidden because we could not verify that showing it protects every group of fewer than "
        "%(k)s people."
    ),
}


# One label per flag code the engine can give a unit on a scale (``report.flag.<code>`` in its
# catalog; tests/web/test_results.py checks that none is missing).
FLAG_LABELS = {
    "polarised": gettext_lazy(
        "The mean is at or above the cut-off, but %(share)s of this unit scores below it: part "
        "of the unit does not feel safe."
    ),
    "low_agreement": gettext_lazy(
        "People in this unit experience the climate very differently (agreement rwg(j) = "
        "%(rwg)s); the mean hides that difference."
    ),
    "below_cutoff": gettext_lazy("The unit's mean lies below the cut-off."),
}
UNKNOWN_FLAG = gettext_lazy("A signal that is worth a conversation.")


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    cells: set[str] = field(default_factory=set)
    # Pictures of some of the rows (never of anything else): the table is their data table.
    charts: list[Chart] = field(default_factory=list)
    # (CSS class, meaning) of each shade used in the table; empty when nothing is shaded.
    legend: list[tuple[str, str]] = field(default_factory=list)
    # Sentences under the table on how to read it (e.g. why a column shows "–"); not cells.
    notes: list[str] = field(default_factory=list)


class LinkCell(str):
    """A table cell's text that links to a page (a sub-unit's own results); a plain string in
    the CSV."""

    url: str

    def __new__(cls, text: str, url: str) -> LinkCell:
        cell = super().__new__(cls, text)
        cell.url = url
        return cell


@dataclass
class View:
    kind: str
    tables: list[Table]
    explanations: list[tuple[str, str]]  # (what, why) for suppressed cells in scope
    sector: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)  # what the engine could not compute, why
    k: int = 5
    # Fewer than k people answered the whole wave: nothing at all can be shown, and the page
    # says so in one sentence instead of listing every unit.
    too_few: bool = False

    @property
    def cells(self) -> set[str]:
        return set().union(*(t.cells for t in self.tables)) if self.tables else set()

    @property
    def empty(self) -> bool:
        """No figure at all: rows that only say why a part is hidden do not count."""
        return not any(t.cells for t in self.tables)


class _Snapshot:
    """Lookups on one snapshot's report, in one language."""

    def __init__(self, snapshot: ResultSnapshot, lang: str) -> None:
        self.snapshot = snapshot
        self.report = snapshot.report
        self.lang = "en" if lang.startswith("en") else "nl"
        self.k = int(self.report.get("k", snapshot.wave.k))
        self.units = self.report.get("units") or {}
        self.position = {u: i for i, u in enumerate(self.units.get("unit_id", []))}
        self.scale_names = {s["scale_id"]: s["name"][self.lang] for s in self.report["scales"]}
        self.scales = {s["scale_id"]: s for s in self.report["scales"]}
        self.too_few = int(self.report.get("n_respondents") or 0) < self.k

    def shown(self, cell: str) -> bool:
        return self.snapshot.shows(cell)

    def name(self, unit_id: str) -> str:
        i = self.position[unit_id]
        return str(self.units[f"name_{self.lang}"][i] or self.units["name_nl"][i])

    def num(self, value: Any, digits: int = 2) -> str:
        return format_number(value, self.lang, digits=digits)

    def share(self, column: dict[str, Any], i: int) -> str:
        if column["banded"][i]:
            return format_share_band(column["band_low"][i], column["band_high"][i], self.lang)
        return format_percent(column["share"][i], self.lang)

    def hidden_entries(self) -> list[Any]:  # entries of the report JSON
        """Every cell the snapshot hides: suppressed now, or withheld since an earlier release."""
        return [*self.report.get("suppressed", []), *self.report.get("withheld_over_time", [])]

    def reason(self, code: str) -> str:
        """Why a cell is hidden, in words; an unknown code reads as "unverified"."""
        return str(REASONS.get(code, REASONS["unverified"])) % {"k": self.k}


def _unit_rows(s: _Snapshot, unit_ids: Iterable[str], table: Table) -> None:
    for unit_id in unit_ids:
        i = s.position.get(unit_id)
        cell = f"unit:{unit_id}"
        if i is None or not s.shown(cell):
            continue
        for column in s.units.get("scales", []):
            if not column["shown"][i]:
                continue
            agreement = s.num(column["rwg_j"][i]) if column["rwg_j"][i] is not None else "–"
            marks = []
            if column["low_agreement"][i]:
                marks.append(_("low agreement"))
            if column["polarised"][i]:
                marks.append(_("answers fall into two groups"))
            table.rows.append(
                [
                    s.name(unit_id),
                    s.scale_names[column["scale_id"]],
                    str(column["n"][i]),
                    s.num(column["mean"][i]),
                    s.share(column, i),
                    agreement,
                    "; ".join(marks),
                ]
            )
            table.cells.add(cell)


def _unit_table(s: _Snapshot, unit_ids: Iterable[str], caption: str) -> Table:
    table = Table(
        "units",
        caption,
        [
            _("Unit"),
            _("Scale"),
            _("Answers"),
            _("Mean"),
            _("Share feeling unsafe"),
            _("Agreement (rwg(j))"),
            _("Signals"),
        ],
    )
    _unit_rows(s, unit_ids, table)
    return table


def _distribution_table(s: _Snapshot, unit_id: str) -> Table:
    """How the scale scores of one unit are spread: a histogram per scale, its numbers below.

    When every scale has the same score ranges (the usual case) the table has one row per scale
    and one column per range; otherwise one row per scale and range."""
    table = Table(
        "distribution",
        _("%(unit)s: distribution of scale scores") % {"unit": _unit_name(s, unit_id)},
        [_("Scale"), _("Score range"), _("Answers")],
    )
    i = s.position.get(unit_id)
    if i is None or not s.shown(f"unit:{unit_id}"):
        return table
    shown = [
        (column, column["distribution"][i])
        for column in s.units.get("scales", [])
        if column["shown"][i] and column["distribution"][i]
    ]
    ranges = {tuple(column["edges"]) for column, _counts in shown}
    for column, counts in shown:
        table.charts.append(_histogram(s, unit_id, column, counts))
        table.cells.add(f"unit:{unit_id}")
    if len(ranges) == 1:
        [edges] = ranges
        table.headers = [
            _("Scale (answers per score range)"),
            *[f"{s.num(a, 1)}–{s.num(b, 1)}" for a, b in itertools.pairwise(edges)],
        ]
        for column, counts in shown:
            table.rows.append([s.scale_names[column["scale_id"]], *(str(c) for c in counts)])
        return table
    for column, counts in shown:
        edges = column["edges"]
        for b, count in enumerate(counts):
            table.rows.append(
                [
                    s.scale_names[column["scale_id"]],
                    f"{s.num(edges[b], 1)}–{s.num(edges[b + 1], 1)}",
                    str(count),
                ]
            )
    return table


def _unit_name(s: _Snapshot, unit_id: str) -> str:
    """The unit's name, also when the snapshot shows nothing of it (from the suppression list)."""
    if unit_id in s.position:
        return s.name(unit_id)
    for entry in s.hidden_entries():
        names = entry.get("name") or {}
        if entry.get("unit_id") == unit_id and names:
            return str(names.get(s.lang) or names.get("nl") or unit_id)
    return unit_id


def _histogram(s: _Snapshot, unit_id: str, column: dict[str, Any], counts: list[int]) -> Chart:
    scale = s.scale_names[column["scale_id"]]
    cutoff = column.get("cutoff")
    return histogram(
        chart_id=f"dist-{unit_id}-{column['scale_id']}",
        title=_("%(unit)s: how the scores on %(scale)s are spread")
        % {"unit": s.name(unit_id), "scale": scale},
        description=_(
            "Bars of how many people have a score in each range; ranges below the cut-off are "
            "hatched. The table below gives the numbers."
        ),
        edges=column["edges"],
        counts=counts,
        cutoff=cutoff,
        cutoff_label=_("cut-off"),
        bin_label=lambda a, b: f"{s.num(a, 1)}–{s.num(b, 1)}",
        caption=scale,
        columns=(_("Score range"), _("Answers")),
    )


def _flag_label(s: _Snapshot, flag: Any) -> str:
    code = flag.get("code", "") if isinstance(flag, dict) else str(flag)
    params = flag.get("params", {}) if isinstance(flag, dict) else {}
    label = FLAG_LABELS.get(code.rsplit(".", 1)[-1])
    if label is None:
        return str(UNKNOWN_FLAG)
    return str(label) % {
        "share": _share_text(s, params.get("share")),
        "rwg": _number_text(s, params.get("rwg")),
    }


def _share_text(s: _Snapshot, share: Any) -> str:
    """A share as the engine gave it: a fraction, or already a band ("50–75%") in a small unit."""
    try:
        return format_percent(float(share), s.lang)
    except (TypeError, ValueError):
        return str(share) if share not in (None, "") else "–"


def _number_text(s: _Snapshot, value: Any) -> str:
    try:
        return s.num(float(value))
    except (TypeError, ValueError):
        return str(value) if value not in (None, "") else "–"


def _flags_table(s: _Snapshot, unit_ids: set[str]) -> Table:
    table = Table("flags", _("Signals to talk about"), [_("Unit"), _("Scale"), _("Signal")])
    for flagged in s.report.get("flagged", []):
        unit_id = flagged["unit_id"]
        if unit_id not in unit_ids or not s.shown(f"unit:{unit_id}"):
            continue
        for flag in flagged["flags"]:
            table.rows.append(
                [s.name(unit_id), s.scale_names.get(flagged["scale_id"], ""), _flag_label(s, flag)]
            )
            table.cells.add(f"unit:{unit_id}")
    return table


def wave_caption(wave: Wave) -> str:
    """The wave's title and dates in the reader's language, to stand beside its period label
    (the period stays: it is the wave's identity in results and downloads)."""
    if wave.opens_on is None or wave.closes_on is None:  # a wave made outside the form
        return wave.title
    return _("%(title)s (%(opens)s – %(closes)s)") % {
        "title": wave.title,
        "opens": date_format(wave.opens_on, "DATE_FORMAT"),
        "closes": date_format(wave.closes_on, "DATE_FORMAT"),
    }


def _trend_table(s: _Snapshot, unit_id: str, earlier: Sequence[ResultSnapshot]) -> Table:
    """Mean of each climate scale of one unit per wave, from each wave's own snapshot (never
    raw answers)."""
    table = Table(
        "trend",
        _("%(unit)s: trend over waves") % {"unit": _unit_name(s, unit_id)},
        [_("Scale"), _("Period"), _("Survey"), _("Answers"), _("Mean")],
    )
    series: dict[str, list[tuple[str, float | None, float | None, float | None]]] = {}
    for snap in [*earlier, s.snapshot]:
        other = s if snap is s.snapshot else _Snapshot(snap, s.lang)
        i = other.position.get(unit_id)
        if i is None or not other.shown(f"unit:{unit_id}"):
            continue
        for column in other.units.get("scales", []):
            if column["shown"][i]:
                table.rows.append(
                    [
                        other.scale_names[column["scale_id"]],
                        snap.wave.period,
                        wave_caption(snap.wave),
                        str(column["n"][i]),
                        other.num(column["mean"][i]),
                    ]
                )
                if snap is s.snapshot:  # earlier waves' cells passed their own audits
                    table.cells.add(f"unit:{unit_id}")
                point = (snap.wave.period, column["mean"][i], None, None)
                series.setdefault(column["scale_id"], []).append(point)
    for scale_id, rows in series.items():
        if len(rows) > 1 and scale_id in s.scales:  # one wave is a point, not a trend
            table.charts.append(_trend_chart(s, unit_id, scale_id, rows))
    return table


def _trend_chart(
    s: _Snapshot,
    unit_id: str,
    scale_id: str,
    rows: list[tuple[str, float | None, float | None, float | None]],
) -> Chart:
    scale = s.scales[scale_id]
    return trend_plot(
        chart_id=f"trend-{unit_id}-{scale_id}",
        title=_("%(unit)s: %(scale)s over the waves")
        % {"unit": s.name(unit_id), "scale": s.scale_names[scale_id]},
        description=_(
            "The mean per wave from left to right, with the cut-off as a dashed line. The table "
            "below gives the numbers."
        ),
        rows=rows,
        bounds=(float(scale["low"]), float(scale["high"])),
        reference=scale.get("cutoff"),
        reference_label=_("cut-off"),
        number=lambda v: s.num(v),
        caption=s.scale_names[scale_id],
        columns=(_("Period"), _("Mean"), "", ""),
    )


def _explanations(s: _Snapshot, unit_ids: set[str] | None) -> list[tuple[str, str]]:
    if s.too_few:
        return []
    out = []
    for entry in s.hidden_entries():
        unit_id = entry.get("unit_id")
        if unit_ids is not None and (entry["kind"] != "unit" or unit_id not in unit_ids):
            continue
        if unit_id in s.position:
            what = s.name(unit_id)
        else:  # a unit with no shown figures is not in the units table; the entry names it
            names = entry.get("name") or {}
            what = str(names.get(s.lang) or names.get("nl") or "")
        if entry.get("attribute"):
            what = f"{what} × {entry['attribute']} = {entry['value']}".strip(" ×")
        out.append((what, s.reason(entry["reason"])))
    return out


def _organisation_table(s: _Snapshot) -> Table:
    table = Table(
        "organisation",
        _("The whole organisation"),
        [_("Scale"), _("Answers"), _("Mean"), _("Standard deviation"), _("Share feeling unsafe")],
    )
    for org in s.report.get("organisation", []):
        if not s.shown(org["cell"]):
            continue
        below = org.get("share_below") or {}
        if below.get("banded"):
            share = format_share_band(below.get("band_low"), below.get("band_high"), s.lang)
        else:
            share = format_percent(below.get("share"), s.lang) if below else "–"
        table.rows.append(
            [
                s.scale_names[org["scale_id"]],
                str(org["n"]),
                s.num(org["mean"]),
                s.num(org["sd"]),
                share,
            ]
        )
        table.cells.add(org["cell"])
    return table


@dataclass
class OwnUnitStatus:
    """A staff member's own unit in one wave's results: shown, or hidden and why in words."""

    name: str
    shown: bool
    reason: str = ""


def own_unit_status(snapshot: ResultSnapshot, lang: str, unit_id: str) -> OwnUnitStatus | None:
    """None when the unit took no part in the wave (it is not in the snapshot's tree)."""
    s = _Snapshot(snapshot, lang)
    in_wave = unit_id in (snapshot.tree or {}) or unit_id in s.position
    if not in_wave:
        return None
    name = _unit_name(s, unit_id)
    if s.too_few:
        return OwnUnitStatus(name, False, s.reason("below_k"))
    if unit_id in s.position and s.shown(f"unit:{unit_id}"):
        return OwnUnitStatus(name, True)
    reason = _hidden_reasons(s).get(unit_id, s.reason("unverified"))
    return OwnUnitStatus(name, False, reason)


def staff_view(snapshot: ResultSnapshot, lang: str, own_unit: str | None) -> View:
    """Staff members: the organisation and their own unit (when shown). Advisers: own_unit None."""
    s = _Snapshot(snapshot, lang)
    tables = [_organisation_table(s)]
    scope = {own_unit} if own_unit else set()
    if own_unit:
        tables.append(_unit_table(s, [own_unit], _("Your unit")))
    return _view(s, "staff", tables, _explanations(s, scope) if own_unit else [])


def leader_view(
    snapshot: ResultSnapshot,
    lang: str,
    root: str,
    earlier: Sequence[ResultSnapshot] = (),
    link: Callable[[str], str] | None = None,
) -> View:
    """One unit's page: its own results per scale (signals, distribution, trend) and one row per
    direct sub-unit (``link(unit_id)`` gives a sub-unit's own page). Deeper units are a click
    away, so the page stays short however large the subtree is."""
    s = _Snapshot(snapshot, lang)
    children = _children(s, root)
    tables = [
        _own_table(s, root),
        _flags_table(s, {root}),
        _sub_unit_table(s, root, children, link),
        _distribution_table(s, root),
        _trend_table(s, root, earlier),
    ]
    return _view(s, "leader", tables, _explanations(s, {root, *children}))


def _children(s: _Snapshot, root: str) -> list[str]:
    """The unit's direct sub-units, shown or hidden, in the report's tree order."""
    tree = _UnitTree(s)
    return [unit for unit in tree.order if tree.parents.get(unit) == root]


def _own_table(s: _Snapshot, unit_id: str) -> Table:
    table = Table(
        "unit",
        _("%(unit)s: results per scale") % {"unit": _unit_name(s, unit_id)},
        [
            _("Scale"),
            _("Answers"),
            _("Mean"),
            _("Share feeling unsafe"),
            _("Agreement (rwg(j))"),
            _("Signals"),
        ],
    )
    i = s.position.get(unit_id)
    if i is None or not s.shown(f"unit:{unit_id}"):
        return table
    for column in s.units.get("scales", []):
        if not column["shown"][i]:
            continue
        agreement = s.num(column["rwg_j"][i]) if column["rwg_j"][i] is not None else "–"
        table.rows.append(
            [
                s.scale_names[column["scale_id"]],
                str(column["n"][i]),
                s.num(column["mean"][i]),
                s.share(column, i),
                agreement,
                "; ".join(_marks(column, i)),
            ]
        )
        table.cells.add(f"unit:{unit_id}")
    if any(row[4] == "–" for row in table.rows):
        table.notes.append(_AGREEMENT_NOTE())
    return table


def _AGREEMENT_NOTE() -> str:  # noqa: N802 - reads as the constant sentence it is
    return _(
        "Agreement (rwg(j)) is computed for teams only: it says how much the members of one "
        "team see their climate alike. A faculty or department brings several teams together, "
        "so it shows “–” there; the teams' own pages show their agreement."
    )


def _marks(column: dict[str, Any], i: int) -> list[str]:
    marks = []
    if column["low_agreement"][i]:
        marks.append(_("low agreement"))
    if column["polarised"][i]:
        marks.append(_("answers fall into two groups"))
    return marks


def _sub_unit_table(
    s: _Snapshot, root: str, children: Sequence[str], link: Callable[[str], str] | None
) -> Table:
    """One row per direct sub-unit: its answers and mean per climate scale (shaded against the
    cut-off, ≈ / ± for the signals), or "–" and the reason in words when it is hidden."""
    climate = list(s.units.get("scales", []))
    if s.too_few:  # the page says in one sentence that nothing can be shown
        children = []
    table = Table(
        "sub-units",
        _("Sub-units of %(unit)s: mean per scale") % {"unit": _unit_name(s, root)},
        [
            _("Sub-unit"),
            _("Answers"),
            *[s.scale_names[c["scale_id"]] for c in climate],
            _("Note"),
        ],
    )
    hidden = _hidden_reasons(s)
    for unit_id in children:
        name = _unit_name(s, unit_id)
        first = LinkCell(name, link(unit_id)) if link is not None else name
        i = s.position.get(unit_id)
        if i is None or not s.shown(f"unit:{unit_id}"):
            reason = hidden.get(unit_id, s.reason("unverified"))
            table.rows.append([first, "–", *["–"] * len(climate), reason])
            continue
        row = [first, str(s.units["n"][i])]
        for column in climate:
            if not column["shown"][i]:
                row.append("–")
                continue
            value = s.num(column["mean"][i])
            value += "".join(
                mark
                for mark, on in ((" ≈", column["low_agreement"][i]), (" ±", column["polarised"][i]))
                if on
            )
            row.append(_heat_cell(s, column, i, value))
        row.append("")
        table.rows.append(row)
        table.cells.add(f"unit:{unit_id}")
    if all(row[-1] == "" for row in table.rows):  # nothing hidden: no empty Note column
        table.headers.pop()
        for row in table.rows:
            row.pop()
    if any(isinstance(cell, HeatCell) for row in table.rows for cell in row):
        table.legend = [(f"heat-{band}", str(text)) for band, text in enumerate(HEAT_LEGEND)]
    if table.rows:
        table.notes.append(
            _(
                "≈ marks low agreement: people in the sub-unit experience the climate very "
                "differently. ± marks that the answers fall into two groups: the mean is at or "
                "above the cut-off, but part of the sub-unit scores below it. Open a sub-unit "
                "for its share feeling unsafe, agreement, distribution and trend."
            )
        )
    if table.headers[-1] == _("Note"):
        table.notes.append(_("“–” means the figure is not shown; the last column says why."))
    return table


def _hidden_reasons(s: _Snapshot) -> dict[str, str]:
    """Why each hidden unit is hidden, in words (the first reason the snapshot gives)."""
    reasons: dict[str, str] = {}
    for entry in s.hidden_entries():
        if entry["kind"] == "unit" and entry.get("unit_id") not in reasons:
            reasons[str(entry["unit_id"])] = s.reason(entry["reason"])
    return reasons


# Heat in the analyst's scales × units table: one hue from light to dark (ColorBrewer YlOrBr, a
# sequential scheme that colour-blind readers can order), darker the lower a mean lies relative
# to the scale's cut-off. Each band is (fill, text colour): the text keeps 4.5:1 on its fill
# (tests/web/test_results.py computes it) and the number stays in the cell, so the colour is
# never the only carrier. site.css and results/print.html declare the same ``.heat-<band>``.
HEAT = (
    ("#993404", "#ffffff"),
    ("#d95f0e", "#1a1a1a"),
    ("#fe9929", "#1a1a1a"),
    ("#fed98e", "#1a1a1a"),
    ("#ffffd4", "#1a1a1a"),
)
HEAT_LEGEND = (
    gettext_lazy("Far below the cut-off (lower half of the range below it)"),
    gettext_lazy("Just below the cut-off"),
    gettext_lazy("Just above the cut-off (lowest third of the range above it)"),
    gettext_lazy("Well above the cut-off"),
    gettext_lazy("Close to the top of the scale"),
)


def heat_band(mean: float, low: float, high: float, cutoff: float | None) -> int | None:
    """The ``HEAT`` band of a mean: two bands below the cut-off, three from it to the top.

    A scale without a cut-off gets no heat: "low" means nothing without one.

    >>> [heat_band(m, 1, 5, 3) for m in (1, 2.5, 3, 4, 5)]
    [0, 1, 2, 3, 4]
    """
    if cutoff is None or not low < cutoff <= high:
        return None
    if mean < cutoff:
        return 0 if mean < low + (cutoff - low) / 2 else 1
    third = (high - cutoff) / 3
    if third <= 0:
        return 4
    return 2 + min(2, int((mean - cutoff) // third))


class HeatCell(str):
    """A table cell's text with the CSS class of its heat band; everywhere else a plain string."""

    heat: str

    def __new__(cls, text: str, band: int) -> HeatCell:
        cell = super().__new__(cls, text)
        cell.heat = f"heat-{band}"
        return cell


def _heatmap(s: _Snapshot) -> Table:
    climate = list(s.units.get("scales", []))
    table = Table(
        "heatmap",
        _("Scales by unit (mean; ≈ marks low agreement, ± answers that fall into two groups)"),
        [_("Unit"), *[s.scale_names[c["scale_id"]] for c in climate]],
    )
    for unit_id in s.units.get("unit_id", []):
        i = s.position[unit_id]
        if not s.shown(f"unit:{unit_id}"):
            continue
        row = [s.name(unit_id)]
        for column in climate:
            value = s.num(column["mean"][i]) if column["shown"][i] else "–"
            if column["low_agreement"][i]:
                value += " ≈"
            if column["polarised"][i]:
                value += " ±"
            row.append(_heat_cell(s, column, i, value))
        table.rows.append(row)
        table.cells.add(f"unit:{unit_id}")
    if any(isinstance(cell, HeatCell) for row in table.rows for cell in row):
        table.legend = [(f"heat-{band}", str(text)) for band, text in enumerate(HEAT_LEGEND)]
    return table


def _heat_cell(s: _Snapshot, column: dict[str, Any], i: int, value: str) -> str:
    # A hidden cell stays blank (its reason is in the list of hidden results), never shaded.
    mean = column["mean"][i]
    if not column["shown"][i] or mean is None:
        return value
    scale = s.scales.get(column["scale_id"], {})
    cutoff = column.get("cutoff", scale.get("cutoff"))
    if "low" not in scale or "high" not in scale:
        return value
    band = heat_band(float(mean), float(scale["low"]), float(scale["high"]), cutoff)
    return value if band is None else HeatCell(value, band)


def _gap_table(s: _Snapshot) -> Table:
    """The organisation's groups against the rest; within units: ``unit_gaps_view``."""
    table = Table(
        "gaps",
        _("Differences between groups"),
        [
            _("Attribute"),
            _("Group"),
            _("Scale"),
            _("Answers"),
            _("Difference from the rest"),
            _("95% interval"),
            _("Hedges' g"),
        ],
    )
    for section in s.report.get("gaps", []):
        for gap in section["gaps"]:
            if not s.shown(gap["cell"]):
                continue
            table.rows.append(
                [
                    section["attribute"],
                    gap["group"],
                    s.scale_names[section["scale_id"]],
                    str(gap["n"]),
                    s.num(gap["difference"]),
                    format_ci(gap["ci_low"], gap["ci_high"], s.lang),
                    s.num(gap["hedges_g"]),
                ]
            )
            table.cells.add(gap["cell"])
    return table


def _levels_table(s: _Snapshot) -> Table:
    table = Table(
        "levels", _("By position level"), [_("Scale"), _("Position level"), _("Answers"), _("Mean")]
    )
    for trend in s.report.get("levels", []):
        for level in trend["levels"]:
            if s.shown(level["cell"]):
                table.rows.append(
                    [
                        s.scale_names[trend["scale_id"]],
                        level["level"],
                        str(level["n"]),
                        s.num(level["mean"]),
                    ]
                )
                table.cells.add(level["cell"])
    return table


def _statistics_table(s: _Snapshot) -> Table:
    table = Table(
        "statistics",
        _("Differences between teams and leaders' own safety"),
        [_("Measure"), _("Scale"), _("Value")],
    )
    root = f"unit:{s.units['unit_id'][0]}" if s.units.get("unit_id") else ""
    if not s.shown(root):
        return table
    for org in s.report.get("organisation", []):
        icc = org.get("icc")
        if icc:
            table.rows.append(
                [
                    _("Share of differences between teams (ICC(1))"),
                    s.scale_names[org["scale_id"]],
                    s.num(icc["icc1"]),
                ]
            )
            table.cells.add(root)
    leaders = s.report.get("leaders")
    if leaders and leaders.get("r") is not None:
        table.rows.append(
            [
                _("Leaders' own safety and their teams' climate (correlation)"),
                s.scale_names.get(leaders["team_scale_id"], ""),
                f"{s.num(leaders['r'])} {format_ci(leaders['ci_low'], leaders['ci_high'], s.lang)}",
            ]
        )
        table.cells.add(root)
    return table


def analyst_view(
    snapshot: ResultSnapshot, lang: str, earlier: Sequence[ResultSnapshot] = ()
) -> View:
    s = _Snapshot(snapshot, lang)
    ids = list(s.units.get("unit_id", []))
    tables = [
        _organisation_table(s),
        _heatmap(s),
        _gap_table(s),
        _levels_table(s),
        _statistics_table(s),
        *([_trend_table(s, ids[0], earlier)] if ids else []),
    ]
    view = _view(s, "analyst", tables, _explanations(s, None), sector=_sector(s))
    view.notes = _notes(s)
    return view


def _view(
    s: _Snapshot,
    kind: str,
    tables: list[Table],
    explanations: list[tuple[str, str]],
    sector: dict[str, Any] | None = None,
) -> View:
    return View(kind, tables, explanations, sector=sector, k=s.k, too_few=s.too_few)


def _notes(s: _Snapshot) -> list[str]:
    """The engine's notes (e.g. "alpha cannot be computed: everyone gave the same answer"), in
    its own words, for analysts; only when the organisation is shown, since a note about very
    few people (all three answered alike) would itself reveal something."""
    root = s.units.get("unit_id", [None])[0] if s.units.get("unit_id") else None
    if s.too_few or root is None or not s.shown(f"unit:{root}"):
        return []
    from vrijuit.i18n import translate

    out = []
    for note in s.report.get("notes", []):
        params = dict(note.get("params", {}))
        if "scale" in params:
            params["scale"] = s.scale_names.get(str(params["scale"]), params["scale"])
        out.append(translate(note["key"], s.lang, **params))
    return out


def _sector(s: _Snapshot) -> dict[str, Any] | None:
    """The published sector figure, with source, year and sample, in the engine's own words
    (its catalog holds the wording of its notes; the figures are the source's, not ours)."""
    sector = (s.report.get("incidents") or {}).get("sector")
    if not sector:
        return None
    from vrijuit.i18n import translate

    def note(entry: dict[str, Any]) -> str:
        return translate(entry["key"], s.lang, **entry.get("params", {}))

    return {
        "source": sector["source"],
        "title": sector["title"],
        "year": sector["year"],
        "sample": note(sector["sample"]),
        "figures": [note(f) for f in sector["figures"]],
    }


# -- gaps per unit (analysts) -----------------------------------------------------------------


def _value_labels() -> dict[str, dict[str, str]]:
    """Each attribute's stored values in words."""
    from vrijuit.org.models import Contract, Gender, NationalityGroup, PositionLevel

    labels: dict[str, dict[str, str]] = {
        "gender": {str(c.value): str(c.label) for c in Gender},
        "nationality_group": {str(c.value): str(c.label) for c in NationalityGroup},
        "position_level": {str(c.value): str(c.label) for c in PositionLevel},
        "contract": {str(c.value): str(c.label) for c in Contract},
    }
    for values in labels.values():
        # Launch merges categories smaller than k into "other" (gender's own "in another way"
        # is stored as "other" too), so the label says both.
        values["other"] = _("other (includes merged small groups)")
        values["not_declared"] = _("not declared")
    return labels


def _attribute_label(attribute: str) -> str:
    from vrijuit.surveys.forms import ATTRIBUTE_LABELS

    return str(ATTRIBUTE_LABELS.get(attribute, attribute))


def unit_gap_scales(snapshot: ResultSnapshot) -> list[str]:
    """The headline climate scales in the report's order: the choices of the per-unit view."""
    headline = [
        s["scale_id"]
        for s in snapshot.report.get("scales", [])
        if s.get("role") == "climate" and s.get("headline")
    ]
    with_gaps = {t["scale_id"] for t in snapshot.report.get("unit_gaps", [])}
    # A scale with gaps per unit is always reachable, even if the report marks it otherwise.
    return headline + sorted(with_gaps - set(headline))


class _UnitTree:
    """Tree order and names of every unit of the snapshot (hidden ones too), for paths."""

    def __init__(self, s: _Snapshot) -> None:
        parents: dict[str, str | None] = dict(s.snapshot.tree or {})
        shown = list(s.units.get("unit_id", []))
        parents.update(zip(shown, s.units.get("parent_id", []), strict=True))
        self.parents = parents
        self.names = {u: s.name(u) for u in shown}
        for entry in s.hidden_entries():
            names = entry.get("name") or {}
            unit = entry.get("unit_id")
            if unit and unit not in self.names and names:
                self.names[unit] = str(names.get(s.lang) or names.get("nl") or unit)
        # Children in the report's order (the engine's tree order), unknown ones by id.
        rank = {u: i for i, u in enumerate(shown)}
        children: dict[str | None, list[str]] = {}
        for unit, parent in parents.items():
            children.setdefault(parent, []).append(unit)
        for siblings in children.values():
            siblings.sort(key=lambda u: (rank.get(u, len(rank)), len(u), u))
        self.order: dict[str, int] = {}
        stack = list(reversed(children.get(None, [])))
        while stack:
            unit = stack.pop()
            self.order[unit] = len(self.order)
            stack.extend(reversed(children.get(unit, [])))

    def path(self, unit: str) -> str:
        """The unit's names from just below the organisation down to it ("A › B › C")."""
        names = []
        up: str | None = unit
        while up is not None and self.parents.get(up) is not None:
            names.append(self.names.get(up, up))
            up = self.parents.get(up)
        if not names:  # the organisation itself
            return self.names.get(unit, unit)
        return " › ".join(reversed(names))


def _unit_gap_section(
    s: _Snapshot, tree: _UnitTree, attribute: str, scale_id: str, values: dict[str, str]
) -> Table:
    table = Table(
        f"unit-gaps-{attribute}",
        _("%(attribute)s: differences within each unit on %(scale)s")
        % {"attribute": _attribute_label(attribute).capitalize(), "scale": s.scale_names[scale_id]},
        [
            _("Unit"),
            _("Group"),
            _("Answers in the group"),
            _("Mean of the group"),
            _("Answers in the rest of the unit"),
            _("Mean of the rest of the unit"),
            _("Difference (group minus rest)"),
            _("95% interval"),
            _("Hedges' g"),
            _("Note"),
        ],
    )
    rows: list[tuple[int, str, list[str]]] = []
    for unit_table in s.report.get("unit_gaps", []):
        if unit_table["attribute"] != attribute or unit_table["scale_id"] != scale_id:
            continue
        for j, cell in enumerate(unit_table["cell"]):
            unit_id = unit_table["unit_id"][j]
            if not s.shown(cell) or not s.shown(f"unit:{unit_id}"):
                continue
            group = str(unit_table["group"][j])
            rows.append(
                (
                    tree.order.get(unit_id, len(tree.order)),
                    group,
                    [
                        tree.path(unit_id),
                        values.get(group, group),
                        str(unit_table["n"][j]),
                        s.num(unit_table["mean"][j]),
                        str(unit_table["n_other"][j]),
                        s.num(unit_table["mean_other"][j]),
                        s.num(unit_table["difference"][j]),
                        format_ci(unit_table["ci_low"][j], unit_table["ci_high"][j], s.lang),
                        s.num(unit_table["hedges_g"][j]),
                        "",
                    ],
                )
            )
            table.cells.update({cell, f"unit:{unit_id}"})
    # Hidden groups, in words (the same reasons as everywhere else); no figure at all.
    for entry in s.hidden_entries():
        if entry["kind"] != "unit_attribute" or entry.get("attribute") != attribute:
            continue
        unit_id, group = str(entry["unit_id"]), str(entry.get("value") or "")
        rows.append(
            (
                tree.order.get(unit_id, len(tree.order)),
                group,
                [
                    tree.path(unit_id),
                    values.get(group, group),
                    *["–"] * 7,
                    s.reason(entry["reason"]),
                ],
            )
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    table.rows = [row for _, _, row in rows]
    return table


@dataclass
class UnitGapChoice:
    """The scale selector of the per-unit view: every choice, the chosen one, a bad request."""

    scales: list[tuple[str, str]]  # (scale id, name)
    chosen: str | None
    unknown: str | None = None  # a requested scale id these results do not have
    help: str = ""  # how to read the tables


def unit_gaps_view(
    snapshot: ResultSnapshot, lang: str, scale_id: str | None
) -> tuple[View, UnitGapChoice]:
    """Analysts: per unit attribute, every unit's groups against the rest of the unit on one
    headline scale, with the hidden groups and why (no figures for them)."""
    s = _Snapshot(snapshot, lang)
    scales = [sid for sid in unit_gap_scales(snapshot) if sid in s.scale_names]
    unknown = scale_id if scale_id and scale_id not in scales else None
    chosen = scale_id if scale_id in scales else (scales[0] if scales else None)
    choice = UnitGapChoice(
        [(sid, s.scale_names[sid]) for sid in scales],
        chosen,
        unknown,
        help=_(
            "Each row compares one group of a unit with the rest of that unit: their numbers of "
            "answers and means, the difference (group minus rest) with its 95% interval, and "
            "Hedges' g (the difference in standard deviations). An interval that includes 0 "
            "means the data do not show a clear difference. A group without figures is hidden; "
            "the last column says why."
        ),
    )
    tables: list[Table] = []
    if chosen is not None and not s.too_few:
        tree = _UnitTree(s)
        labels = _value_labels()
        attributes = _unit_gap_attributes(s)
        tables = [
            _unit_gap_section(s, tree, attribute, chosen, labels.get(attribute, {}))
            for attribute in attributes
        ]
    view = _view(s, "unit_gaps", tables, [])
    view.notes = _unit_gap_notes(s, chosen, [t.key.removeprefix("unit-gaps-") for t in tables])
    return view, choice


def _unit_gap_attributes(s: _Snapshot) -> list[str]:
    """The attributes promised per unit at launch, then any other the snapshot holds per unit
    (an older snapshot), so nothing it holds is left out of the view."""
    from vrijuit.results.services import promised_attributes

    found = promised_attributes(s.snapshot.wave)[1]
    found += [t["attribute"] for t in s.report.get("unit_gaps", [])]
    found += [
        e["attribute"]
        for e in [*s.report.get("suppressed", []), *s.report.get("withheld_over_time", [])]
        if e["kind"] == "unit_attribute"
    ]
    return list(dict.fromkeys(found))


def _unit_gap_notes(s: _Snapshot, scale_id: str | None, attributes: Sequence[str]) -> list[str]:
    """Why an attribute has no comparison per unit on this scale, in words."""
    if scale_id is None or s.too_few:
        return []
    notes = []
    alike = {
        g["attribute"]: g.get("works_alike")
        for g in s.report.get("gaps", [])
        if g["scale_id"] == scale_id
    }
    with_rows = {
        t["attribute"]
        for t in s.report.get("unit_gaps", [])
        if t["scale_id"] == scale_id and len(t["cell"])
    }
    for attribute in attributes:
        if attribute in with_rows:
            continue
        label = _attribute_label(attribute)
        if alike.get(attribute) is False:
            notes.append(
                _(
                    "Split by %(attribute)s: the questions of this scale do not work alike for "
                    "the groups (see the differences between groups of the whole organisation), "
                    "so comparing their means within units would mislead."
                )
                % {"attribute": label}
            )
        elif alike.get(attribute) is None:
            notes.append(
                _(
                    "Split by %(attribute)s: too few of the organisation's groups can be shown "
                    "to check that the questions of this scale work alike for them, so their "
                    "means are not compared within units."
                )
                % {"attribute": label}
            )
        else:
            notes.append(
                _(
                    "Split by %(attribute)s: no unit has at least %(k)s people with a score in "
                    "a group and in the rest of the unit, so no difference can be shown."
                )
                % {"attribute": label, "k": s.k}
            )
    return notes
