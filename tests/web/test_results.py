"""Results: snapshots, role views, downloads; pages read snapshots only, never answers."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse

from web.results_data import add_responses, make_wave


@pytest.fixture
def wave(org):  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.clinical, 8)
    add_responses(wave, org.psychology, 6, leader=True)
    add_responses(wave, org.pedagogy, 7, level=2)
    compute_wave_results(wave)
    return wave


@pytest.fixture
def in_english(org, as_persona):  # type: ignore[no-untyped-def]
    """``in_english("leader")`` → a logged-in client whose account reads English."""

    def client(persona: str):  # type: ignore[no-untyped-def]
        user = org.users[persona]
        user.language = "en"
        user.save(update_fields=["language"])
        return as_persona(persona)

    return client


def _cells_of(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)
    ]


def test_pages_render_the_same_numbers_after_the_answers_are_gone(wave, org, as_persona) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.surveys.models import Response

    urls = [
        (as_persona("analyst"), reverse("results:analysis", args=[wave.pk])),
        (as_persona("leader"), reverse("results:unit", args=[wave.pk, org.psychology.pk])),
        (as_persona("staff"), reverse("results:organisation", args=[wave.pk])),
    ]
    before = [_cells_of(client.get(url).content.decode()) for client, url in urls]
    Response.objects.all().delete()
    after = [_cells_of(client.get(url).content.decode()) for client, url in urls]
    assert before == after
    assert all(len(cells) > 10 for cells in before)


def test_the_csv_holds_exactly_the_page_s_cells(wave, org, as_persona) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("leader")
    page = client.get(reverse("results:unit", args=[wave.pk, org.psychology.pk])).content.decode()
    download = client.get(
        reverse("results:unit_download", args=[wave.pk, org.psychology.pk, "csv"])
    )
    assert download["Content-Type"].startswith("text/csv")
    rows = [r for r in csv.reader(io.StringIO(download.content.decode())) if len(r) > 1]
    page_cells = _cells_of(page)
    csv_cells = [cell for row in rows for cell in row]
    assert csv_cells == page_cells


def test_formula_characters_at_the_start_of_a_cell_are_escaped() -> None:
    from vrijuit.results.downloads import escape_cell

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert escape_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert escape_cell("3,5") == "3,5"
    assert escape_cell("a=b") == "a=b"


def test_a_leader_sees_only_their_subtree(wave, org, as_persona) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("leader").get(reverse("results:unit", args=[wave.pk, org.psychology.pk]))
    text = page.content.decode()
    assert "Team Klinisch" in text or "Clinical team" in text
    assert "Pedagogiek" not in text and "Education" not in text
    assert (
        as_persona("leader")
        .get(reverse("results:unit", args=[wave.pk, org.pedagogy.pk]))
        .status_code
        == 403
    )


def test_every_role_s_view_is_within_the_shown_cells_and_their_union_leaks_nothing(
    wave, org
) -> None:  # type: ignore[no-untyped-def]
    from _disclosure_oracles import attacker, cell_members
    from vrijuit.results.presentation import (
        analyst_view,
        leader_view,
        staff_view,
        unit_gap_scales,
        unit_gaps_view,
    )
    from vrijuit.results.services import latest_snapshot, responses_frame

    snapshot = latest_snapshot(wave)
    shown = set(snapshot.shown)
    views = [
        analyst_view(snapshot, "en"),
        leader_view(snapshot, "en", str(org.psychology.pk)),
        leader_view(snapshot, "en", str(org.pedagogy.pk)),
        staff_view(snapshot, "en", str(org.clinical.pk)),
        staff_view(snapshot, "en", None),
        *(unit_gaps_view(snapshot, "en", scale)[0] for scale in unit_gap_scales(snapshot)),
    ]
    union = set().union(*(v.cells for v in views))
    for view in views:
        assert view.cells <= shown, view.kind
    frame = responses_frame(wave, ["gender"])
    teams = list(frame["team"])
    attributes = {"gender": list(frame["gender"])}

    def key(cell: str) -> tuple[str, str, str, str]:
        kind, rest = cell.split(":", 1)
        if kind == "unit":
            return ("unit", rest, "", "")
        if kind == "attribute":
            attribute, value = rest.split("=", 1)
            return ("attribute", "", attribute, value)
        unit, pair = rest.split("|", 1)
        attribute, value = pair.split("=", 1)
        return ("unit_attribute", unit, attribute, value)

    members = [cell_members(key(c), teams, snapshot.tree, attributes) for c in sorted(union)]
    assert attacker(members, len(teams), wave.k) == []


def test_a_unit_that_gained_fewer_than_k_answers_is_not_reshown(wave, org) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    add_responses(wave, org.pedagogy, 2, seed=7)  # late flush: 7 → 9 in one unit
    second = compute_wave_results(wave)
    assert f"unit:{org.pedagogy.pk}" not in second.shown
    assert any(w["reason"] == "earlier_release" for w in second.report["withheld_over_time"])


def test_the_analysis_page_needs_few_queries(
    wave, as_persona, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("analyst")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("results:analysis", args=[wave.pk])).status_code == 200


def test_the_leader_page_needs_few_queries(
    wave, org, as_persona, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("leader")
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("results:unit", args=[wave.pk, org.psychology.pk])).status_code
            == 200
        )


def test_a_wave_where_everyone_gave_the_same_answers_still_has_results(
    org, as_persona, in_english
) -> None:  # type: ignore[no-untyped-def]
    """The engine leaves undefined statistics (alpha, omega, ICC on zero variance) out with a
    note instead of raising; the pages show the means and say what could not be computed."""
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    for unit in (org.clinical, org.psychology, org.pedagogy):
        add_responses(wave, unit, 6, constant=True)
    snapshot = compute_wave_results(wave)
    assert f"unit:{org.clinical.pk}" in snapshot.shown
    assert any("zero_variance" in note["key"] for note in snapshot.report["notes"])
    page = in_english("analyst").get(reverse("results:analysis", args=[wave.pk]))
    assert page.status_code == 200
    assert "no spread to work with" in page.content.decode()
    leader = as_persona("leader").get(reverse("results:unit", args=[wave.pk, org.psychology.pk]))
    assert "Team Klinisch" in leader.content.decode()


@pytest.mark.parametrize("answers", [0, 4])
def test_closing_a_wave_with_fewer_than_k_answers_stores_a_snapshot_that_shows_nothing(
    org, in_english, answers: int
) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import latest_snapshot
    from vrijuit.surveys.services import close_wave

    wave = make_wave(org, status="open")
    add_responses(wave, org.clinical, answers)
    close_wave(wave)
    snapshot = latest_snapshot(wave)
    assert snapshot is not None
    assert len(snapshot.respondents) == answers
    assert not [cell for cell in snapshot.shown if cell.startswith("unit:")]
    pages = [
        (in_english("analyst"), reverse("results:analysis", args=[wave.pk])),
        (in_english("leader"), reverse("results:unit", args=[wave.pk, org.psychology.pk])),
        (in_english("staff"), reverse("results:organisation", args=[wave.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        text = response.content.decode()
        assert response.status_code == 200
        assert "Fewer than 5 people answered this survey, so no results can be shown." in text
        assert "<table" not in text
    assert (
        "Survey 2025-najaar" in in_english("staff").get(reverse("results:index")).content.decode()
    )


def test_a_view_with_every_group_hidden_says_so(org, in_english) -> None:  # type: ignore[no-untyped-def]
    """Enough answers in the wave, but the leader's whole subtree is below k."""
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.pedagogy, 12)
    add_responses(wave, org.clinical, 2)
    compute_wave_results(wave)
    response = in_english("leader").get(reverse("results:unit", args=[wave.pk, org.psychology.pk]))
    text = response.content.decode()
    assert "Nothing on this page can be shown" in text
    assert "The list below says why for each part." in text
    assert "Fewer than 5 people answered, so no results are shown." in text


