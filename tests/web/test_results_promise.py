"""R9 for results: the cells shown are exactly the cells promised at launch.

Respondents were told (privacy statement) which attributes split the whole organisation
(``report_attributes``) and which also split every unit for analysts (``unit_attributes``). No
organisation × value cell of another attribute and no unit × value cell of another attribute may
exist anywhere: in the stored snapshot, the engine's report, any page or download, for any role.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.personas import PERSONAS
from web.results_data import make_wave
from web.results_gap_data import add_people

ATTRIBUTES = ("gender", "nationality_group", "position_level", "contract")
# Values no code path makes up: a page showing one read an attribute that was not promised.
NOT_PROMISED_VALUES = {"nationality_group": "zz-nationality", "contract": "qq-contract"}
GENDERS = ("woman", "man")


def _attributes(i: int) -> dict[str, str]:
    # Every response stores all four attributes, as a wave that stored more than it reports.
    return {
        "gender": GENDERS[i % 2],
        "position_level": "phd" if i % 3 else "full_professor",
        **NOT_PROMISED_VALUES,
    }


@pytest.fixture
def promised_wave(org):  # type: ignore[no-untyped-def]
    """report_attributes=[gender, position_level], unit_attributes=[position_level]; answers
    also carry nationality and contract (stored, never promised)."""
    from vrijuit.results.services import compute_wave_results
    from vrijuit.surveys.models import Wave

    wave = make_wave(org, k=3)
    Wave.objects.filter(pk=wave.pk).update(
        report_attributes=["gender", "position_level"], unit_attributes=["position_level"]
    )
    wave.refresh_from_db()
    add_people(wave, org.clinical, 21, attributes=_attributes, seed=1)
    add_people(wave, org.psychology, 15, attributes=_attributes, seed=2, leader=True)
    add_people(wave, org.pedagogy, 21, attributes=_attributes, seed=3, shift=-0.5)
    compute_wave_results(wave)
    return wave


# -- what may exist ---------------------------------------------------------------------------


def _cells_in(text: str) -> tuple[set[str], set[str]]:
    """(organisation attributes, unit attributes) named by cell ids and attribute keys."""
    org = set(re.findall(r"(?<!unit_)attribute:([a-z_]+)=", text))
    unit = set(re.findall(r"unit_attribute:[^|\"]+\|([a-z_]+)=", text))
    return org, unit


def _attribute_keys(report: Any) -> set[str]:
    """Every ``"attribute": ...`` value anywhere in the report dict."""
    found: set[str] = set()
    if isinstance(report, dict):
        for key, value in report.items():
            if key == "attribute" and isinstance(value, str):
                found.add(value)
            found |= _attribute_keys(value)
    elif isinstance(report, list):
        for value in report:
            found |= _attribute_keys(value)
    return found


def _unit_attribute_keys(report: dict[str, Any]) -> set[str]:
    """Attributes of everything the report holds per unit × value."""
    per_unit = {table["attribute"] for table in report.get("unit_gaps", [])}
    per_unit |= {
        entry["attribute"]
        for entry in [*report.get("suppressed", []), *report.get("withheld_over_time", [])]
        if entry["kind"] == "unit_attribute"
    }
    return per_unit


def test_the_snapshot_and_report_hold_only_the_promised_cells(promised_wave) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import latest_snapshot

    snapshot = latest_snapshot(promised_wave)
    org_attributes, unit_attributes = _cells_in(json.dumps(snapshot.shown))
    assert org_attributes == {"gender", "position_level"}
    assert unit_attributes == {"position_level"}  # and some are shown: the test can fail
    report = json.dumps(snapshot.report)
    org_in_report, unit_in_report = _cells_in(report)
    assert org_in_report <= {"gender", "position_level"}
    assert unit_in_report <= {"position_level"}
    assert _attribute_keys(snapshot.report) <= {"gender", "position_level"}
    assert _unit_attribute_keys(snapshot.report) <= {"position_level"}
    for attribute, value in NOT_PROMISED_VALUES.items():
        assert f'"{attribute}"' not in report and value not in report, attribute


def _pages(org: Any, wave: Any) -> list[str]:
    """Every results URL of the wave: pages, CSV and PDF, for the organisation, each unit and
    the analysis (each persona gets what it may; the others answer 403)."""
    urls = [reverse("results:analysis", args=[wave.pk])]
    urls += [reverse("results:analysis_download", args=[wave.pk, f]) for f in ("csv", "pdf")]
    urls.append(reverse("results:organisation", args=[wave.pk]))
    urls += [reverse("results:organisation_download", args=[wave.pk, f]) for f in ("csv", "pdf")]
    for unit in (org.root, org.faculty, org.psychology, org.clinical, org.pedagogy):
        urls.append(reverse("results:unit", args=[wave.pk, unit.pk]))
        urls += [
            reverse("results:unit_download", args=[wave.pk, unit.pk, f]) for f in ("csv", "pdf")
        ]
    urls += _extra_pages(wave)
    return urls


def _extra_pages(wave: Any) -> list[str]:
    """The analysts' differences within units, for every scale, with its downloads."""
    from vrijuit.results.presentation import unit_gap_scales
    from vrijuit.results.services import latest_snapshot

    urls = []
    for scale in unit_gap_scales(latest_snapshot(wave)):
        urls.append(reverse("results:unit_gaps", args=[wave.pk]) + f"?scale={scale}")
        urls += [
            reverse("results:unit_gaps_download", args=[wave.pk, f]) + f"?scale={scale}"
            for f in ("csv", "pdf")
        ]
    return urls


