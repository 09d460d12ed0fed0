"""Granting and revoking the granted roles (analyst, confidential adviser, administrator).

Every change is one transaction that writes the grant and its audit-log entry together, and
mails the person (in their language) after the commit. Staff member and leader are no grants:
they follow from HR (``org.Person`` and ``org.Leadership``); see docs/permissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vrijuit.accounts.invitations import display_name
from vrijuit.accounts.models import RoleAction, RoleChange, User
from vrijuit.org.models import Role, RoleGrant
from vrijuit.web.mail import Mail, send_on_commit

GRANTED_ROLES = (Role.ANALYST, Role.ADVISER, Role.ADMINISTRATOR)


class RoleError(Exception):
    """A grant or revocation that is refused, with the reason in the reader's language."""


def active_administrators() -> QuerySet[User]:
    """Active accounts that are administrators: by grant, or as superusers."""
    return User.objects.filter(
        Q(role_grants__role=Role.ADMINISTRATOR) | Q(is_superuser=True), is_active=True
    ).distinct()


def role_label(role: str) -> str:
    return str(Role(role).label)


def _log(user: User, role: str, action: str, by: User) -> RoleChange:
    return RoleChange.objects.create(
        actor=by,
        actor_email=by.email,
        subject=user,
        subject_email=user.email,
        subject_name=display_name(user),
        role=role,
        action=action,
    )


def _mail(user: User, role: str, template: str) -> None:
    if not user.is_active:
        return  # nobody reads an inactive account's mail: the person has left
    context = {
        "name": display_name(user),
        "role": role,
        "role_name": Role(role).label,  # lazy: rendered in the recipient's language
        "site_url": settings.SITE_URL,
    }
    send_on_commit([Mail(user.email, user.language, f"accounts/email/{template}", context)])


@transaction.atomic
def grant_role(user: User, role: str, *, by: User) -> RoleChange:
    """Give ``user`` the ``role``; only active accounts get roles."""
    if role not in GRANTED_ROLES:
        raise RoleError(_("This role cannot be granted here."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise RoleError(
            _("%(email)s's account is inactive: roles are granted to active accounts only.")
            % {"email": user.email}
        )
    _grant, created = RoleGrant.objects.get_or_create(user=user, role=role)
    if not created:
        raise RoleError(
            _("%(email)s already has the role %(role)s.")
            % {"email": user.email, "role": role_label(role)}
        )
    change = _log(user, role, RoleAction.GRANTED, by)
    _mail(user, role, "role_granted")
    return change


@transaction.atomic
def revoke_role(user: User, role: str, *, by: User) -> RoleChange:
    """Take ``role`` from ``user``; refuses to remove the last active administrator."""
    if role not in GRANTED_ROLES:
        raise RoleError(_("This role cannot be revoked here."))
    # Lock every administrator grant, so that two administrators revoking each other at the
    # same moment cannot both pass the "someone else is left" check.
    list(RoleGrant.objects.select_for_update().filter(role=Role.ADMINISTRATOR))
    grant = RoleGrant.objects.filter(user=user, role=role).first()
    if grant is None:
        raise RoleError(
            _("%(email)s does not have the role %(role)s.")
            % {"email": user.email, "role": role_label(role)}
        )
    if (
        role == Role.ADMINISTRATOR
        and not active_administrators().exclude(pk=user.pk).exists()
        and not (user.is_superuser and user.is_active)
    ):
        raise RoleError(
            _(
                "%(email)s is the last administrator. Grant the administrator role to someone "
                "else first, so that somebody can still manage Vrijuit."
            )
            % {"email": user.email}
        )
    grant.delete()
    change = _log(user, role, RoleAction.REVOKED, by)
    _mail(user, role, "role_revoked")
    return change


@dataclass(frozen=True)
class RoleHolder:
    user: User
    name: str
    roles: list[str]  # Role values, in GRANTED_ROLES order
    superuser: bool


def role_holders() -> list[RoleHolder]:
    """Every account that holds a granted role, or is a superuser, by name."""
    users = (
        User.objects.filter(Q(role_grants__isnull=False) | Q(is_superuser=True))
        .distinct()
        .select_related("person")
        .prefetch_related("role_grants")
    )
    holders = []
    for user in users:
        held = {grant.role for grant in user.role_grants.all()}
        roles = [role.value for role in GRANTED_ROLES if role in held]
        holders.append(RoleHolder(user, display_name(user), roles, user.is_superuser))
    return sorted(holders, key=lambda holder: (holder.name.lower(), holder.user.email))