def _engine_flag_codes() -> set[str]:
    """Every flag code the engine can emit: its catalog's ``report.flag.<code>`` entries and
    each ``Flag("<code>", ...)`` the report model builds."""
    from pathlib import Path

    import vrijuit.stats.report_model as model
    from vrijuit.i18n import catalog

    in_catalog = {
        key.removeprefix("report.flag.")
        for key in catalog()
        if key.startswith("report.flag.") and key != "report.flag.label"
    }
    built = set(re.findall(r'\bFlag\(\s*"([a-z_]+)"', Path(model.__file__).read_text("utf-8")))
    assert built, "the report model no longer builds flags this way: update this test"
    return in_catalog | built


def test_every_flag_code_the_engine_can_emit_has_a_label_in_both_languages() -> None:
    from django.utils import translation

    from vrijuit.results.presentation import FLAG_LABELS

    codes = _engine_flag_codes()
    assert {"polarised", "low_agreement"} <= codes
    assert codes <= set(FLAG_LABELS), sorted(codes - set(FLAG_LABELS))
    for code in codes:
        with translation.override("nl"):
            dutch = str(FLAG_LABELS[code])
        with translation.override("en"):
            english = str(FLAG_LABELS[code])
        assert dutch != english, code


def test_a_flag_is_shown_in_words_with_its_figure() -> None:
    from django.utils import translation

    from vrijuit.results.models import ResultSnapshot
    from vrijuit.results.presentation import _Snapshot
    from vrijuit.surveys.models import Wave

    snapshot = ResultSnapshot(wave=Wave(k=5), report={"k": 5, "scales": []}, shown=[])
    s = _Snapshot(snapshot, "en")
    with translation.override("en"):
        _check_flag_labels(s)


