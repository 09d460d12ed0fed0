"""Analyst pages: create, edit (while a draft), launch and close waves; send reminders.

No page here shows who has or has not responded; response rates only for groups of at least k
invitees (``services.response_rates``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vrijuit.org.permissions import analyst_required
from vrijuit.surveys import services
from vrijuit.surveys.forms import ATTRIBUTE_LABELS, WaveForm, instrument_title
from vrijuit.surveys.models import Invitation, Wave
from vrijuit.surveys.snapshot import invitees_of


def _privacy_context(wave: Wave) -> dict[str, object]:
    return {
        "wave": wave,
        "instrument": instrument_title(wave.instrument),
        "report_labels": [ATTRIBUTE_LABELS[a] for a in wave.report_attributes],
        "unit_labels": [ATTRIBUTE_LABELS[a] for a in wave.unit_attributes],
    }


@analyst_required
def wave_list(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/wave_list.html", {"waves": Wave.objects.all()})


@analyst_required
def wave_create(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wave = form.save(commit=False)
        wave.created_by = request.user  # type: ignore[assignment]  # logged in: a User
        wave.save()
        form.save_m2m()
        messages.success(request, _("The wave is saved as a draft."))
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    return render(request, "surveys/wave_form.html", {"form": form, "wave": None})


@analyst_required
def wave_edit(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    if not wave.is_draft:
        messages.error(request, _("A launched wave cannot be changed."))
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    form = WaveForm(request.POST or None, instance=wave)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The draft is saved."))
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    return render(request, "surveys/wave_form.html", {"form": form, "wave": wave})


@analyst_required
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    context = _privacy_context(wave)
    context["units"] = wave.units.all()
    if not wave.is_draft:
        context["rates"] = services.response_rates(wave)
        context["invited"] = Invitation.objects.filter(wave=wave).count()
    return render(request, "surveys/wave_detail.html", context)


@analyst_required
def wave_launch(request: HttpRequest, wave_id: int) -> HttpResponse:
    """GET: the privacy statement and what launching fixes; POST: launch."""
    wave = get_object_or_404(Wave, pk=wave_id)
    if not wave.is_draft:
        return redirect("surveys:wave_detail", wave_id=wave.pk)
    if request.method == "POST":
        try:
            count = services.launch_wave(wave)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("The wave is launched: %(count)s people are invited.") % {"count": count},
            )
            return redirect("surveys:wave_detail", wave_id=wave.pk)
    context = _privacy_context(wave)
    context["invitees"] = len(invitees_of(wave.units.all()))
    return render(request, "surveys/wave_launch.html", context)


@analyst_required
@require_POST
def wave_close(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    try:
        services.close_wave(wave)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The wave is closed."))
    return redirect("surveys:wave_detail", wave_id=wave.pk)


@analyst_required
@require_POST
def wave_remind(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = get_object_or_404(Wave, pk=wave_id)
    if not wave.is_open:
        messages.error(request, _("Reminders can be sent only while the wave is open."))
    else:
        services.send_reminders(wave)
        # Deliberately no count: it would tell how many have not answered yet, per moment.
        messages.success(request, _("Reminders are sent to everyone who may not have answered."))
    return redirect("surveys:wave_detail", wave_id=wave.pk)
