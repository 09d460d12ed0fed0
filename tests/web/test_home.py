"""The home page says what exists now: released results with their links, an open survey the
person is invited to, or in one sentence why there are no results yet."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from web.results_data import make_wave

NO_RESULTS_YET = "Er zijn nog geen resultaten vrijgegeven."


def _release(wave) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.results.models import ResultSnapshot

    ResultSnapshot.objects.create(
        wave=wave, engine_version="test", report={}, released_at=timezone.now()
    )


def _home(as_persona, persona: str) -> str:  # type: ignore[no-untyped-def]
    return as_persona(persona).get(reverse("web:home")).content.decode()


def test_before_any_release_the_home_page_says_so_and_links_no_results(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    make_wave(org, status="closed")  # closed, but its results are not computed yet
    for persona in ("staff", "leader", "analyst"):
        page = _home(as_persona, persona)
        assert NO_RESULTS_YET in page, persona
        assert "/results/" not in page.split('id="main"', 1)[1], persona


def test_after_a_release_every_role_gets_the_links_that_fit(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    older = make_wave(org, period="2024-najaar", opens_on=dt.date(2024, 10, 1))
    latest = make_wave(org, period="2025-najaar")
    _release(older)
    _release(latest)

    staff = _home(as_persona, "staff")
    assert NO_RESULTS_YET not in staff
    assert "De nieuwste resultaten komen uit ‘Meting 2025-najaar’." in staff
    assert f'href="{reverse("results:organisation", args=[latest.pk])}"' in staff
    assert f'href="{reverse("results:index")}"' in staff
    assert reverse("results:analysis", args=[latest.pk]) not in staff

    leader = _home(as_persona, "leader")
    assert f'href="{reverse("results:unit", args=[latest.pk, org.psychology.pk])}"' in leader
    assert "Resultaten van Psychologie" in leader
    assert reverse("results:unit", args=[latest.pk, org.pedagogy.pk]) not in leader

    analyst = _home(as_persona, "analyst")
    assert f'href="{reverse("results:analysis", args=[latest.pk])}"' in analyst
    assert f'href="{reverse("surveys:wave_list")}"' in analyst


def test_an_open_survey_is_mentioned_only_to_the_people_invited(org, as_persona) -> None:  # type: ignore[no-untyped-def]
    from vrijuit.surveys.models import Invitation

    wave = make_wave(org, period="2026-voorjaar", status="open")
    staff = org.users["staff"].person
    Invitation.objects.create(wave=wave, person=staff, token_hash="0" * 64, unit=staff.unit)
    invited = _home(as_persona, "staff")
    assert "De vragenlijst ‘Meting 2026-voorjaar’ staat open tot en met" in invited
    assert "Meting 2026-voorjaar" not in _home(as_persona, "other_leader")


def test_the_adviser_is_told_what_they_can_do_now_and_that_routed_input_comes_later(
    org, as_persona
) -> None:  # type: ignore[no-untyped-def]
    before = _home(as_persona, "adviser")
    assert "Als vertrouwenspersoon zie je nu de resultaten van de organisatie" in before
    assert NO_RESULTS_YET in before
    assert "zal hier verschijnen" not in before and "will appear here" not in before

    latest = make_wave(org, period="2025-najaar")
    _release(latest)
    dutch = _home(as_persona, "adviser")
    assert f'href="{reverse("results:organisation", args=[latest.pk])}"' in dutch
    assert "Resultaten van de hele organisatie uit ‘Meting 2025-najaar’" in dutch
    assert "dat komt met de dialoogfunctie in een latere versie" in dutch
    assert reverse("results:analysis", args=[latest.pk]) not in dutch

    adviser = org.users["adviser"]
    adviser.language = "en"
    adviser.save(update_fields=["language"])
    english = _home(as_persona, "adviser")
    assert "As a confidential adviser you can see the organisation's results now" in english
    assert "that comes with the dialogue feature in a later version" in english
    assert "will appear here" not in english