def _unit_names(org: Any) -> set[str]:
    units = (org.root, org.faculty, org.psychology, org.clinical, org.pedagogy)
    return {u.name_nl for u in units} | {u.name_en for u in units}


def _rows_of(body: str, is_csv: bool) -> list[list[str]]:
    if is_csv:
        return [row for row in csv.reader(io.StringIO(body)) if row]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        rows.append(
            [
                re.sub(r"<[^>]+>", "", c).strip()
                for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
            ]
        )
    return rows


def _check_body(body: str, org: Any, *, is_csv: bool, where: str) -> None:
    for attribute, value in NOT_PROMISED_VALUES.items():
        assert value not in body and attribute not in body, where
    names = _unit_names(org)
    for row in _rows_of(body, is_csv):
        # A row about a unit (a name in it, or "Unit: group") never splits it by gender.
        about_a_unit = any(
            cell in names or cell.split(":")[0] in names or set(cell.split(" › ")) <= names
            for cell in row
        )
        if about_a_unit:
            assert not set(row) & {"gender", "woman", "man", "vrouw"}, (where, row)
            assert not any(cell.endswith((": woman", ": man")) for cell in row), (where, row)
    assert "× gender" not in body, where  # no hidden unit × gender cell is explained either
    assert "unit-gaps-gender" not in body, where


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_no_page_or_download_shows_a_cell_that_was_not_promised(
    promised_wave, org, as_persona, persona: str
) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import latest_snapshot

    shown = set(latest_snapshot(promised_wave).shown)
    client = as_persona(persona)
    seen = 0
    for url in _pages(org, promised_wave):
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code == 403, (persona, url)
            continue
        seen += 1
        path = url.split("?", 1)[0]
        if not path.endswith(".csv"):  # a CSV renders no template; it is checked as text
            view = response.context["view"]
            assert view.cells <= shown, (persona, url)
            assert not [c for c in view.cells if "|gender=" in c], (persona, url)
        if path.endswith(".pdf"):
            # The PDF is print.html of the same context; its text is checked as HTML.
            assert response.content.startswith(b"%PDF")
            body = render_to_string(
                "results/print.html", {k: response.context[k] for k in ("view", "snapshot", "wave")}
            )
        else:
            body = response.content.decode()
        _check_body(body, org, is_csv=path.endswith(".csv"), where=f"{persona} {url}")
    assert seen >= (0 if persona == "admin" else 3), persona


def test_the_analyst_sees_unit_by_position_level_cells(promised_wave, org, as_persona) -> None:  # type: ignore[no-untyped-def]
    """The positive side: what was promised per unit is there, so the checks above can fail."""
    client = as_persona("analyst")
    analysis = client.get(reverse("results:analysis", args=[promised_wave.pk]))
    assert [c for c in analysis.context["view"].cells if c.startswith("attribute:gender=")]
    within = client.get(reverse("results:unit_gaps", args=[promised_wave.pk]))
    cells = within.context["view"].cells
    assert [c for c in cells if "|position_level=" in c]
    assert 'data-table="unit-gaps-position_level"' in within.content.decode()
    assert 'data-table="unit-gaps-gender"' not in within.content.decode()


# -- the wave form ----------------------------------------------------------------------------


def _form_data(org: Any, report: list[str], unit: list[str]) -> dict[str, Any]:
    return {
        "title_nl": "Najaarspeiling",
        "instrument": "vrijuit",
        "units": [org.faculty.pk],
        "period": "2025-najaar",
        "opens_on": "2025-10-01",
        "closes_on": "2025-10-21",
        "mode": "anonymous",
        "k": 5,
        "report_attributes": report,
        "unit_attributes": unit,
        "remind_after_days": 7,
        "max_reminders": 2,
    }


