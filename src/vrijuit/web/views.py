"""Pages shared by every role: the home page and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from vrijuit.org import permissions
from vrijuit.org.models import Person, Unit
from vrijuit.surveys.models import Status, Wave


def _latest_released_wave() -> Wave | None:
    """The newest wave whose results have been released (what the home page links to)."""
    released = Wave.objects.filter(snapshots__released_at__isnull=False).distinct()
    return released.order_by("-opens_on", "-pk").first()


def _open_wave_for(person: Person | None) -> Wave | None:
    """An open wave this person is invited to: their own invitation, nothing about answering."""
    if person is None:
        return None
    invited = Wave.objects.filter(status=Status.OPEN, invitations__person=person)
    return invited.order_by("closes_on").first()


@permissions.login_required
def home(request: HttpRequest) -> HttpResponse:
    """One page, a section per role the user has, each with the links that fit what exists now:
    the latest released results, or why there are none yet."""
    user = request.user
    person = permissions.person_of(user)
    context = {
        "person": person,
        "led_units": permissions.led_units(user),
        "visible_units": permissions.visible_units(user).order_by("path")[:50],
        "is_analyst": permissions.is_analyst(user),
        "is_adviser": permissions.is_adviser(user),
        "is_administrator": permissions.is_administrator(user),
        "unit_count": Unit.objects.active().count() if permissions.is_administrator(user) else 0,
        "latest_wave": _latest_released_wave(),
        "open_wave": _open_wave_for(person),
    }
    return render(request, "web/home.html", context)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a logged-in user also their saved preference."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
