"""Everything that changes survey waves: launch, invitations, reminders, responses, flush, close.

Each function is one transaction; e-mail goes out only after it commits. The worker
(``manage.py worker``, see ``surveys.worker``) calls the same functions as the tests do.
The anonymous path is described in docs/surveys.md.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import logging
import random
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from vrijuit.org.models import Leadership, Person, Unit
from vrijuit.stats.instruments import Instrument, Scale, available_instruments, load_instrument
from vrijuit.surveys import inbox, sealing
from vrijuit.surveys.models import InboxEntry, Invitation, Mode, Response, Status, Wave
from vrijuit.surveys.snapshot import invitees_of, take_snapshot
from vrijuit.web.mail import Mail, send_on_commit

log = logging.getLogger(__name__)

# --- Tokens: only their SHA-256 is stored -------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of an open wave this token belongs to, or None."""
    token = token.strip()
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("wave")
        .filter(token_hash=hash_token(token), wave__status=Status.OPEN)
        .first()
    )


def respond_url(token: str) -> str:
    # The token goes in the fragment: browsers never send it to the server (docs/surveys.md).
    return f"{settings.SITE_URL}/respond/#{token}"


# --- Pseudonyms (confidential mode only) ----------------------------------------------------

_DEV_PSEUDONYM_SALT = b"vrijuit-development-pseudonym"


def pseudonym_secret() -> bytes:
    secret = getattr(settings, "PSEUDONYM_SECRET", "")
    if secret:
        return secret.encode("utf-8")
    if settings.DEBUG:
        return hashlib.sha256(_DEV_PSEUDONYM_SALT + settings.SECRET_KEY.encode()).digest()
    raise ImproperlyConfigured(
        "VRIJUIT_PSEUDONYM_SECRET is not set: confidential waves need it (docs/surveys.md)."
    )


def pseudonym(person: Person) -> str:
    """HMAC-SHA256 of the person's stable HR id: the same across waves, unreadable without the
    server secret, and carrying no wave, time or database id."""
    message = f"person:{person.external_id}".encode()
    return hmac.new(pseudonym_secret(), message, hashlib.sha256).hexdigest()


# --- Instruments --------------------------------------------------------------------------


def instrument_of(wave: Wave) -> Instrument:
    return load_instrument(wave.instrument)


def scales_for(instrument: Instrument, *, leads_unit: bool) -> list[Scale]:
    """The scales one invitee answers: the leaders-only block only for those who lead a unit."""
    return [s for s in instrument.scales if s.audience == "all" or leads_unit]


def clean_answers(
    instrument: Instrument, raw: Mapping[str, Any], *, leads_unit: bool
) -> dict[str, int | None]:
    """Every item the invitee is asked, with an allowed code or None ("prefer not to say" or
    left open). Anything else (unknown items, codes out of range) is refused, not dropped."""
    answers: dict[str, int | None] = {}
    allowed_items: set[str] = set()
    for scale in scales_for(instrument, leads_unit=leads_unit):
        fmt = scale.response_format
        for item in scale.items:
            allowed_items.add(item.id)
            value = raw.get(item.id)
            if value in (None, "", "skip"):
                answers[item.id] = None
                continue
            try:
                code = int(value)
            except (TypeError, ValueError):
                raise ValidationError(_("An answer is not one of the options.")) from None
            if not fmt.low <= code <= fmt.high:
                raise ValidationError(_("An answer is not one of the options."))
            answers[item.id] = code
    unknown = set(raw) - allowed_items
    if unknown:
        raise ValidationError(_("The answers name questions that are not in this survey."))
    return answers


# --- Creating and launching -----------------------------------------------------------------