def test_the_wave_form_refuses_a_split_per_unit_without_the_same_split_of_the_organisation(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.surveys.models import Wave

    user = org.users["analyst"]
    user.language = "en"
    user.save(update_fields=["language"])
    client = as_persona("analyst")
    data = _form_data(org, ["gender"], ["gender", "contract"])
    response = client.post(reverse("surveys:wave_create"), data)
    assert response.status_code == 200
    assert not Wave.objects.exists()
    errors = response.context["form"].errors["unit_attributes"]
    assert errors[0].startswith("Results per unit split by contract also show")
    assert "gender" not in errors[0]  # chosen for both: fine
    html = response.content.decode()
    assert 'id="id_unit_attributes_errors"' in html
    assert re.search(r'aria-describedby="[^"]*id_unit_attributes_errors', html)
    # Chosen for both: accepted.
    response = client.post(reverse("surveys:wave_create"), _form_data(org, ["gender"], ["gender"]))
    assert response.status_code == 302
    assert Wave.objects.get().unit_attributes == ["gender"]


# -- the property: any choice of the two lists -------------------------------------------------


def _frame(instrument: Any, seed: int) -> tuple[pd.DataFrame, dict[str, str | None]]:
    from vrijuit.results.services import LEADER, ROLE, TEAM

    parents: dict[str, str | None] = {"1": None, "2": "1", "3": "1", "4": "2", "5": "2", "6": "3"}
    rng = np.random.default_rng(seed)
    teams = [t for t, n in (("4", 9), ("5", 7), ("6", 11), ("3", 4)) for _ in range(n)]
    n = len(teams)
    columns: dict[str, Any] = {}
    for scale in instrument.scales:
        low, high = int(scale.response_format.low), int(scale.response_format.high)
        for item in scale.item_ids:
            answers = rng.integers(low, high + 1, size=n).astype(float)
            if scale.role == "leader_own":
                answers[:] = np.nan
            columns[item] = answers
    frame = pd.DataFrame(columns)[list(instrument.item_ids())]
    frame.index = pd.Index([f"r{i}" for i in range(n)], name="respondent")
    frame[TEAM] = teams
    frame["gender"] = rng.choice(["woman", "man"], size=n).astype(object)
    frame["position_level"] = rng.choice(["phd", "postdoc", "full_professor"], size=n).astype(
        object
    )
    frame["nationality_group"] = rng.choice(["dutch", "international"], size=n).astype(object)
    frame["contract"] = rng.choice(["permanent", "temporary"], size=n).astype(object)
    frame[ROLE] = np.full(n, "staff", dtype=object)
    frame.loc[frame.index[::10], ROLE] = LEADER
    return frame, parents


def _tree(parents: dict[str, str | None]) -> Any:
    from vrijuit.stats.rollup import UnitTree

    units = pd.DataFrame(
        {
            "unit_id": list(parents),
            "parent_id": list(parents.values()),
            "name_nl": [f"Eenheid {u}" for u in parents],
            "name_en": [f"Unit {u}" for u in parents],
        }
    )
    return UnitTree.from_frame(units, name_en="name_en", name_nl="name_nl")


SUBSETS = st.lists(st.sampled_from(ATTRIBUTES), unique=True)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(report=SUBSETS, unit=SUBSETS, seed=st.integers(0, 1000))
def test_any_choice_of_the_two_lists_gives_only_the_promised_cells(
    report: list[str], unit: list[str], seed: int
) -> None:
    from vrijuit.results.models import ResultSnapshot
    from vrijuit.results.presentation import analyst_view, leader_view, staff_view
    from vrijuit.results.services import _instrument, plan_results, promised_attributes
    from vrijuit.surveys.models import Wave

    wave = Wave(k=3, period="2025-najaar", report_attributes=report, unit_attributes=unit)
    report_attributes, unit_attributes = promised_attributes(wave)
    assert set(report_attributes) == set(report)
    assert set(unit_attributes) == set(unit) & set(report)
    instrument = _instrument("vrijuit")
    frame, parents = _frame(instrument, seed)
    report_dict, shown = plan_results(
        frame,
        instrument,
        _tree(parents),
        report_attributes=report_attributes,
        unit_attributes=unit_attributes,
        k=3,
    )
    org_cells, unit_cells = _cells_in(json.dumps(shown))
    assert org_cells <= set(report) and unit_cells <= set(unit) & set(report)
    org_in_report, unit_in_report = _cells_in(json.dumps(report_dict))
    assert org_in_report <= set(report) and unit_in_report <= set(unit) & set(report)
    assert _attribute_keys(report_dict) <= set(report)
    assert _unit_attribute_keys(report_dict) <= set(unit) & set(report)
    snapshot = ResultSnapshot(wave=wave, report=report_dict, shown=shown)
    views = [
        analyst_view(snapshot, "en"),
        staff_view(snapshot, "nl", "4"),
        *(leader_view(snapshot, "en", u) for u in parents),
    ]
    for view in views:
        assert view.cells <= set(shown)
