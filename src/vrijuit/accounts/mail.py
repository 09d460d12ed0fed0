"""E-mail to account holders, each in the recipient's language, sent after the commit.

Sending after the commit means nobody gets a mail about a change that was rolled back. A mail
server that is down does not undo the change either: the failure is logged, the callback
``on_sent`` is not called for the mails that did not go out, and an administrator can send
an invitation again from the roles page.
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
    template: str  # accounts/email/<template>.txt and <template>_subject.txt
    context: dict[str, Any] = field(default_factory=dict)


def render(mail: Mail) -> EmailMessage:
    with translation.override(mail.language):
        subject = render_to_string(f"accounts/email/{mail.template}_subject.txt", mail.context)
        body = render_to_string(f"accounts/email/{mail.template}.txt", mail.context)
    return EmailMessage(" ".join(subject.split()), body, to=[mail.to])


def send_on_commit(mails: list[Mail], on_sent: Callable[[], None] | None = None) -> None:
    """Send ``mails`` over one connection once the current transaction commits."""
    if not mails:
        return

    def send() -> None:
        messages = [render(mail) for mail in mails]
        try:
            with get_connection() as connection:
                connection.send_messages(messages)
        except (OSError, smtplib.SMTPException):
            log.exception("Could not send %d account e-mail(s)", len(messages))
            return
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send)