def launch_wave(wave: Wave, *, today: date | None = None) -> int:
    """Fix the wave's settings, take the snapshot, create the invitations and (when the wave
    opens today or earlier) send them. Returns the number of invitations."""
    today = today or timezone.localdate()
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if not wave.is_draft:
            raise ValidationError(_("This wave has already been launched."))
        if wave.instrument not in available_instruments():
            raise ValidationError(_("Choose one of the available instruments."))
        if set(wave.unit_attributes) - set(wave.report_attributes):
            # The form refuses this too; a wave made in code or the admin must not promise
            # respondents a split per unit that the results would not show (R9).
            raise ValidationError(
                _("A split per unit needs the same split of the whole organisation.")
            )
        if wave.mode == Mode.CONFIDENTIAL:
            pseudonym_secret()  # refuse now, not at the first response
        key = sealing.reporting_key()  # refuse before anything is written
        units = list(wave.units.all())
        people = invitees_of(units)
        if not people:
            raise ValidationError(_("Nobody is in the units in scope: there is no one to invite."))
        leaders = set(
            Leadership.objects.filter(person__in=people, unit__active=True).values_list(
                "person_id", flat=True
            )
        )
        snapshot = take_snapshot(
            people, wave.report_attributes, wave.unit_attributes, wave.k, leaders
        )
        invitations = Invitation.objects.bulk_create(
            Invitation(
                wave=wave,
                person=invitee.person,
                # A placeholder: the real token is made when the e-mail is sent.
                token_hash=hash_token(new_token()),
                unit_id=invitee.unit_id,
                leads_unit=invitee.leads_unit,
                language=invitee.person.language or "nl",
            )
            for invitee in snapshot
        )
        _seal_snapshots(invitations, [invitee.attributes for invitee in snapshot], key)
        wave.instrument_version = instrument_of(wave).version
        wave.status = Status.OPEN
        wave.launched_at = timezone.now()
        wave.next_check_at = None  # the worker looks at it on its next pass
        wave.save()
        if wave.opens_on <= today:
            send_due_invitations(wave, today=today)
    return len(snapshot)


def _seal_snapshots(
    invitations: list[Invitation], attributes: list[dict[str, str]], key: bytes
) -> None:
    """Seal each invitation's snapshot, bound to its id (known only once the rows exist)."""
    for invitation, attrs in zip(invitations, attributes, strict=True):
        invitation.sealed_attributes = sealing.seal_for_invitation(
            attrs, invitation.pk, invitation.wave_id, key
        )
    Invitation.objects.bulk_update(invitations, ["sealed_attributes"], batch_size=500)


def update_draft(wave: Wave, changes: dict[str, Any]) -> None:
    """Change a wave's settings; the locked ones only while it is a draft."""
    wave.check_unlocked_change(changes)
    for name, value in changes.items():
        setattr(wave, name, value)
    wave.save()


# --- E-mail -------------------------------------------------------------------------------


def _mail_for(invitation: Invitation, template: str) -> Mail:
    """Issue a fresh token (the old link stops working) and address the mail to the person."""
    person = _person_of(invitation)
    token = new_token()
    invitation.token_hash = hash_token(token)
    wave = invitation.wave
    with translation.override(invitation.language):
        context = {
            "name": person.name,
            "wave_title": wave.title,
            "closes_on": wave.closes_on,
            "url": respond_url(token),
            "token": token,
            "mode": wave.mode,
            "k": wave.k,
        }
    return Mail(person.email, invitation.language, f"surveys/email/{template}", context)


def _person_of(invitation: Invitation) -> Person:
    # Only a closed wave's invitations have no person (erased), and nothing mails or takes
    # answers for a closed wave; this says so if that ever changes.
    if invitation.person is None:
        raise ValueError(f"invitation {invitation.pk} belongs to a closed wave: no person")
    return invitation.person


def send_due_invitations(wave: Wave, *, today: date | None = None) -> int:
    """Send the invitations not yet sent, once the wave has opened."""
    today = today or timezone.localdate()
    if wave.status != Status.OPEN or wave.opens_on > today:
        return 0
    mails = []
    with transaction.atomic():
        pending = (
            # Not the person's row: an erased invitation has none, and PostgreSQL cannot lock
            # the nullable side of the outer join that makes.
            Invitation.objects.select_for_update(of=("self", "wave"))
            .select_related("person", "wave")
            .filter(wave=wave, sent_on__isnull=True)
        )
        for invitation in pending:
            mails.append(_mail_for(invitation, "invitation"))
            invitation.sent_on = today
            invitation.save(update_fields=["token_hash", "sent_on"])
        send_on_commit(mails, log_failure=False)
    return len(mails)


