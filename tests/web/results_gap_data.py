"""Reporting-store rows whose scales hang together, for the tests of gaps per unit.

``results_data.add_responses`` answers every item near one level, reverse-keyed items too, so
its scales have no reliability and the engine (rightly) computes no gaps on them. Here each
person has their own level and answers every item from it, reverse-keyed items mirrored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import numpy as np


def add_people(
    wave: Any,
    unit: Any,
    n: int,
    *,
    attributes: Callable[[int], dict[str, str]],
    seed: int = 0,
    shift: float = 0.0,
    leader: bool = False,
) -> None:
    """``n`` responses in ``unit``; person ``i`` has ``attributes(i)``; ``shift`` moves their
    levels up (positive) or down on every scale."""
    from vrijuit.results.services import _instrument
    from vrijuit.surveys.models import Response
    from vrijuit.surveys.sealing import seal_for_response

    instrument = _instrument(wave.instrument)
    rng = np.random.default_rng(seed * 1000 + unit.pk)
    for i in range(n):
        position = rng.normal(0.0, 1.0) + shift
        answers: dict[str, int | None] = {}
        for scale in instrument.scales:
            low, high = int(scale.response_format.low), int(scale.response_format.high)
            middle, spread = (low + high) / 2, (high - low) / 4
            for item in scale.items:
                if scale.role == "leader_own" and not leader:
                    answers[item.id] = None
                    continue
                value = round(middle + spread * position + rng.normal(0.0, 0.5))
                value = max(low, min(high, value))
                answers[item.id] = low + high - value if item.reverse else value
        attrs = attributes(i)
        response_id = uuid.uuid4()
        Response.objects.create(
            id=response_id,
            wave=wave,
            period=wave.period,
            unit=unit,
            sealed_attributes=seal_for_response(attrs, response_id, wave.pk),
            answers=answers,
        )
