"""Invitations to choose a password, for the accounts the HR import makes.

The link carries Django's password token machinery with its own salt and validity: the token
is derived from the account's password hash and last login, so it stops working once the
password is chosen (or the person logs in), and after ``VALID_DAYS`` in any case. Nothing of
the token is stored. Sending an invitation again gives the account a fresh unusable password,
so the link in an older invitation stops working too. Someone who uses "forgot password" before
choosing one gets the invitation again (``reinvite_on_request``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from vrijuit.accounts.models import Invitation, User
from vrijuit.web.mail import Mail, send_on_commit

log = logging.getLogger(__name__)

VALID_DAYS = 5
# An administrator can send an invitation again, but not more often than this per account:
# enough to fix a lost mail, too slow to flood someone's inbox.
RESEND_INTERVAL = timedelta(hours=1)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, with its own salt (a reset link is no invitation link
    and the other way round) and a validity of ``VALID_DAYS`` instead of the reset's day."""

    key_salt = "vrijuit.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - timestamp
        if age > VALID_DAYS * 24 * 60 * 60:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


class InvitationError(Exception):
    """An invitation that cannot be sent, with the reason in the reader's language."""


def invitation_url(user: User) -> str:
    path = reverse(
        "accounts:welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def display_name(user: User) -> str:
    """The name HR knows the person by, else the account's own name, else the address."""
    person = getattr(user, "person", None)
    if person is not None:
        return str(person.name)
    return user.get_full_name() or user.email


def _mail_for(user: User) -> Mail:
    context = {
        "name": display_name(user),
        "email": user.email,
        "url": invitation_url(user),
        "valid_days": VALID_DAYS,
        "site_url": settings.SITE_URL,
    }
    return Mail(user.email, user.language, "accounts/email/invitation", context)


def queue_invitations(users: Iterable[User], *, now: datetime | None = None) -> int:
    """Invite each of ``users`` (in the current transaction; the mails go out after it commits).

    Each gets an invitation row, stamped as queued now; the sent time is stamped once the mail
    server has taken the mails.
    """
    now = now or timezone.now()
    users = list(users)
    if not users:
        return 0
    existing = set(Invitation.objects.filter(user__in=users).values_list("user_id", flat=True))
    Invitation.objects.bulk_create(
        [Invitation(user=user, created_at=now) for user in users if user.pk not in existing]
    )
    ids = [user.pk for user in users]
    Invitation.objects.filter(user_id__in=ids).update(queued_at=now)
    mails = [_mail_for(user) for user in users]

    def mark_sent() -> None:
        Invitation.objects.filter(user_id__in=ids).update(
            sent_at=timezone.now(), times_sent=F("times_sent") + 1
        )

    send_on_commit(mails, on_sent=mark_sent)
    return len(users)


def can_be_invited(user: User) -> bool:
    """An active account whose password was never chosen (the invitation is still open)."""
    return user.is_active and not user.has_usable_password()


def next_send_allowed_at(invitation: Invitation | None) -> datetime | None:
    """When an invitation may be sent again (None: now)."""
    if invitation is None or invitation.queued_at is None:
        return None
    allowed = invitation.queued_at + RESEND_INTERVAL
    return allowed if allowed > timezone.now() else None


@transaction.atomic
def resend_invitation(user: User) -> None:
    """Send a fresh invitation to ``user``; the link of an earlier one stops working.

    Raises InvitationError when the account is inactive, already has a password, or was
    invited less than ``RESEND_INTERVAL`` ago.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise InvitationError(
            _("%(email)s's account is inactive: it gets no invitation.") % {"email": user.email}
        )
    if user.has_usable_password():
        raise InvitationError(
            _(
                "%(email)s has already chosen a password. If they forgot it, they can ask "
                "for a new one on the login page."
            )
            % {"email": user.email}
        )
    invitation = Invitation.objects.select_for_update().filter(user=user).first()
    allowed_at = next_send_allowed_at(invitation)
    if allowed_at is not None:
        raise InvitationError(
            _(
                "An invitation to %(email)s was sent less than an hour ago. You can send it "
                "again from %(time)s."
            )
            % {"email": user.email, "time": timezone.localtime(allowed_at).strftime("%H:%M")}
        )
    user.set_unusable_password()  # a new hash: the previous link no longer matches
    user.save(update_fields=["password"])
    queue_invitations([user])


class InvitationStatus(StrEnum):
    NOT_SENT = "not_sent"  # never sent, or the latest (re-)send has not reached the mail server
    SENT = "sent"  # the link in it still works, unless the person logged in meanwhile
    EXPIRED = "expired"  # older than VALID_DAYS: the link no longer works


@dataclass(frozen=True)
class InvitationState:
    """Where the invitation of an account without a password stands, for the people page."""

    status: InvitationStatus
    sent_at: datetime | None
    send_allowed_at: datetime | None  # None: it may be sent (again) now


def invitation_state(user: User, *, now: datetime | None = None) -> InvitationState | None:
    """The invitation state of ``user``; None for an account that gets no invitation (inactive,
    or with a password of its own)."""
    if not can_be_invited(user):
        return None
    now = now or timezone.now()
    invitation: Invitation | None = getattr(user, "invitation", None)
    sent_at = invitation.sent_at if invitation else None
    queued_at = invitation.queued_at if invitation else None
    # A re-send whose mail did not go out already voided the older link: not sent, not "sent".
    if sent_at is None or (queued_at is not None and queued_at > sent_at):
        status = InvitationStatus.NOT_SENT
    elif sent_at + timedelta(days=VALID_DAYS) <= now:
        status = InvitationStatus.EXPIRED
    else:
        status = InvitationStatus.SENT
    return InvitationState(status, sent_at, next_send_allowed_at(invitation))


def reinvite_on_request(email: str) -> bool:
    """ "Forgot password" for someone who never chose one: send their invitation again.

    Django's password reset skips accounts without a usable password, so a new colleague whose
    invitation expired or got lost would get nothing. Only an active account whose invitation
    is still open qualifies (an account that never had an invitation, or whose password was
    made unusable after it was chosen, is left alone), and only as often as an administrator
    may re-send. Returns whether an invitation was queued; the caller must not show it, so
    nobody learns from the reset page which addresses have accounts.
    """
    candidates = User.objects.filter(
        email__iexact=email,
        is_active=True,
        invitation__isnull=False,
        invitation__accepted_at__isnull=True,
    )
    queued = False
    for user in candidates:
        if user.has_usable_password():
            continue  # Django's own reset mail is on its way
        try:
            resend_invitation(user)
        except InvitationError:
            log.info("Invitation for account %s not sent again on request: too soon", user.pk)
        else:
            log.info("Invitation for account %s sent again on request", user.pk)
            queued = True
    return queued
