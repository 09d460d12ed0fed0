"""``manage.py inbox_keys``: find inbox batches whose key is missing, and discard one on purpose.

``--check`` lists every batch with entries waiting and the state of its key (counts only, never
content); it exits with status 1 when a batch cannot be decrypted, so it can run in monitoring.
``--discard-batch <id> --confirm`` deletes such a batch and its entries: those answers are lost
for good, and the wave can close again (docs/surveys.md, "When a key is missing or wrong").
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vrijuit.surveys import inbox
from vrijuit.surveys.models import InboxBatch


class Command(BaseCommand):
    help = "Check the inbox batches' keys, or discard a batch whose key is lost."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--check", action="store_true", help="List the batches whose key is missing."
        )
        action.add_argument(
            "--discard-batch",
            metavar="BATCH_ID",
            help="Delete this batch and its entries (their answers are lost). Needs --confirm.",
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Really discard: without it, --discard-batch only says what it would delete.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            self._check()
        else:
            self._discard(options["discard_batch"], confirm=options["confirm"])

    def _check(self) -> None:
        report = inbox.batch_health()
        broken = [b for b in report if b.problem is not None]
        for batch in report:
            state = "key OK" if batch.problem is None else f"CANNOT DECRYPT: {batch.problem}"
            sealed = "sealed" if batch.sealed else "open"
            self.stdout.write(
                f"wave {batch.wave_id}, batch {batch.batch_id} ({sealed}): "
                f"{batch.entries} entries, {state}"
            )
        waiting = sum(b.entries for b in report)
        self.stdout.write(
            f"{len(report)} batches with {waiting} entries waiting; "
            f"{len(broken)} cannot be decrypted."
        )
        if broken:
            lost = sum(b.entries for b in broken)
            raise CommandError(
                f"{len(broken)} batches ({lost} entries) cannot be decrypted. Restore their key "
                "files if you can; if a key is truly lost, see --discard-batch."
            )

    def _discard(self, raw_id: str, *, confirm: bool) -> None:
        try:
            batch_id = uuid.UUID(raw_id)
        except ValueError:
            raise CommandError(f"{raw_id!r} is not a batch id (a UUID).") from None
        batch = InboxBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"There is no inbox batch {batch_id}.")
        entries = batch.entries.count()
        if not confirm:
            raise CommandError(
                f"Batch {batch_id} of wave {batch.wave_id} holds {entries} entries. Discarding "
                "it deletes them: those answers are lost for good. Run again with --confirm."
            )
        try:
            count = inbox.discard_batch(batch_id)
        except inbox.BatchStillReadableError as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"Discarded batch {batch_id} of wave {batch.wave_id}: {count} answers are lost. "
            "The wave can be flushed and closed again."
        )
