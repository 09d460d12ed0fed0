""" "My background": a person declares, changes or withdraws their own gender and nationality
group; nobody else sees it on any page or export; the HR import never writes it; a wave's
launch-time snapshot uses what was declared at launch."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrijuit.org.background import PREFER_NOT_TO_SAY, declare
from vrijuit.org.hrfiles import read_table
from vrijuit.org.hrimport import PEOPLE_COLUMNS, UNIT_COLUMNS, make_plan
from vrijuit.org.models import Gender, NationalityGroup, Person
from vrijuit.org.services import apply_hr_plan
from vrijuit.surveys import services as survey_services
from vrijuit.surveys.models import NOT_DECLARED, OTHER, Invitation
from vrijuit.surveys.sealing import invitation_attributes
from web.matrix_rows import PERSONAS
from web.matrix_rows_surveys import add_people, make_wave
from web.test_permission_matrix import all_rows

URL = "/organisation/me/background/"
WITHDRAW_URL = "/organisation/me/background/withdraw/"


def person(org, persona: str) -> Person:  # type: ignore[no-untyped-def]
    return Person.objects.get(user=org.users[persona])


def declared(org, persona: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    found = person(org, persona)
    return found.gender, found.nationality_group


def main_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode().split('id="main"', 1)[1]


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons named ``name``."""
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]+)"[^>]*\bchecked\b', html)


# --- The page --------------------------------------------------------------------------------


def test_the_urls_carry_no_id() -> None:
    assert reverse("org:background") == URL
    assert reverse("org:background_withdraw") == WITHDRAW_URL


def test_the_page_asks_each_attribute_in_its_own_fieldset_with_rather_not_say_preselected(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    html = main_of(as_persona("staff").get(URL))
    legends = re.findall(r"<fieldset[^>]*>\s*<legend>([^<]+)</legend>", html)
    assert legends == ["Gender", "Nationaliteit"]
    # Each fieldset is described by its help text; each radio comes before its own label.
    assert 'aria-describedby="id_gender_help"' in html
    for radio in re.finditer(r'<input type="radio"[^>]*id="([^"]+)"[^>]*>', html):
        assert html[radio.end() :].lstrip().startswith(f'<label for="{radio.group(1)}">')
    for label in ("Vrouw", "Man", "Op een andere manier", "Een ander EU-land", "Buiten de EU"):
        assert f">{label}</label>" in html, label
    assert html.count(">Zeg ik liever niet</label>") == 2
    # Nothing declared yet: "I'd rather not say" is the chosen answer, and nothing to withdraw.
    assert checked(html, "gender") == [PREFER_NOT_TO_SAY]
    assert checked(html, "nationality_group") == [PREFER_NOT_TO_SAY]
    assert 'action="/organisation/me/background/withdraw/"' not in html


def test_the_current_declaration_is_preselected(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "leader"), {"gender": "other", "nationality_group": "eu"})
    html = main_of(as_persona("leader").get(URL))
    assert checked(html, "gender") == ["other"]
    assert checked(html, "nationality_group") == ["eu"]
    assert 'action="/organisation/me/background/withdraw/"' in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            [
                "<h1>Mijn achtergrond</h1>",
                "Waarom we dit vragen",
                "minderheidsgroep",
                "minstens 3 en meestal 5",
                "samengevoegd tot ‘overig’",
                "een peiling die al is gestart, houdt haar kopie",
                "niet je leidinggevende, geen analist, geen vertrouwenspersoon en geen beheerder",
                "Je kunt altijd intrekken",
            ],
        ),
        (
            "en",
            [
                "<h1>My background</h1>",
                "Why we ask",
                "minority group",
                "at least 3 and usually 5",
                "merged into “other”",
                "a survey that has already started keeps its copy",
                "not your leader, not an analyst, not a confidential adviser and not an "
                "administrator",
                "You can withdraw at any time",
            ],
        ),
    ],
)
def test_the_privacy_text_in_both_languages(org, as_persona, language, texts) -> None:  # type: ignore[no-untyped-def]
    user = org.users["staff"]
    user.language = language
    user.save()
    html = main_of(as_persona("staff").get(URL))
    for text in texts:
        assert text in html, text