def _check_flag_labels(s: object) -> None:
    from vrijuit.results.presentation import _flag_label

    polarised = _flag_label(s, {"code": "polarised", "params": {"share": "0.3"}})
    assert polarised.startswith("The mean is at or above the cut-off, but 30")
    banded = _flag_label(s, {"code": "polarised", "params": {"share": "50–75%"}})
    assert "but 50–75% of this unit" in banded  # a small unit's share comes as a band
    low = _flag_label(s, {"code": "low_agreement", "params": {"rwg": 0.41}})
    assert "0.41" in low
    assert _flag_label(s, {"code": "something_new"}) == "A signal that is worth a conversation."


def test_the_trend_takes_earlier_waves_of_the_same_units_in_order(org, in_english) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from vrijuit.results.services import compute_wave_results, earlier_snapshots

    def wave_with_results(period: str, opens_on: dt.date, scope: tuple[object, ...]) -> object:
        wave = make_wave(org, period=period, opens_on=opens_on, scope=scope)
        add_responses(wave, org.clinical, 6, seed=len(period))
        add_responses(wave, org.psychology, 6, seed=len(period), leader=True)
        add_responses(wave, org.pedagogy, 6, seed=len(period))
        return compute_wave_results(wave)

    # Made out of order on purpose: the trend orders by opening date, not by creation.
    autumn = wave_with_results("2024-najaar", dt.date(2024, 10, 1), (org.root,))
    spring = wave_with_results("2024-voorjaar", dt.date(2024, 4, 1), (org.faculty,))
    wave_with_results("2024-pedagogiek", dt.date(2024, 6, 1), (org.pedagogy,))  # no overlap
    later = wave_with_results("2026-voorjaar", dt.date(2026, 4, 1), (org.root,))  # after
    current = wave_with_results("2025-najaar", dt.date(2025, 10, 1), (org.psychology,))
    assert earlier_snapshots(current) == [spring, autumn]
    assert later not in earlier_snapshots(current)

    page = in_english("leader").get(
        reverse("results:unit", args=[current.wave_id, org.psychology.pk])
    )
    trend = page.content.decode().split('data-table="trend"', 1)[1].split("</table>", 1)[0]
    periods = re.findall(r"<td>(20\d\d-[a-z]+)</td>", trend)
    assert periods[0] == "2024-voorjaar" and periods[-1] == "2025-najaar"
    assert "2024-pedagogiek" not in periods and "2026-voorjaar" not in periods
    assert periods.index("2024-najaar") > periods.index("2024-voorjaar")
    # One trend chart per climate scale of the leader's unit, three waves each, beside the table.
    before = page.content.decode().split('data-table="trend"', 1)[0].rsplit("<section", 1)[1]
    charts = re.findall(r'<svg [^>]*role="img"[^>]*aria-labelledby="(trend-[^ "]+)-title', before)
    assert charts and all(c.startswith(f"trend-{org.psychology.pk}-") for c in charts)
    assert before.count("<circle") == 3 * len(charts)


def test_the_leader_sees_the_spread_of_their_unit_as_charts_with_the_numbers_beside_them(
    wave, org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    text = (
        as_persona("leader")
        .get(reverse("results:unit", args=[wave.pk, org.psychology.pk]))
        .content.decode()
    )
    section = text.split('data-table="distribution"', 1)[0].rsplit("<section", 1)[1]
    titles = re.findall(r'<title id="(dist-[^"]+)-title">([^<]+)</title>', section)
    assert titles and all(i.startswith(f"dist-{org.psychology.pk}-") for i, _ in titles)
    assert all("Psychologie" in title for _, title in titles)
    assert len(re.findall(r"<desc id=", section)) == len(titles)
    # No chart for a unit the leader may not see, nor on the staff member's page.
    assert f"dist-{org.pedagogy.pk}-" not in text
    staff = as_persona("staff").get(reverse("results:organisation", args=[wave.pk]))
    assert "<svg" not in staff.content.decode()


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("staff", ["organisation"]),
        ("leader", ["organisation", "unit"]),
        ("analyst", ["organisation", "analysis"]),
        ("adviser", ["organisation"]),
    ],
)
def test_the_menu_leads_each_role_to_the_results_it_may_see(
    wave, org, as_persona, persona: str, links: list[str]
) -> None:  # type: ignore[no-untyped-def]
    client = as_persona(persona)
    home = client.get(reverse("web:home")).content.decode()
    menu = home.split('class="nav"', 1)[1].split("</ul>", 1)[0]
    assert f'href="{reverse("results:index")}"' in menu
    index = client.get(reverse("results:index")).content.decode()
    expected = {
        "organisation": reverse("results:organisation", args=[wave.pk]),
        "unit": reverse("results:unit", args=[wave.pk, org.psychology.pk]),
        "analysis": reverse("results:analysis", args=[wave.pk]),
    }
    for name, url in expected.items():
        assert (f'href="{url}"' in index) == (name in links), name
        if name in links:
            assert client.get(url).status_code == 200


