"""Links into the results from other parts of the site."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from vrijuit.org.models import Unit
from vrijuit.org.permissions import is_analyst, leads
from vrijuit.results.models import ResultSnapshot


def may_see_unit_results(user: Any, unit: Unit) -> bool:
    """The results page of a unit: leaders of its subtree and analysts (as results.views)."""
    return leads(user, unit) or is_analyst(user)


def latest_unit_results_url(user: Any, unit: Unit) -> str | None:
    """The unit's page in the newest wave with released results that includes the unit, or
    None when there is none or the user may not see it."""
    if not may_see_unit_results(user, unit):
        return None
    released = (
        ResultSnapshot.objects.filter(released_at__isnull=False)
        .order_by("-wave__opens_on", "-wave_id", "-created_at", "-pk")
        .only("wave_id", "tree")
    )
    seen: set[int] = set()
    for snapshot in released:
        if snapshot.wave_id in seen:  # an older computation of a wave already looked at
            continue
        seen.add(snapshot.wave_id)
        if str(unit.pk) in (snapshot.tree or {}):
            return reverse("results:unit", args=[snapshot.wave_id, unit.pk])
    return None
