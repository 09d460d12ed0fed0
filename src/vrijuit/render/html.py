"""Render a :class:`~vrijuit.stats.report_model.Report` as one self-contained HTML page.

One Jinja2 template (``templates/report/report.html``) with inline CSS, inline SVG charts and
no scripts or external requests; the PDF is WeasyPrint's print of the same page. All wording
comes from ``locale/report.yaml`` through :class:`~vrijuit.i18n.Translator`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from vrijuit.i18n import Translator
from vrijuit.render.charts import Chart, histogram, interval_plot, stacked_bars
from vrijuit.render.formatting import (
    MISSING,
    format_ci,
    format_number,
    format_percent,
    format_share_band,
)
from vrijuit.stats.report_model import (
    Distribution,
    GapSection,
    ItemDistribution,
    LevelTrend,
    OrganisationScale,
    Report,
    ScaleInfo,
    Share,
    Suppression,
    Text,
    UnitSection,
)

__all__ = ["render_html"]


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

    def __init__(self, report: Report, lang: str) -> None:
        self.report = report
        self.lang = lang
        self.t = Translator(lang)
        self._ids = 0

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
        for section in self.report.units:
            if section.unit_id == unit_id:
                return section.name.get(self.lang)
        return unit_id

    def note(self, key: str, params: dict[str, Any]) -> str:
        return self.t(key, **{k: self._param(v) for k, v in params.items()})

    def _param(self, value: Any) -> str:
        if isinstance(value, float):
            return self.num(value)
        return str(value)

    def flag(self, code: str, params: dict[str, Any]) -> str:
        return self.note(f"report.flag.{code}", params)

    def suppression(self, item: Suppression) -> str:
        """A plain sentence saying what is not shown and why."""
        what = self._cell_name(item.unit_id, item.attribute, item.value, item.name)
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
    ) -> str:
        if name is not None:
            unit: str | None = name.get(self.lang)
        else:
            unit = self.unit_name(unit_id) if unit_id is not None else None
        if attribute is None:
            return unit or self.t("report.organisation.name")
        if unit is None:
            return self.t("report.cell.attribute", attribute=attribute, value=value or "")
        return self.t(
            "report.cell.unit_attribute", unit=unit, attribute=attribute, value=value or ""
        )

    def _cell_name_from_id(self, cell: str) -> str:
        for section in self.report.units:
            if section.cell == cell:
                return section.name.get(self.lang)
        for item in self.report.suppressed:
            if item.cell == cell:
                return self._cell_name(item.unit_id, item.attribute, item.value, item.name)
        return cell

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
            rows=[(item.text.get(self.lang), item.counts) for item in items],
            categories=[self.category(c, info) for c in categories],
            percent=lambda s: self.pct(s),
            caption=title,
            row_header=self.t("report.chart.item"),
        )

    def category(self, value: int, info: ScaleInfo) -> str:
        if value == info.low:
            return self.t("report.chart.category.lowest", value=value)
        if value == info.high:
            return self.t("report.chart.category.highest", value=value)
        return str(value)

    def trend_chart(self, scale: OrganisationScale) -> Chart:
        info = self.scale(scale.scale_id)
        title = self.t("report.chart.trend.title", scale=info.name.get(self.lang))
        return interval_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.trend.desc", waves=len(scale.trend)),
            rows=[(f"{p.wave} (n = {p.n})", p.mean, p.ci_low, p.ci_high) for p in scale.trend],
            axis=(info.low, info.high),
            reference=info.cutoff,
            number=lambda v: self.num(v),
            caption=title,
            columns=self._interval_columns("report.chart.wave"),
        )

    def gap_chart(self, section: GapSection) -> Chart:
        title = self.t(
            "report.chart.gaps.title",
            attribute=section.attribute,
            scale=self.scale_name(section.scale_id),
        )
        bound = max(
            [1.0] + [abs(v) for g in section.gaps for v in (g.ci_low, g.ci_high) if v is not None]
        )
        return interval_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.gaps.desc"),
            rows=[(g.group, g.difference, g.ci_low, g.ci_high) for g in section.gaps],
            axis=(-bound, bound),
            reference=0.0,
            number=lambda v: self.num(v),
            caption=title,
            columns=self._interval_columns("report.chart.group"),
        )

    def level_chart(self, trend: LevelTrend) -> Chart:
        info = self.scale(trend.scale_id)
        title = self.t(
            "report.chart.levels.title", attribute=trend.attribute, scale=info.name.get(self.lang)
        )
        return interval_plot(
            chart_id=self._next_id(),
            title=title,
            description=self.t("report.chart.levels.desc"),
            rows=[(f"{lv.level} (n = {lv.n})", lv.mean, None, None) for lv in trend.levels],
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
        return list(self.report.units)

    def heat_class(self, value: float | None, info: ScaleInfo) -> str:
        """A colour class for the scales × units table; the number is always printed too."""
        if value is None:
            return "heat-none"
        position = (value - info.low) / ((info.high - info.low) or 1.0)
        if info.cutoff is not None and value < info.cutoff:
            return "heat-low"
        return "heat-high" if position >= 0.75 else "heat-mid"


def render_html(report: Report, lang: str) -> str:
    """Return the report as one self-contained, accessible HTML document in ``lang``.

    Examples
    --------
    >>> from vrijuit.render.sample import sample_report
    >>> page = render_html(sample_report(), "nl")
    >>> page.startswith("<!DOCTYPE html>"), '<html lang="nl">' in page
    (True, True)
    """
    view = _View(report, lang)
    template = _environment().get_template("report.html")
    helpers: dict[str, Callable[..., Any] | Any] = {"v": view, "t": view.t, "report": report}
    return template.render(lang=lang, **helpers)
