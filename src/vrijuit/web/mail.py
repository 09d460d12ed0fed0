"""E-mail to people, each in the recipient's language, sent after the commit.

One mechanism for every mail the site sends: account invitations and role changes
(``vrijuit.accounts``) and survey invitations and reminders (``vrijuit.surveys.services``).
Sending after the commit means nobody gets a mail about a change that was rolled back.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


@dataclass
class Mail:
    to: str
    language: str
    template: str  # e.g. "accounts/email/invitation": <template>.txt and <template>_subject.txt
    context: dict[str, Any] = field(default_factory=dict)


def render(mail: Mail) -> EmailMessage:
    with translation.override(mail.language):
        subject = render_to_string(f"{mail.template}_subject.txt", mail.context)
        body = render_to_string(f"{mail.template}.txt", mail.context)
    return EmailMessage(" ".join(subject.split()), body, to=[mail.to])


def send_on_commit(
    mails: list[Mail],
    on_sent: Callable[[], None] | None = None,
    *,
    log_failure: bool = True,
) -> None:
    """Send ``mails`` over one connection once the current transaction commits.

    A mail server that is down does not undo the change. With ``log_failure`` (account mail)
    the failure is logged and ``on_sent`` is not called; an administrator can send an
    invitation again from the roles page. Without it (survey mail) the error reaches the
    caller, the worker, which logs it and leaves that wave's other jobs for its next round.
    """
    if not mails:
        return

    def send() -> None:
        messages = [render(mail) for mail in mails]
        try:
            with get_connection() as connection:
                connection.send_messages(messages)
        except (OSError, smtplib.SMTPException):
            if not log_failure:
                raise
            log.exception("Could not send %d account e-mail(s)", len(messages))
            return
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send)