def test_the_page_is_linked_from_home_and_the_header_for_people_only(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    home = as_persona("staff").get(reverse("web:home")).content.decode()
    header, main = home.split('id="main"', 1)
    assert f'href="{URL}"' in header and f'href="{URL}"' in main
    for persona in ("analyst", "adviser", "admin"):
        assert f'href="{URL}"' not in as_persona(persona).get("/").content.decode(), persona


def test_an_account_without_a_person_gets_an_explanation(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("admin")
    before = Person.objects.count()
    for response in (
        client.get(URL),
        client.post(URL, {"gender": "man", "nationality_group": "dutch"}),
        client.post(WITHDRAW_URL),
    ):
        assert response.status_code == 200
        html = main_of(response)
        assert "niet gekoppeld aan een persoon" in html
        assert "<form" not in html
    assert Person.objects.count() == before


def test_anonymous_visitors_are_sent_to_the_login_page(db) -> None:  # type: ignore[no-untyped-def]
    for response in (Client().get(URL), Client().post(WITHDRAW_URL)):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- Saving, "I'd rather not say", withdrawing ------------------------------------------------


def test_saving_stores_the_declaration_and_confirms(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    client = as_persona("staff")
    response = client.post(URL, {"gender": "woman", "nationality_group": "non_eu"})
    assert response.status_code == 302 and response["Location"] == URL
    assert declared(org, "staff") == ("woman", "non_eu")
    page = main_of(client.get(URL))
    assert 'role="status"' in page
    assert "Opgeslagen. Je antwoorden tellen mee vanaf de volgende peiling" in page
    assert checked(page, "gender") == ["woman"]
    # Only the staff member's own record changed.
    assert declared(org, "leader") == ("", "")


def test_rather_not_say_is_stored_as_not_declared(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "staff"), {"gender": "man", "nationality_group": "dutch"})
    client = as_persona("staff")
    client.post(URL, {"gender": PREFER_NOT_TO_SAY, "nationality_group": "dutch"})
    assert declared(org, "staff") == ("", "dutch")
    client.post(URL, {"gender": PREFER_NOT_TO_SAY, "nationality_group": PREFER_NOT_TO_SAY})
    assert declared(org, "staff") == ("", "")
    assert "er is niets over je gender of nationaliteit bewaard" in main_of(client.get(URL))


def test_withdrawing_clears_everything_at_once(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "staff"), {"gender": "other", "nationality_group": "eu"})
    client = as_persona("staff")
    response = client.post(WITHDRAW_URL)
    assert response.status_code == 302 and response["Location"] == URL
    assert declared(org, "staff") == ("", "")
    page = main_of(client.get(URL))
    assert "Ingetrokken: er is niets meer over je gender of nationaliteit bewaard" in page
    assert checked(page, "gender") == [PREFER_NOT_TO_SAY]
    # Withdrawing is a POST: a link (GET) changes nothing.
    declare(person(org, "staff"), {"gender": "woman"})
    assert client.get(WITHDRAW_URL).status_code == 405
    assert declared(org, "staff") == ("woman", "")


def test_a_person_no_longer_in_the_hr_export_can_still_withdraw(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    staff = person(org, "staff")
    declare(staff, {"gender": "woman", "nationality_group": "eu"})
    Person.objects.filter(pk=staff.pk).update(active=False)
    client = as_persona("staff")
    assert checked(main_of(client.get(URL)), "gender") == ["woman"]
    client.post(WITHDRAW_URL)
    assert declared(org, "staff") == ("", "")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"gender": "robot", "nationality_group": "dutch"},
            "gender",
            "‘robot’ is geen van de antwoorden over gender.",
        ),
        (
            {"gender": "woman", "nationality_group": "mars"},
            "nationality_group",
            "‘mars’ is geen van de antwoorden over nationaliteit.",
        ),
        (
            {"gender": "", "nationality_group": "dutch"},
            "gender",
            "Kies een antwoord over je gender, of ‘Zeg ik liever niet’.",
        ),
        ({"gender": "woman"}, "nationality_group", "Kies een antwoord over je nationaliteit"),
    ],
)
def test_an_invalid_answer_is_refused_with_a_specific_error_and_changes_nothing(
    org, as_persona, data, field, message
) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "staff"), {"gender": "man", "nationality_group": "eu"})
    response = as_persona("staff").post(URL, data)
    assert response.status_code == 200
    html = main_of(response)
    assert message in html
    assert 'class="errorsummary" role="alert"' in html
    # The error is linked to its fieldset.
    assert f'aria-describedby="id_{field}_help id_{field}_errors"' in html
    assert f'<ul class="errorlist" id="id_{field}_errors">' in html
    assert declared(org, "staff") == ("man", "eu")


