"""The leader's unit page: that unit's own results, one row per direct sub-unit (each linking to
its own page), a breadcrumb, and nothing that the snapshot does not show; the staff member's
own unit on the results index; the organisation's unit page linking to the unit's results."""

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
    def client(persona: str):  # type: ignore[no-untyped-def]
        user = org.users[persona]
        user.language = "en"
        user.save(update_fields=["language"])
        return as_persona(persona)

    return client


def _table(html: str, key: str) -> str:
    found = re.search(rf'<table data-table="{key}">(.*?)</table>', html, re.S)
    assert found, f"no table {key}"
    return found.group(1)


def _rows(table_html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table_html.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def _cells_of(html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)
    ]


def _unit_page(client, wave, unit) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("results:unit", args=[wave.pk, unit.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_page_shows_the_unit_itself_and_one_row_per_direct_sub_unit(
    wave, org, in_english
) -> None:  # type: ignore[no-untyped-def]
    page = _unit_page(in_english("analyst"), wave, org.faculty)
    keys = re.findall(r'<table data-table="([^"]+)">', page)
    assert keys[0] == "unit" and "sub-units" in keys
    # The faculty's own figures: one row per climate scale, no unit column.
    own = _rows(_table(page, "unit"))
    assert own and all(re.fullmatch(r"\d\.\d\d", row[2]) for row in own)
    # The direct sub-units only, each a link to its own page; the team below is not listed.
    subs = _table(page, "sub-units")
    assert [row[0] for row in _rows(subs)] == ["Psychology", "Education"]
    for unit in (org.psychology, org.pedagogy):
        assert f'href="{reverse("results:unit", args=[wave.pk, unit.pk])}"' in subs
    assert "Clinical team" not in page
    # The distribution: one row per scale, one column per score range, adding up to the answers.
    spread = _rows(_table(page, "distribution"))
    assert [row[0] for row in spread] == [row[0] for row in own]
    assert [sum(int(c) for c in row[1:]) for row in spread] == [int(row[1]) for row in own]
    # Distributions and trends only for the faculty itself.
    charts = re.findall(r'aria-labelledby="((?:dist|trend)-\d+)-', page)
    assert charts and set(charts) <= {f"dist-{org.faculty.pk}", f"trend-{org.faculty.pk}"}


def test_a_sub_unit_row_repeats_the_means_of_its_own_page(wave, org, in_english) -> None:  # type: ignore[no-untyped-def]
    client = in_english("leader")
    department = _unit_page(client, wave, org.psychology)
    team_row = _rows(_table(department, "sub-units"))[0]
    assert team_row[0] == "Clinical team"
    team = _unit_page(client, wave, org.clinical)
    own_means = [row[2] for row in _rows(_table(team, "unit"))]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', _table(department, "sub-units"))
    assert headers[:2] == ["Sub-unit", "Answers"]
    assert "Note" not in headers  # every sub-unit is shown: no column of empty notes
    assert [cell.split(" ")[0] for cell in team_row[2:]] == own_means
    # A team has no sub-units: no overview table on its page.
    assert 'data-table="sub-units"' not in team


def test_a_hidden_sub_unit_has_no_figure_and_says_why_in_words(org, in_english) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.psychology, 7, leader=True)
    add_responses(wave, org.clinical, 2)
    add_responses(wave, org.pedagogy, 12)
    snapshot = compute_wave_results(wave)
    assert f"unit:{org.clinical.pk}" not in snapshot.shown
    page = _unit_page(in_english("analyst"), wave, org.psychology)
    [row] = _rows(_table(page, "sub-units"))
    headers = re.findall(r'<th scope="col">([^<]*)</th>', _table(page, "sub-units"))
    assert headers[-1] == "Note"
    assert row[0] == "Clinical team"
    assert set(row[1:-1]) == {"–"}
    assert row[-1] == "Fewer than 5 people answered, so no results are shown."


def test_the_breadcrumb_runs_from_the_leader_s_top_unit_down(wave, org, in_english) -> None:  # type: ignore[no-untyped-def]
    def crumbs(persona: str) -> list[tuple[str, str]]:
        page = _unit_page(in_english(persona), wave, org.clinical)
        nav = page.split('<nav class="breadcrumb"', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'<(a href="[^"]+"|span aria-current="page")>([^<]+)<', nav)

    def link(unit) -> str:  # type: ignore[no-untyped-def]
        return f'a href="{reverse("results:unit", args=[wave.pk, unit.pk])}"'

    current = 'span aria-current="page"'
    assert crumbs("leader") == [(link(org.psychology), "Psychology"), (current, "Clinical team")]
    assert crumbs("analyst") == [
        (link(org.root), "University"),
        (link(org.faculty), "Faculty of Behaviour"),
        (link(org.psychology), "Psychology"),
        (current, "Clinical team"),
    ]
    # The leader's own top unit has no breadcrumb of one item.
    assert '<nav class="breadcrumb"' not in _unit_page(in_english("leader"), wave, org.psychology)


def test_agreement_is_explained_where_it_is_not_computed(wave, org, in_english) -> None:  # type: ignore[no-untyped-def]
    client = in_english("analyst")
    note = "Agreement (rwg(j)) is computed for teams only"
    faculty = _unit_page(client, wave, org.faculty)
    assert {row[4] for row in _rows(_table(faculty, "unit"))} == {"–"}
    assert note in faculty
    team = _unit_page(client, wave, org.clinical)
    assert all(re.fullmatch(r"-?\d\.\d\d", row[4]) for row in _rows(_table(team, "unit")))
    assert note not in team


def test_each_unit_s_page_uses_only_its_own_and_its_direct_sub_units_cells(wave, org) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.presentation import leader_view
    from vrijuit.results.services import latest_snapshot

    snapshot = latest_snapshot(wave)
    parents = dict(snapshot.tree)
    for unit in parents:
        children = {u for u, parent in parents.items() if parent == unit}
        view = leader_view(snapshot, "en", unit, link=lambda u: f"/{u}/")
        allowed = {f"unit:{u}" for u in {unit, *children}}
        assert view.cells <= allowed & set(snapshot.shown), unit
        shown_children = {f"unit:{u}" for u in children} & set(snapshot.shown)
        assert shown_children <= view.cells, unit  # every shown sub-unit has its row


def test_the_csv_and_pdf_hold_the_new_page_s_cells(wave, org, in_english) -> None:  # type: ignore[no-untyped-def]
    client = in_english("analyst")
    page = _unit_page(client, wave, org.faculty)
    download = client.get(reverse("results:unit_download", args=[wave.pk, org.faculty.pk, "csv"]))
    rows = [r for r in csv.reader(io.StringIO(download.content.decode())) if len(r) > 1]
    assert [cell for row in rows for cell in row] == _cells_of(page)
    assert [row[0] for row in rows if row[0] in {"Psychology", "Education", "Clinical team"}] == [
        "Psychology",
        "Education",
    ]
    pdf = client.get(reverse("results:unit_download", args=[wave.pk, org.faculty.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "answers fall into two groups"), ("nl", "de antwoorden vallen uiteen in twee groepen")],
)
def test_the_polarisation_signal_describes_the_answers(language: str, words: str) -> None:
    from django.utils import translation

    from vrijuit.results.presentation import _marks

    column = {"low_agreement": [False], "polarised": [True]}
    with translation.override(language):
        assert _marks(column, 0) == [words]


# --- The staff member's own unit on the results index -------------------------------------------


def test_the_index_offers_the_staff_member_s_own_unit_when_it_is_shown(
    wave, org, in_english
) -> None:  # type: ignore[no-untyped-def]
    index = in_english("staff").get(reverse("results:index")).content.decode()
    url = reverse("results:organisation", args=[wave.pk])
    assert f'<a href="{url}#t-units">Your unit: Clinical team</a>' in index
    page = in_english("staff").get(url).content.decode()
    assert 'id="t-units"' in page and "Clinical team" in page


def test_the_index_says_when_the_staff_member_s_unit_is_hidden(org, in_english, as_persona) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.clinical, 2)
    add_responses(wave, org.psychology, 7)
    add_responses(wave, org.pedagogy, 12)
    compute_wave_results(wave)
    index = in_english("staff").get(reverse("results:index")).content.decode()
    assert "#t-units" not in index
    assert (
        "Your unit, Clinical team, is not shown in these results. Fewer than 5 people answered, "
        "so no results are shown."
    ) in unescape(re.sub(r"\s+", " ", index))
    dutch = as_persona("other_leader").get(reverse("results:index")).content.decode()
    assert "Jouw eenheid: Pedagogiek" in unescape(dutch)


# --- The organisation's unit page links to the unit's results ----------------------------------


@pytest.mark.parametrize(
    ("persona", "linked"), [("leader", True), ("analyst", True), ("admin", False)]
)
def test_the_unit_page_links_to_the_latest_results_the_viewer_may_see(
    wave, org, as_persona, persona: str, linked: bool
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from vrijuit.results.services import compute_wave_results

    older = make_wave(org, period="2024-najaar", opens_on=dt.date(2024, 10, 1))
    add_responses(older, org.clinical, 6)
    add_responses(older, org.psychology, 6)
    add_responses(older, org.pedagogy, 6)
    compute_wave_results(older)
    client = as_persona(persona)
    page = client.get(reverse("org:unit_detail", args=[org.psychology.pk])).content.decode()
    latest = reverse("results:unit", args=[wave.pk, org.psychology.pk])
    assert (f'href="{latest}"' in page) is linked
    assert reverse("results:unit", args=[older.pk, org.psychology.pk]) not in page
    if linked:
        assert client.get(latest).status_code == 200


def test_the_unit_page_has_no_results_link_without_released_results(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("leader").get(reverse("org:unit_detail", args=[org.psychology.pk]))
    assert "/results/" not in page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
