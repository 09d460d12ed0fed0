"""The HTML/PDF report: every section, accessible structure, both languages, and a PDF."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
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
from vrijuit.render.html import PRINT_FLAGGED_ROWS, PRINT_UNIT_ROWS, readable_code
from vrijuit.render.sample import sample_report
from vrijuit.stats.report_model import (
    Flag,
    FlaggedTeam,
    GapSection,
    Report,
    Share,
    UnitScaleColumns,
    UnitTable,
    WaveSlope,
)

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


# -- wave slope and trend chart ------------------------------------------------------------


def section_text(html: str, section_id: str) -> str:
    tree = parse(html)
    (node,) = [n for n in tree.iter() if n.attrs.get("id") == section_id]
    return " ".join(node.all_text().split())


def test_the_wave_slope_is_said_in_words_with_its_interval_in_both_languages(
    report: Report,
) -> None:
    english = section_text(render_html(report, "en"), "org-climate")
    assert (
        "For each step of 1 in the round's number (for example each year), scores rose by "
        "0.21 [0.05, 0.37] on average, over 2 rounds." in english
    )
    assert "does not include zero" in english and "p = 0.012" in english
    dutch = section_text(render_html(report, "nl"), "org-climate")
    assert "stegen de scores gemiddeld met 0,21 [0,05; 0,37], over 2 peilingen." in dutch


def test_a_falling_uncertain_slope_is_said_as_a_fall_with_a_positive_interval(
    report: Report,
) -> None:
    (climate,) = report.organisation
    falling = replace(climate, wave_slope=WaveSlope(-0.08, 0.03, -0.14, 0.02, 0.21, 3, "wave"))
    html = render_html(replace(report, organisation=(falling,)), "nl")
    text = section_text(html, "org-climate")
    assert (
        "Per peiling daalden de scores gemiddeld met 0,08 [-0,02; 0,14], over 3 peilingen." in text
    )
    assert "Het interval bevat nul, dus deze verandering kan toeval zijn (p = 0,210)." in text


def test_no_slope_sentence_without_a_slope(report: Report) -> None:
    (climate,) = report.organisation
    html = render_html(replace(report, organisation=(replace(climate, wave_slope=None),)), "en")
    assert "scores rose" not in html and "scores fell" not in html


def test_the_trend_chart_runs_left_to_right_with_higher_means_drawn_higher(
    report: Report,
) -> None:
    tree = parse(render_html(report, "en"))
    (figure,) = [f for f in tree.find_all("figure") if "mean per survey round" in f.all_text()]
    (svg,) = figure.find_all("svg")
    circles = svg.find_all("circle")
    assert len(circles) == len(report.organisation[0].trend) == 2
    (first, second) = [(float(c.attrs["cx"] or 0), float(c.attrs["cy"] or 0)) for c in circles]
    # 2025 (3.41) left of 2026 (3.62), and the higher mean sits higher (smaller y).
    assert first[0] < second[0] and first[1] > second[1]
    rows = [
        [cell.all_text() for cell in row.children]
        for row in figure.find_all("tbody")[0].find_all("tr")
    ]
    assert rows == [
        ["2025 (n = 38)", "3.41", "3.18", "3.64"],
        ["2026 (n = 40)", "3.62", "3.39", "3.85"],
    ]


# -- labels of groups ---------------------------------------------------------------------


def gap_groups(html: str) -> list[str]:
    tree = parse(html)
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "gaps"]
    return [
        row.find_all("th")[0].all_text()
        for table in section.find_all("table")
        for row in table.find_all("tbody")[0].find_all("tr")
    ]


def test_group_attributes_and_values_are_translated(report: Report) -> None:
    assert gap_groups(render_html(report, "en")) == ["Man", "Woman"]
    assert gap_groups(render_html(report, "nl")) == ["Man", "Vrouw"]
    english, dutch = render_html(report, "en"), render_html(report, "nl")
    assert "Team climate by gender" in english
    assert "Teamklimaat naar contract" in dutch
    assert "In de groep ‘Tijdelijk contract’ is de betrouwbaarheid te laag" in dutch
    levels = section_text(dutch, "levels")
    assert "Promovendus (n = 12)" in levels and "Postdoc (n = 9)" in levels
    assert "phd" not in levels


@pytest.mark.parametrize(
    ("value", "en", "nl"),
    [
        ("assistant_professor", "Assistant professor", "Universitair docent"),
        ("associate_professor", "Associate professor", "Universitair hoofddocent"),
        ("full_professor", "Full professor", "Hoogleraar"),
        ("support_staff", "Support staff", "Ondersteunend personeel"),
        ("international", "International", "Internationaal"),
        ("dutch", "Dutch", "Nederlands"),
        ("non_binary", "Non-binary", "Non-binair"),
        ("permanent", "Permanent contract", "Vast contract"),
    ],
)
def test_known_group_codes_have_a_name_in_each_language(value: str, en: str, nl: str) -> None:
    assert catalog()[f"report.value.{value}"] == {"en": en, "nl": nl}


def test_an_unknown_group_code_is_shown_as_words(report: Report) -> None:
    section = replace(
        report.gaps[0],
        attribute="career_stage",
        gaps=tuple(replace(g, group=f"early_{g.group}") for g in report.gaps[0].gaps),
    )
    html = render_html(replace(report, gaps=(section,)), "nl")
    assert gap_groups(html) == ["Early man", "Early woman"]
    assert "Teamklimaat naar career stage" in html and "career_stage" not in html
    assert readable_code("nationality_group") == "Nationality group"


# -- flags and scale direction ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_flag_in_the_flagged_table_is_a_full_sentence(report: Report, lang: str) -> None:
    flags = (
        Flag("polarised", {"share": "30%"}),
        Flag("low_agreement", {"rwg": 0.42}),
        Flag("below_cutoff", {}),
    )
    flagged = (FlaggedTeam("T2", "climate", flags),)
    tree = parse(render_html(replace(report, flagged=flagged), lang))
    (table,) = [t for t in tree.find_all("table") if "flagged" in (t.attrs.get("class") or "")]
    (cell,) = table.find_all("tbody")[0].find_all("td")[1:]
    sentences = [part for part in cell.text if part.strip()]
    assert len(sentences) == len(flags)
    for sentence in sentences:
        assert sentence[0].isupper() and sentence.rstrip().endswith("."), sentence


def direction_of(html: str, scale_id: str) -> list[str]:
    tree = parse(html)
    (node,) = [n for n in tree.iter() if n.attrs.get("id") == f"org-{scale_id}"]
    return [p.all_text() for p in node.find_all("p") if p.attrs.get("class") == "direction"]


def test_each_scale_says_once_which_way_is_better_from_its_role(report: Report) -> None:
    (climate,) = report.organisation
    html = render_html(report, "en")
    (said,) = direction_of(html, "climate")
    assert said.startswith("Higher scores mean a safer, more positive climate.")
    # The sample's first question is reverse-worded, so the reader is told how it counts.
    assert "counted in reverse" in said
    assert "1. Mistakes are held against you (counted in reverse)" in html
    assert "2. I can raise problems (counted in reverse)" not in html
    (incidents,) = direction_of(html, "incidents")
    assert incidents == "Higher scores mean more unwanted behaviour: here, lower is better."
    # The direction follows the role, not the scale's id.
    renamed = replace(
        report,
        scales=(*report.scales, replace(report.scale("climate"), scale_id="integrity")),
        organisation=(replace(climate, scale_id="integrity", items=()),),
    )
    (said,) = direction_of(render_html(renamed, "nl"), "integrity")
    assert said == "Hoe hoger de score, hoe veiliger en positiever het klimaat."


def test_the_how_to_read_notes_give_the_range_and_say_higher_is_safer(report: Report) -> None:
    dutch = render_html(report, "nl")
    assert "Scores lopen van 1 (oneens) tot 5 (eens)." in dutch
    assert "Op elke klimaatschaal betekent een hogere score een veiliger" in dutch
    assert "van 1 tot 5; hoger is veiliger." in dutch


# -- very large reports -------------------------------------------------------------------


def large_report(report: Report, teams: int = 20_000, departments: int = 400) -> Report:
    """One organisation, 40 faculties, ``departments`` departments and ``teams`` teams."""
    faculties = 40
    ids = ["ORG"]
    parents: list[str | None] = [None]
    depth, level = [0], ["organisation"]
    per_faculty = departments // faculties
    per_department = teams // departments
    for f in range(faculties):
        ids.append(f"F{f}")
        parents.append("ORG")
        depth.append(1)
        level.append("faculty")
        for d in range(per_faculty):
            department = f"D{f}.{d}"
            ids.append(department)
            parents.append(f"F{f}")
            depth.append(2)
            level.append("department")
            for t in range(per_department):
                ids.append(f"T{f}.{d}.{t}")
                parents.append(department)
                depth.append(3)
                level.append("team")
    rows = len(ids)
    text = np.array(ids, dtype=object)
    numbers = np.linspace(2.5, 4.5, rows)
    nan = np.full(rows, np.nan)
    false = np.zeros(rows, dtype=bool)
    flagged_ids = [f"T{f}.0.0" for f in range(0, faculties, 4)]
    polarised = np.isin(text, np.array(flagged_ids, dtype=object))
    climate = UnitScaleColumns(
        scale_id="climate",
        cutoff=3.0,
        edges=(),
        shown=np.ones(rows, dtype=bool),
        n=np.full(rows, 12, dtype=np.int64),
        mean=numbers,
        sd=np.full(rows, 0.6),
        shrunken_mean=numbers,
        share=np.full(rows, 0.2),
        share_ci_low=np.full(rows, 0.1),
        share_ci_high=np.full(rows, 0.3),
        banded=false,
        band_low=nan,
        band_high=nan,
        distribution=np.zeros((rows, 0), dtype=np.int64),
        rwg_j=np.full(rows, 0.8),
        awg=np.full(rows, 0.7),
        ad=np.full(rows, 0.5),
        polarised=polarised,
        polarised_share=np.where(polarised, "30%", None).astype(object),
        low_agreement=false,
        low_agreement_rwg=nan,
    )
    table = UnitTable(
        unit_id=text,
        cell=np.array([f"unit:{i}" for i in ids], dtype=object),
        name_en=np.array([f"Unit {i}" for i in ids], dtype=object),
        name_nl=np.array([f"Eenheid {i}" for i in ids], dtype=object),
        parent_id=np.array(parents, dtype=object),
        depth=np.array(depth, dtype=np.int64),
        level=np.array(level, dtype=object),
        team=np.array([lv == "team" for lv in level], dtype=bool),
        n=np.full(rows, 12, dtype=np.int64),
        scales=(climate,),
    )
    flagged = tuple(
        FlaggedTeam(unit_id, "climate", (Flag("polarised", {"share": "30%"}),))
        for unit_id in flagged_ids
    ) + tuple(
        FlaggedTeam(f"T{f}.{d}.1", "climate", (Flag("below_cutoff", {}),))
        for f in range(faculties)
        for d in range(per_faculty)
    )
    return replace(report, units=table, flagged=flagged, suppressed=(), n_respondents=rows * 12)


def test_a_very_large_report_prints_units_down_to_departments_plus_flagged_teams(
    report: Report,
) -> None:
    big = large_report(report)
    html = render_html(big, "en", medium="print")
    tree = parse(html)
    (heat,) = [t for t in tree.find_all("table") if "heat" in (t.attrs.get("class") or "")]
    shown = [row.find_all("th")[0].all_text() for row in heat.find_all("tbody")[0].find_all("tr")]
    # 1 + 40 faculties + 200 departments fit; 400 departments would not (1 + 40 + 400 > 300).
    small = large_report(report, departments=200)
    small_html = render_html(small, "en", medium="print")
    small_tree = parse(small_html)
    (small_heat,) = [
        t for t in small_tree.find_all("table") if "heat" in (t.attrs.get("class") or "")
    ]
    small_rows = small_heat.find_all("tbody")[0].find_all("tr")
    flagged_units = {f.unit_id for f in small.flagged}
    assert len(small_rows) == 1 + 40 + 200 + min(len(flagged_units), PRINT_FLAGGED_ROWS)
    assert "Unit D39.4" in {r.find_all("th")[0].all_text() for r in small_rows}
    assert "Unit T0.0.0" in {r.find_all("th")[0].all_text() for r in small_rows}
    assert "Unit T0.0.2" not in {r.find_all("th")[0].all_text() for r in small_rows}
    assert "down to the level “Department”" in small_html
    # With 400 departments, only whole levels that fit are kept: faculties plus flagged teams.
    assert shown[:2] == ["Unit ORG", "Unit F0"]
    assert not [name for name in shown if name.startswith("Unit D")]
    assert len(shown) <= PRINT_UNIT_ROWS + PRINT_FLAGGED_ROWS
    assert f"of the {len(big.units)} units" in html and "down to the level “Faculty”" in html
    # The flagged table is limited too, and says where the rest is.
    (flagged_table,) = [
        t for t in tree.find_all("table") if "flagged" in (t.attrs.get("class") or "")
    ]
    assert len(flagged_table.find_all("tbody")[0].find_all("tr")) == PRINT_FLAGGED_ROWS
    assert f"the first {PRINT_FLAGGED_ROWS} of the {len(big.flagged)} signals" in html


def test_a_report_that_fits_prints_every_unit_without_a_limit_note(report: Report) -> None:
    html = render_html(report, "en", medium="print")
    assert "This printed version lists the units down to" not in html
    assert "This printed version lists the first" not in html


# -- the demo report as a reader sees it -------------------------------------------------------

RAW_CELL_ID = re.compile(r"\b(?:unit_attribute|attribute|unit):[\w|=-]+")


@pytest.fixture(scope="module")
def demo_pages() -> dict[str, str]:
    """The demo faculty's report (as ``vrijuit demo`` builds it) rendered in both languages."""
    from vrijuit.cli import DEMO_ATTRIBUTES, _read_tree
    from vrijuit.demo import DATA_DIR
    from vrijuit.i18n import Translator
    from vrijuit.stats.instruments import load_instrument
    from vrijuit.stats.io import read_responses
    from vrijuit.stats.report import build_report

    instrument = load_instrument("vrijuit")
    imported = read_responses(
        DATA_DIR / "responses.csv",
        instrument=instrument,
        team_column="team",
        id_column="respondent_id",
        wave_column="wave",
        attribute_columns=(*DEMO_ATTRIBUTES, "role"),
    )
    report = build_report(
        imported.data,
        instrument,
        tree=_read_tree(DATA_DIR / "units.csv", Translator("en")),
        by=DEMO_ATTRIBUTES,
        wave_column="wave",
        role_column="role",
        k=5,
    )
    assert any(item.kind == "attribute" or item.because_of for item in report.suppressed)
    return {lang: render_html(report, lang) for lang in ("en", "nl")}


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_demo_report_never_shows_a_raw_cell_id(demo_pages: dict[str, str], lang: str) -> None:
    text = parse(demo_pages[lang]).all_text()
    assert RAW_CELL_ID.findall(text) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_group_named_mid_sentence_is_lower_case_and_at_the_start_capitalised(
    demo_pages: dict[str, str], lang: str
) -> None:
    group = {"en": "the group", "nl": "de groep"}[lang]
    tree = parse(demo_pages[lang])
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "suppressed"]
    statements = [li.all_text() for li in section.find_all("li")]
    opening = [s for s in statements if s.lower().startswith(group)]
    inside = [s for s in statements if group in s.lower()[1:]]
    assert opening and inside  # the demo has both kinds of sentence
    assert all(s.startswith(group.capitalize()) for s in opening)
    assert all(group.capitalize() not in s[1:] for s in statements)


