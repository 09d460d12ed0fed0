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
    assert "gender = other" in statements[1]
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
    assert "a group within the team feels unsafe" in english
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
    assert "In group temporary the reliability is too low (alpha 0.41)." in english


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

    assert len(HTML(string=render_html(report, "nl")).render().pages) > 1


def test_a_banded_share_has_no_exact_value() -> None:
    band = Share(3.0, None, None, None, True, 0.0, 0.25)
    assert band.to_dict()["share"] is None and band.to_dict()["band_high"] == 0.25
