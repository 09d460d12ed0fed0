"""Accounts for the people the HR import lists: made, closed, reopened and readdressed.

The rule is a function of the people as they are after the import, so planning (for the
preview) and applying (in the import's transaction) use the same code, and applying the same
files twice changes nothing the second time:

* an active person without an account gets one: linked to an existing account with their
  address if there is one that belongs to nobody else, otherwise a new account with an
  unusable password and an invitation to choose one;
* a person HR no longer lists (inactive) loses access: their account is deactivated, which
  also ends their sessions (Django treats a session of an inactive account as logged out);
* an account the import deactivated comes back when HR lists the person again (an account
  closed by hand stays closed);
* the login address follows the address in HR.

Two things are refused and reported instead of written: an address that belongs to another
person's account, and closing the account of the last active administrator (somebody must
still be able to manage Vrijuit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from vrijuit.accounts.invitations import queue_invitations
from vrijuit.accounts.models import User
from vrijuit.org.models import Person, Role


@dataclass(frozen=True)
class PersonState:
    """A person as they will be after the import (``person_id`` None: added by it)."""

    person_id: int | None
    external_id: str
    name: str
    email: str
    language: str
    active: bool
    user_id: int | None


@dataclass(frozen=True)
class AccountLine:
    """One account change for the preview: whose, and (for a refusal) why."""

    external_id: str
    name: str
    email: str
    old_email: str = ""
    reason: str = ""


@dataclass
class AccountPlan:
    create: list[PersonState] = field(default_factory=list)
    link: list[tuple[PersonState, int]] = field(default_factory=list)
    deactivate: list[tuple[PersonState, int]] = field(default_factory=list)
    reactivate: list[tuple[PersonState, int]] = field(default_factory=list)
    readdress: list[tuple[PersonState, int, str]] = field(default_factory=list)  # old address
    kept_active: list[tuple[PersonState, int]] = field(default_factory=list)
    refused: list[AccountLine] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any([self.create, self.link, self.deactivate, self.reactivate, self.readdress])

    def counts(self) -> dict[str, int]:
        return {
            "accounts_created": len(self.create),
            "accounts_linked": len(self.link),
            "accounts_deactivated": len(self.deactivate),
            "accounts_reactivated": len(self.reactivate),
            "login_addresses_changed": len(self.readdress),
            "accounts_refused": len(self.refused) + len(self.kept_active),
            "invitations_sent": len(self.create),
        }

    def lines(self) -> dict[str, list[AccountLine]]:
        """The changes by kind, as the preview lists them."""

        def line(state: PersonState, old: str = "", reason: str = "") -> AccountLine:
            return AccountLine(state.external_id, state.name, state.email, old, reason)

        kept = _(
            "This account stays active: it is the last administrator's. Grant the "
            "administrator role to someone else, then import again."
        )
        return {
            "create": [line(state) for state in self.create],
            "deactivate": [line(state) for state, _user in self.deactivate],
            "reactivate": [line(state) for state, _user in self.reactivate],
            "readdress": [line(state, old) for state, _user, old in self.readdress],
            "refused": [*self.refused, *(line(s, reason=kept) for s, _u in self.kept_active)],
        }


@dataclass
class _Account:
    pk: int
    email: str
    is_active: bool
    deactivated_by_hr: bool
    administrator: bool


def current_states() -> list[PersonState]:
    """Every person as they are in the database now (addresses in lower case, as logins are)."""
    return [
        PersonState(p.pk, p.external_id, p.name, p.email.lower(), p.language, p.active, p.user_id)
        for p in Person.objects.order_by("external_id")
    ]


def plan_accounts(states: list[PersonState]) -> AccountPlan:
    """What the accounts need so that they match ``states`` (reads only)."""
    plan = AccountPlan()
    accounts = _accounts()
    final_email = {pk: account.email for pk, account in accounts.items()}
    ordered = sorted(states, key=lambda state: state.external_id)
    for state in ordered:
        if state.user_id is None:
            continue
        account = accounts[state.user_id]
        _plan_access(plan, state, account)
        if account.email != state.email:
            plan.readdress.append((state, account.pk, account.email))
            final_email[account.pk] = state.email
    _refuse_taken_addresses(plan, final_email)

    owner = {email: pk for pk, email in final_email.items()}
    linked = {state.user_id for state in states if state.user_id is not None}
    for state in ordered:
        if state.user_id is not None:
            continue
        pk = owner.get(state.email)
        if pk is not None and pk not in linked:
            # An account with their address that belongs to nobody: it is theirs.
            linked.add(pk)
            plan.link.append((state, pk))
            _plan_access(plan, state, accounts[pk])
        elif pk is None and state.active:
            plan.create.append(state)
        elif pk is not None and state.active:
            reason = _("No account is made: this address is the login of another person's account.")
            plan.refused.append(AccountLine(state.external_id, state.name, state.email, "", reason))
    _keep_the_last_administrator(plan, accounts)
    return plan


def _accounts() -> dict[int, _Account]:
    administrators = set(
        User.objects.filter(
            Q(role_grants__role=Role.ADMINISTRATOR) | Q(is_superuser=True)
        ).values_list("pk", flat=True)
    )
    return {
        pk: _Account(pk, email, active, by_hr, pk in administrators)
        for pk, email, active, by_hr in User.objects.values_list(
            "pk", "email", "is_active", "deactivated_by_hr"
        )
    }


def _plan_access(plan: AccountPlan, state: PersonState, account: _Account) -> None:
    if state.active and not account.is_active and account.deactivated_by_hr:
        plan.reactivate.append((state, account.pk))
    elif not state.active and account.is_active:
        plan.deactivate.append((state, account.pk))


def _refuse_taken_addresses(plan: AccountPlan, final_email: dict[int, str]) -> None:
    """A login address may move to another account only when its owner gets another one."""
    while True:
        owners: dict[str, int] = {}
        for email in final_email.values():
            owners[email] = owners.get(email, 0) + 1
        taken = [entry for entry in plan.readdress if owners[entry[0].email] > 1]
        if not taken:
            return
        for entry in taken:
            state, pk, old = entry
            final_email[pk] = old  # which may in turn block another move: check again
            plan.readdress.remove(entry)
            reason = _(
                "The login address stays %(old)s: the new address is the login of another account."
            ) % {"old": old}
            plan.refused.append(
                AccountLine(state.external_id, state.name, state.email, old, reason)
            )


def _keep_the_last_administrator(plan: AccountPlan, accounts: dict[int, _Account]) -> None:
    """Never close the accounts of every remaining active administrator."""
    closing = {pk for _state, pk in plan.deactivate}
    opening = {pk for _state, pk in plan.reactivate}
    remaining = [
        account
        for account in accounts.values()
        if account.administrator
        and (account.is_active or account.pk in opening)
        and account.pk not in closing
    ]
    if remaining:
        return
    kept = [(state, pk) for state, pk in plan.deactivate if accounts[pk].administrator]
    plan.kept_active.extend(kept)
    plan.deactivate = [entry for entry in plan.deactivate if entry not in kept]


def apply_accounts(plan: AccountPlan) -> dict[str, int]:
    """Write ``plan`` (inside the caller's transaction); invitations go out after the commit."""
    persons = {state.external_id: state for state in plan.create}
    people = {p.external_id: p for p in Person.objects.filter(external_id__in=[*persons])}
    for state, pk in plan.link:
        Person.objects.filter(external_id=state.external_id).update(user_id=pk)
    closing = [pk for _state, pk in plan.deactivate]
    User.objects.filter(pk__in=closing).update(is_active=False, deactivated_by_hr=True)
    reopening = [pk for _state, pk in plan.reactivate]
    User.objects.filter(pk__in=reopening).update(is_active=True, deactivated_by_hr=False)
    if plan.readdress:
        # Free the moving addresses first: two people may swap theirs in one import.
        for _state, pk, _old in plan.readdress:
            User.objects.filter(pk=pk).update(email=f"moving-{pk}@invalid.invalid")
        for state, pk, _old in plan.readdress:
            User.objects.filter(pk=pk).update(email=state.email)
    invited = []
    for external_id, state in sorted(persons.items()):
        user = _new_account(state)
        people[external_id].user = user
        people[external_id].save(update_fields=["user"])
        invited.append(user)
    queue_invitations(invited)
    return plan.counts()


def _new_account(state: PersonState) -> User:
    first, _space, last = state.name.partition(" ")
    extra: dict[str, Any] = {"first_name": first[:150], "last_name": last[:150]}
    # No password: create_user with None stores an unusable one; the invitation sets it.
    return User.objects.create_user(state.email, None, language=state.language, **extra)
