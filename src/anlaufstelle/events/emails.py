"""E-mails to registrants, in their language, through the outbox (lib.mail)."""

from __future__ import annotations

from django.urls import reverse

from anlaufstelle.lib.mail import send_templated, site_url

from . import ical, tokens
from .models import Registration


def links(registration: Registration) -> dict[str, str]:
    slug = registration.network.slug
    found = {
        purpose: site_url()
        + reverse(
            f"site:events:{purpose}",
            kwargs={
                "network_slug": slug,
                "code": registration.code,
                "token": tokens.make_token(registration, purpose),
            },
        )
        for purpose in tokens.PURPOSES
    }
    found["event"] = site_url() + reverse(
        "site:events:detail", args=[slug, registration.event.slug]
    )
    return found


def _context(registration: Registration) -> dict[str, object]:
    return {
        "registration": registration,
        "event": registration.event,
        "links": links(registration),
        "where": ical.where(registration.event),
    }


def _send(registration: Registration, name: str, *, attach_ics: bool = False, **extra) -> None:
    context = _context(registration) | extra
    attach = None
    if attach_ics:
        attach = (
            f"veranstaltung-{registration.event.slug}.ics",
            ical.registration_ics(registration, url=links(registration)["event"]),
            "text/calendar; method=PUBLISH",
        )
    send_templated(
        f"events/email/{name}_subject.txt",
        f"events/email/{name}.txt",
        context,
        [registration.email],
        registration.language,
        attach=attach,
        network_id=registration.network_id,
    )


def send_confirmation(registration: Registration) -> None:
    _send(registration, "confirmation", attach_ics=True)


def send_waiting(registration: Registration) -> None:
    _send(registration, "waiting")


def send_moved_up(registration: Registration) -> None:
    _send(registration, "moved_up", attach_ics=True)


def send_reminder(registration: Registration) -> None:
    _send(registration, "reminder")


def send_message(registration: Registration, *, subject: str, body: str) -> None:
    _send(registration, "message", message_subject=subject, message_body=body)
