"""What a first-time user needs to read a page right: the scale behind a mean, what a head count
counts, where they are in the menu, and room for a wide table."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from web.results_data import add_responses, make_wave


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def released_wave(org):  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.clinical, 8)
    add_responses(wave, org.psychology, 6, leader=True)
    compute_wave_results(wave)
    return wave


def _reading_in(client, url: str) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'<p class="reading-note">(.*?)</p>', client.get(url).content.decode(), re.S)
    assert found, f"no reading note on {url}"
    return unescape(found.group(1))


def test_results_pages_say_what_the_means_and_the_unsafe_share_are_measured_against(
    released_wave, org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    organisation = reverse("results:organisation", args=[released_wave.pk])
    unit = reverse("results:unit", args=[released_wave.pk, org.psychology.pk])
    analysis = reverse("results:analysis", args=[released_wave.pk])
    # The accounts read Dutch (the default).
    for persona, url in (("staff", organisation), ("leader", unit), ("analyst", analysis)):
        note = _reading_in(as_persona(persona), url)
        assert "van 1 tot 5" in note
        assert "onder 3 ligt" in note
    staff = org.users["staff"]
    staff.language = "en"
    staff.save(update_fields=["language"])
    note = _reading_in(as_persona("staff"), organisation)
    assert "every scale runs from 1 to 5" in note
    assert "below 3, the scale's cut-off" in note


def test_the_reading_note_never_claims_a_range_some_scale_does_not_use() -> None:
    from django.utils import translation

    from vrijuit.results.reading import reading_note

    likert = {"role": "climate", "low": 1.0, "high": 5.0, "cutoff": 3.0}
    with translation.override("en"):
        assert reading_note({"scales": [likert, dict(likert, high=7.0)]}) is None
        assert reading_note({"scales": [likert, dict(likert, cutoff=2.5)]}) is None
        assert reading_note({"scales": []}) is None
        # Behaviour scales (0-1, no cut-off) are not in the climate tables: they do not count.
        behaviour = {"role": "behaviour", "low": 0.0, "high": 1.0, "cutoff": None}
        assert "from 1 to 5" in (reading_note({"scales": [likert, behaviour]}) or "")
        without_cutoff = reading_note({"scales": [dict(likert, cutoff=None)]}) or ""
        assert "from 1 to 5" in without_cutoff
        assert "cut-off" not in without_cutoff
    with translation.override("nl"):
        assert "onder 2,5 ligt" in (reading_note({"scales": [dict(likert, cutoff=2.5)]}) or "")


def test_a_page_that_shows_nothing_has_no_reading_note(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.services import compute_wave_results

    wave = make_wave(org)
    add_responses(wave, org.clinical, 2)
    compute_wave_results(wave)
    page = as_persona("staff").get(reverse("results:organisation", args=[wave.pk]))
    assert 'class="reading-note"' not in page.content.decode()


def test_unit_head_counts_say_they_count_only_the_people_directly_in_the_unit(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.org.models import Person

    Person.objects.create(
        external_id="P-extra",
        name="Extra Persoon",
        email="extra@example.org",
        unit=org.faculty,
        position_level="postdoc",
        contract="temporary",
    )
    admin = as_persona("admin")
    units = _text(admin.get(reverse("org:units")).content.decode())
    assert "Mensen direct in de eenheid" in units
    detail = _text(admin.get(reverse("org:unit_detail", args=[org.root.pk])).content.decode())
    # The faculty holds one person itself and more in the units below it: the list says which.
    assert re.search(r"Faculteit Gedrag \(1 persoon direct in deze eenheid\)", detail), detail
    assert "Mensen in deze eenheid en daaronder" in detail


@pytest.mark.parametrize(
    ("view_name", "args", "label"),
    [
        ("org:units", [], "Eenheden"),
        ("org:people", [], "Mensen"),
        ("org:import_upload", [], "HR-import"),
    ],
)
def test_the_administrator_s_menu_marks_the_page_they_are_on(
    org, as_persona, view_name: str, args: list[int], label: str
) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("admin").get(reverse(view_name, args=args)).content.decode()
    current = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', page)
    assert current == [label]


def test_a_unit_s_own_page_marks_units_in_the_menu(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("admin").get(reverse("org:unit_detail", args=[org.clinical.pk]))
    current = re.findall(r'aria-current="page">([^<]+)</a>', page.content.decode())
    assert current == ["Eenheden"]


def test_the_people_page_uses_the_wide_layout_for_its_seven_columns(as_persona) -> None:  # type: ignore[no-untyped-def]
    page = as_persona("admin").get(reverse("org:people")).content.decode()
    assert '<body class="wide">' in page


def test_english_dates_read_day_month_year_like_the_rest_of_the_site(
    released_wave, org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from django.utils import formats, translation

    with translation.override("en"):
        assert formats.date_format(datetime.date(2026, 12, 23), "DATE_FORMAT") == "23 December 2026"
    with translation.override("nl"):
        assert formats.date_format(datetime.date(2026, 12, 23), "DATE_FORMAT") == "23 december 2026"
    staff = org.users["staff"]
    staff.language = "en"
    staff.save(update_fields=["language"])
    page = _text(as_persona("staff").get(reverse("results:index")).content.decode())
    opens = released_wave.opens_on
    assert f"open from {opens.day} {opens:%B} {opens.year} to" in page