def test_every_heat_shade_keeps_its_text_readable_and_the_css_declares_it() -> None:
    from pathlib import Path

    from vrijuit.render.charts import contrast_ratio
    from vrijuit.results.presentation import HEAT, HEAT_LEGEND

    src = Path(__file__).resolve().parents[2] / "src" / "vrijuit"
    css = (src / "web" / "static" / "vrijuit" / "site.css").read_text()
    printed = (src / "results" / "templates" / "results" / "print.html").read_text()
    assert len(HEAT) == len(HEAT_LEGEND)
    for band, (fill, text) in enumerate(HEAT):
        assert contrast_ratio(text, fill) >= 4.5, (band, fill, text)
        assert f".heat-{band} {{ background: {fill}; color: {text}; }}" in css
        assert f".heat-{band}{{background:{fill};color:{text}}}" in printed
    # Sequential: each band is lighter than the one below it, so the shades can be ordered.
    assert [contrast_ratio(fill, "#ffffff") for fill, _ in HEAT] == sorted(
        (contrast_ratio(fill, "#ffffff") for fill, _ in HEAT), reverse=True
    )


def test_heat_bands_follow_the_cut_off_and_skip_scales_without_one() -> None:
    from vrijuit.results.presentation import heat_band

    assert [heat_band(m, 1, 5, 3) for m in (1.0, 1.99, 2.0, 2.99, 3.0, 3.7, 4.4, 5.0)] == [
        0,
        0,
        1,
        1,
        2,
        3,
        4,
        4,
    ]
    assert heat_band(2.0, 1, 5, None) is None


def test_the_analyst_heatmap_shades_shown_means_and_keeps_the_numbers(wave, in_english) -> None:  # type: ignore[no-untyped-def]
    html = in_english("analyst").get(reverse("results:analysis", args=[wave.pk])).content
    page = html.decode()
    table = re.search(r'<table data-table="heatmap">(.*?)</table>', page, re.S)
    assert table
    shaded = re.findall(r'<td class="heat-(\d)">([^<]*)</td>', table.group(1))
    assert shaded, "no mean is shaded"
    for _band, text in shaded:
        assert re.match(r"\d+\.\d\d", text), text  # the number is still the cell's text
    # Hidden cells are never shaded; the legend says what the shades mean in words.
    assert not re.search(r'<td class="heat-\d">–', table.group(1))
    assert "Shading of the means" in page
    assert "Just below the cut-off" in page


def test_waves_show_title_and_dates_in_the_reader_s_language_beside_the_period(
    wave, org, as_persona, in_english
) -> None:  # type: ignore[no-untyped-def]
    from django.utils import formats, translation

    def dates(language: str) -> tuple[str, str]:
        with translation.override(language):
            return (
                formats.date_format(wave.opens_on, "DATE_FORMAT"),
                formats.date_format(wave.closes_on, "DATE_FORMAT"),
            )

    opens, closes = dates("nl")
    dutch = as_persona("staff").get(reverse("results:index")).content.decode()
    assert f"Periode 2025-najaar: open van {opens} tot en met {closes}." in dutch

    opens, closes = dates("en")
    english = in_english("leader").get(reverse("results:index")).content.decode()
    assert f"Period 2025-najaar: open from {opens} to {closes}." in english
    # The trend keeps the period as the wave's identity and names the wave beside it.
    page = in_english("leader").get(reverse("results:unit", args=[wave.pk, org.psychology.pk]))
    trend = page.content.decode().split('data-table="trend"', 1)[1].split("</table>", 1)[0]
    assert "<td>2025-najaar</td>" in trend
    assert unescape(f"<td>Survey 2025-najaar ({opens} – {closes})</td>") in unescape(trend)
