"""Inline SVG charts, each with the data table that says the same thing in words and numbers.

One rendering path for the HTML report and the PDF: a chart is plain SVG markup (no script, no
external fonts) with ``role="img"``, a ``<title>`` and a ``<desc>``; the template places its
:class:`DataTable` right beside it, so screen-reader users and people who print in black and
white get every number the picture shows.

The functions take text that is already translated: charts know nothing about languages.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = [
    "Chart",
    "DataTable",
    "contrast_ratio",
    "histogram",
    "interval_plot",
    "stacked_bars",
    "text_colour_on",
    "trend_plot",
]

WIDTH = 640
BACKGROUND = "#ffffff"
INK = "#1a1a1a"  # text: 17:1 on white
BAR = "#1f4e79"  # bars at or above the cut-off: 8.7:1 on white
BAR_LOW = "#8e1b1b"  # bars below the cut-off: 9:1 on white, and hatched (not colour alone)
CUT = "#b00020"  # cut-off line and label: 7.3:1 on white
GRID = "#767676"  # axis lines: 4.5:1 on white
# Answer categories from "strongly disagree" to "strongly agree" (a diverging scheme). Every
# colour has at least 3:1 against the white page; segments are separated by white gaps and
# carry their percentage as text, so neighbours never depend on colour alone.
PALETTE = ("#8e1b1b", "#d6604d", "#8c8c8c", "#4393c3", "#1f4e79", "#0b2a4a", "#5e3c99")
# Mark colours that must reach 3:1 against the background (WCAG 2.1 1.4.11); tests check them.
MARK_COLOURS = (BAR, BAR_LOW, CUT, GRID, *PALETTE)


def _luminance(colour: str) -> float:
    """Relative luminance of an sRGB ``#rrggbb`` colour (WCAG 2.1 definition)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours, from 1 (same) to 21 (black on white).

    >>> round(contrast_ratio("#000000", "#ffffff"), 1), contrast_ratio("#767676", "#ffffff") > 4.5
    (21.0, True)
    """
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(fill: str) -> str:
    """Ink or white, whichever reads better on ``fill`` (for labels inside bar segments).

    >>> text_colour_on("#1f4e79"), text_colour_on("#8c8c8c")
    ('#ffffff', '#1a1a1a')
    """
    return max((INK, BACKGROUND), key=lambda text: contrast_ratio(text, fill))


@dataclass(frozen=True)
class DataTable:
    """The numbers of a chart: a caption, column headers and rows led by a row header."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its accessible name, description and data table."""

    chart_id: str
    title: str
    description: str
    svg: str
    table: DataTable


