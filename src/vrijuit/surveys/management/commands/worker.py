"""``manage.py worker``: run the survey jobs in a loop (``--once``: one pass)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vrijuit.surveys.worker import run_once


class Command(BaseCommand):
    help = "Send invitations and reminders, flush inboxes and close waves when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass, then stop.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between passes (default 60)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            claimed = run_once()
            if options["verbosity"] > 1:
                self.stdout.write(f"worker: {claimed} wave(s) handled")
            if options["once"]:
                return
            time.sleep(options["interval"])
