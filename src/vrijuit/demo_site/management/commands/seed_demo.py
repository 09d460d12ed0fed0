"""``python manage.py seed_demo``: fill the database with the demo faculty (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from vrijuit.demo_site.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo faculty, its people, role accounts and survey waves (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = seed_demo()
        elapsed = time.perf_counter() - started
        created = ", ".join(result.waves_created) or "none (already there)"
        self.stdout.write(
            f"Demo faculty ready in {elapsed:.1f} s: {result.units} units, {result.people} people; "
            f"waves created: {created}."
        )
        self.stdout.write("")
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with password {result.password!r}:")
        for account in result.accounts:
            self.stdout.write(f"  {account.role_en:<24} {account.email:<44} {account.name}")
        if result.respondent_link:
            self.stdout.write("")
            self.stdout.write("Answer the open wave as one invited respondent (no login):")
            self.stdout.write(f"  {result.respondent_link}")
