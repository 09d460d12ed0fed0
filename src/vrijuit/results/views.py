"""Results pages and downloads. Each reads the wave's latest released snapshot, never answers.

Who sees what (docs/results.md): everyone with a role sees the organisation (staff members also
their own unit), leaders their subtrees, analysts the whole analysis. A download (CSV or PDF) is
the page's own tables.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from vrijuit.org.models import Unit
from vrijuit.org.permissions import (
    is_analyst,
    led_units,
    login_required,
    person_of,
    roles_of,
    unit_permission,
    user_passes,
)
from vrijuit.results.downloads import view_csv, view_pdf
from vrijuit.results.links import may_see_unit_results
from vrijuit.results.models import ResultSnapshot
from vrijuit.results.presentation import (
    OwnUnitStatus,
    View,
    analyst_view,
    leader_view,
    own_unit_status,
    staff_view,
    unit_gaps_view,
)
from vrijuit.results.reading import reading_note
from vrijuit.results.services import earlier_snapshots
from vrijuit.surveys.models import Wave


def _lang() -> str:
    return (get_language() or "nl")[:2]


def _snapshot(wave_id: int) -> ResultSnapshot:
    snapshot = (
        ResultSnapshot.objects.filter(wave_id=wave_id, released_at__isnull=False)
        .select_related("wave")
        .order_by("-created_at", "-pk")
        .first()
    )
    if snapshot is None:
        raise Http404
    return snapshot


def _respond(
    request: HttpRequest, view: View, snapshot: ResultSnapshot, fmt: str | None, **extra: Any
) -> HttpResponse:
    context = {
        "view": view,
        "snapshot": snapshot,
        "wave": snapshot.wave,
        "reading": reading_note(snapshot.report),
        **extra,
    }
    stem = f"vrijuit-{snapshot.wave.period}-{view.kind}"
    choice = extra.get("choice")
    if choice is not None and choice.chosen:
        stem += f"-{choice.chosen}"
    if fmt == "csv":
        response = HttpResponse(view_csv(view), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if fmt == "pdf":
        response = HttpResponse(view_pdf(context), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{stem}.pdf"'
        return response
    return render(request, "results/view.html", context)


def _has_a_role(user: Any) -> bool:
    return bool(roles_of(user))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    waves = (
        Wave.objects.filter(snapshots__released_at__isnull=False).distinct().order_by("-opens_on")
    )
    person = person_of(request.user)
    led = list(Unit.objects.filter(leaderships__person=person)) if person else []
    own = person.unit if person is not None else None
    return render(
        request,
        "results/index.html",
        {
            "waves": [(wave, _own_unit_status(wave, own)) for wave in waves],
            "own_unit": own,
            "led_units": led,
            "is_analyst": is_analyst(request.user),
            "has_a_role": _has_a_role(request.user),
        },
    )


def _own_unit_status(wave: Wave, unit: Unit | None) -> OwnUnitStatus | None:
    """Whether the staff member's own unit is shown in the wave's results, and if not, why;
    None when they have no unit or it took no part in the wave."""
    if unit is None:
        return None
    snapshot = _snapshot(wave.pk)
    return own_unit_status(snapshot, _lang(), str(unit.pk))


@user_passes(_has_a_role)
def organisation(request: HttpRequest, wave_id: int, fmt: str | None = None) -> HttpResponse:
    snapshot = _snapshot(int(wave_id))
    person = person_of(request.user)
    own = str(person.unit_id) if person is not None else None
    return _respond(request, staff_view(snapshot, _lang(), own), snapshot, fmt)


@unit_permission(may_see_unit_results)
def unit(request: HttpRequest, wave_id: int, unit: Unit, fmt: str | None = None) -> HttpResponse:
    """One unit: its own results and one row per direct sub-unit, each linking to its own page
    (the same permission check lets a leader open any unit of their subtree)."""
    snapshot = _snapshot(int(wave_id))

    def link(unit_id: str) -> str:
        return reverse("results:unit", args=[snapshot.wave_id, int(unit_id)])

    view = leader_view(snapshot, _lang(), str(unit.pk), earlier_snapshots(snapshot), link)
    return _respond(
        request, view, snapshot, fmt, unit=unit, breadcrumb=_breadcrumb(request.user, unit)
    )


def _breadcrumb(user: Any, unit: Unit) -> list[Unit]:
    """The units from the viewer's top unit down to ``unit``: the highest unit above it that
    they lead, or the organisation for an analyst who leads none of them."""
    line = [*unit.ancestor_ids(), unit.pk]
    led = set(led_units(user).filter(pk__in=line).values_list("pk", flat=True))
    top = next((i for i, pk in enumerate(line) if pk in led), 0)
    units = Unit.objects.in_bulk(line[top:])
    return [units[pk] for pk in line[top:] if pk in units]


@user_passes(is_analyst)
def analysis(request: HttpRequest, wave_id: int, fmt: str | None = None) -> HttpResponse:
    snapshot = _snapshot(int(wave_id))
    return _respond(
        request, analyst_view(snapshot, _lang(), earlier_snapshots(snapshot)), snapshot, fmt
    )


@user_passes(is_analyst)
def unit_gaps(request: HttpRequest, wave_id: int, fmt: str | None = None) -> HttpResponse:
    """Analysts only: differences between groups within each unit, for one chosen scale
    (``?scale=``; leaders never get unit × attribute cells)."""
    snapshot = _snapshot(int(wave_id))
    view, choice = unit_gaps_view(snapshot, _lang(), request.GET.get("scale") or None)
    query = f"?{urlencode({'scale': choice.chosen})}" if choice.chosen else ""
    downloads = {
        f"{kind}_url": reverse("results:unit_gaps_download", args=[snapshot.wave_id, kind]) + query
        for kind in ("csv", "pdf")
    }
    return _respond(request, view, snapshot, fmt, choice=choice, **downloads)
