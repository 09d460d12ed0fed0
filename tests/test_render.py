"""The HTML/PDF report: every section, accessible structure, both languages, and a PDF."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from vrijuit.i18n import catalog
from vrijuit.render import render_html, render_pdf
from vrijuit.render.charts import (
    BACKGROUND,
    INK,
    MARK_COLOURS,
    PALETTE,
    contrast_ratio,
    histogram,
    text_colour_on,
)
from vrijuit.render.formatting import format_ci, format_number, format_percent, format_share_band
from vrijuit.render.sample import sample_report
from vrijuit.stats.report_model import Report, Share

SECTIONS = (
    "organisation",
    "units",
    "flagged",
    "gaps",
    "levels",
    "leaders",
    "voice",
    "incidents",
    "suppressed",
)
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.text: list[str] = []

    def iter(self) -> list[Node]:
        out = [self]
        for child in self.children:
            out.extend(child.iter())
        return out

    def find_all(self, tag: str) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag]

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)


class TreeBuilder(HTMLParser):
    """A strict little DOM: it fails on a closing tag that does not match the open one."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.text.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, "some elements are never closed"
    return builder.root


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report()


@pytest.fixture(scope="module", params=["en", "nl"])
def page(request: pytest.FixtureRequest, report: Report) -> tuple[str, str]:
    return request.param, render_html(report, request.param)


def test_the_page_has_every_section_with_a_heading(page: tuple[str, str]) -> None:
    _, html = page
    tree = parse(html)
    ids = {n.attrs.get("id") for n in tree.iter()}
    for section in SECTIONS:
        assert section in ids, section
        (node,) = [n for n in tree.find_all("section") if n.attrs.get("id") == section]
        assert node.find_all("h2"), f"section {section} has no h2"


def test_the_page_declares_its_language_and_has_one_h1_and_no_skipped_heading_levels(
    page: tuple[str, str],
) -> None:
    lang, html = page
    tree = parse(html)
    (root,) = tree.find_all("html")
    assert root.attrs["lang"] == lang
    levels = [int(n.tag[1]) for n in tree.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_every_chart_is_a_named_image_with_a_data_table_right_beside_it(
    page: tuple[str, str],
) -> None:
    _, html = page
    tree = parse(html)
    svgs = tree.find_all("svg")
    assert len(svgs) >= 6  # histograms, item bars, trend, gaps, levels
    for svg in svgs:
        assert svg.attrs.get("role") == "img"
        (title,) = svg.find_all("title")
        (desc,) = svg.find_all("desc")
        assert title.all_text().strip() and desc.all_text().strip()
        assert svg.attrs["aria-labelledby"] == f"{title.attrs['id']} {desc.attrs['id']}"
        siblings = svg.parent.children if svg.parent else []
        following = siblings[siblings.index(svg) + 1]
        assert following.tag == "table"


def test_every_table_has_a_caption_and_scoped_headers(page: tuple[str, str]) -> None:
    _, html = page
    tables = parse(html).find_all("table")
    assert tables
    for table in tables:
        assert table.children[0].tag == "caption" and table.children[0].all_text().strip()
        for header in table.find_all("th"):
            assert header.attrs.get("scope") in {"col", "row"}


def test_the_page_is_self_contained_without_scripts_or_external_requests(
    page: tuple[str, str],
) -> None:
    _, html = page
    tree = parse(html)
    assert not tree.find_all("script") and not tree.find_all("link")
    for node in tree.iter():
        for name in ("src", "href"):
            value = node.attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), value
    assert "<style>" in html


def test_no_message_key_leaks_and_the_two_languages_differ(report: Report) -> None:
    english, dutch = render_html(report, "en"), render_html(report, "nl")
    for html in (english, dutch):
        assert not re.search(r"report\.[a-z_]+\.", html), "an untranslated key is in the page"
    assert catalog()["report.section.organisation"]["nl"] in dutch
    assert catalog()["report.section.organisation"]["en"] in english
    assert catalog()["report.section.organisation"]["en"] not in dutch


def test_numbers_follow_the_language(report: Report) -> None:
    english, dutch = render_html(report, "en"), render_html(report, "nl")
    assert "3.62" in english and "3,62" in dutch
    assert "3,62" not in english and "3.62" not in dutch
    assert "[0.74, 0.91]" in english and "[0,74; 0,91]" in dutch


def test_every_suppressed_cell_is_named_with_its_reason(report: Report) -> None:
    tree = parse(render_html(report, "en"))
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "suppressed"]
    statements = [li.all_text() for li in section.find_all("li")]
    assert len(statements) == len(report.suppressed)
    assert statements[0] == "Archive is not shown because fewer than 5 people answered."
    assert (
        statements[1]
        == "The group “Other” (gender) is not shown because fewer than 5 people answered."
    )
    assert statements[2] == (
        "Lab support is hidden because showing it beside Faculty of Science would reveal "
        "the answers of 2 people."
    )


