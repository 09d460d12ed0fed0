"""``manage.py reporting_key``: generate a reporting key, rotate to a new one, check a rotation.

``generate`` prints a new key (base64 of 32 random bytes) to stdout. ``rotate`` seals every
value again from the old key to the current ``VRIJUIT_REPORTING_KEY``, one transaction per wave
(``vrijuit.surveys.key_rotation``); safe to run again. ``check`` counts the values per key and
wave and exits with status 1 while any is not under the current key. The keys never appear in
the output, and never on the command line: the old key comes from a file or from
``VRIJUIT_REPORTING_KEY_OLD`` (``_FILE``), like every other secret (docs/configuration.md).
"""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vrijuit.surveys import key_rotation, sealing


class Command(BaseCommand):
    help = "Generate, rotate or check the reporting key (VRIJUIT_REPORTING_KEY)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("generate", help="Print a new key (base64 of 32 random bytes).")
        rotate = actions.add_parser(
            "rotate",
            help="Seal every value again from the old key to VRIJUIT_REPORTING_KEY.",
            # No "--old-key KEY" taken as short for --old-key-file: a key typed there would
            # come back in the "cannot read" error.
            allow_abbrev=False,
        )
        rotate.add_argument(
            "--old-key-file",
            metavar="PATH",
            help=f"A file holding the old key; without it, {sealing.OLD_SETTING} (or _FILE).",
        )
        actions.add_parser(
            "check",
            help="Count the values per key and wave; status 1 while any is not under the "
            "current key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "generate":
                self.stdout.write(base64.b64encode(secrets.token_bytes(sealing.KEY_BYTES)).decode())
            elif options["action"] == "rotate":
                self._rotate(options["old_key_file"])
            else:
                self._check()
        except (sealing.ReportingKeyError, key_rotation.RotationError) as problem:
            raise CommandError(str(problem)) from None

    def _rotate(self, old_key_file: str | None) -> None:
        old = _old_key(old_key_file)
        new = sealing.reporting_key()
        started = time.monotonic()
        waves = key_rotation.rotate(old, new, self.stdout.write)
        resealed = sum(w.resealed for w in waves)
        for wave in waves:
            self.stdout.write(
                f"wave {wave.wave_id}: {wave.resealed:,} values sealed again, "
                f"{wave.already_current:,} were under the current key already"
            )
        self.stdout.write(
            f"Done: {resealed:,} values in {len(waves)} waves sealed again under "
            f"{sealing.SETTING} in {time.monotonic() - started:.1f} s. Run "
            "'manage.py reporting_key check', then remove the old key."
        )

    def _check(self) -> None:
        current = sealing.reporting_key()
        old = sealing.old_reporting_key()
        counts = key_rotation.count_keys(current, old)
        for count in counts:
            parts = [f"{count.current:,} under the current key"]
            if old is not None:
                parts.append(f"{count.old:,} under the old key")
            parts += [
                f"{n:,} under another key ({fingerprint})"
                for fingerprint, n in sorted(count.other.items())
            ]
            self.stdout.write(f"wave {count.wave_id}, {count.table}: {', '.join(parts)}")
        behind = sum(c.not_current for c in counts)
        total = sum(c.current for c in counts) + behind
        self.stdout.write(f"{total:,} sealed values; {behind:,} not under the current key.")
        if behind:
            raise CommandError(
                f"{behind:,} sealed values are not under the current key ({sealing.SETTING}): "
                "finish the rotation with 'manage.py reporting_key rotate'."
            )


def _old_key(path: str | None) -> bytes:
    """The old key from the file given, else from VRIJUIT_REPORTING_KEY_OLD; never echoed."""
    if path is None:
        old = sealing.old_reporting_key()
        if old is None:
            raise CommandError(
                f"Give the old key: --old-key-file PATH, or set {sealing.OLD_SETTING} "
                f"(or {sealing.OLD_SETTING}_FILE)."
            )
        return old
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as problem:
        raise CommandError(
            f"--old-key-file: cannot read {path}: {type(problem).__name__}"
        ) from None
    return sealing.parse_key(text, f"the old key in {path}")
