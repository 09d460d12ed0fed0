"""HR import: preview, apply, idempotent re-sync, every rejected row reported with its reason."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.org.hrfiles import HrFileError, read_table
from vrijuit.org.hrimport import PEOPLE_COLUMNS, UNIT_COLUMNS, make_plan
from vrijuit.org.models import HrUpload, Person, Unit
from vrijuit.org.services import apply_hr_plan

UNITS = """external_id,parent_external_id,level,name_nl,name_en
ORG,,organisation,Universiteit,University
FSW,ORG,faculty,Sociale Wetenschappen,Social Sciences
PSY,FSW,department,Psychologie,Psychology
T1,PSY,team,Team Klinisch,Clinical team
T2,PSY,team,Team Sociaal,Social team
"""
PEOPLE = """external_id,name,email,unit_external_id,position_level,contract,language,leads
E1,Ans de Vries,ans@uni.nl,PSY,full_professor,permanent,nl,PSY
E2,Bram Jansen,bram@uni.nl,T1,phd,temporary,en,
E3,Chris Bakker,chris@uni.nl,T1,postdoc,temporary,,
E4,Dana Smit,dana@uni.nl,T2,support_staff,permanent,nl,T2
"""


def plan_for(units: str | None, people: str | None):  # type: ignore[no-untyped-def]
    units_table = read_table("units.csv", units.encode(), UNIT_COLUMNS) if units else None
    people_table = read_table("people.csv", people.encode(), PEOPLE_COLUMNS) if people else None
    return make_plan(units_table, people_table)


def test_a_first_import_adds_everything(db) -> None:  # type: ignore[no-untyped-def]
    plan = plan_for(UNITS, PEOPLE)
    assert len(plan.units_add) == 5 and len(plan.people_add) == 4 and not plan.rejections
    apply_hr_plan(plan)
    psy = Unit.objects.get(external_id="PSY")
    assert set(psy.subtree().values_list("external_id", flat=True)) == {"PSY", "T1", "T2"}
    ans = Person.objects.get(external_id="E1")
    assert list(ans.led_units.values_list("external_id", flat=True)) == ["PSY"]
    assert Person.objects.get(external_id="E3").language == "nl"


def test_applying_the_same_files_twice_changes_nothing_the_second_time(db) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(UNITS, PEOPLE))
    before = (list(Unit.objects.values()), list(Person.objects.values()))
    again = plan_for(UNITS, PEOPLE)
    assert not again.has_changes
    assert again.units_unchanged == 5 and again.people_unchanged == 4
    apply_hr_plan(again)
    assert (list(Unit.objects.values()), list(Person.objects.values())) == before


def test_a_resync_lists_changes_field_by_field_and_deactivates_the_missing(db) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(UNITS, PEOPLE))
    people = PEOPLE.replace("Bram Jansen,bram@uni.nl,T1", "Bram Jansen,bram@uni.nl,T2").replace(
        "E3,Chris Bakker,chris@uni.nl,T1,postdoc,temporary,,\n", ""
    )
    units = UNITS.replace("T2,PSY,team,Team Sociaal", "T2,FSW,department,Sociaal")
    plan = plan_for(units, people)
    [bram] = plan.people_update
    assert [(c.field, c.old, c.new) for c in bram.changes] == [("unit", "T1", "T2")]
    [t2] = plan.units_update
    assert {(c.field, c.old, c.new) for c in t2.changes} == {
        ("name_nl", "Team Sociaal", "Sociaal"),
        ("level", "team", "department"),
        ("parent", "PSY", "FSW"),
    }
    assert [e.external_id for e in plan.people_deactivate] == ["E3"]
    apply_hr_plan(plan)
    t2_unit = Unit.objects.get(external_id="T2")
    assert t2_unit.path == f"{Unit.objects.get(external_id='FSW').path}{t2_unit.pk}/"
    assert not Person.objects.get(external_id="E3").active
    # Back in the file: active again, shown as an update.
    plan = plan_for(units, people + "E3,Chris Bakker,chris@uni.nl,T1,postdoc,temporary,,\n")
    assert [(c.field, c.new) for c in plan.people_update[0].changes] == [("active", "yes")]


def test_every_bad_row_is_rejected_with_file_row_column_value_and_reason(db) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(UNITS, PEOPLE))
    people = PEOPLE + (
        "E5,Eva,not-an-address,T1,phd,temporary,,\n"
        "E6,Finn,finn@uni.nl,NOPE,phd,temporary,,\n"
        "E7,Gijs,gijs@uni.nl,T1,wizard,temporary,,\n"
        "E1,Ans again,ans2@uni.nl,PSY,full_professor,permanent,,\n"
        "E8,Hanna,ans@uni.nl,T1,phd,temporary,,\n"
    )
    units = UNITS + "T3,T1,department,Te hoog,\nT4,PSY,squad,Onbekend,\n"
    plan = plan_for(units, people)
    found = {(r.file, r.row, r.column, r.value) for r in plan.rejections}
    assert ("people.csv", 6, "email", "not-an-address") in found
    assert ("people.csv", 7, "unit_external_id", "NOPE") in found
    assert ("people.csv", 8, "position_level", "wizard") in found
    assert ("people.csv", 9, "external_id", "E1") in found
    assert ("people.csv", 10, "email", "ans@uni.nl") in found
    assert ("units.csv", 7, "parent_external_id", "T1") in found
    assert ("units.csv", 8, "level", "squad") in found
    assert all(r.reason for r in plan.rejections)
    assert not plan.has_changes  # the good rows are unchanged; nobody is deactivated


def test_a_rejected_row_never_deactivates_the_existing_person(db) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(UNITS, PEOPLE))
    broken = PEOPLE.replace("bram@uni.nl,T1,phd", "bram@uni.nl,T1,astronaut")
    plan = plan_for(None, broken)
    assert not plan.people_deactivate
    assert [r.value for r in plan.rejections] == ["astronaut"]


def test_a_unit_with_people_is_not_deactivated_from_under_them(db) -> None:  # type: ignore[no-untyped-def]
    apply_hr_plan(plan_for(UNITS, PEOPLE))
    plan = plan_for(UNITS.replace("T2,PSY,team,Team Sociaal,Social team\n", ""), None)
    assert not plan.units_deactivate
    assert plan.rejections[0].value == "T2" and plan.rejections[0].row == 0


def test_xlsx_and_semicolon_csv_with_dutch_labels_are_read(db) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in UNITS.strip().splitlines():
        sheet.append(line.split(","))
    sheet["C3"] = "Faculteit"  # a Dutch label instead of the code
    buffer = io.BytesIO()
    workbook.save(buffer)
    units = read_table("units.xlsx", buffer.getvalue(), UNIT_COLUMNS)
    people_text = PEOPLE.replace(",", ";").replace("full_professor", "hoogleraar")
    people = read_table("people.csv", people_text.encode("cp1252"), PEOPLE_COLUMNS)
    plan = make_plan(units, people)
    assert not plan.rejections
    assert len(plan.units_add) == 5 and len(plan.people_add) == 4


def test_a_file_without_the_required_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(HrFileError, match="name_nl"):
        read_table("units.csv", b"external_id,level\nX,team\n", UNIT_COLUMNS)


def test_the_administrator_previews_then_applies_in_the_browser(as_persona) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("admin")
    response = client.post(
        reverse("org:import_upload"),
        {
            "units_file": SimpleUploadedFile("units.csv", UNITS.replace("ORG", "U").encode()),
            "people_file": SimpleUploadedFile("people.csv", PEOPLE.encode()),
        },
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert "Toe te voegen mensen" in page and "Ans de Vries" in page
    upload = HrUpload.objects.get()
    assert (
        client.post(
            reverse("org:import_apply", args=[upload.pk]), {"fingerprint": "stale"}
        ).status_code
        == 302
    )
    assert not Person.objects.filter(external_id="E1").exists()  # a stale preview applies nothing
    fingerprint = preview.context["plan"].fingerprint()
    client.post(reverse("org:import_apply", args=[upload.pk]), {"fingerprint": fingerprint})
    assert Person.objects.filter(external_id__startswith="E").count() == 4
    upload.refresh_from_db()
    assert upload.applied_at and bytes(upload.people_content) == b""  # personal data erased
    # The organisation of the personas was not in the file: its people are deactivated.
    assert not Person.objects.get(external_id="P-staff").active


row = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["E1", "E2", "E3", "E9", ""]),
        "email": st.sampled_from(["a@uni.nl", "b@uni.nl", "bad", "ans@uni.nl"]),
        "unit": st.sampled_from(["PSY", "T1", "NOPE"]),
        "level": st.sampled_from(["phd", "postdoc", "x"]),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    # The db fixture is function-scoped on purpose: each example rolls back its own savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(row, max_size=8))
def test_nobody_is_dropped_silently(  # type: ignore[no-untyped-def]
    db, rows: list[dict[str, str]]
) -> None:
    """Each data row is exactly one of: added, updated, unchanged, rejected.

    ``db`` gives the test database (each example rolls back its own savepoint); unblocking
    the database by hand instead ran against whatever the settings name, e.g. the demo's
    vrijuit.db.
    """
    from django.db import transaction

    lines = "".join(
        f"{r['id']},Name,{r['email']},{r['unit']},{r['level']},temporary,,\n" for r in rows
    )
    with transaction.atomic():
        apply_hr_plan(plan_for(UNITS, PEOPLE))
        plan = plan_for(None, PEOPLE.splitlines()[0] + "\n" + lines)
        accounted = (
            len(plan.people_add)
            + len(plan.people_update)
            + plan.people_unchanged
            + sum(1 for r in plan.rejections if r.row)
        )
        assert accounted == len(rows)
        transaction.set_rollback(True)


def _preview_page(client, units: str | None, people: str) -> str:  # type: ignore[no-untyped-def]
    files = {"people_file": SimpleUploadedFile("people.csv", people.encode())}
    if units:
        files["units_file"] = SimpleUploadedFile("units.csv", units.encode())
    response = client.post(reverse("org:import_upload"), files)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return page.split('id="main"', 1)[1]


@pytest.mark.parametrize(
    ("language", "added", "changed"),
    [
        (
            "nl",
            ["Functieniveau: promovendus", "Contract: tijdelijk", "Taal: English", "Actief: ja"],
            ["Eenheid: Team Klinisch (T1) → Team Sociaal (T2)", "Functieniveau: promovendus → "],
        ),
        (
            "en",
            ["Position level: PhD candidate", "Contract: temporary", "Active: yes"],
            ["Unit: Clinical team (T1) → Social team (T2)", "Position level: PhD candidate → "],
        ),
    ],
)
def test_the_preview_names_fields_and_values_in_words(
    as_persona, org, language: str, added: list[str], changed: list[str]
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = language
    admin.save()
    client = as_persona("admin")
    first = _preview_page(client, UNITS, PEOPLE)
    for text in added:
        assert text in first, text
    for raw in ("position_level:", "contract:", "email:", "active:", "unit:"):
        assert raw not in first, raw

    apply_hr_plan(plan_for(UNITS, PEOPLE))
    moved = PEOPLE.replace(
        "E2,Bram Jansen,bram@uni.nl,T1,phd", "E2,Bram Jansen,bram@uni.nl,T2,postdoc"
    )
    second = _preview_page(client, None, moved)
    for text in changed:
        assert text in second, text
    assert "position_level" not in second
