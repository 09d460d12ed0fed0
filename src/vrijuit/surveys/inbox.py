"""The inbox's batches and their keys: where a submitted payload is encrypted, and where the
keys are destroyed once their answers have moved to the reporting store.

Life cycle (docs/surveys.md, "The inbox's keys"):

1. ``put`` (inside the submit's transaction) encrypts the payload with the key of the wave's open
   batch; when there is none it writes a new key file, then inserts the batch row.
2. ``seal_open_batches`` (inside the flush's transaction, before reading the entries): no new
   entry joins these batches any more; the next submit starts a new one.
3. ``open_entries`` decrypts every entry of the wave, or raises ``InboxKeyError`` naming the
   wave and the batches it cannot open, before anything is moved.
4. ``carry_over`` (inside the flush, when entries of some units stay behind): re-encrypts them
   as new rows of a new batch with a new key, so the sealed batches empty completely.
5. ``clean_up_keys`` (after the flush commits, and on every worker pass) destroys the key and
   the row of every sealed batch with no entries left, and key files without a batch row.

The locking that makes step 4 safe is in ``services.submit_response`` and ``flush_inbox``:
a flush holds the wave's row FOR UPDATE while it seals and moves, and every submit holds it
FOR SHARE while it writes, so an entry can never be added to a batch after its flush.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vrijuit.surveys import inbox_crypto, inbox_keys
from vrijuit.surveys.models import InboxBatch, InboxEntry, Wave

log = logging.getLogger(__name__)

# A key file without a batch row is left alone this long: a submit writes its new batch's key
# before the row, and the row only becomes visible when that submit commits.
ORPHAN_KEY_GRACE_SECONDS = 60 * 60


class InboxKeyError(Exception):
    """Entries of a wave cannot be decrypted: their batch's key is missing, unreadable or wrong.

    Nothing is moved or deleted; the entries wait until the key is restored. The message names
    the wave and each batch with its problem, never any answer or attribute.
    """

    def __init__(
        self,
        wave_id: int,
        problems: dict[uuid.UUID, str],
        counts: dict[uuid.UUID, int] | None = None,
    ):
        self.wave_id = wave_id
        self.problems = problems
        counts = counts or {}
        details = "; ".join(
            f"batch {batch_id}"
            + (f" ({counts[batch_id]} entries)" if batch_id in counts else "")
            + f": {problem}"
            for batch_id, problem in sorted(problems.items())
        )
        super().__init__(
            f"The inbox of wave {wave_id} cannot be decrypted: {details}. Nothing was moved or "
            "deleted; the entries stay in the inbox until the key file is restored "
            "(docs/surveys.md, 'The inbox's keys')."
        )


def put(wave: Wave, payload: dict[str, Any]) -> InboxEntry:
    """Encrypt ``payload`` into a new entry of the wave's open batch (made when there is none).

    Call inside the submit's transaction, after the wave's row is locked for sharing.
    """
    batch, key = _open_batch_with_key(wave)
    entry_id = uuid.uuid4()
    ciphertext = inbox_crypto.encrypt(
        key, payload, entry_id=entry_id, wave_id=wave.pk, batch_id=batch.pk
    )
    return InboxEntry.objects.create(id=entry_id, wave=wave, batch=batch, ciphertext=ciphertext)


def _open_batch_with_key(wave: Wave) -> tuple[InboxBatch, bytes]:
    # Two first submits at the same moment may each make a batch: both are valid, and the flush
    # seals and moves every open batch of the wave. Later submits all pick the same one.
    batch = InboxBatch.objects.filter(wave=wave, sealed=False).order_by("id").first()
    if batch is not None:
        try:
            return batch, inbox_keys.load_key(batch.pk)
        except inbox_keys.KeyUnavailableError as problem:
            # Its entries wait for the key to come back (the flush reports them); new answers
            # go to a new batch, so respondents can still answer.
            InboxBatch.objects.filter(pk=batch.pk).update(sealed=True)
            log.error(
                "inbox: wave %s, batch %s: %s; sealed it, new answers go to a new batch",
                wave.pk,
                batch.pk,
                problem,
            )
    batch_id = uuid.uuid4()
    key = inbox_keys.create_key(batch_id)  # on disk before the row can commit
    return InboxBatch.objects.create(id=batch_id, wave=wave), key


def carry_over(
    wave: Wave, staying: list[tuple[InboxEntry, dict[str, Any]]], rng: random.Random
) -> InboxBatch:
    """Move the entries that stay in the inbox to a new open batch with a new key.

    Call inside the flush's transaction, after ``seal_open_batches``. Why: a flush moves only
    the units that have k entries waiting; if the others kept their old batch, that batch's key
    would outlive the flush, and a copy of the inbox taken before it (a backup, a WAL segment)
    would stay readable, the moved entries included. So the staying payloads are encrypted
    again, under new entry ids (an old copy's row id leads nowhere) and in a shuffled order,
    and the old rows are deleted: every sealed batch is then empty and its key is destroyed
    after the commit. New submits join the new batch.
    """
    batch_id = uuid.uuid4()
    key = inbox_keys.create_key(batch_id)  # on disk before the row can commit
    batch = InboxBatch.objects.create(id=batch_id, wave=wave)
    InboxEntry.objects.filter(pk__in=[entry.pk for entry, _payload in staying]).delete()
    payloads = [payload for _entry, payload in staying]
    rng.shuffle(payloads)
    renewed = []
    for payload in payloads:
        entry_id = uuid.uuid4()
        ciphertext = inbox_crypto.encrypt(
            key, payload, entry_id=entry_id, wave_id=wave.pk, batch_id=batch.pk
        )
        renewed.append(InboxEntry(id=entry_id, wave=wave, batch=batch, ciphertext=ciphertext))
    InboxEntry.objects.bulk_create(renewed)
    return batch


def seal_open_batches(wave: Wave) -> int:
    return InboxBatch.objects.filter(wave=wave, sealed=False).update(sealed=True)


def open_entries(wave: Wave) -> list[tuple[InboxEntry, dict[str, Any]]]:
    """Every inbox entry of the wave with its decrypted payload.

    All or nothing: when any batch's key is missing or does not open one of its entries, raise
    ``InboxKeyError`` naming the wave and every such batch.
    """
    by_batch: dict[uuid.UUID, list[InboxEntry]] = defaultdict(list)
    for entry in InboxEntry.objects.filter(wave=wave):
        by_batch[entry.batch_id].append(entry)
    opened: list[tuple[InboxEntry, dict[str, Any]]] = []
    problems: dict[uuid.UUID, str] = {}
    for batch_id, entries in by_batch.items():
        try:
            key = inbox_keys.load_key(batch_id)
            opened.extend((entry, _decrypt(key, entry)) for entry in entries)
        except (inbox_keys.KeyUnavailableError, inbox_crypto.CannotDecryptError) as problem:
            problems[batch_id] = str(problem)
    if problems:
        counts = {batch_id: len(entries) for batch_id, entries in by_batch.items()}
        raise InboxKeyError(wave.pk, problems, counts)
    return opened


def open_entry(entry: InboxEntry) -> dict[str, Any]:
    """One entry's payload (for checks and tests); raises ``InboxKeyError`` like the flush."""
    try:
        return _decrypt(inbox_keys.load_key(entry.batch_id), entry)
    except (inbox_keys.KeyUnavailableError, inbox_crypto.CannotDecryptError) as problem:
        raise InboxKeyError(entry.wave_id, {entry.batch_id: str(problem)}) from None


def _decrypt(key: bytes, entry: InboxEntry) -> dict[str, Any]:
    return inbox_crypto.decrypt(
        key, entry.ciphertext, entry_id=entry.pk, wave_id=entry.wave_id, batch_id=entry.batch_id
    )


def clean_up_keys(*, now: float | None = None) -> int:
    """Destroy the keys that protect nothing any more; returns how many files were removed.

    * Every sealed batch without entries: its key file, then its row. Safe at any time: a sealed
      batch never gets a new entry.
    * Every key file without a batch row (a submit that rolled back after writing a new key, or
      a batch whose wave was deleted) and every leftover temporary file, once it is older than
      ``ORPHAN_KEY_GRACE_SECONDS``; a younger one may belong to a submit still in progress.

    Run it outside a transaction (``transaction.on_commit``), so that "no entries left" is
    what the database has committed.
    """
    removed = 0
    for batch_id in InboxBatch.objects.filter(sealed=True, entries__isnull=True).values_list(
        "id", flat=True
    ):
        removed += inbox_keys.destroy_key(batch_id)
        InboxBatch.objects.filter(pk=batch_id, entries__isnull=True).delete()
    files = list(inbox_keys.key_files())
    known = set(
        InboxBatch.objects.filter(pk__in=[f.batch_id for f in files if f.batch_id]).values_list(
            "id", flat=True
        )
    )
    for key_file in files:
        orphan = key_file.batch_id is None or key_file.batch_id not in known
        if orphan and inbox_keys.age_seconds(key_file, now) > ORPHAN_KEY_GRACE_SECONDS:
            removed += inbox_keys.destroy_file(key_file)
    return removed


# --- A lost key, dealt with deliberately (``manage.py inbox_keys``) ----------------------------


@dataclass(frozen=True)
class BatchHealth:
    """One inbox batch as the operator sees it: counts and the key's state, never content."""

    wave_id: int
    batch_id: uuid.UUID
    sealed: bool
    entries: int
    problem: str | None  # None: the key is there and opens every entry


def batch_health() -> list[BatchHealth]:
    """Every inbox batch with entries, and whether its key opens all of them."""
    report = []
    batches = InboxBatch.objects.order_by("wave_id", "id")
    for batch in batches:
        entries = list(InboxEntry.objects.filter(batch=batch))
        if not entries:
            continue  # the clean-up's business
        report.append(
            BatchHealth(batch.wave_id, batch.pk, batch.sealed, len(entries), _problem(entries))
        )
    return report


def _problem(entries: list[InboxEntry]) -> str | None:
    try:
        key = inbox_keys.load_key(entries[0].batch_id)
        for entry in entries:
            _decrypt(key, entry)
    except (inbox_keys.KeyUnavailableError, inbox_crypto.CannotDecryptError) as problem:
        return str(problem)
    return None


class BatchStillReadableError(Exception):
    """Refusing to discard a batch whose key opens every entry: flush it instead."""


def discard_batch(batch_id: uuid.UUID) -> int:
    """Delete a batch whose key is lost, with its entries; returns how many entries (answers)
    were lost. Their respondents stay marked as having answered: nothing says who they were.

    Only for a key that is truly gone: a batch whose key still opens every entry is refused
    (``BatchStillReadableError``), so no readable answer is ever thrown away by mistake.
    Raises ``InboxBatch.DoesNotExist`` for an unknown batch. The wave's row is locked as a flush
    locks it, so no submit joins the batch meanwhile.
    """
    with transaction.atomic():
        batch = InboxBatch.objects.get(pk=batch_id)
        Wave.objects.select_for_update().get(pk=batch.wave_id)
        entries = list(InboxEntry.objects.filter(batch=batch))
        if entries and _problem(entries) is None:
            raise BatchStillReadableError(
                f"The key of batch {batch_id} opens all {len(entries)} of its entries: flush "
                "the wave instead (nothing was discarded)."
            )
        count = InboxEntry.objects.filter(batch=batch).delete()[0]
        batch.delete()
        # A damaged key file of this batch protects nothing any more.
        transaction.on_commit(lambda: inbox_keys.destroy_key(batch_id))
    log.warning(
        "inbox: discarded batch %s of wave %s: %s answers whose key was lost are gone for good",
        batch_id,
        batch.wave_id,
        count,
    )
    return count
