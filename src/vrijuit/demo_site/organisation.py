"""The demo faculty's organisation: units, several hundred people, leaders and role accounts.

Units come from the engine's shipped demo data (``vrijuit.demo.load_units``). People are made
to match the demo responses: every team gets about as many people as answered in its best wave
divided by a response rate of ~70% (the small teams get 5), with background attributes drawn
from that team's own responses, so the invitees of the open wave look like the respondents of
the closed ones. Everything is seeded (``random.Random``), so every run makes the same people;
rows are matched on ``external_id`` and e-mail, so running twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd
from django.db import transaction

from vrijuit.accounts.models import User
from vrijuit.demo_site.names import email_for, person_name
from vrijuit.org.models import Leadership, Person, Role, RoleGrant, Unit

SEED = 2026
EXTERNAL_PREFIX = "demo-"
# Public on purpose: printed by seed_demo and in the README. Demo databases only.
DEMO_PASSWORD = "vrijuit-demo-2026"  # noqa: S105
SMALL_TEAM_HEADCOUNT = 5
RESPONSE_RATE = 0.7

# The demo data's codes → the web platform's categories (org.models).
GENDER = {"female": "woman", "male": "man", "other": "other"}
NATIONALITY = {"dutch": "dutch", "international": "non_eu"}
CONTRACTS = {"temporary", "permanent"}


@dataclass(frozen=True)
class DemoAccount:
    """A person who can log in to the demo, chosen to show one role each."""

    key: str  # printed label
    role_nl: str
    role_en: str
    name: str
    email: str
    unit: str  # unit_id in units.csv
    position_level: str
    contract: str
    leads: str | None = None  # unit_id led by this person
    grant: str | None = None  # a Role granted to the account
    language: str = "nl"


ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "administrator",
        "beheerder",
        "administrator",
        "Sander Dijkstra",
        "beheerder@demo.vrijuit.example",
        "fb-ict",
        "support_staff",
        "permanent",
        grant=Role.ADMINISTRATOR,
    ),
    DemoAccount(
        "analyst",
        "analist",
        "analyst",
        "Priya Kumar",
        "analist@demo.vrijuit.example",
        "fb-hr",
        "support_staff",
        "permanent",
        grant=Role.ANALYST,
        language="en",
    ),
    DemoAccount(
        "adviser",
        "vertrouwenspersoon",
        "confidential adviser",
        "Esther Hoekstra",
        "vertrouwenspersoon@demo.vrijuit.example",
        "fb-hr",
        "support_staff",
        "permanent",
        grant=Role.ADVISER,
    ),
    DemoAccount(
        "dean",
        "decaan",
        "dean (faculty leader)",
        "Marieke de Vries",
        "decaan@demo.vrijuit.example",
        "fsw",
        "full_professor",
        "permanent",
        leads="fsw",
    ),
    DemoAccount(
        "department leader",
        "afdelingsvoorzitter",
        "head of department",
        "Pieter Bakker",
        "afdelingsvoorzitter@demo.vrijuit.example",
        "psy",
        "full_professor",
        "permanent",
        leads="psy",
    ),
    DemoAccount(
        "team leader",
        "teamleider",
        "team leader",
        "Giulia Rossi",
        "teamleider@demo.vrijuit.example",
        "psy-soc",
        "associate_professor",
        "permanent",
        leads="psy-soc",
        language="en",
    ),
    DemoAccount(
        "staff member",
        "medewerker",
        "staff member",
        "Daan Visser",
        "medewerker@demo.vrijuit.example",
        "psy-klin",
        "phd",
        "temporary",
    ),
)


def seed_units(units: pd.DataFrame) -> dict[str, Unit]:
    """Create or update the demo unit tree; returns unit_id → Unit."""
    by_id: dict[str, Unit] = {}
    for row in units.itertuples(index=False):
        parent = by_id.get(str(row.parent_id)) if isinstance(row.parent_id, str) else None
        unit, _ = Unit.objects.update_or_create(
            external_id=EXTERNAL_PREFIX + str(row.unit_id),
            defaults={
                "parent": parent,
                "level": str(row.level),
                "name_nl": str(row.name_nl),
                "name_en": str(row.name_en),
                "active": True,
            },
        )
        by_id[str(row.unit_id)] = unit
    return by_id


def _headcounts(responses: pd.DataFrame) -> dict[str, int]:
    """People per team: the mean number of respondents over the waves at the demo's ~70%
    response rate, at least the best wave's count; the small teams have 5."""
    counts = responses.groupby(["team", "wave"]).size().groupby(level="team")
    return {
        str(team): SMALL_TEAM_HEADCOUNT
        if best < SMALL_TEAM_HEADCOUNT
        else max(int(best), round(mean / RESPONSE_RATE))
        for (team, mean), best in zip(counts.mean().items(), counts.max(), strict=True)
    }


def _person_fields(row: pd.Series, rng: random.Random, positions: list[str]) -> dict[str, str]:
    """A person's HR fields from one demo response row (blanks become plausible values).

    ``gender`` and ``nationality_group`` are not HR fields: in a real organisation only the
    person declares them (on "My background"; the HR import never writes them). The demo sets
    them directly because they stand for what these made-up people declared themselves; a new
    run of the seed resets them to that.
    """
    nationality = row["nationality_group"]
    nationality = NATIONALITY.get(nationality, "") if isinstance(nationality, str) else ""
    position = row["position"] if isinstance(row["position"], str) else rng.choice(positions)
    contract = row["contract"] if row["contract"] in CONTRACTS else "permanent"
    return {
        "gender": GENDER.get(row["gender"], "") if isinstance(row["gender"], str) else "",
        "nationality_group": nationality,
        "position_level": str(position),
        "contract": str(contract),
    }