def _open_svg(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart" font-family="sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


def _clip(text: str, limit: int) -> str:
    """Shorten a label for the picture; the data table beside it always has the full text."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def histogram(
    *,
    chart_id: str,
    title: str,
    description: str,
    edges: Sequence[float],
    counts: Sequence[int],
    cutoff: float | None,
    cutoff_label: str,
    bin_label: Callable[[float, float], str],
    caption: str,
    columns: tuple[str, str],
) -> Chart:
    """Bars of how many people have a scale score in each bin, with the cut-off marked.

    Bars that lie wholly below the cut-off are dark red *and* hatched, and the cut-off is a
    labelled dashed line, so the picture does not depend on colour. The data table is laid out
    across the page: one header row of score ranges (``columns[0]`` heads it) and one row of
    counts (headed ``columns[1]``).

    >>> chart = histogram(chart_id="c1", title="T", description="D", edges=[1, 3, 5],
    ...     counts=[2, 5], cutoff=3.0, cutoff_label="cut-off",
    ...     bin_label=lambda a, b: f"{a}-{b}", caption="C", columns=("bin", "people"))
    >>> 'role="img"' in chart.svg, chart.table.columns, chart.table.rows
    (True, ('bin', '1.0-3.0', '3.0-5.0'), (('people', '2', '5'),))
    """
    height, left, right, top, bottom = 190, 40, 20, 22, 26
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    low, high = float(edges[0]), float(edges[-1])
    span = (high - low) or 1.0
    peak = max(max(counts, default=0), 1)

    def x_of(value: float) -> float:
        return left + plot_w * (value - low) / span

    parts = _open_svg(chart_id, title, description, height)
    hatch = f"{chart_id}-below"
    parts.append(
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{BAR_LOW}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BACKGROUND}" stroke-width="2"/>'
        f"</pattern></defs>"
    )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{GRID}"/>'
    )
    for start, end, count in zip(edges[:-1], edges[1:], counts, strict=True):
        x0, x1 = x_of(float(start)), x_of(float(end))
        bar_h = plot_h * count / peak
        below = cutoff is not None and float(end) <= cutoff
        fill = f"url(#{hatch})" if below else BAR
        parts.append(
            f'<rect x="{x0 + 1:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{max(x1 - x0 - 2, 1):.1f}" height="{bar_h:.1f}" fill="{fill}"/>'
        )
        if count:
            parts.append(
                _text((x0 + x1) / 2, top + plot_h - bar_h - 3, str(count), anchor="middle")
            )
    for tick in range(int(low), int(high) + 1):
        parts.append(_text(x_of(tick), top + plot_h + 16, str(tick), anchor="middle"))
    if cutoff is not None:
        xc = x_of(cutoff)
        parts.append(
            f'<line x1="{xc:.1f}" y1="{top - 8}" x2="{xc:.1f}" y2="{top + plot_h}" '
            f'stroke="{CUT}" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        parts.append(_text(xc - 4, top - 10, f"← {cutoff_label}", anchor="end", fill=CUT))
    parts.append("</svg>")
    labels = tuple(bin_label(float(a), float(b)) for a, b in itertools.pairwise(edges))
    table = DataTable(
        caption,
        (columns[0], *labels),
        ((columns[1], *(str(int(c)) for c in counts)),),
    )
    return Chart(chart_id, title, description, "".join(parts), table)


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    categories: Sequence[str],
    percent: Callable[[float], str],
    caption: str,
    row_header: str,
) -> Chart:
    """One 100% bar per row (an item or a unit), split into answer categories.

    Each wide-enough segment prints its percentage in ink or white, whichever contrasts more
    with its colour. The table gives the percentage of each category per row (rows with no
    answers show dashes); long row labels are shortened in the picture only.

    >>> chart = stacked_bars(chart_id="c2", title="T", description="D",
    ...     rows=[("item 1", [1, 3])], categories=["no", "yes"],
    ...     percent=lambda s: f"{100 * s:.0f}%", caption="C", row_header="item")
    >>> chart.table.columns, chart.table.rows
    (('item', 'no', 'yes'), (('item 1', '25%', '75%'),))
    """
    label_w, bar_h, gap, top = 230, 20, 6, 28
    height = top + len(rows) * (bar_h + gap) + 4
    plot_w = WIDTH - label_w - 4
    parts = _open_svg(chart_id, title, description, height)
    # legend: a swatch and the category name, left to right in answer order
    x = float(label_w)
    for index, name in enumerate(categories):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, 16, name))
        x += 26 + 7 * len(name)
    table_rows = []
    for row_index, (label, counts) in enumerate(rows):
        y = top + row_index * (bar_h + gap)
        total = sum(counts)
        parts.append(_text(0, y + 14, _clip(label, 36)))
        offset = float(label_w)
        for index, count in enumerate(counts):
            if total == 0 or count == 0:
                continue
            width = plot_w * count / total
            colour = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect x="{offset:.1f}" y="{y}" width="{width:.1f}" height="{bar_h}" '
                f'fill="{colour}" stroke="{BACKGROUND}" stroke-width="1"/>'
            )
            if width >= 30:
                parts.append(
                    _text(
                        offset + width / 2,
                        y + 14,
                        percent(count / total),
                        anchor="middle",
                        fill=text_colour_on(colour),
                    )
                )
            offset += width
        table_rows.append(
            (label, *(percent(c / total) if total else "–" for c in counts)),
        )
    parts.append("</svg>")
    table = DataTable(caption, (row_header, *categories), tuple(table_rows))
    return Chart(chart_id, title, description, "".join(parts), table)


def interval_plot(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    axis: tuple[float, float],
    reference: float | None,
    number: Callable[[float | None], str],
    caption: str,
    columns: tuple[str, str, str, str],
) -> Chart:
    """A dot for each estimate with a line for its confidence interval (trend, gaps, levels).

    Rows whose estimate is missing get no dot; their table row shows dashes.

    >>> chart = interval_plot(chart_id="c3", title="T", description="D",
    ...     rows=[("2024", 3.5, 3.2, 3.8)], axis=(1.0, 5.0), reference=None,
    ...     number=lambda v: "-" if v is None else f"{v:.1f}", caption="C",
    ...     columns=("wave", "mean", "low", "high"))
    >>> chart.table.rows
    (('2024', '3.5', '3.2', '3.8'),)
    """
    label_w, row_h, top = 190, 24, 10
    height = top + len(rows) * row_h + 30
    plot_w = WIDTH - label_w - 30
    low, high = axis
    span = (high - low) or 1.0

    def x_of(value: float) -> float:
        clipped = min(max(value, low), high)
        return label_w + plot_w * (clipped - low) / span

    parts = _open_svg(chart_id, title, description, height)
    bottom = top + len(rows) * row_h
    parts.append(
        f'<line x1="{label_w}" y1="{bottom}" x2="{label_w + plot_w}" y2="{bottom}" '
        f'stroke="{GRID}"/>'
    )
    for tick_index in range(5):
        value = low + span * tick_index / 4
        parts.append(_text(x_of(value), bottom + 16, number(value), anchor="middle"))
    if reference is not None:
        xr = x_of(reference)
        parts.append(
            f'<line x1="{xr:.1f}" y1="{top}" x2="{xr:.1f}" y2="{bottom}" stroke="{GRID}" '
            f'stroke-dasharray="4 3"/>'
        )
    for index, (label, estimate, ci_low, ci_high) in enumerate(rows):
        y = top + index * row_h + row_h / 2
        parts.append(_text(0, y + 4, _clip(label, 26)))
        if ci_low is not None and ci_high is not None:
            parts.append(
                f'<line x1="{x_of(ci_low):.1f}" y1="{y:.1f}" x2="{x_of(ci_high):.1f}" '
                f'y2="{y:.1f}" stroke="{BAR}" stroke-width="2"/>'
            )
        if estimate is not None:
            parts.append(f'<circle cx="{x_of(estimate):.1f}" cy="{y:.1f}" r="5" fill="{BAR}"/>')
    parts.append("</svg>")
    table_rows = tuple(
        (label, number(estimate), number(ci_low), number(ci_high))
        for label, estimate, ci_low, ci_high in rows
    )
    return Chart(
        chart_id, title, description, "".join(parts), DataTable(caption, columns, table_rows)
    )


def trend_plot(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    bounds: tuple[float, float],
    reference: float | None,
    reference_label: str,
    number: Callable[[float | None], str],
    caption: str,
    columns: tuple[str, str, str, str],
) -> Chart:
    """The mean per survey round from left to right, each with its confidence interval.

    The vertical axis spans the intervals (not the whole scale), so that a change of a tenth
    is visible; its labelled ticks say where it starts. ``bounds`` (the scale's range) limits
    it, and the reference line (the cut-off) is drawn when it falls inside.

    >>> chart = trend_plot(chart_id="t", title="T", description="D",
    ...     rows=[("2024", 3.4, 3.3, 3.5), ("2025", 3.6, 3.5, 3.7)], bounds=(1.0, 5.0),
    ...     reference=3.0, reference_label="cut-off", number=lambda v: f"{v:.1f}",
    ...     caption="C", columns=("wave", "mean", "low", "high"))
    >>> chart.table.rows[1], chart.svg.count("<circle")
    (('2025', '3.6', '3.5', '3.7'), 2)
    """
    values = [v for _, *numbers in rows for v in numbers if v is not None]
    low, high = bounds
    ticks = 4
    if values:
        # At least half a point of the scale, so that noise does not look like a landslide;
        # round steps (0.1, 0.25, 0.5, …) so that the tick labels are easy to read.
        middle = (max(values) + min(values)) / 2
        spread = max(max(values) - min(values), 0.5)
        step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0) if s * 5 >= spread)
        low = max(low, math.floor((middle - spread / 2) / step) * step)
        high = min(high, math.ceil((middle + spread / 2) / step) * step)
        ticks = max(round((high - low) / step), 1)
    span = (high - low) or 1.0
    left, right, top, plot_h = 60, 20, 12, 180
    height = top + plot_h + 40
    plot_w = WIDTH - left - right
    step = plot_w / max(len(rows), 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1.0 - (min(max(value, low), high) - low) / span)

    def x_of(index: int) -> float:
        return left + step * (index + 0.5)

    parts = _open_svg(chart_id, title, description, height)
    bottom = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{GRID}"/>'
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - right}" y2="{bottom}" stroke="{GRID}"/>'
    )
    for tick_index in range(ticks + 1):
        value = low + span * tick_index / ticks
        parts.append(_text(left - 6, y_of(value) + 4, number(value), anchor="end"))
    if reference is not None and low <= reference <= high:
        yr = y_of(reference)
        parts.append(
            f'<line x1="{left}" y1="{yr:.1f}" x2="{WIDTH - right}" y2="{yr:.1f}" stroke="{CUT}" '
            f'stroke-dasharray="6 4"/>'
        )
        parts.append(_text(WIDTH - right, yr - 4, reference_label, anchor="end", fill=CUT))
    points = [
        (x_of(index), y_of(estimate))
        for index, (_, estimate, _, _) in enumerate(rows)
        if estimate is not None
    ]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    for index, (label, estimate, ci_low, ci_high) in enumerate(rows):
        x = x_of(index)
        parts.append(_text(x, bottom + 18, _clip(label, max(int(step / 7), 6)), anchor="middle"))
        if ci_low is not None and ci_high is not None:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y_of(ci_low):.1f}" x2="{x:.1f}" '
                f'y2="{y_of(ci_high):.1f}" stroke="{BAR}" stroke-width="2"/>'
            )
            for bound in (ci_low, ci_high):
                parts.append(
                    f'<line x1="{x - 6:.1f}" y1="{y_of(bound):.1f}" x2="{x + 6:.1f}" '
                    f'y2="{y_of(bound):.1f}" stroke="{BAR}" stroke-width="2"/>'
                )
        if estimate is not None:
            y = y_of(estimate)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BAR}"/>')
            parts.append(_text(x + 9, y - 6, number(estimate)))
    parts.append("</svg>")
    table_rows = tuple(
        (label, number(estimate), number(ci_low), number(ci_high))
        for label, estimate, ci_low, ci_high in rows
    )
    return Chart(
        chart_id, title, description, "".join(parts), DataTable(caption, columns, table_rows)
    )
