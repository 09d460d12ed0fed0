"""The administrator's roles page: who holds which role, grant, revoke (after a confirmation),
send an invitation again, and the audit log of every role change."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vrijuit.accounts.forms import GrantRoleForm
from vrijuit.accounts.invitations import (
    VALID_DAYS,
    InvitationError,
    can_be_invited,
    display_name,
    next_send_allowed_at,
    resend_invitation,
)
from vrijuit.accounts.models import Invitation, RoleChange, User
from vrijuit.accounts.roles import (
    GRANTED_ROLES,
    RoleError,
    active_administrators,
    grant_role,
    revoke_role,
    role_holders,
    role_label,
)
from vrijuit.org.permissions import administrator_required

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 25
LOG_PAGE_SIZE = 25


def _search(query: str) -> QuerySet[User]:
    return (
        User.objects.filter(
            Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(person__name__icontains=query)
        )
        .select_related("person", "person__unit", "invitation")
        .prefetch_related("role_grants")
        .order_by("email")
    )


def _found(query: str) -> tuple[list[dict[str, object]], int]:
    """Search results: each account with its roles, the roles it can still get, and its
    invitation state."""
    if len(query) < SEARCH_MIN_LENGTH:
        return [], 0
    matches = _search(query)
    total = matches.count()
    rows = []
    for user in matches[:SEARCH_LIMIT]:
        held = {grant.role for grant in user.role_grants.all()}
        invitation = getattr(user, "invitation", None)
        rows.append(
            {
                "user": user,
                "name": display_name(user),
                "person": getattr(user, "person", None),
                "roles": [role for role in GRANTED_ROLES if role in held],
                "grantable": [role for role in GRANTED_ROLES if role not in held],
                "invitation": invitation,
                "can_invite": can_be_invited(user),
                "send_allowed_at": next_send_allowed_at(invitation),
            }
        )
    return rows, total


def _back_to_roles(query: str = "") -> HttpResponse:
    url = reverse("accounts:roles")
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


@administrator_required
def roles(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    found, total = _found(query)
    log = Paginator(RoleChange.objects.all(), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    pending = Invitation.objects.filter(accepted_at__isnull=True, user__is_active=True)
    context = {
        "holders": role_holders(),
        "query": query,
        "found": found,
        "total": total,
        "search_limit": SEARCH_LIMIT,
        "search_min_length": SEARCH_MIN_LENGTH,
        "log": log,
        "role_names": [(role.value, role.label) for role in GRANTED_ROLES],
        "pending_invitations": pending.count(),
        "unsent_invitations": pending.filter(sent_at__isnull=True).count(),
        "valid_days": VALID_DAYS,
    }
    return render(request, "accounts/roles.html", context)


@require_POST
@administrator_required
def grant(request: HttpRequest) -> HttpResponse:
    form = GrantRoleForm(request.POST)
    query = request.POST.get("q", "").strip()[:200]
    if not form.is_valid():
        messages.error(request, _("Choose an account and a role to grant."))
        return _back_to_roles(query)
    user = form.cleaned_data["user"]
    role = form.cleaned_data["role"]
    try:
        grant_role(user, role, by=request.user)  # type: ignore[arg-type]
    except RoleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s now has the role %(role)s. They get an e-mail about it.")
            % {"name": display_name(user), "role": role_label(role)},
        )
    return _back_to_roles(query)


@administrator_required
def revoke(request: HttpRequest, user_id: int, role: str) -> HttpResponse:
    """GET: what revoking means, with the warnings; POST: revoke."""
    user = get_object_or_404(User, pk=user_id)
    if role not in GRANTED_ROLES or not user.role_grants.filter(role=role).exists():
        raise Http404
    is_self = user.pk == request.user.pk
    if request.method == "POST":
        try:
            revoke_role(user, role, by=request.user)  # type: ignore[arg-type]
        except RoleError as error:
            messages.error(request, str(error))
            return redirect("accounts:roles")
        messages.success(
            request,
            _("%(name)s no longer has the role %(role)s. They get an e-mail about it.")
            % {"name": display_name(user), "role": role_label(role)},
        )
        if is_self and role == "administrator" and not request.user.is_superuser:
            return redirect("web:home")  # the roles page is no longer theirs
        return redirect("accounts:roles")
    last_administrator = (
        role == "administrator"
        and not active_administrators().exclude(pk=user.pk).exists()
        and not (user.is_superuser and user.is_active)
    )
    context = {
        "subject": user,
        "name": display_name(user),
        "role": role,
        "role_name": role_label(role),
        "is_self": is_self,
        "last_administrator": last_administrator,
    }
    return render(request, "accounts/role_revoke.html", context)


@require_POST
@administrator_required
def send_invitation(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    query = request.POST.get("q", "").strip()[:200]
    try:
        resend_invitation(user)
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "A new invitation is on its way to %(email)s. The link in an earlier "
                "invitation no longer works."
            )
            % {"email": user.email},
        )
    return _back_to_roles(query)