def reminder_due(wave: Wave, today: date) -> bool:
    if wave.status != Status.OPEN or not wave.remind_after_days or today > wave.closes_on:
        return False
    last = wave.last_reminder_on or wave.opens_on
    return today >= last + timedelta(days=wave.remind_after_days)


def send_reminders(wave: Wave, *, today: date | None = None) -> int:
    """Remind everyone invited who has not responded (and has had fewer than the maximum).

    Nobody learns who that is: the count returned is not shown per person anywhere, and the
    mails go out together."""
    today = today or timezone.localdate()
    mails = []
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if wave.status != Status.OPEN:
            return 0
        pending = (
            # Not the person's row: an erased invitation has none, and PostgreSQL cannot lock
            # the nullable side of the outer join that makes.
            Invitation.objects.select_for_update(of=("self", "wave"))
            .select_related("person", "wave")
            .filter(
                wave=wave,
                responded=False,
                sent_on__isnull=False,
                reminders_sent__lt=wave.max_reminders,
            )
        )
        for invitation in pending:
            mails.append(_mail_for(invitation, "reminder"))
            invitation.reminders_sent += 1
            invitation.save(update_fields=["token_hash", "reminders_sent"])
        wave.last_reminder_on = today
        wave.save(update_fields=["last_reminder_on"])
        send_on_commit(mails, log_failure=False)
    return len(mails)


