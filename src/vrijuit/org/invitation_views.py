"""Sending a person's invitation again from the administrator's people page.

The rule and the rate limit are the roles page's (``accounts.invitations.resend_invitation``);
this view only finds the account from the person and returns to the people list.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vrijuit.accounts.invitations import InvitationError, resend_invitation
from vrijuit.org import permissions
from vrijuit.org.models import Person


@require_POST
@permissions.administrator_required
def send_invitation(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("user"), pk=person_id)
    if person.user is None:
        raise Http404  # nobody to invite: the people page offers no button for them
    try:
        resend_invitation(person.user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "A new invitation is on its way to %(name)s (%(email)s). The link in an earlier "
                "invitation no longer works."
            )
            % {"name": person.name, "email": person.user.email},
        )
    query = request.POST.get("q", "").strip()[:200]
    url = reverse("org:people")
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