def test_a_small_cell_shows_a_band_and_never_zero_or_hundred_percent(report: Report) -> None:
    tree = parse(render_html(report, "en"))
    (chemistry,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "unit-T2"]
    text = chemistry.all_text()
    assert "≤ 25%" in text
    assert not re.search(r"(?<![\d.,])(0|100)%", text)


def test_flags_are_explained_in_words(report: Report) -> None:
    english = render_html(report, "en")
    assert "part of the team does not feel safe" in english
    assert "the mean hides that difference" in english


def test_the_leader_section_has_only_the_organisation_level_correlation(report: Report) -> None:
    tree = parse(render_html(report, "en"))
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "leaders"]
    text = section.all_text()
    assert "r = 0.35" in text and "0.48" in text
    assert not section.find_all("table")


def test_the_sector_figure_is_shown_with_source_year_and_sample(report: Report) -> None:
    tree = parse(render_html(report, "nl"))
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "incidents"]
    text = section.all_text()
    assert "Nederlandse Arbeidsinspectie" in text and "2024" in text
    assert "54%" in text and "69%" in text and "14 universiteiten" in text


def test_a_scale_that_does_not_work_alike_shows_no_gaps(report: Report) -> None:
    english = render_html(report, "en")
    assert "does not work alike" in english
    assert "In the group “Temporary contract” the reliability is too low (alpha 0.41)." in english


def test_an_empty_report_still_renders_every_section_with_a_plain_statement(
    report: Report,
) -> None:
    empty = replace(
        report,
        organisation=(),
        units=(),
        flagged=(),
        gaps=(),
        levels=(),
        leaders=None,
        voice=(),
        incidents=None,
        suppressed=(),
    )
    html = render_html(empty, "nl")
    for key in ("organisation", "units", "flagged", "gaps", "levels", "leaders", "voice"):
        assert catalog()[f"report.empty.{key}"]["nl"] in html
    assert catalog()["report.suppressed.none"]["nl"] in html


def test_numbers_are_formatted_per_language() -> None:
    assert format_number(1234.5, "nl", digits=1) == "1.234,5"
    assert format_number(1234.5, "en", digits=1) == "1,234.5"
    assert format_number(float("nan"), "nl") == "–"
    assert format_percent(0.2, "nl") == "20%"
    assert format_ci(None, 1.0, "en") == "–"
    assert format_share_band(0.25, 0.5, "nl") == "25–50%"


def test_share_band_text_never_says_zero_or_hundred_percent() -> None:
    for low, high in zip((0.0, 0.25, 0.5, 0.75), (0.25, 0.5, 0.75, 1.0), strict=True):
        text = format_share_band(low, high, "en")
        assert text not in {"0%", "100%"} and "100%" not in text and not text.startswith("0%")


def test_the_pdf_renders_from_the_same_page(tmp_path: Path, report: Report) -> None:
    target = tmp_path / "report.pdf"
    render_pdf(report, "nl", target)
    assert target.read_bytes().startswith(b"%PDF")
    # The page count from WeasyPrint's layout of the same page (the PDF's streams are compressed).
    from weasyprint import HTML

    assert len(HTML(string=render_html(report, "nl", medium="print")).render().pages) > 1


def test_a_banded_share_has_no_exact_value() -> None:
    band = Share(3.0, None, None, None, True, 0.0, 0.25)
    assert band.to_dict()["share"] is None and band.to_dict()["band_high"] == 0.25


def wcag_contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast written out again from the definition (an oracle for the module's)."""

    def luminance(colour: str) -> float:
        r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) / 255.0 for i in (0, 2, 4))

        def lin(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)

    a, b = luminance(first), luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


CSS = (Path(__file__).parents[1] / "src/vrijuit/templates/report/report.css").read_text()


def css_colour(name: str) -> str:
    match = re.search(rf"{re.escape(name)}\s*:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert match, name
    return match.group(1)


def test_contrast_ratio_matches_published_wcag_values() -> None:
    # WebAIM's contrast checker: black/white 21:1, #767676 on white 4.54:1, #777777 4.48:1.
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)
    for colour in (*MARK_COLOURS, INK):
        assert contrast_ratio(colour, BACKGROUND) == pytest.approx(wcag_contrast(colour, "#ffffff"))


def test_every_text_colour_in_the_stylesheet_reaches_4_5_to_1_on_its_background() -> None:
    page = css_colour("background")
    for name in ("--ink", "--muted", "--accent", "--warn"):
        assert wcag_contrast(css_colour(name), page) >= 4.5, name
    ink = css_colour("--ink")
    cell_backgrounds = re.findall(r"background:\s*(#[0-9a-fA-F]{6})", CSS)
    assert len(cell_backgrounds) >= 4
    for cell in cell_backgrounds:
        assert wcag_contrast(ink, cell) >= 4.5, cell
        assert wcag_contrast(css_colour("--warn"), cell) >= 4.5, cell  # the marks in heat cells


