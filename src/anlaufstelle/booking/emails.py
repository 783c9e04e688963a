"""E-mails of the booking app, rendered in the recipient's language.

Companies get the confirmation with the .ics attachment and signed links; experts get one
e-mail per booking and per cancellation.
"""

from __future__ import annotations

from django.urls import reverse

from anlaufstelle.lib.mail import send_templated as _send
from anlaufstelle.lib.mail import site_url

from . import ical, tokens
from .models import Booking, Reservation

__all__ = ["booking_links", "reservation_links", "site_url"]


def booking_links(booking: Booking) -> dict[str, str]:
    """Absolute signed links for the company: view, cancel, move."""
    slug = booking.network.slug
    return {
        purpose: site_url()
        + reverse(
            f"site:booking:{purpose}",
            kwargs={
                "network_slug": slug,
                "code": booking.code,
                "token": tokens.make_token(booking, purpose),
            },
        )
        for purpose in tokens.PURPOSES
    }


def reservation_links(reservation: Reservation) -> dict[str, str]:
    slug = reservation.network.slug
    return {
        purpose: site_url()
        + reverse(
            f"site:booking:reservation_{purpose}",
            kwargs={
                "network_slug": slug,
                "code": reservation.code,
                "token": tokens.make_token(reservation, purpose, kind="reservation"),
            },
        )
        for purpose in ("view", "cancel")
    }


def send_confirmation(booking: Booking) -> None:
    context = {
        "booking": booking,
        "schedule": booking.slot.schedule,
        "links": booking_links(booking),
        "where": ical.where(booking),
    }
    _send(
        "booking/email/confirmation_subject.txt",
        "booking/email/confirmation.txt",
        context,
        [booking.email],
        booking.language,
        attach=(
            f"termin-{booking.code}.ics",
            ical.booking_ics(booking),
            # Django adds the charset of a text attachment itself (once).
            "text/calendar; method=PUBLISH",
        ),
        network_id=booking.network_id,
    )
    expert = booking.slot.schedule.expert_email
    if expert:
        _send(
            "booking/email/expert_new_subject.txt",
            "booking/email/expert_new.txt",
            context,
            [expert],
            "de",
            network_id=booking.network_id,
        )


def send_reminder(booking: Booking, *, hours: int) -> None:
    context = {
        "booking": booking,
        "schedule": booking.slot.schedule,
        "links": booking_links(booking),
        "where": ical.where(booking),
        "hours": hours,
    }
    _send(
        "booking/email/reminder_subject.txt",
        "booking/email/reminder.txt",
        context,
        [booking.email],
        booking.language,
        network_id=booking.network_id,
    )


def send_cancellation(booking: Booking) -> None:
    context = {"booking": booking, "schedule": booking.slot.schedule}
    _send(
        "booking/email/cancelled_subject.txt",
        "booking/email/cancelled.txt",
        context,
        [booking.email],
        booking.language,
        attach=(
            f"termin-{booking.code}.ics",
            ical.booking_ics(booking),
            # Django adds the charset of a text attachment itself (once).
            "text/calendar; method=PUBLISH",
        ),
        network_id=booking.network_id,
    )
    expert = booking.slot.schedule.expert_email
    if expert and booking.cancelled_by != "expert":
        _send(
            "booking/email/cancelled_subject.txt",
            "booking/email/expert_cancelled.txt",
            context,
            [expert],
            "de",
            network_id=booking.network_id,
        )


def send_reservation_update(reservation: Reservation) -> None:
    context = {"reservation": reservation, "links": reservation_links(reservation)}
    _send(
        "booking/email/reservation_subject.txt",
        "booking/email/reservation.txt",
        context,
        [reservation.email],
        reservation.language,
        network_id=reservation.network_id,
    )
    notify = reservation.resource.notify_email
    if notify and reservation.status == "pending":
        _send(
            "booking/email/reservation_subject.txt",
            "booking/email/reservation_staff.txt",
            context,
            [notify],
            "de",
            network_id=reservation.network_id,
        )
