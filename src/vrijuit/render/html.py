"""Render a :class:`~vrijuit.stats.report_model.Report` as one self-contained HTML page.

One Jinja2 template (``templates/report/report.html``) with inline CSS, inline SVG charts and
no scripts or external requests; the PDF is WeasyPrint's print of the same page. All wording
comes from ``locale/report.yaml`` through :class:`~vrijuit.i18n.Translator`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any, Literal

import jinja2
import numpy as np
from markupsafe import Markup, escape

from vrijuit.i18n import Translator, catalog
from vrijuit.render.charts import (
    Chart,
    DataTable,
    histogram,
    interval_plot,
    stacked_bars,
    trend_plot,
)
from vrijuit.render.formatting import (
    MISSING,
    format_ci,
    format_number,
    format_percent,
    format_share_band,
)
from vrijuit.stats.report_model import (
    Distribution,
    FlaggedTeam,
    Gap,
    GapSection,
    ItemDistribution,
    LevelTrend,
    Note,
    OrganisationScale,
    Report,
    ScaleInfo,
    Share,
    Suppression,
    Text,
    UnitGapTable,
    UnitScale,
    UnitSection,
    WaveSlope,
)

__all__ = ["MEDIA", "render_html"]

Medium = Literal["screen", "print"]
# "screen": the full page, every unit with its own table and histograms. "print": the same
# numbers for the organisation, gaps and sections, with per-unit detail collapsed into the
# overview tables, so that WeasyPrint lays out tens of pages instead of hundreds.
MEDIA: tuple[Medium, ...] = ("screen", "print")
# The printed unit tables list at most this many units (one row each): with 20,000 teams the
# print would otherwise run to hundreds of pages. Units are kept from the top of the tree down,
# whole levels at a time, plus the flagged teams; the HTML page and the JSON keep every unit.
PRINT_UNIT_ROWS = 300
PRINT_FLAGGED_ROWS = 200


def readable_code(code: str) -> str:
    """A data code as words for a label without a translation: underscores to spaces, capital.

    >>> readable_code("nationality_group"), readable_code("assistant_professor"), readable_code("")
    ('Nationality group', 'Assistant professor', '')
    """
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _opening(text: str, start: bool) -> str:
    """``text`` with a capital first letter when it opens a sentence, else unchanged.

    >>> _opening("de groep ‘Vrouw’ (gender)", True), _opening("the group", False)
    ('De groep ‘Vrouw’ (gender)', 'the group')
    """
    return text[:1].upper() + text[1:] if start else text


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vrijuit", "templates/report"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


class _View:
    """Formatting and chart helpers bound to one report and one language, used by the template."""

    def __init__(self, report: Report, lang: str, medium: Medium) -> None:
        self.report = report
        self.lang = lang
        self.medium = medium
        self.t = Translator(lang)
        self._ids = 0
        table = report.units
        names = table.name_nl if lang == "nl" else table.name_en
        self._unit_names = {
            str(unit_id): str(name or other)
            for unit_id, name, other in zip(table.unit_id, names, table.name_en, strict=True)
        }
        self.print_rows, self.print_depth = self._print_selection()
        # Build the row objects once and only for the rows shown: the report builds each one
        # on demand from its columns.
        rows = range(len(table)) if medium == "screen" else self.print_rows
        self.units: list[UnitSection] = [table[int(i)] for i in rows]
        self.units_left_out = len(table) - len(self.units)
        self.flagged: tuple[FlaggedTeam, ...] = report.flagged
        if medium == "print":
            self.flagged = report.flagged[:PRINT_FLAGGED_ROWS]
        self.flagged_left_out = len(report.flagged) - len(self.flagged)

    def _print_selection(self) -> tuple[list[int], int | None]:
        """Rows of the printed unit tables, and the deepest whole level kept (None: all)."""
        table = self.report.units
        if len(table) <= PRINT_UNIT_ROWS:
            return list(range(len(table))), None
        depth = np.asarray(table.depth)
        per_depth = np.bincount(depth)
        fits = np.flatnonzero(np.cumsum(per_depth) <= PRINT_UNIT_ROWS)
        deepest = int(fits[-1]) if fits.size else 0
        keep = depth <= deepest
        flagged = list(dict.fromkeys(f.unit_id for f in self.report.flagged))
        extra = np.isin(table.unit_id, np.array(flagged, dtype=object)) & ~keep
        # Flagged teams beyond the budget stay in the HTML page and the flagged-teams table.
        extra[np.flatnonzero(extra)[PRINT_FLAGGED_ROWS:]] = False
        return np.flatnonzero(keep | extra).tolist(), deepest

    def print_rest_note(self) -> str:
        """Where the units left out of the printed tables are (empty when none are)."""
        if not self.units_left_out:
            return ""
        table = self.report.units
        level = None
        if self.print_depth is not None:
            # The level name most units at the deepest kept depth carry ("department").
            at_depth = [
                str(name)
                for name in table.level[np.asarray(table.depth) == self.print_depth]
                if name
            ]
            level = max(sorted(set(at_depth)), key=at_depth.count) if at_depth else None
        return self.t(
            "report.units.print_limited",
            level=self.group_label(level) if level else str(self.print_depth),
            shown=len(self.units),
            total=len(table),
        )

    def flagged_rest_note(self) -> str:
        if not self.flagged_left_out:
            return ""
        return self.t(
            "report.flagged.print_limited", shown=len(self.flagged), total=len(self.report.flagged)
        )

    # -- labels from the data --------------------------------------------------------------
    def attribute_label(self, attribute: str) -> str:
        """An attribute's name for readers ("nationality_group" -> "nationality")."""
        key = f"report.attribute.{attribute}"
        # Lower case: the attribute stands inside a sentence or heading ("Speaking up by ...").
        return self.t(key) if key in catalog() else attribute.replace("_", " ").strip()

    def group_label(self, value: str | None) -> str:
        """A group's name for readers ("assistant_professor" -> "Assistant professor")."""
        if value is None:
            return MISSING
        key = f"report.value.{value}"
        return self.t(key) if key in catalog() else readable_code(value)

    def direction(self, info: ScaleInfo, items: tuple[ItemDistribution, ...] = ()) -> str:
        """Which way the scale runs, once per scale, from its role (empty for unknown roles)."""
        key = f"report.direction.{info.role}"
        if key not in catalog():
            return ""
        text = self.t(key)
        if any(item.reverse for item in items):
            text += " " + self.t("report.direction.reversed")
        return text

    def scale_range(self) -> tuple[str, str] | None:
        """The organisation scales' common range, e.g. ("1", "5"); None when they differ."""
        ranges = {
            (self.scale(s.scale_id).low, self.scale(s.scale_id).high)
            for s in self.report.organisation
        }
        if len(ranges) != 1:
            return None
        low, high = ranges.pop()
        digits = 0 if float(low).is_integer() and float(high).is_integer() else 1
        return self.num(low, digits), self.num(high, digits)

    def slope_sentence(self, slope: WaveSlope) -> str:
        """The organisation's trend over the waves in words, with its interval and p."""
        if slope.slope is None:
            return ""
        rose = slope.slope >= 0
        # The change is said with a verb (rose/fell), so the number and its interval are given
        # as a size: "fell by 0.08 [0.02, 0.14]".
        low, high = slope.ci_low, slope.ci_high
        if not rose and low is not None and high is not None:
            low, high = -high, -low
        per = "wave_value" if slope.per == "wave_value" else "wave"
        sentence = self.t(
            f"report.trend.{per}.{'rose' if rose else 'fell'}",
            change=self.num(abs(slope.slope)),
            ci=self.ci(low, high),
            waves=slope.n_waves,
        )
        if slope.ci_low is None or slope.ci_high is None:
            return sentence
        chance = slope.ci_low <= 0.0 <= slope.ci_high
        follow = "report.trend.maybe_chance" if chance else "report.trend.not_chance"
        return sentence + " " + self.t(follow, p=self.num(slope.p_value, 3))

    def markup(self, key: str, /, **params: Any) -> Markup:
        """A message whose placeholders may carry markup (e.g. a ``lang`` span); rest escaped."""
        return escape(catalog()[key][self.lang]).format(**params)

    def text(self, wording: Text) -> Markup:
        """Wording from the data, marked ``lang="en"`` where a Dutch page falls back to English."""
        value = wording.get(self.lang)
        if self.lang != "en" and value == wording.en and not wording.nl:
            return Markup('<span lang="en">{}</span>').format(value)
        return escape(value)

    def foreign(self, value: str, lang: str) -> Markup:
        """A name in another language than the page (e.g. a Dutch report title in English)."""
        if lang == self.lang:
            return escape(value)
        return Markup('<span lang="{}">{}</span>').format(lang, value)

    # -- numbers -------------------------------------------------------------------------
    def num(self, value: float | None, digits: int = 2) -> str:
        return format_number(value, self.lang, digits=digits)

    def pct(self, value: float | None, digits: int = 0) -> str:
        return format_percent(value, self.lang, digits=digits)

    def ci(self, low: float | None, high: float | None, digits: int = 2) -> str:
        return format_ci(low, high, self.lang, digits=digits)

    def share(self, share: Share | None) -> str:
        """The share below the cut-off with its CI, or its band in a small cell (R6)."""
        if share is None:
            return MISSING
        if share.banded:
            return self.t(
                "report.share.band",
                band=format_share_band(share.band_low, share.band_high, self.lang),
            )
        return self.t(
            "report.share.value",
            share=self.pct(share.share),
            ci=self.ci(share.ci_low, share.ci_high),
        )

    # -- names ---------------------------------------------------------------------------
    def scale(self, scale_id: str) -> ScaleInfo:
        return self.report.scale(scale_id)

    def scale_name(self, scale_id: str) -> str:
        return self.report.scale(scale_id).name.get(self.lang)

    def unit_name(self, unit_id: str | None) -> str:
        if unit_id is None:
            return self.t("report.organisation.name")
        return self._unit_names.get(unit_id, unit_id)

    def note(self, key: str, params: dict[str, Any]) -> str:
        words = {k: self._param(v) for k, v in params.items()}
        if key.startswith("report.not_computable.") or key == "report.note.scale_too_few":
            # The builder names the statistic and the scale by code; the reader gets words.
            if "statistic" in words:
                words["statistic"] = self.t(f"report.statistic.{words['statistic']}")
            if "scale" in words:
                words["scale"] = self._scale_words(words["scale"])
        return self.t(key, **words)

    def _scale_words(self, scale_id: str) -> str:
        known = {info.scale_id for info in self.report.scales}
        return self.scale_name(scale_id) if scale_id in known else readable_code(scale_id)

    def scale_notes(self, scale_id: str) -> list[Note]:
        """The not-computable notes about a scale shown in a figures block (said there)."""
        return [
            n
            for n in self.report.notes
            if n.key.startswith("report.not_computable.") and n.params.get("scale") == scale_id
        ]

    def general_notes(self) -> list[Note]:
        """The report's notes for the header: all but those said beside their scale's figures."""
        beside = {
            s.scale_id
            for s in (
                *self.report.organisation,
                *self.report.voice,
                *(self.report.incidents.scales if self.report.incidents else ()),
            )
        }
        return [
            n
            for n in self.report.notes
            if not (n.key.startswith("report.not_computable.") and n.params.get("scale") in beside)
        ]

    def _param(self, value: Any) -> str:
        if isinstance(value, float):
            return self.num(value)
        return str(value)

    def flag(self, code: str, params: dict[str, Any]) -> str:
        return self.note(f"report.flag.{code}", params)

    def suppression(self, item: Suppression) -> str:
        """A plain sentence saying what is not shown and why."""
        # The cell opens the sentence: a composed name ("the group ...") gets its capital.
        what = self._cell_name(item.unit_id, item.attribute, item.value, item.name, start=True)
        params: dict[str, Any] = {"cell": what, "k": self.report.k}
        if item.because_of is not None:
            params["other"] = self._cell_name_from_id(item.because_of)
        if item.revealed is not None:
            params["people"] = item.revealed
        key = f"report.suppressed.{item.reason}"
        if item.reason in ("complementary", "earlier") and item.revealed is None:
            key = "report.suppressed.complementary_unknown"
        if item.reason == "complementary" and item.because_of is None:
            key = "report.suppressed.complementary_anonymous"
        return self.note(key, params)

    def _cell_name(
        self,
        unit_id: str | None,
        attribute: str | None,
        value: str | None,
        name: Text | None = None,
        *,
        start: bool = False,
    ) -> str:
        """A cell in words; composed names are lower case unless they open a sentence."""
        if name is not None:
            unit: str | None = name.get(self.lang)
        else:
            unit = self._any_unit_name(unit_id) if unit_id is not None else None
        if attribute is None:
            # A unit's own name is kept as written; only the composed phrase is capitalised.
            return unit or _opening(self.t("report.organisation.name"), start)
        attribute_text = self.attribute_label(attribute)
        # The value is quoted in the phrase, so its label keeps its own capital ("Woman").
        value_text = self.group_label(value)
        if unit is None:
            text = self.t("report.cell.attribute", attribute=attribute_text, value=value_text)
        else:
            text = self.t(
                "report.cell.unit_attribute", unit=unit, attribute=attribute_text, value=value_text
            )
        return _opening(text, start)

    def _any_unit_name(self, unit_id: str) -> str:
        """A unit's name, also for a hidden unit (from its suppression line), else its id."""
        if unit_id in self._unit_names:
            return self._unit_names[unit_id]
        for item in self.report.suppressed:
            if item.unit_id == unit_id and item.name is not None:
                return item.name.get(self.lang)
        return unit_id

    def _cell_name_from_id(self, cell: str) -> str:
        """A cell named by its id (``unit:T1``, ``attribute:gender=f``, ``unit_attribute:…``)."""
        kind, _, rest = cell.partition(":")
        if kind == "unit":
            return self._cell_name(rest, None, None)
        if kind == "attribute" and "=" in rest:
            attribute, _, value = rest.partition("=")
            return self._cell_name(None, attribute, value)
        if kind == "unit_attribute" and "|" in rest and "=" in rest:
            unit, _, pair = rest.partition("|")
            attribute, _, value = pair.partition("=")
            return self._cell_name(unit, attribute, value)
        # An id of a kind this renderer does not know: its words, never the raw code.
        return readable_code(rest.replace("=", " ").replace("|", " ") or kind)

    # -- charts --------------------------------------------------------------------------
    def _next_id(self) -> str:
        self._ids += 1
        return f"chart-{self._ids}"

    def histogram(self, distribution: Distribution, info: ScaleInfo, who: str) -> Chart:
        title = self.t("report.chart.histogram.title", scale=info.name.get(self.lang), who=who)
        cutoff = info.cutoff
        description = self.t(
            "report.chart.histogram.desc",
            n=sum(distribution.counts),
            cutoff=self.num(cutoff) if cutoff is not None else MISSING,
        )
        return histogram(
            chart_id=self._next_id(),
            title=title,
            description=description,
            edges=distribution.edges,
            counts=distribution.counts,
            cutoff=cutoff,
            cutoff_label=self.t("report.chart.cutoff"),
            bin_label=lambda a, b: self.t("report.chart.bin", low=self.num(a), high=self.num(b)),
            caption=title,
            columns=(self.t("report.chart.score"), self.t("report.chart.people")),
        )

    def items_chart(self, items: tuple[ItemDistribution, ...], info: ScaleInfo) -> Chart:
        title = self.t("report.chart.items.title", scale=info.name.get(self.lang))
        categories = items[0].categories if items else ()
        return stacked_bars(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.items.desc", n_items=len(items)),
            rows=[
                (self.item_label(number, item), item.counts) for number, item in enumerate(items, 1)
            ],
            categories=[self.category(c, info) for c in categories],
            percent=lambda s: self.pct(s),
            caption=title,
            row_header=self.t("report.chart.item"),
        )

    def item_label(self, number: int, item: ItemDistribution) -> str:
        """A question with its number, and a mark when it is counted in reverse."""
        label = f"{number}. {item.text.get(self.lang)}"
        return self.t("report.chart.item_reversed", item=label) if item.reverse else label

    def reason(self, note: Note) -> str:
        """A gap section's reason, with the group's code shown as a name."""
        params = dict(note.params)
        if isinstance(params.get("group"), str):
            params["group"] = self.group_label(str(params["group"]))
        return self.note(note.key, params)

    def category(self, value: int, info: ScaleInfo) -> str:
        if value == info.low:
            return self.t("report.chart.category.lowest", value=value)
        if value == info.high:
            return self.t("report.chart.category.highest", value=value)
        return str(value)

    def trend_chart(self, scale: OrganisationScale) -> Chart:
        info = self.scale(scale.scale_id)
        title = self.t("report.chart.trend.title", scale=info.name.get(self.lang))
        chart = trend_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.trend.desc", waves=len(scale.trend)),
            rows=[(p.wave, p.mean, p.ci_low, p.ci_high) for p in scale.trend],
            bounds=(info.low, info.high),
            reference=info.cutoff,
            reference_label=self.t("report.chart.cutoff"),
            number=lambda v: self.num(v),
            caption=title,
            columns=(
                self.t("report.chart.wave"),
                self.t("report.figure.mean"),
                self.t("report.chart.ci_low"),
                self.t("report.chart.ci_high"),
            ),
        )
        # The table names each round with its number of respondents.
        rows = tuple(
            (self.t("report.chart.wave_n", wave=p.wave, n=p.n), *row[1:])
            for p, row in zip(scale.trend, chart.table.rows, strict=True)
        )
        return replace(chart, table=replace(chart.table, rows=rows))

    def gap_chart(self, section: GapSection) -> Chart:
        title = self.t(
            "report.chart.gaps.title",
            attribute=self.attribute_label(section.attribute),
            scale=self.scale_name(section.scale_id),
        )
        bound = max(
            [1.0] + [abs(v) for g in section.gaps for v in (g.ci_low, g.ci_high) if v is not None]
        )
        chart = interval_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.gaps.desc"),
            rows=[
                (self.group_label(g.group), g.difference, g.ci_low, g.ci_high)
                for g in self.ordered_gaps(section)
            ],
            axis=(-bound, bound),
            reference=0.0,
            number=lambda v: self.num(v),
            caption=title,
            columns=self._interval_columns("report.chart.group"),
        )
        # The full comparison table carries every number of the picture (difference and its
        # interval) and more, so it is the chart's data table: one table, not two.
        return replace(chart, table=self._gap_table(section))

    def _gap_table(self, section: GapSection) -> DataTable:
        scale = self.scale_name(section.scale_id)
        columns = (
            self.t("report.chart.group"),
            self.t("report.figure.n"),
            self.t("report.figure.mean"),
            self.t("report.gaps.mean_other"),
            self.t("report.gaps.difference"),
            self.t("report.gaps.hedges_g"),
            self.t("report.gaps.p_holm"),
            self.t("report.gaps.within_team"),
        )
        rows = tuple(
            (
                self.group_label(g.group),
                str(g.n),
                self.num(g.mean),
                self.num(g.mean_other),
                f"{self.num(g.difference)} {self.ci(g.ci_low, g.ci_high)}",
                f"{self.num(g.hedges_g)} {self.ci(g.g_ci_low, g.g_ci_high)}",
                self.num(g.p_holm, 3),
                f"{self.num(g.within_team_difference)} "
                f"{self.ci(g.within_team_ci_low, g.within_team_ci_high)}",
            )
            for g in self.ordered_gaps(section)
        )
        caption = self.t(
            "report.gaps.table_caption",
            attribute=self.attribute_label(section.attribute),
            scale=scale,
        )
        return DataTable(caption, columns, rows)

    def group_order(self, attribute: str, groups: list[str]) -> list[str]:
        """Groups in their hierarchy order when the report knows it, else by translated name.

        The order comes from the report's level trends (``levels=`` of ``build_report``): PhD
        candidate before assistant professor, not "Assistant …" before "PhD …" by code or name.
        """
        hierarchy: list[str] = []
        for trend in self.report.levels:
            if trend.attribute == attribute:
                hierarchy = [str(level.level) for level in trend.levels]
                break
        rank = {group: position for position, group in enumerate(hierarchy)}
        return sorted(
            groups,
            key=lambda g: (rank.get(g, len(rank)), self.group_label(g).casefold(), g),
        )

    def ordered_gaps(self, section: GapSection) -> list[Gap]:
        """The section's gap rows in :meth:`group_order`."""
        order = self.group_order(section.attribute, [g.group for g in section.gaps])
        position = {group: index for index, group in enumerate(order)}
        return sorted(section.gaps, key=lambda g: position[g.group])

    def unit_gap_rows(self, table: UnitGapTable) -> list[int]:
        """Rows of a gaps-inside-units table: units in report order, groups in group order."""
        groups = [str(g) for g in table.group]
        order = self.group_order(table.attribute, sorted(set(groups)))
        rank = {group: index for index, group in enumerate(order)}
        first: dict[str, int] = {}
        for index, unit in enumerate(table.unit_id):
            first.setdefault(str(unit), index)
        return sorted(
            range(len(groups)),
            key=lambda i: (first[str(table.unit_id[i])], rank[groups[i]]),
        )

    def level_chart(self, trend: LevelTrend) -> Chart:
        info = self.scale(trend.scale_id)
        title = self.t(
            "report.chart.levels.title",
            attribute=self.attribute_label(trend.attribute),
            scale=info.name.get(self.lang),
        )
        return interval_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.levels.desc"),
            rows=[
                (f"{self.group_label(lv.level)} (n = {lv.n})", lv.mean, None, None)
                for lv in trend.levels
            ],
            axis=(info.low, info.high),
            reference=info.cutoff,
            number=lambda v: self.num(v),
            caption=title,
            columns=self._interval_columns("report.chart.level"),
        )

    def _interval_columns(self, first: str) -> tuple[str, str, str, str]:
        return (
            self.t(first),
            self.t("report.chart.estimate"),
            self.t("report.chart.ci_low"),
            self.t("report.chart.ci_high"),
        )

    def svg(self, chart: Chart) -> Markup:
        # The markup is built by charts.py from escaped text only.
        return Markup(chart.svg)  # noqa: S704

    # -- structure -----------------------------------------------------------------------
    def headline(self) -> list[OrganisationScale]:
        return [s for s in self.report.organisation if self.scale(s.scale_id).headline]

    def other_climate(self) -> list[OrganisationScale]:
        return [s for s in self.report.organisation if not self.scale(s.scale_id).headline]

    def unit_rows(self) -> list[UnitSection]:
        return self.units

    def unit_grid(self) -> list[tuple[UnitSection, list[UnitScale | None]]]:
        """Each unit with its figures per organisation scale, in the order of the columns."""
        order = [s.scale_id for s in self.report.organisation]
        grid = []
        for unit in self.units:
            by_id = {u.scale_id: u for u in unit.scales}
            grid.append((unit, [by_id.get(scale_id) for scale_id in order]))
        return grid

    def cutoff_scales(self) -> list[OrganisationScale]:
        """Organisation scales with a cut-off: the columns of the share-below table."""
        return [s for s in self.report.organisation if self.scale(s.scale_id).cutoff is not None]

    def unit_share_grid(self) -> list[tuple[UnitSection, list[UnitScale | None]]]:
        order = [s.scale_id for s in self.cutoff_scales()]
        grid = []
        for unit in self.units:
            by_id = {u.scale_id: u for u in unit.scales}
            grid.append((unit, [by_id.get(scale_id) for scale_id in order]))
        return grid

    def share_short(self, share: Share | None) -> str:
        """The share below the cut-off without its interval (overview tables), or its band."""
        if share is None:
            return MISSING
        if share.banded:
            return format_share_band(share.band_low, share.band_high, self.lang)
        return self.pct(share.share)

    def heat_class(self, value: float | None, info: ScaleInfo) -> str:
        """A colour class for the scales × units table; the number is always printed too."""
        if value is None:
            return "heat-none"
        position = (value - info.low) / ((info.high - info.low) or 1.0)
        if info.cutoff is not None and value < info.cutoff:
            return "heat-low"
        return "heat-high" if position >= 0.75 else "heat-mid"


def render_html(report: Report, lang: str, *, medium: Medium = "screen") -> str:
    """Return the report as one self-contained, accessible HTML document in ``lang``.

    ``medium="print"`` gives the page that :func:`~vrijuit.render.render_pdf` prints: the same
    numbers, with the per-unit detail sections collapsed into the overview tables.

    Examples
    --------
    >>> from vrijuit.render.sample import sample_report
    >>> page = render_html(sample_report(), "nl")
    >>> page.startswith("<!DOCTYPE html>"), '<html lang="nl">' in page
    (True, True)
    >>> 'id="unit-T1"' in render_html(sample_report(), "en", medium="print")
    False
    """
    if medium not in MEDIA:
        raise ValueError(f"medium must be one of {', '.join(MEDIA)}; got {medium!r}.")
    view = _View(report, lang, medium)
    template = _environment().get_template("report.html")
    helpers: dict[str, Callable[..., Any] | Any] = {"v": view, "t": view.t, "report": report}
    return template.render(lang=lang, screen=medium == "screen", **helpers)