def test_chart_marks_reach_3_to_1_and_labels_inside_bars_reach_4_5_to_1() -> None:
    for colour in MARK_COLOURS:
        assert wcag_contrast(colour, "#ffffff") >= 3.0, colour
    for colour in PALETTE:
        assert wcag_contrast(text_colour_on(colour), colour) >= 4.5, colour


def test_the_focus_outline_is_visible_against_the_page() -> None:
    assert wcag_contrast(css_colour("--focus"), "#ffffff") >= 3.0
    assert ":focus" in CSS


def test_every_colour_used_in_a_chart_is_one_that_was_checked(page: tuple[str, str]) -> None:
    _, html = page
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        for colour in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg):
            assert colour in (*MARK_COLOURS, INK, BACKGROUND), colour


def test_histogram_bars_below_the_cut_off_are_hatched_not_only_coloured() -> None:
    chart = histogram(
        chart_id="h",
        title="T",
        description="D",
        edges=[1.0, 2.0, 3.0, 4.0, 5.0],
        counts=[1, 2, 3, 4],
        cutoff=3.0,
        cutoff_label="cut-off",
        bin_label=lambda a, b: f"{a:g}-{b:g}",
        caption="C",
        columns=("Score", "People"),
    )
    fills = re.findall(
        r'<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="([^"]+)"', chart.svg
    )
    assert fills == ["url(#h-below)", "url(#h-below)", "#1f4e79", "#1f4e79"]
    assert "<pattern" in chart.svg and "cut-off" in chart.svg
    assert chart.table.columns == ("Score", "1-2", "2-3", "3-4", "4-5")
    assert chart.table.rows == (("People", "1", "2", "3", "4"),)


def test_the_page_starts_with_a_skip_link_to_the_main_content(page: tuple[str, str]) -> None:
    _, html = page
    tree = parse(html)
    (body,) = tree.find_all("body")
    first = body.children[0]
    assert first.tag == "a" and first.attrs["href"] == "#main" and first.all_text().strip()
    assert [n for n in tree.find_all("main") if n.attrs.get("id") == "main"]


def test_text_in_the_other_language_is_marked_with_its_lang(report: Report) -> None:
    english = render_html(report, "en")
    assert '<span lang="nl">Nederlandse Arbeidsinspectie</span>' in english
    dutch = render_html(report, "nl")
    assert '<span lang="nl">' not in dutch


def test_a_cell_below_the_cut_off_says_so_in_text_not_only_in_red(report: Report) -> None:
    first, *rest = list(report.units)
    lowered = replace(first, scales=tuple(replace(s, mean=2.5) for s in first.scales))
    tree = parse(render_html(replace(report, units=(lowered, *rest)), "en"))
    (heat,) = [t for t in tree.find_all("table") if "heat" in (t.attrs.get("class") or "")]
    low = [td for td in heat.find_all("td") if td.attrs.get("class") == "heat-low"]
    shown = {s.scale_id for s in report.organisation}
    with_cutoff = [
        s for s in first.scales if s.scale_id in shown and report.scale(s.scale_id).cutoff
    ]
    assert len(low) == len(with_cutoff) >= 1
    for cell in low:
        assert "below the cut-off" in cell.all_text()


def test_the_print_page_has_the_same_overview_numbers_without_the_unit_sections(
    report: Report,
) -> None:
    screen = parse(render_html(report, "nl"))
    printed = parse(render_html(report, "nl", medium="print"))

    def table_text(tree: Node, css_class: str) -> list[str]:
        (table,) = [t for t in tree.find_all("table") if css_class in (t.attrs.get("class") or "")]
        return [cell.all_text() for cell in table.find_all("td")]

    for css_class in ("heat", "shares", "summary"):
        assert table_text(printed, css_class) == table_text(screen, css_class)
    assert not [n for n in printed.find_all("section") if n.attrs.get("class") == "unit"]
    assert [n for n in screen.find_all("section") if n.attrs.get("class") == "unit"]
    assert catalog()["report.units.print_note"]["nl"] in render_html(report, "nl", medium="print")
    for svg in printed.find_all("svg"):
        siblings = svg.parent.children if svg.parent else []
        assert siblings[siblings.index(svg) + 1].tag == "table"


def test_the_share_table_shows_each_unit_share_or_band_as_in_its_detail(report: Report) -> None:
    tree = parse(render_html(report, "en"))
    (shares,) = [t for t in tree.find_all("table") if "shares" in (t.attrs.get("class") or "")]
    rows = {
        row.find_all("th")[0].all_text(): [td.all_text() for td in row.find_all("td")]
        for row in shares.find_all("tbody")[0].find_all("tr")
    }
    for unit in report.units:
        climate = next(s for s in unit.scales if s.scale_id == "climate")
        share = climate.share_below
        assert share is not None
        expected = (
            format_share_band(share.band_low, share.band_high, "en")
            if share.banded
            else format_percent(share.share, "en")
        )
        assert rows[unit.name.en][0] == expected


def test_an_unknown_medium_is_refused(report: Report) -> None:
    with pytest.raises(ValueError, match="medium"):
        render_html(report, "en", medium="paper")  # type: ignore[arg-type]