def test_an_attribute_cell_named_by_id_is_said_in_words() -> None:
    report = sample_report()
    other = replace(report.suppressed[2], because_of="attribute:gender=woman")
    report = replace(report, suppressed=(*report.suppressed[:2], other))
    english = parse(render_html(report, "en")).all_text()
    dutch = parse(render_html(report, "nl")).all_text()
    assert "beside the group “Woman” (gender) would reveal" in english
    assert f"samen met de groep ‘{catalog()['report.value.woman']['nl']}’" in dutch
    assert "attribute:" not in english + dutch


def _position_gaps(groups: list[str]) -> GapSection:
    template = sample_report().gaps[0].gaps[0]
    gaps = tuple(
        replace(template, group=g, cell=f"attribute:position={g}", difference=i / 10)
        for i, g in enumerate(groups)
    )
    return GapSection("position", "climate", None, True, (), gaps)


def _gap_table_groups(page: str) -> list[str]:
    tree = parse(page)
    (section,) = [n for n in tree.find_all("section") if n.attrs.get("id") == "gaps"]
    rows = section.find_all("table")[0].find_all("tr")[1:]
    return [row.find_all("th")[0].all_text() for row in rows]


def test_gap_rows_follow_the_hierarchy_when_the_report_knows_it() -> None:
    # Code order (alphabetical) would put the assistant professor before the PhD candidate.
    codes = ["assistant_professor", "phd", "professor", "postdoc"]
    report = replace(sample_report(), gaps=(_position_gaps(codes),))
    # The sample's level trend knows the order phd < postdoc < professor; a group it does not
    # know comes after the known ones.
    for lang in ("en", "nl"):
        label = {c: catalog()[f"report.value.{c}"][lang] for c in codes}
        expected = [label[c] for c in ("phd", "postdoc", "professor", "assistant_professor")]
        assert _gap_table_groups(render_html(report, lang)) == expected


def test_gap_rows_without_a_known_hierarchy_are_in_translated_name_order() -> None:
    codes = ["phd", "assistant_professor", "full_professor"]
    report = replace(sample_report(), gaps=(_position_gaps(codes),), levels=())
    for lang in ("en", "nl"):
        names = [catalog()[f"report.value.{c}"][lang] for c in codes]
        assert _gap_table_groups(render_html(report, lang)) == sorted(names, key=str.casefold)


def test_dutch_hiding_sentences_do_not_refer_to_a_group_with_het(
    demo_pages: dict[str, str],
) -> None:
    # "de groep …, omdat het samen met …" mixes a de-word with "het": the sentence is neutral.
    text = parse(demo_pages["nl"]).all_text()
    assert "is verborgen: samen met" in text
    assert "omdat het samen met" not in text
