"""The respondent pages: no login, and no trace of who asked for them.

The invitation link is ``/respond/#<token>``: the fragment never reaches the server. A few lines
of JavaScript move it into a POSTed form field; without JavaScript the respondent pastes the code.
After the token is verified, only the invitation id is kept, server-side in the session (the
cookie carries the session key, nothing else), and it is dropped when the answers are submitted.
``/respond/`` is in ``LOG_SILENT_PATH_PREFIXES``, and these pages send ``Referrer-Policy:
same-origin`` and ``Cache-Control: no-store``. See docs/surveys.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vrijuit.respond.forms import CodeForm
from vrijuit.surveys import inbox_keys, services
from vrijuit.surveys.forms import ATTRIBUTE_LABELS
from vrijuit.surveys.models import Invitation, Status

log = logging.getLogger(__name__)

INVITATION_KEY = "respond_invitation"  # the invitation id, until the answers are submitted
DONE_KEY = "respond_done"  # "these answers were received": the stored confirmation


def no_trace(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the
        # form posts and Django's CSRF check refuses them. Other sites still get no referrer,
        # and the token lives in the fragment, which is never part of a referrer.
        response["Referrer-Policy"] = "same-origin"
        add_never_cache_headers(response)
        return response

    return wrapped


def _current_invitation(request: HttpRequest) -> Invitation | None:
    invitation_id = request.session.get(INVITATION_KEY)
    if invitation_id is None:
        return None
    invitation = (
        Invitation.objects.select_related("wave")
        .filter(pk=invitation_id, wave__status=Status.OPEN)
        .first()
    )
    if invitation is None:
        request.session.pop(INVITATION_KEY, None)
    return invitation


def _finish(request: HttpRequest) -> HttpResponse:
    request.session.pop(INVITATION_KEY, None)
    request.session[DONE_KEY] = True
    return redirect("respond:thanks")


@no_trace
def start(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_for_token(form.cleaned_data["code"])
        if invitation is None:
            form.add_error(
                "code",
                _(
                    "This code is not valid. It may be mistyped, replaced by a newer e-mail, "
                    "or the survey may have closed."
                ),
            )
        elif invitation.responded:
            return _finish(request)
        else:
            if not request.user.is_authenticated:
                request.session.set_expiry(0)  # gone when the browser closes
            request.session[INVITATION_KEY] = invitation.pk
            return redirect("respond:questions")
    return render(request, "respond/start.html", {"form": form})


def _questionnaire(invitation: Invitation, chosen: dict[str, str]) -> list[dict[str, Any]]:
    language = "en" if (get_language() or "nl").startswith("en") else "nl"
    instrument = services.instrument_of(invitation.wave)
    blocks = []
    for scale in services.scales_for(instrument, leads_unit=invitation.leads_unit):
        fmt = scale.response_format
        options = [
            (str(code), fmt.labels[code].get(language)) for code in range(fmt.low, fmt.high + 1)
        ]
        blocks.append(
            {
                "id": scale.id,
                "name": scale.name.get(language),
                "description": scale.description.get(language),
                "leaders_only": scale.audience == "leaders",
                "items": [
                    {
                        "id": item.id,
                        "text": item.text.get(language),
                        "options": options,
                        "chosen": chosen.get(item.id, ""),
                    }
                    for item in scale.items
                ],
            }
        )
    return blocks


@no_trace
def questions(request: HttpRequest) -> HttpResponse:
    invitation = _current_invitation(request)
    if invitation is None:
        # A retried submit after the answers were stored gets the same confirmation.
        if request.session.get(DONE_KEY):
            return redirect("respond:thanks")
        return redirect("respond:start")
    if invitation.responded:
        return _finish(request)
    error = None
    chosen: dict[str, str] = {}
    if request.method == "POST":
        chosen = {
            key: str(request.POST.get(key, ""))
            for key in request.POST
            if key != "csrfmiddlewaretoken"
        }
        try:
            services.submit_response(invitation.pk, chosen)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        except inbox_keys.KeyStoreUnavailableError as problem:
            return _not_saved(request, invitation, problem)
        else:
            return _finish(request)
    wave = invitation.wave
    context = {
        "wave": wave,
        "blocks": _questionnaire(invitation, chosen),
        "prefer_not": services.instrument_of(wave).prefer_not_to_say.get(
            "en" if (get_language() or "nl").startswith("en") else "nl"
        ),
        "error": error,
        "report_labels": [ATTRIBUTE_LABELS[a] for a in wave.report_attributes],
        "unit_labels": [ATTRIBUTE_LABELS[a] for a in wave.unit_attributes],
    }
    return render(request, "respond/questions.html", context)


def _not_saved(request: HttpRequest, invitation: Invitation, problem: Exception) -> HttpResponse:
    """The inbox's key directory is missing or not writable: the submit's transaction rolled
    back, so nothing was stored (not even ``responded``) and a later retry works.

    The respondent gets a page that says so, not a 500; the session keeps the invitation and
    the page does not run the script that clears the tab's draft. The operator gets one log
    line naming the wave and the directory's problem: no answer, no invitation, no person.
    """
    log.error(
        "respond: answers for wave %s were not stored, the respondent was asked to try again "
        "later: %s",
        invitation.wave_id,
        problem,
    )
    response = render(request, "respond/not_saved.html", status=503)
    response["Retry-After"] = "900"  # seconds; the page suggests a quarter of an hour
    return response


@no_trace
def thanks(request: HttpRequest) -> HttpResponse:
    if not request.session.get(DONE_KEY):
        return redirect("respond:start")
    return render(request, "respond/thanks.html")