def _planned_people(
    units: dict[str, Unit], responses: pd.DataFrame, rng: random.Random
) -> list[dict[str, object]]:
    """Everyone in the faculty: a leader and members per team, plus department and faculty
    leaders and the head of the organisation. Deterministic for the seed."""
    people: list[dict[str, object]] = []
    headcounts = _headcounts(responses)
    for team in sorted(headcounts):
        rows = responses[responses["team"] == team]
        positions = [p for p in rows["position"] if isinstance(p, str)] or ["support_staff"]
        leader_rows = rows[rows["role"] == "leader"]
        member_rows = rows[rows["role"] != "leader"]
        for slot in range(headcounts[team]):
            source = leader_rows if slot == 0 and len(leader_rows) else member_rows
            row = source.iloc[rng.randrange(len(source))]
            fields = _person_fields(row, rng, positions)
            international = fields["nationality_group"] == "non_eu"
            people.append(
                {
                    "unit": units[team],
                    "name": person_name(rng, international=international),
                    "leads": units[team] if slot == 0 else None,
                    "language": "en" if international else "nl",
                    **fields,
                }
            )
    for unit in units.values():
        if unit.level in ("department", "faculty", "organisation"):
            people.append(
                {
                    "unit": unit,
                    "name": person_name(rng, international=False),
                    "leads": unit,
                    "language": "nl",
                    "gender": rng.choice(["woman", "man"]),
                    "nationality_group": "dutch",
                    "position_level": "full_professor",
                    "contract": "permanent",
                }
            )
    return people


@transaction.atomic
def seed_people(units: dict[str, Unit], responses: pd.DataFrame) -> int:
    """Create or update the demo's people and their leaderships; returns how many people."""
    rng = random.Random(SEED)  # noqa: S311  (made-up people, the same on every run)
    planned = _planned_people(units, responses, rng)
    # The role accounts take the place of the generated leader of the unit they lead.
    led_by_account = {account.leads for account in ACCOUNTS if account.leads}
    existing = {p.external_id: p for p in Person.objects.filter(external_id__startswith="demo-p")}
    new: list[Person] = []
    changed: list[Person] = []
    leads: list[tuple[str, Unit]] = []
    for number, plan in enumerate(planned, start=1):
        external_id = f"{EXTERNAL_PREFIX}p{number:04d}"
        leader_of = plan["leads"]
        if isinstance(leader_of, Unit) and _unit_key(leader_of) in led_by_account:
            leader_of = None
        fields = {
            "name": plan["name"],
            "email": email_for(str(plan["name"]), number),
            "unit": plan["unit"],
            "language": plan["language"],
            "position_level": plan["position_level"],
            "contract": plan["contract"],
            "gender": plan["gender"],
            "nationality_group": plan["nationality_group"],
            "active": True,
        }
        person = existing.get(external_id)
        if person is None:
            new.append(Person(external_id=external_id, **fields))
        else:
            for name, value in fields.items():
                setattr(person, name, value)
            changed.append(person)
        if isinstance(leader_of, Unit):
            leads.append((external_id, leader_of))
    Person.objects.bulk_create(new, batch_size=500)
    if changed:
        Person.objects.bulk_update(changed, [*fields], batch_size=500)
    ids = dict(
        Person.objects.filter(external_id__startswith="demo-p").values_list("external_id", "pk")
    )
    Leadership.objects.filter(person_id__in=ids.values()).delete()
    Leadership.objects.bulk_create(
        [Leadership(person_id=ids[external_id], unit=unit) for external_id, unit in leads]
    )
    return len(planned)


def _unit_key(unit: Unit) -> str:
    return unit.external_id.removeprefix(EXTERNAL_PREFIX)


@transaction.atomic
def seed_accounts(units: dict[str, Unit], *, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create or update the role accounts with ``password``, each with its place in the tree.

    The seed bypasses the HR import's account flow (``accounts.hr_accounts``) on purpose: it
    writes people and these few accounts directly, with a known password, so seeding sends no
    invitation e-mail (the console backend would print one for each of ~590 people). The
    generated people get no account; an HR import applied later would invite them.
    """
    for account in ACCOUNTS:
        first, _, last = account.name.partition(" ")
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(account.email, password)
        elif not user.check_password(password):
            user.set_password(password)
        user.first_name, user.last_name, user.language = first, last, account.language
        user.is_active = True
        user.save()
        person, _ = Person.objects.update_or_create(
            external_id=f"{EXTERNAL_PREFIX}{account.key.replace(' ', '-')}",
            defaults={
                "name": account.name,
                "email": account.email,
                "unit": units[account.unit],
                "language": account.language,
                "position_level": account.position_level,
                "contract": account.contract,
                "user": user,
                "active": True,
            },
        )
        if account.leads:
            Leadership.objects.get_or_create(person=person, unit=units[account.leads])
        if account.grant:
            RoleGrant.objects.get_or_create(user=user, role=account.grant)
    return list(ACCOUNTS)
