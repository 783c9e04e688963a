"""Background tasks (django-tasks); they take primary keys and enter the row's network scope."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks import default_task_backend, task

from anlaufstelle.networks.scoping import network_scope

from . import emails
from .models import Booking, BookingStatus, Reservation

log = logging.getLogger(__name__)

REMINDER_HOURS = (24, 1)


def _booking(booking_id: int) -> Booking | None:
    with scopes_disabled():
        return (
            Booking.objects.select_related(
                "slot__schedule__provider", "slot__schedule__room", "network"
            )
            .filter(pk=booking_id)
            .first()
        )


@task()
def send_booking_confirmation(booking_id: int) -> None:
    booking = _booking(booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return
    with network_scope(booking.network):
        emails.send_confirmation(booking)


@task()
def send_cancellation(booking_id: int) -> None:
    booking = _booking(booking_id)
    if booking is None:
        return
    with network_scope(booking.network):
        emails.send_cancellation(booking)


@task()
def send_booking_reminder(booking_id: int, hours: int, starts_at_iso: str) -> None:
    """Remind the company; skipped when the booking was cancelled or moved since."""
    booking = _booking(booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return
    if booking.slot.starts_at != datetime.fromisoformat(starts_at_iso):
        return  # moved: the move enqueued fresh reminders
    with network_scope(booking.network):
        emails.send_reminder(booking, hours=hours)


@task()
def send_reservation_update(reservation_id: int) -> None:
    with scopes_disabled():
        reservation = (
            Reservation.objects.select_related("resource", "network")
            .filter(pk=reservation_id)
            .first()
        )
    if reservation is None:
        return
    with network_scope(reservation.network):
        emails.send_reservation_update(reservation)


def schedule_reminders(booking_id: int, now: datetime | None = None) -> list[datetime]:
    """Enqueue the 24 h and 1 h reminders that are still in the future. Returns their times."""
    booking = _booking(booking_id)
    if booking is None:
        return []
    now = now or timezone.now()
    if not default_task_backend.supports_defer:
        log.info("task backend cannot defer; no reminders", extra={"booking": booking.code})
        return []
    planned = []
    for hours in REMINDER_HOURS:
        run_after = booking.slot.starts_at - timedelta(hours=hours)
        if run_after <= now:
            continue
        send_booking_reminder.using(run_after=run_after).enqueue(
            booking_id, hours, booking.slot.starts_at.isoformat()
        )
        planned.append(run_after)
    return planned
