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
    leads,
    login_required,
    person_of,
    roles_of,
    unit_permission,
    user_passes,
)
from vrijuit.results.downloads import view_csv, view_pdf
from vrijuit.results.models import ResultSnapshot
from vrijuit.results.presentation import (
    View,
    analyst_view,
    leader_view,
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
    return render(
        request,
        "results/index.html",
        {
            "waves": waves,
            "led_units": led,
            "is_analyst": is_analyst(request.user),
            "has_a_role": _has_a_role(request.user),
        },
    )


@user_passes(_has_a_role)
def organisation(request: HttpRequest, wave_id: int, fmt: str | None = None) -> HttpResponse:
    snapshot = _snapshot(int(wave_id))
    person = person_of(request.user)
    own = str(person.unit_id) if person is not None else None
    return _respond(request, staff_view(snapshot, _lang(), own), snapshot, fmt)


def _leads_or_analyses(user: Any, unit: Unit) -> bool:
    return leads(user, unit) or is_analyst(user)


@unit_permission(_leads_or_analyses)
def unit(request: HttpRequest, wave_id: int, unit: Unit, fmt: str | None = None) -> HttpResponse:
    snapshot = _snapshot(int(wave_id))
    view = leader_view(snapshot, _lang(), str(unit.pk), earlier_snapshots(snapshot))
    return _respond(request, view, snapshot, fmt, unit=unit)


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