def send_due_reminders(wave: Wave, *, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return send_reminders(wave, today=today) if reminder_due(wave, today) else 0


# --- Responding ---------------------------------------------------------------------------


def submit_response(invitation_id: int, raw_answers: Mapping[str, Any]) -> bool:
    """Write the answers to the inbox (encrypted) and mark participation, in one transaction.

    Idempotent: exactly one submit per invitation gets through, even when several arrive at once
    (the second waits for the first's row lock, then finds ``responded`` set). Returns True
    when this call stored the answers, False when an earlier one already had; either way the
    respondent sees the same confirmation.
    """
    invitation = Invitation.objects.select_related("wave").get(pk=invitation_id)
    wave = invitation.wave
    answers = clean_answers(instrument_of(wave), raw_answers, leads_unit=invitation.leads_unit)
    with transaction.atomic():
        # Locks in a fixed order, the wave before the invitation (as launch and reminders do).
        if not _wave_open_for_submit(wave.pk):
            return False
        # The row lock serialises concurrent submits on PostgreSQL; the conditional UPDATE
        # (no join: a joined subquery would not be re-checked after the lock wait) is the guard
        # on every database.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.responded:
            return False
        claimed = Invitation.objects.filter(pk=invitation.pk, responded=False).update(
            responded=True
        )
        if not claimed:
            return False
        payload: dict[str, Any] = {
            "unit": invitation.unit_id,
            # Opened with the reporting key only to be sealed again in the inbox payload.
            "attributes": sealing.invitation_attributes(invitation),
            "answers": answers,
        }
        if wave.mode == Mode.CONFIDENTIAL:
            payload["pseudonym"] = pseudonym(_person_of(invitation))
        # After the UPDATE above on purpose: on SQLite this transaction now holds the database's
        # only write lock, so no flush can seal the open batch between our read and our commit.
        inbox.put(wave, payload)
    return True


def _wave_open_for_submit(wave_id: int) -> bool:
    """Whether the wave takes answers; on PostgreSQL the wave's row then stays locked FOR SHARE
    until the submit commits.

    The flush takes that row FOR UPDATE before it seals the open inbox batch, so it waits for
    every submit in flight and new submits wait for it: no entry can join a batch after the
    flush that seals it, whose key is then destroyed (``inbox.clean_up_keys``). Submits share
    the lock, so they do not wait for each other. Django's ORM has no FOR SHARE, hence SQL.
    """
    table = connection.ops.quote_name(Wave._meta.db_table)
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        # The table name comes from the model, the id is a parameter.
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{share}", [wave_id])  # noqa: S608
        row = cursor.fetchone()
    return row is not None and row[0] == Status.OPEN


# --- From the inbox to the reporting store ---------------------------------------------------


def flush_inbox(wave: Wave, *, closing: bool = False, rng: random.Random | None = None) -> int:
    """Move into ``Response`` every waiting entry of each reporting unit that has at least k
    waiting (all of them when closing), in one shuffled batch; the rest keep waiting, encrypted.
    Returns the number of responses written.

    Why per unit: a database administrator sees which invitations are marked ``responded``, and
    every Response names its unit. If a unit's lone respondent could reach the reporting store
    in a batch filled up by other units, the one Response of that unit would be theirs. Moving
    a unit only with k or more of its own entries keeps every unit's count of Responses at 0 or
    at least k until the wave closes, and each later step at least k. The reporting unit is the
    unit the Response will carry (the launch snapshot's unit, ``payload["unit"]``): that is what
    the join uses, so grouping by any coarser cell would not protect (docs/surveys.md).

    Every entry is decrypted before anything is written; a missing or wrong key raises
    ``inbox.InboxKeyError`` with nothing moved. When something moves, the open batches are
    sealed, the staying entries are encrypted again under a new batch's key
    (``inbox.carry_over``), and after the commit the keys of the emptied batches are destroyed,
    so a copy of the inbox taken before can no longer be read.
    """
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        # FOR UPDATE: waits for the submits in flight, keeps new ones out until we commit.
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if not closing and InboxEntry.objects.filter(wave=wave).count() < wave.k:
            return 0  # no unit can have k waiting: not even worth decrypting
        opened = inbox.open_entries(wave)
        moving, staying = _ready_to_move(opened, wave.k, closing=closing)
        if not moving:
            return 0  # nothing sealed, nothing changed: the open batch keeps taking submits
        key = sealing.reporting_key()  # refuse before anything is written
        inbox.seal_open_batches(wave)
        rng.shuffle(moving)
        Response.objects.bulk_create(
            _new_response(wave, payload, key) for _entry, payload in moving
        )
        InboxEntry.objects.filter(pk__in=[entry.pk for entry, _payload in moving]).delete()
        if staying:
            inbox.carry_over(wave, staying, rng)
        # Only once the move is committed: destroying a key before would lose its answers if
        # the commit failed.
        transaction.on_commit(inbox.clean_up_keys)
    return len(moving)


def _new_response(wave: Wave, payload: dict[str, Any], key: bytes) -> Response:
    response_id = uuid.uuid4()  # made here: the sealed attributes are bound to it
    attributes = payload.get("attributes", {})
    return Response(
        id=response_id,
        wave=wave,
        period=wave.period,
        unit_id=payload["unit"],
        sealed_attributes=sealing.seal_for_response(attributes, response_id, wave.pk, key),
        answers=payload["answers"],
        pseudonym=payload.get("pseudonym"),
    )


Opened = list[tuple[InboxEntry, dict[str, Any]]]


def _ready_to_move(opened: Opened, k: int, *, closing: bool) -> tuple[Opened, Opened]:
    """(entries to move now, entries that stay): a unit moves when k or more of its entries
    wait, or when the wave closes."""
    by_unit: dict[int, Opened] = {}
    for entry, payload in opened:
        by_unit.setdefault(int(payload["unit"]), []).append((entry, payload))
    moving: Opened = []
    staying: Opened = []
    for entries in by_unit.values():
        (moving if closing or len(entries) >= k else staying).extend(entries)
    return moving, staying


def close_wave(wave: Wave) -> None:
    """Flush everything, erase what could link people to responses, close the wave, then
    compute its results (``vrijuit.results``)."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        if wave.status == Status.CLOSED:
            return
        if wave.status == Status.DRAFT:
            raise ValidationError(_("A wave that was never launched cannot be closed."))
        flush_inbox(wave, closing=True)
        erase_participation(wave)
        wave.status = Status.CLOSED
        wave.closed_at = timezone.now()
        wave.save(update_fields=["status", "closed_at"])
    _compute_results(wave)


def erase_participation(wave: Wave) -> int:
    """Reduce the wave's invitations to what a closed wave still needs: its wave and its unit
    (the invited counts of the response rates). Returns the number of invitations.

    Why: while the wave is open, ``responded`` (for reminders) and the launch snapshot (for the
    inbox payload) must be kept, and a database administrator could join them with the
    Responses of a unit. After the close nobody needs them, so the person, the token's hash,
    the ``responded`` flag, the attributes, leadership, language, sending date and reminder
    count are all erased, in the transaction that moves the last entries. (Migration
    ``surveys.0006`` did the same for the waves closed before.)"""
    return Invitation.objects.filter(wave=wave).update(**ERASED_INVITATION)


# What an invitation of a closed wave holds besides its wave and unit (models.Invitation).
ERASED_INVITATION: dict[str, Any] = {
    "person": None,
    "token_hash": None,
    "responded": False,
    "sealed_attributes": None,
    "leads_unit": False,
    "language": "",
    "sent_on": None,
    "reminders_sent": 0,
}


def _compute_results(wave: Wave) -> None:
    # Imported late: the results app builds on this one, not the other way round.
    try:
        results = importlib.import_module("vrijuit.results.services")
    except ModuleNotFoundError:
        log.warning("vrijuit.results is not installed: wave %s closed without results", wave.pk)
        return
    results.compute_wave_results(wave)


# --- Response rates: only for groups of at least k invitees --------------------------------


@dataclass
class Rate:
    unit: Unit
    invited: int
    responded: int | None  # None: fewer than k invited, not shown

    @property
    def percent(self) -> int | None:
        if self.responded is None or not self.invited:
            return None
        return round(100 * self.responded / self.invited)


def response_rates(wave: Wave) -> list[Rate]:
    """Per unit in the wave's tree (with its subtree): invitations and *flushed* responses.

    Counting flushed responses, not ``Invitation.responded``, means a rate moves only when a
    batch of at least k is flushed, so nobody can watch it tick after one colleague answers.
    """
    invited = dict(
        Invitation.objects.filter(wave=wave)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    answered = dict(
        Response.objects.filter(wave=wave)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    units = list(Unit.objects.subtrees(list(wave.units.all())).order_by("path"))
    totals: dict[int, tuple[int, int]] = {}
    for unit in units:
        ids = [u.pk for u in units if u.path.startswith(unit.path)]
        totals[unit.pk] = (
            sum(invited.get(i, 0) for i in ids),
            sum(answered.get(i, 0) for i in ids),
        )
    shown = {pk for pk, (n, _r) in totals.items() if n >= wave.k}
    _hide_small_residuals(units, totals, shown, wave.k)
    return [
        Rate(unit, totals[unit.pk][0], totals[unit.pk][1] if unit.pk in shown else None)
        for unit in units
        if totals[unit.pk][0]
    ]


def _hide_small_residuals(
    units: list[Unit], totals: dict[int, tuple[int, int]], shown: set[int], k: int
) -> None:
    """No parent minus its shown children may leave 1..k-1 invitees (their rate would follow by
    subtraction): hide the smallest shown child until the residual is 0 or at least k."""
    for parent in units:
        if parent.pk not in shown:
            continue
        children = [u for u in units if u.parent_id == parent.pk and u.pk in shown]
        children.sort(key=lambda u: (totals[u.pk][0], u.path))
        while children:
            residual = totals[parent.pk][0] - sum(totals[u.pk][0] for u in children)
            if residual == 0 or residual >= k:
                break
            shown.discard(children.pop(0).pk)
