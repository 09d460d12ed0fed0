"""The background jobs of survey waves, healthchecks style: one loop, no queue.

Each pass looks for open waves whose ``next_check_at`` is due and *claims* each with a
conditional UPDATE (``WHERE next_check_at = <what we read>``): when two workers race, exactly
one UPDATE matches and only that worker runs the wave's jobs. The jobs are the plain service
functions (send due invitations, send due reminders, flush the inbox, close when past
``closes_on``); tests call those directly. Every pass ends by destroying the inbox keys that
protect nothing any more (``inbox.clean_up_keys``).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from vrijuit.surveys import inbox, services
from vrijuit.surveys.models import Status, Wave

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=5)


def claim(wave: Wave, now: datetime) -> bool:
    """Move the wave's next check forward, only if nobody else did since we read it."""
    claimed = Wave.objects.filter(
        pk=wave.pk, status=Status.OPEN, next_check_at=wave.next_check_at
    ).update(next_check_at=now + CHECK_EVERY)
    if not claimed and wave.next_check_at is None:
        # ``next_check_at = NULL`` never matches in SQL: claim a new wave with IS NULL.
        claimed = Wave.objects.filter(
            pk=wave.pk, status=Status.OPEN, next_check_at__isnull=True
        ).update(next_check_at=now + CHECK_EVERY)
    return bool(claimed)


def run_wave_jobs(wave: Wave, today: date) -> None:
    if wave.closes_on < today:
        services.close_wave(wave)
        return
    services.send_due_invitations(wave, today=today)
    services.send_due_reminders(wave, today=today)
    # Last: a flush that cannot decrypt (a lost key) must not hold up invitations or reminders.
    services.flush_inbox(wave)


def run_once(now: datetime | None = None) -> int:
    """One pass over the due waves; returns how many this worker claimed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Wave.objects.filter(status=Status.OPEN).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    )
    done = 0
    for wave in due:
        if not claim(wave, now):
            continue
        try:
            run_wave_jobs(wave, today)
        except inbox.InboxKeyError as error:
            # The message names the wave, the batches and the key files, never an answer; the
            # entries wait in the inbox and the flush is tried again at the next check.
            log.error("worker: %s", error)
        except Exception:
            # One broken wave must not stop the others; it is retried at its next check.
            log.exception("worker: jobs of wave %s failed", wave.pk)
        done += 1
    try:
        inbox.clean_up_keys()
    except Exception:
        log.exception("worker: cleaning up inbox keys failed")
    return done
