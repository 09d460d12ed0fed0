"""Permission-matrix rows of the survey pages (analysts only), and the wave helpers the survey
and respond tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from web.matrix_rows import Row, statuses

ANALYST_ONLY = statuses(403, analyst=200)


def make_wave(org: Any, **fields: Any) -> Any:
    """A draft wave over the whole test organisation (override any field)."""
    from vrijuit.surveys.models import Wave

    today = timezone.localdate()
    values: dict[str, Any] = {
        "title_nl": "Peiling",
        "title_en": "Survey",
        "period": "2025-najaar",
        "opens_on": today,
        "closes_on": today + dt.timedelta(days=21),
        "k": 3,
        "report_attributes": ["position_level", "contract"],
        "unit_attributes": ["contract"],
    }
    values.update(fields)
    units = values.pop("units", [org.root])
    wave = Wave.objects.create(**values)
    wave.units.set(units)
    return wave


def add_people(unit: Any, count: int, prefix: str, **person: Any) -> list[Any]:
    """``count`` people without accounts in ``unit``."""
    from vrijuit.org.models import Person

    people = []
    for i in range(count):
        values = {"position_level": "phd", "contract": "temporary", "language": "nl"}
        values.update(person)
        people.append(
            Person.objects.create(
                external_id=f"{prefix}-{i}",
                name=f"{prefix.title()} {i}",
                email=f"{prefix}{i}@example.org",
                unit=unit,
                **values,
            )
        )
    return people


def _wave(org: Any) -> dict[str, Any]:
    return {"wave_id": make_wave(org).pk}


ROWS = {
    "surveys:wave_list": [Row(ANALYST_ONLY)],
    "surveys:wave_create": [Row(ANALYST_ONLY)],
    "surveys:wave_detail": [Row(ANALYST_ONLY, kwargs=_wave)],
    "surveys:wave_edit": [Row(ANALYST_ONLY, kwargs=_wave, note="a draft")],
    "surveys:wave_launch": [Row(ANALYST_ONLY, kwargs=_wave, note="the review page")],
    "surveys:wave_close": [
        Row(statuses(403, analyst=302), kwargs=_wave, method="post", note="back to the wave")
    ],
    "surveys:wave_remind": [
        Row(statuses(403, analyst=302), kwargs=_wave, method="post", note="back to the wave")
    ],
}
