"""E-mail rendering: subject and body templates in the recipient's language.

Every e-mail goes out through the outbox (anlaufstelle.ops.outbox): stored first, then
sent, retried with back-off while the mail server is down, never lost.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def site_url() -> str:
    """The public base URL for links in e-mails (no trailing slash)."""
    return getattr(settings, "ANLAUFSTELLE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute(path: str) -> str:
    """`path` (from reverse()) as an absolute URL for an e-mail."""
    return site_url() + path


def send_templated(
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    to: list[str],
    language: str,
    attach: tuple | None = None,
    reply_to: list[str] | None = None,
    *,
    network_id: int | None = None,
    durable: bool = True,
) -> None:
    """Render subject and body in `language` and send one plain-text e-mail.

    Durable (the default): the mail is stored in the outbox of `network_id` (None for
    mail of no network) and a mail-server failure does not raise; it is retried and, in
    the end, shown to the network's coordinators as failed. With `durable=False` the
    mail is sent at once and SMTPException/OSError reach the caller, for a person who
    is waiting for the answer (an invitation sent from the back office).
    """
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    message = EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to)
    if attach:
        message.attach(*attach)
    if not durable:
        message.send()
        return
    from anlaufstelle.ops import outbox  # lib holds no models; the outbox lives in ops

    outbox.deliver(message, network_id=network_id, kind=body_template)