def test_a_post_changes_only_the_two_attributes_of_the_logged_in_person(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    leader = person(org, "leader")
    staff = person(org, "staff")
    as_persona("staff").post(
        URL,
        {
            "gender": "woman",
            "nationality_group": "dutch",
            "person": leader.pk,
            "position_level": "full_professor",
            "unit": org.root.pk,
            "email": "other@example.org",
        },
    )
    fresh = Person.objects.get(pk=staff.pk)
    assert (fresh.gender, fresh.nationality_group) == ("woman", "dutch")
    assert (fresh.position_level, fresh.unit_id, fresh.email) == (
        staff.position_level,
        staff.unit_id,
        staff.email,
    )
    assert declared(org, "leader") == ("", "")


def test_a_post_without_the_csrf_token_is_refused(org) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["staff"])
    data = {"gender": "woman", "nationality_group": "dutch"}
    assert client.post(URL, data).status_code == 403
    assert client.post(WITHDRAW_URL).status_code == 403
    assert declared(org, "staff") == ("", "")
    page = client.get(URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post(URL, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert declared(org, "staff") == ("woman", "dutch")


GENDERS = [*Gender.values, PREFER_NOT_TO_SAY]
NATIONALITIES = [*NationalityGroup.values, PREFER_NOT_TO_SAY]
action = st.one_of(
    st.tuples(st.just("declare"), st.sampled_from(GENDERS), st.sampled_from(NATIONALITIES)),
    st.tuples(st.just("withdraw"), st.just(""), st.just("")),
    st.tuples(st.just("invalid"), st.sampled_from(["x", "", "WOMAN"]), st.sampled_from(["eu"])),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(action, min_size=1, max_size=6))
def test_any_sequence_of_declarations_leaves_exactly_the_last_valid_choice(
    org, actions: list[tuple[str, str, str]]
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(org.users["staff"])
    expected = declared(org, "staff")  # what earlier examples left
    for kind, gender, nationality in actions:
        if kind == "withdraw":
            assert client.post(WITHDRAW_URL).status_code == 302
            expected = ("", "")
        elif kind == "declare":
            data = {"gender": gender, "nationality_group": nationality}
            assert client.post(URL, data).status_code == 302
            expected = tuple("" if v == PREFER_NOT_TO_SAY else v for v in (gender, nationality))  # type: ignore[assignment]
        else:
            data = {"gender": gender, "nationality_group": nationality}
            assert client.post(URL, data).status_code == 200  # refused: nothing changes
        assert declared(org, "staff") == expected
    assert declared(org, "leader") == ("", "")


# --- The launch-time snapshot --------------------------------------------------------------


def test_a_launch_snapshots_the_declared_values_and_later_changes_count_from_the_next_wave(
    org, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # Declared through the page: three women; the staff member also a non-EU nationality.
    as_persona("staff").post(URL, {"gender": "woman", "nationality_group": "non_eu"})
    for persona in ("leader", "other_leader"):
        as_persona(persona).post(URL, {"gender": "woman", "nationality_group": PREFER_NOT_TO_SAY})
    clinical = add_people(org.clinical, 4, "clin")
    for someone in clinical[:3]:
        declare(someone, {"gender": "man", "nationality_group": "dutch"})
    add_people(org.pedagogy, 3, "ped")  # nothing declared
    wave = make_wave(
        org, k=3, report_attributes=["gender", "nationality_group"], unit_attributes=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.launch_wave(wave)

    def snapshot(w, persona: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
        invitation = Invitation.objects.get(wave=w, person__user=org.users[persona])
        return {k: invitation_attributes(invitation)[k] for k in ("gender", "nationality_group")}

    assert snapshot(wave, "staff") == {"gender": "woman", "nationality_group": OTHER}
    assert snapshot(wave, "leader") == {"gender": "woman", "nationality_group": NOT_DECLARED}
    men = Invitation.objects.filter(wave=wave, person__in=clinical[:3])
    assert {invitation_attributes(inv)["gender"] for inv in men} == {"man"}
    # A single non-EU declaration is never stored under its own name (coarsening, k=3).
    assert not any(
        "non_eu" in invitation_attributes(inv).values()
        for inv in Invitation.objects.filter(wave=wave)
    )

    # Withdrawing after the launch leaves the launched wave as it was ...
    as_persona("staff").post(WITHDRAW_URL)
    assert snapshot(wave, "staff") == {"gender": "woman", "nationality_group": OTHER}
    # ... and counts from the next wave.
    later = make_wave(
        org, k=3, period="2026-voorjaar", report_attributes=["gender"], unit_attributes=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.launch_wave(later)
    assert (
        invitation_attributes(Invitation.objects.get(wave=later, person__user=org.users["staff"]))[
            "gender"
        ]
        == NOT_DECLARED
    )


def test_the_page_names_the_open_wave_that_keeps_the_earlier_copy(
    org, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    wave = make_wave(org, title_en="Autumn survey", title_nl="Najaarspeiling")
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.launch_wave(wave)
    html = main_of(as_persona("staff").get(URL))
    assert "De peiling ‘Najaarspeiling’ is gestart op" in html


# --- The HR import never writes a declaration ----------------------------------------------

UNITS = """external_id,parent_external_id,level,name_nl,name_en
U,,organisation,Universiteit,University
F,U,faculty,Faculteit Gedrag,Faculty of Behaviour
D1,F,department,Psychologie,Psychology
T1,D1,team,Team Klinisch,Clinical team
D2,F,department,Pedagogiek,Education
"""
PEOPLE_WITH_BACKGROUND = (
    "external_id,name,email,unit_external_id,position_level,contract,Geslacht,Nationality group\n"
    """P-staff,Staff Renamed,staff@example.org,T1,phd,temporary,zz-file-gender,zz-file-nationality
P-leader,Leader,leader@example.org,D1,full_professor,permanent,man,dutch
"""
)


def test_the_plan_names_self_declared_columns_per_file(db) -> None:  # type: ignore[no-untyped-def]
    units = read_table("units.csv", UNITS.replace(",name_en", ",name_en,gender").encode(),
                       UNIT_COLUMNS)  # fmt: skip
    people = read_table("people.csv", PEOPLE_WITH_BACKGROUND.encode(), PEOPLE_COLUMNS)
    plan = make_plan(units, people)
    assert plan.self_declared_columns == {
        "units.csv": ["gender"],
        "people.csv": ["geslacht", "nationality_group"],
    }
    plain = read_table("people.csv", b"external_id,name,email,unit_external_id,position_level,"
                       b"contract,cost_centre,manager_email\n", PEOPLE_COLUMNS)  # fmt: skip
    assert make_plan(None, plain).self_declared_columns == {}


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            [
                "Kolommen die niet worden geïmporteerd",
                "people.csv: de kolommen geslacht, nationality_group worden niet geïmporteerd.",
                "op de eigen pagina ‘Mijn achtergrond’",
            ],
        ),
        (
            "en",
            [
                "Columns that are not imported",
                "people.csv: the columns geslacht, nationality_group are not imported.",
                "on their page “My background”",
            ],
        ),
    ],
)
def test_the_preview_says_which_columns_are_not_imported_and_why(
    org, as_persona, language, texts
) -> None:  # type: ignore[no-untyped-def]
    admin = org.users["admin"]
    admin.language = language
    admin.save()
    client = as_persona("admin")
    files = {"people_file": SimpleUploadedFile("people.csv", PEOPLE_WITH_BACKGROUND.encode())}
    response = client.post(reverse("org:import_upload"), files)
    page = main_of(client.get(response["Location"]))
    for text in texts:
        assert text in page, text
    # The file's values in those columns are shown nowhere.
    assert "zz-file" not in page
    # A file without such columns gets no such notice.
    plain = (
        PEOPLE_WITH_BACKGROUND.replace(",Geslacht,Nationality group", "")
        .replace(",zz-file-gender,zz-file-nationality", "")
        .replace(",man,dutch", "")
    )
    response = client.post(
        reverse("org:import_upload"),
        {"people_file": SimpleUploadedFile("people.csv", plain.encode())},
    )
    assert "self-declared-heading" not in main_of(client.get(response["Location"]))


def test_applying_an_hr_file_keeps_every_declaration(org) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "staff"), {"gender": "woman", "nationality_group": "eu"})
    units = read_table("units.csv", UNITS.encode(), UNIT_COLUMNS)
    people = read_table("people.csv", PEOPLE_WITH_BACKGROUND.encode(), PEOPLE_COLUMNS)
    plan = make_plan(units, people)
    assert [entry.external_id for entry in plan.people_update] == ["P-leader", "P-staff"]
    with CaptureQueriesContext(connection) as queries:
        apply_hr_plan(plan)
    staff = person(org, "staff")
    assert staff.name == "Staff Renamed" and staff.position_level == "phd"  # HR fields applied
    assert (staff.gender, staff.nationality_group) == ("woman", "eu")  # the declaration kept
    assert declared(org, "leader") == ("", "")  # the file's "man, dutch" was not imported
    # No statement of the import writes these columns, so a declaration saved while an import
    # runs cannot be overwritten with the value read before it.
    person_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "org_person"')]
    assert person_updates
    assert not [sql for sql in person_updates if "gender" in sql or "nationality" in sql]


# --- Nobody else sees a declaration ---------------------------------------------------------

PLANTED = {"gender": "zzplanted-g-7f3a", "nationality_group": "zzplanted-n-7f3a"}
# The labels of a real declaration, in both languages (the staff member's: other, non_eu).
LABELS = ("in another way", "op een andere manier", "outside the EU", "buiten de EU")


def _pages_for(org, persona: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(URL, body) of every page and CSV the persona can open, from the permission matrix."""
    client = Client()
    if persona != "anonymous":
        client.force_login(org.users[persona])
    pages = []
    for name, rows in sorted(all_rows().items()):
        for row in rows:
            if row.method != "get" or row.expect[persona] != 200:
                continue
            url = reverse(name, kwargs=row.kwargs(org))
            response = client.get(url)
            assert response.status_code == 200, (persona, url)
            pages.append((url, response.content.decode()))
    return pages


def test_no_page_or_export_shows_anyones_declaration(
    org, as_persona, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # A raw value no code path makes, so a page showing it can only have read the person's row.
    Person.objects.filter(user=org.users["staff"]).update(**PLANTED)
    wave = make_wave(org, k=3, period="2025-voorjaar",
                     report_attributes=["gender", "nationality_group"],
                     unit_attributes=["nationality_group"])  # fmt: skip
    add_people(org.clinical, 4, "clin")
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.launch_wave(wave)  # the planted values go through a snapshot too
    seen: list[str] = []
    for persona in PERSONAS:
        if persona == "staff":
            continue  # their own page is theirs to see
        for url, body in _pages_for(org, persona):
            seen.append(url)
            for value in PLANTED.values():
                assert value not in body, (persona, url)
    assert any("/people/" in url for url in seen) and any(url.endswith(".csv") for url in seen)

    # The launched wave (its invitations hold the snapshot); the administrator's other views
    # of a person: the search, the HR import preview.
    pages = [as_persona("analyst").get(f"/surveys/{wave.pk}/").content.decode()]
    admin = as_persona("admin")
    pages.append(admin.get(reverse("org:people"), {"q": "staff"}).content.decode())
    upload = admin.post(
        reverse("org:import_upload"),
        {"people_file": SimpleUploadedFile("people.csv", PEOPLE_WITH_BACKGROUND.encode())},
    )
    pages.append(admin.get(upload["Location"]).content.decode())
    assert "Staff Renamed" in pages[-1]  # the preview is about the staff member
    # The Django admin (superusers only): the list, the search, the person's own page.
    root = type(org.users["admin"]).objects.create_superuser("root@example.org", "x" * 20)
    superuser = Client()
    superuser.force_login(root)
    staff = person(org, "staff")
    for url, query in [
        (reverse("admin:org_person_changelist"), {}),
        (reverse("admin:org_person_changelist"), {"q": "staff"}),
        (reverse("admin:org_person_change", args=[staff.pk]), {}),
        (reverse("admin:accounts_user_change", args=[org.users["staff"].pk]), {}),
    ]:
        response = superuser.get(url, query)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    for body in pages:
        for value in PLANTED.values():
            assert value not in body
        assert 'name="gender"' not in body and 'name="nationality_group"' not in body

    # A real declaration: its labels appear on none of the pages about people.
    declare(staff, {"gender": "other", "nationality_group": "non_eu"})
    for url in [
        reverse("admin:org_person_changelist"),
        reverse("admin:org_person_change", args=[staff.pk]),
    ]:
        body = superuser.get(url).content.decode()
        assert "Staff" in body
        assert not [label for label in LABELS if label in body], url
    for persona in ("admin", "analyst", "leader"):
        client = as_persona(persona)
        for url in [reverse("org:people"), reverse("org:unit_detail", args=[org.psychology.pk])]:
            response = client.get(url)
            if response.status_code == 200:
                body = response.content.decode()
                assert not [label for label in LABELS if label in body], (persona, url)


def test_the_django_admin_cannot_filter_or_search_people_by_their_declaration(org) -> None:  # type: ignore[no-untyped-def]
    declare(person(org, "staff"), {"gender": "other", "nationality_group": "non_eu"})
    root = type(org.users["admin"]).objects.create_superuser("root@example.org", "x" * 20)
    client = Client()
    client.force_login(root)
    changelist = reverse("admin:org_person_changelist")
    # A filter in the address would list exactly the people who declared a value: refused.
    for query in (
        {"gender": "other"},
        {"gender__exact": "other"},
        {"nationality_group__startswith": "non"},
        {"gender__isnull": "False"},
    ):
        assert client.get(changelist, query).status_code == 400, query
    # Nor through a relation from another admin page.
    for name in ("admin:org_leadership_changelist", "admin:accounts_user_changelist"):
        assert client.get(reverse(name), {"person__gender": "other"}).status_code == 400, name
    # The admin's search looks at name, e-mail and HR id only.
    found = client.get(changelist, {"q": "non_eu"})
    assert found.status_code == 200
    assert "Staff" not in found.content.decode().split('id="result_list"', 1)[-1]
    assert client.get(changelist, {"active": "1"}).status_code == 200  # other filters still work
