"""Who may see and do what: every permission decision of the web platform lives here.

Roles: *staff member* (an active ``Person`` with an account), *leader* (leads one or more units:
sees their subtrees, in aggregate only), and the granted roles *analyst* (whole organisation, in
aggregate only), *confidential adviser* and *administrator*. A superuser counts as administrator.
The matrix in tests/web/test_permission_matrix.py checks every URL against every persona;
docs/permissions.md explains how to add a row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from vrijuit.accounts.models import User
from vrijuit.org.models import Person, Role, Unit, UnitQuerySet

AnyUser = User | AnonymousUser
View = TypeVar("View", bound=Callable[..., HttpResponse])


def _granted(user: AnyUser, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cache: set[str] | None = getattr(user, "_vrijuit_roles", None)
    if cache is None:
        cache = set(user.role_grants.values_list("role", flat=True))
        user._vrijuit_roles = cache  # type: ignore[attr-defined]  # memo on this user object
    return role in cache


def is_administrator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or _granted(
        user, Role.ADMINISTRATOR
    )


def is_analyst(user: AnyUser) -> bool:
    return _granted(user, Role.ANALYST)


def is_adviser(user: AnyUser) -> bool:
    return _granted(user, Role.ADVISER)


def person_of(user: AnyUser) -> Person | None:
    """The user's active place in the organisation, if any."""
    if not user.is_authenticated:
        return None
    try:
        person = user.person
    except Person.DoesNotExist:
        return None
    return person if person.active else None


def is_staff_member(user: AnyUser) -> bool:
    return person_of(user) is not None


def led_units(user: AnyUser) -> UnitQuerySet:
    """The active units the user leads directly."""
    person = person_of(user)
    if person is None:
        return Unit.objects.none()
    return Unit.objects.active().filter(leaderships__person=person)


def is_leader(user: AnyUser) -> bool:
    return led_units(user).exists()


def led_subtree(user: AnyUser) -> UnitQuerySet:
    """Every active unit in the subtrees the user leads."""
    roots = list(led_units(user))
    if not roots:
        return Unit.objects.none()
    return Unit.objects.active().subtrees(roots)


def leads(user: AnyUser, unit: Unit) -> bool:
    """Is ``unit`` in a subtree the user leads?"""
    return any(unit.is_in_subtree_of(root) for root in led_units(user))


def visible_units(user: AnyUser) -> UnitQuerySet:
    """Units whose (aggregate, disclosure-controlled) results the user may see.

    Analysts and administrators: all. Leaders: their subtrees. Staff members: their own unit
    and the organisation (the root of their unit's tree).
    """
    if is_analyst(user) or is_administrator(user):
        return Unit.objects.active()
    ids: set[int] = set(led_subtree(user).values_list("pk", flat=True))
    person = person_of(user)
    if person is not None and person.unit.active:
        ids.add(person.unit.pk)
        ancestors = person.unit.ancestor_ids()
        if ancestors:
            ids.add(ancestors[0])
    return Unit.objects.active().filter(pk__in=ids)


def can_view_unit_results(user: AnyUser, unit: Unit) -> bool:
    return unit.active and visible_units(user).filter(pk=unit.pk).exists()


def can_view_unit_structure(user: AnyUser, unit: Unit) -> bool:
    """The unit page (sub-units, leaders, head count): administrators, analysts, its leaders."""
    return is_administrator(user) or is_analyst(user) or leads(user, unit)


def can_manage_organisation(user: AnyUser) -> bool:
    """Units, people, HR import: administrators only."""
    return is_administrator(user)


def roles_of(user: AnyUser) -> list[str]:
    """The user's roles, for navigation and the home page, in a fixed order."""
    checks: list[tuple[str, Callable[[AnyUser], bool]]] = [
        ("staff", is_staff_member),
        ("leader", is_leader),
        (Role.ANALYST, is_analyst),
        (Role.ADVISER, is_adviser),
        (Role.ADMINISTRATOR, is_administrator),
    ]
    return [name for name, check in checks if check(user)]


# --- Decorators for views -------------------------------------------------------------------


def user_passes(check: Callable[[AnyUser], bool]) -> Callable[[View], View]:
    """Anonymous → login page; logged in without permission → 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def unit_permission(
    check: Callable[[AnyUser, Unit], bool], kwarg: str = "unit_id"
) -> Callable[[View], View]:
    """Load the unit named by ``kwarg`` (404 if unknown), check it, pass it as ``unit``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            unit = get_object_or_404(Unit, pk=kwargs.pop(kwarg))
            if not check(request.user, unit):
                raise PermissionDenied
            return view(request, *args, unit=unit, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


login_required = user_passes(lambda user: True)
administrator_required = user_passes(can_manage_organisation)
analyst_required = user_passes(is_analyst)
