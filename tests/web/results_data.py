"""Waves and reporting-store rows for the results tests, written straight to the tables."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

ITEMS_PER_SCALE = 5


def make_wave(
    org: Any,
    *,
    period: str = "2025-najaar",
    k: int = 5,
    attributes: tuple[str, ...] = ("gender",),
    status: str = "closed",
    opens_on: dt.date = dt.date(2025, 10, 1),
    scope: tuple[Any, ...] = (),
    **extra: Any,
) -> Any:
    from vrijuit.surveys.models import Wave

    wave = Wave.objects.create(
        title_nl=f"Meting {period}",
        title_en=f"Survey {period}",
        instrument="vrijuit",
        period=period,
        opens_on=opens_on,
        closes_on=opens_on + dt.timedelta(days=30),
        k=k,
        report_attributes=list(attributes),
        unit_attributes=list(attributes),
        status=status,
        **extra,
    )
    wave.units.add(*(scope or (org.root,)))
    return wave


def add_responses(
    wave: Any,
    unit: Any,
    n: int,
    *,
    seed: int = 0,
    level: int = 4,
    gender: str | None = None,
    leader: bool = False,
    constant: bool = False,
) -> None:
    """``n`` responses in ``unit``; ``constant``: every answer the same (no spread at all)."""
    from vrijuit.stats.instruments import load_instrument
    from vrijuit.surveys.models import Response
    from vrijuit.surveys.sealing import seal_for_response

    instrument = load_instrument("vrijuit")
    rng = random.Random(seed * 1000 + unit.pk)
    for i in range(n):
        answers: dict[str, int | None] = {}
        for scale in instrument.scales:
            low, high = int(scale.response_format.low), int(scale.response_format.high)
            for item in scale.item_ids:
                if scale.role == "leader_own" and not leader:
                    answers[item] = None
                elif constant:
                    answers[item] = max(low, min(high, level))
                else:
                    near = level + rng.choice((-1, 0, 0, 1))
                    pick = rng.randint(low, high) if rng.random() < 0.4 else near
                    answers[item] = max(low, min(high, pick))
        attrs = {"gender": gender or ("woman" if i % 2 else "man")}
        response_id = uuid.uuid4()
        Response.objects.create(
            id=response_id,
            wave=wave,
            period=wave.period,
            unit=unit,
            sealed_attributes=seal_for_response(attrs, response_id, wave.pk),
            answers=answers,
        )
