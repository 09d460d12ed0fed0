"""The demo's survey waves: three closed waves from the shipped demo responses, one open wave.

The closed waves' ``Response`` rows are the demo data's rows (``vrijuit.demo.load_responses``),
each placed in its team with its background attributes coarsened as a launch would coarsen them,
so the planted patterns (polarised team, minority gap, hierarchy gradient, leader effect,
trends, small teams) show on the results pages. Their results are computed by the results app,
exactly as closing a real wave does. A wave is matched on its period: a second run adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from django.db import transaction

from vrijuit.accounts.models import User
from vrijuit.demo_site.organisation import GENDER, NATIONALITY
from vrijuit.org.models import Unit
from vrijuit.stats.instruments import load_instrument
from vrijuit.surveys.models import NOT_DECLARED, Invitation, Response, Status, Wave
from vrijuit.surveys.sealing import reporting_key, seal_for_response
from vrijuit.surveys.services import hash_token, launch_wave, new_token, respond_url
from vrijuit.surveys.snapshot import coarsen

INSTRUMENT = "vrijuit"
K = 5
REPORT_ATTRIBUTES = ["gender", "nationality_group", "position_level", "contract"]
# Every report attribute also per unit, so the analyst sees gaps inside units (the sparse exact
# audit plans such a wave in about 0.1 s; it took 12-40 s per wave with the dense one).
UNIT_ATTRIBUTES = list(REPORT_ATTRIBUTES)


@dataclass(frozen=True)
class WavePlan:
    period: str
    title_nl: str
    title_en: str
    opens_on: dt.date
    closes_on: dt.date


CLOSED_WAVES = (
    WavePlan(
        "2024-najaar",
        "Sociale veiligheid najaar 2024",
        "Social safety autumn 2024",
        dt.date(2024, 10, 7),
        dt.date(2024, 10, 28),
    ),
    WavePlan(
        "2025-voorjaar",
        "Sociale veiligheid voorjaar 2025",
        "Social safety spring 2025",
        dt.date(2025, 3, 10),
        dt.date(2025, 3, 31),
    ),
    WavePlan(
        "2025-najaar",
        "Sociale veiligheid najaar 2025",
        "Social safety autumn 2025",
        dt.date(2025, 10, 6),
        dt.date(2025, 10, 27),
    ),
)
OPEN_WAVE = WavePlan(
    "2026-najaar",
    "Sociale veiligheid najaar 2026",
    "Social safety autumn 2026",
    # Replaced by today and four weeks on when the open wave is made (see seed_open_wave).
    dt.date(2026, 10, 5),
    dt.date(2026, 11, 2),
)
OPEN_WEEKS = 4


def _attributes(row: pd.Series) -> dict[str, str]:
    """The demo data's background columns as the web platform's categories."""
    nationality = row["nationality_group"]
    everything = {
        "gender": GENDER.get(row["gender"], NOT_DECLARED)
        if isinstance(row["gender"], str)
        else NOT_DECLARED,
        # The demo data knows Dutch and international only: the demo's people are "outside the
        # EU" when international (organisation.NATIONALITY), so the responses say the same.
        "nationality_group": NATIONALITY.get(
            nationality if isinstance(nationality, str) else "", NOT_DECLARED
        ),
        "position_level": row["position"] if isinstance(row["position"], str) else NOT_DECLARED,
        "contract": row["contract"] if isinstance(row["contract"], str) else NOT_DECLARED,
    }
    return {name: value for name, value in everything.items() if name in REPORT_ATTRIBUTES}


def _new_wave(plan: WavePlan, scope: Iterable[Unit], creator: User | None, status: str) -> Wave:
    wave = Wave.objects.create(
        title_nl=plan.title_nl,
        title_en=plan.title_en,
        instrument=INSTRUMENT,
        instrument_version=str(load_instrument(INSTRUMENT).version),
        period=plan.period,
        opens_on=plan.opens_on,
        closes_on=plan.closes_on,
        k=K,
        report_attributes=REPORT_ATTRIBUTES,
        unit_attributes=UNIT_ATTRIBUTES,
        status=status,
        created_by=creator,
    )
    wave.units.set(list(scope))
    return wave


@transaction.atomic
def seed_closed_wave(
    plan: WavePlan,
    responses: pd.DataFrame,
    units: dict[str, Unit],
    scope: Unit,
    creator: User | None,
) -> tuple[Wave, bool]:
    """The closed wave of ``plan`` with its responses and computed results; (wave, created)."""
    existing = Wave.objects.filter(period=plan.period, title_nl=plan.title_nl).first()
    if existing is not None:
        return existing, False
    wave = _new_wave(plan, [scope], creator, Status.CLOSED)
    rows = responses[responses["wave"] == plan.period]
    items = list(load_instrument(INSTRUMENT).item_ids())
    team_ids = [units[str(team)].pk for team in rows["team"]]
    attributes = [_attributes(row) for _, row in rows.iterrows()]
    # As a launch coarsens its invitees (surveys.snapshot): once, over the whole wave.
    for name in REPORT_ATTRIBUTES:
        coarsen(attributes, [0] * len(attributes), name, K)
    answers = rows[items].astype(object).where(rows[items].notna(), None)
    key = reporting_key()
    ids = [uuid.uuid4() for _ in team_ids]  # the sealed attributes are bound to them
    Response.objects.bulk_create(
        [
            Response(
                id=response_id,
                wave=wave,
                period=plan.period,
                unit_id=unit_id,
                sealed_attributes=seal_for_response(attrs, response_id, wave.pk, key),
                answers={
                    item: (None if value is None else int(value))
                    for item, value in zip(items, values, strict=True)
                },
            )
            for response_id, unit_id, attrs, values in zip(
                ids, team_ids, attributes, answers.itertuples(index=False), strict=True
            )
        ],
        batch_size=500,
    )
    launched = dt.datetime.combine(plan.opens_on, dt.time(9), tzinfo=dt.UTC)
    closed = dt.datetime.combine(plan.closes_on, dt.time(17), tzinfo=dt.UTC)
    Wave.objects.filter(pk=wave.pk).update(launched_at=launched, closed_at=closed)
    from vrijuit.results.services import compute_wave_results

    compute_wave_results(wave)
    return wave, True


def seed_open_wave(
    plan: WavePlan, scope: Unit, creator: User | None, *, today: dt.date
) -> tuple[Wave, bool]:
    """The open wave of ``plan``, launched (invitations made, none e-mailed); (wave, created).

    It opens today, so its respondent link works, and is launched as if the day before: the
    launch makes every invitation with its snapshot but sends no e-mail, so the demo does not
    print ~600 invitations to the console. The worker would send them on its next pass.
    """
    existing = Wave.objects.filter(period=plan.period, title_nl=plan.title_nl).first()
    if existing is not None:
        return existing, False
    opens = dataclasses.replace(
        plan, opens_on=today, closes_on=today + dt.timedelta(weeks=OPEN_WEEKS)
    )
    wave = _new_wave(opens, [scope], creator, Status.DRAFT)
    launch_wave(wave, today=today - dt.timedelta(days=1))
    wave.refresh_from_db()
    return wave, True


def respondent_link(wave: Wave, email: str) -> str | None:
    """A fresh link for the invitation of the person with ``email`` (their earlier link stops
    working: only the hash of the newest token is kept), or None when they have answered."""
    invitation = Invitation.objects.filter(
        wave=wave, person__email=email, responded=False, wave__status=Status.OPEN
    ).first()
    if invitation is None:
        return None
    token = new_token()
    invitation.token_hash = hash_token(token)
    invitation.save(update_fields=["token_hash"])
    return respond_url(token)
