"""E-mail rendering: subject and body templates in the recipient's language."""

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
) -> None:
    """Render subject and body in `language` and send one plain-text e-mail."""
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    message = EmailMessage(subject=subject, body=body, to=to, reply_to=reply_to)
    if attach:
        message.attach(*attach)
    message.send()
