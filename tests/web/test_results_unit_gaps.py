"""Analysts' differences between groups within each unit: one scale at a time (every scale
reachable), units in tree order by their path, hidden groups in words, the CSV the same."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from web.results_data import make_wave
from web.results_gap_data import add_people


def _attributes(i: int) -> dict[str, str]:
    return {"gender": "woman" if i % 2 else "man", "position_level": "phd" if i % 3 else "postdoc"}


@pytest.fixture
def wave(org):  # type: ignore[no-untyped-def]
    """Gender and position level, per unit too (k = 3); two people of another gender in
    Pedagogy: too few to show, in the unit and in the organisation."""
    from vrijuit.results.services import compute_wave_results
    from vrijuit.surveys.models import Wave

    wave = make_wave(org, k=3)
    Wave.objects.filter(pk=wave.pk).update(
        report_attributes=["gender", "position_level"],
        unit_attributes=["gender", "position_level"],
    )
    wave.refresh_from_db()
    add_people(wave, org.clinical, 21, attributes=_attributes, seed=1)
    add_people(wave, org.psychology, 15, attributes=_attributes, seed=2, leader=True)
    add_people(wave, org.pedagogy, 21, attributes=_attributes, seed=3, shift=-0.5)
    other = {"gender": "other", "position_level": "phd"}
    add_people(wave, org.pedagogy, 2, attributes=lambda i: other, seed=4)
    compute_wave_results(wave)
    return wave


@pytest.fixture
def analyst(org, as_persona):  # type: ignore[no-untyped-def]
    user = org.users["analyst"]
    user.language = "en"
    user.save(update_fields=["language"])
    return as_persona("analyst")


def _page(client: Any, wave: Any, scale: str | None = None) -> str:
    query = {"scale": scale} if scale is not None else {}
    response = client.get(reverse("results:unit_gaps", args=[wave.pk]), query)
    assert response.status_code == 200
    return str(response.content.decode())


def _options(html: str) -> list[tuple[str, bool]]:
    select = html.split('<select id="scale" name="scale"', 1)[1].split("</select>", 1)[0]
    return [
        (value, bool(selected))
        for value, selected in re.findall(r'<option value="([^"]+)"( selected)?>', select)
    ]


def _table(html: str, key: str) -> list[list[str]]:
    found = re.search(rf'<table data-table="{key}">(.*?)</table>', html, re.S)
    assert found, key
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]


def test_every_scale_can_be_chosen_and_each_shows_its_own_differences(wave, analyst) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import latest_snapshot

    snapshot = latest_snapshot(wave)
    html = _page(analyst, wave)
    options = _options(html)
    headline = [s for s in snapshot.report["scales"] if s["role"] == "climate" and s["headline"]]
    assert [value for value, _ in options] == [s["scale_id"] for s in headline]
    assert len(options) > 1 and options[0][1]  # the first is chosen when none is asked for
    assert '<label for="scale">' in html and '<button type="submit">' in html
    captions = set()
    for scale in headline:
        page = _page(analyst, wave, scale["scale_id"])
        assert [value for value, chosen in _options(page) if chosen] == [scale["scale_id"]]
        rows = _table(page, "unit-gaps-position_level")
        caption = re.search(r'<h2 id="t-unit-gaps-position_level">([^<]+)</h2>', page)
        assert caption and scale["name"]["en"] in unescape(caption.group(1))
        captions.add(caption.group(1))
        assert any(re.fullmatch(r"-?\d+\.\d\d", row[6]) for row in rows[1:])
        # The download links carry the chosen scale.
        assert f"results.csv?scale={scale['scale_id']}" in page
    assert len(captions) == len(headline)


def test_units_come_in_tree_order_by_path_and_a_hidden_group_says_why(wave, analyst) -> None:  # type: ignore[no-untyped-def]
    page = unescape(_page(analyst, wave))
    rows = _table(page, "unit-gaps-gender")
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Unit", "Group", "Answers in the group", "Mean of the group"]
    assert header[-1] == "Note"
    paths = list(dict.fromkeys(row[0] for row in body))
    assert paths == [
        "Faculty of Behaviour",
        "Faculty of Behaviour › Psychology",
        "Faculty of Behaviour › Psychology › Clinical team",
        "Faculty of Behaviour › Education",
    ]
    hidden = [row for row in body if row[1] == "other (includes merged small groups)"]
    assert hidden, "the small group is listed"
    for row in hidden:
        assert row[2:9] == ["–"] * 7  # not one figure about it
        assert row[9] == "Fewer than 3 people answered, so no results are shown."
    # The small group also keeps "woman" or "man" of each unit back (the two would give it
    # away by subtraction); the page says so in words, and why gender has no figures here.
    assert any(row[9].startswith("Hidden so that nobody can work out") for row in body)
    assert "Split by gender (self-declared): too few of the organisation's groups" in page
    shown = [row for row in _table(page, "unit-gaps-position_level")[1:] if row[9] == ""]
    assert shown and all(re.fullmatch(r"\d+", r[2]) and re.fullmatch(r"\d+", r[4]) for r in shown)
    assert {row[1] for row in shown} == {"PhD candidate", "postdoc"}
    assert list(dict.fromkeys(row[0] for row in shown)) == paths


def test_the_csv_holds_exactly_the_page_s_tables(wave, analyst) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.downloads import escape_cell

    scale = _options(_page(analyst, wave))[-1][0]
    page = _page(analyst, wave, scale)
    download = analyst.get(
        reverse("results:unit_gaps_download", args=[wave.pk, "csv"]), {"scale": scale}
    )
    assert download["Content-Type"].startswith("text/csv")
    assert scale in download["Content-Disposition"]
    csv_cells = [
        c for row in csv.reader(io.StringIO(download.content.decode())) if len(row) > 1 for c in row
    ]
    page_cells = [
        escape_cell(cell)
        for key in ("unit-gaps-gender", "unit-gaps-position_level")
        for row in _table(page, key)
        for cell in row
    ]
    assert csv_cells == page_cells
    pdf = analyst.get(
        reverse("results:unit_gaps_download", args=[wave.pk, "pdf"]), {"scale": scale}
    )
    assert pdf.content.startswith(b"%PDF")


def test_an_unknown_scale_is_named_and_the_first_scale_is_shown(wave, analyst) -> None:  # type: ignore[no-untyped-def]
    html = _page(analyst, wave, "no_such_scale")
    assert "These results have no scale “no_such_scale” with differences per unit" in unescape(html)
    assert re.search(r'<select id="scale" name="scale" aria-describedby="scale-error"', html)
    assert 'id="scale-error" role="alert"' in html
    assert _options(html)[0][1]


def test_the_page_is_in_dutch_for_a_dutch_reader(wave, as_persona) -> None:  # type: ignore[no-untyped-def]
    html = _page(as_persona("analyst"), wave)
    assert "<h1>Verschillen binnen elke eenheid: " in html
    assert "Antwoorden in de groep" in html and "Toon deze schaal" in html
    assert "Elke rij vergelijkt één groep" in html
    assert "Minder dan 3 mensen" in html  # the hidden group's reason, in Dutch too


def test_the_analysis_page_links_here_and_its_gap_table_is_the_organisation_s(
    wave, analyst
) -> None:  # type: ignore[no-untyped-def]
    html = analyst.get(reverse("results:analysis", args=[wave.pk])).content.decode()
    assert f'href="{reverse("results:unit_gaps", args=[wave.pk])}"' in html
    for row in _table(html, "gaps")[1:]:
        assert row[0] in ("gender", "position_level") and ":" not in row[1], row


def test_a_scale_whose_groups_answer_differently_is_explained(org, analyst) -> None:  # type: ignore[no-untyped-def]
    """The view says in words why an attribute has no differences on the chosen scale."""
    from vrijuit.results.models import ResultSnapshot
    from vrijuit.results.presentation import unit_gaps_view
    from vrijuit.surveys.models import Wave

    wave = Wave(k=5, period="p", report_attributes=["gender"], unit_attributes=["gender"])
    report = {
        "k": 5,
        "n_respondents": 40,
        "scales": [
            {
                "scale_id": "s",
                "name": {"en": "Speaking up", "nl": "Uitspreken"},
                "role": "climate",
                "headline": True,
            }
        ],
        "units": {
            "unit_id": ["1"],
            "parent_id": [None],
            "name_nl": ["U"],
            "name_en": ["U"],
            "scales": [],
        },
        "gaps": [{"attribute": "gender", "scale_id": "s", "works_alike": False, "gaps": []}],
        "unit_gaps": [],
        "suppressed": [],
    }
    from django.utils import translation

    with translation.override("en"):
        view, choice = unit_gaps_view(
            ResultSnapshot(wave=wave, report=report, shown=["unit:1"]), "en", None
        )
    assert choice.chosen == "s" and view.empty
    assert view.notes and "do not work alike" in view.notes[0] and "gender" in view.notes[0]
