"""Seed the whole demo site: organisation, people, role accounts, closed waves, an open wave.

``seed_demo()`` is what ``manage.py seed_demo`` runs; it is idempotent (units and people are
matched on their HR ids, accounts on e-mail, waves on their period) and takes a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from vrijuit.demo import load_responses, load_units
from vrijuit.demo_site.organisation import (
    ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccount,
    seed_accounts,
    seed_people,
    seed_units,
)
from vrijuit.demo_site.waves import (
    CLOSED_WAVES,
    OPEN_WAVE,
    respondent_link,
    seed_closed_wave,
    seed_open_wave,
)

FACULTY = "fsw"
RESPONDENT = "staff member"  # whose invitation to the open wave the printed link opens


@dataclass
class SeedResult:
    units: int
    people: int
    accounts: list[DemoAccount]
    password: str
    waves_created: list[str] = field(default_factory=list)
    respondent_link: str | None = None


def seed_demo(*, password: str = DEMO_PASSWORD) -> SeedResult:
    units_frame = load_units()
    responses = load_responses()
    units = seed_units(units_frame)
    people = seed_people(units, responses)
    accounts = seed_accounts(units, password=password)
    analyst = _user_of("analyst")
    result = SeedResult(len(units), people + len(accounts), accounts, password)
    for plan in CLOSED_WAVES:
        _, created = seed_closed_wave(plan, responses, units, units[FACULTY], analyst)
        if created:
            result.waves_created.append(plan.period)
    wave, created = seed_open_wave(OPEN_WAVE, units[FACULTY], analyst, today=timezone.localdate())
    if created:
        result.waves_created.append(OPEN_WAVE.period)
    result.respondent_link = respondent_link(wave, _email_of(RESPONDENT))
    return result


def _user_of(key: str):  # type: ignore[no-untyped-def]
    from vrijuit.accounts.models import User

    return User.objects.get(email=_email_of(key))


def _email_of(key: str) -> str:
    return next(a.email for a in ACCOUNTS if a.key == key)
