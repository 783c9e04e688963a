"""Data protection for appointments and reservations: export, erasure, retention.

Erasing keeps the row (time, consultation hour or room, status: the statistics) and blanks
everything about the person: name, company, e-mail, phone, concern or purpose, messages.
Signed links stop working; the direct chat's messages of the appointment are deleted
(signal `signals.booking_erased`). An appointment or reservation that still lies ahead is
cancelled first, so that its place or room becomes free again; no e-mail goes out (there
is no address left to write to, and the company asked for the erasure itself). The
expert's calendar shows the appointment as cancelled.

Retention: every network keeps appointments and reservations for
`BookingSettings.retention_days` (default 90) days after they ended; the daily job
`manage.py apply_retention` erases older ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope

from . import signals
from .models import (
    DEFAULT_RETENTION_DAYS,
    ERASED,
    HOLDING_STATUSES,
    Booking,
    BookingSettings,
    BookingStatus,
    Reservation,
    ReservationStatus,
    Resource,
    Slot,
)

log = logging.getLogger(__name__)


def retention_days(network: Network) -> int:
    with scopes_disabled():
        days = (
            BookingSettings.objects.filter(network=network)
            .values_list("retention_days", flat=True)
            .first()
        )
    return days or DEFAULT_RETENTION_DAYS


def concern_origin(code: str) -> str:
    """The `Booking.origin` of bookings made from the concern with `code`."""
    return f"concern:{code}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# Upper apps add what they keep about a booking to its export without booking importing
# them (layers): each function gets the booking and returns keys to add, JSON-ready.
# The direct chat adds the booking's messages (chat/apps.py).
EXPORT_EXTRAS: list[Callable[[Booking], dict[str, Any]]] = []


def export_booking(booking: Booking) -> dict[str, Any]:
    """Everything stored about one appointment, JSON-ready (Art. 15/20 DSGVO)."""
    schedule = booking.slot.schedule
    data = {
        "code": booking.code,
        "consultation_hour": schedule.title,
        "provider": schedule.provider.name,
        "starts": _iso(booking.slot.starts_at),
        "ends": _iso(booking.slot.ends_at),
        "status": booking.status,
        "name": booking.name,
        "company": booking.company,
        "email": booking.email,
        "phone": booking.phone,
        "concern": booking.concern,
        "consent_given": _iso(booking.consent_at),
        "consent_note": booking.consent_note,
        "video_link": booking.video_link,
        "booked": _iso(booking.created_at),
        "cancelled": _iso(booking.cancelled_at),
        "cancel_message": booking.cancel_message,
        "anonymised": _iso(booking.anonymised_at),
    }
    for extra in EXPORT_EXTRAS:
        data.update(extra(booking))
    return data


def export_reservation(reservation: Reservation) -> dict[str, Any]:
    """Everything stored about one room or desk reservation, JSON-ready."""
    return {
        "code": reservation.code,
        "room": reservation.resource.name,
        "starts": _iso(reservation.starts_at),
        "ends": _iso(reservation.ends_at),
        "status": reservation.status,
        "name": reservation.name,
        "company": reservation.company,
        "email": reservation.email,
        "phone": reservation.phone,
        "purpose": reservation.purpose,
        "consent_given": _iso(reservation.consent_at),
        "reserved": _iso(reservation.created_at),
        "decided": _iso(reservation.decided_at),
        "decision_message": reservation.decision_message,
        "anonymised": _iso(reservation.anonymised_at),
    }


def bookings_from(origin: str) -> list[Booking]:
    """The bookings made from `origin` (e.g. a concern), in the caller's scope."""
    return list(Booking.objects.filter(origin=origin).select_related("slot__schedule__provider"))


def forget_mail(*, network_id: int, address: str) -> None:
    """Stored e-mails to or about the person go with the erasure (not only after the
    outbox's own retention), in the same transaction."""
    from anlaufstelle.ops import outbox  # the outbox is every app's sender, above booking

    outbox.forget_address(network_id=network_id, address=address)


def erase_booking(*, booking: Booking, now: datetime | None = None) -> bool:
    """Anonymise one appointment (cancelling it first if it lies ahead); True if it changed."""
    now = now or timezone.now()
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=booking.slot_id)
        current = Booking.objects.filter(pk=booking.pk, anonymised_at__isnull=True).first()
        if current is None:
            return False
        forget_mail(network_id=current.network_id, address=current.email)
        changes: dict[str, Any] = {}
        if current.status == BookingStatus.CONFIRMED and slot.ends_at > now:
            # The place becomes free again; the counter is what the slot lock protects.
            Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") - 1)
            changes.update(status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by="erasure")
        Booking.objects.filter(pk=booking.pk).update(
            name=ERASED,
            company="",
            email="",
            phone="",
            concern="",
            consent_note="",
            cancel_message="",
            video_url="",
            idempotency_key=None,
            anonymised_at=now,
            token_version=F("token_version") + 1,
            **changes,
        )
        # Upper apps (the direct chat's messages and files) erase what they keep about it.
        signals.booking_erased.send(sender=Booking, booking=current)
    booking.refresh_from_db()
    log.info("booking anonymised", extra={"booking": booking.code})
    return True


def erase_reservation(*, reservation: Reservation, now: datetime | None = None) -> bool:
    """Anonymise one reservation (cancelling it first if it lies ahead); True if it changed."""
    now = now or timezone.now()
    with transaction.atomic():
        # The one lock of reservations: the resource row.
        Resource.objects.select_for_update().filter(pk=reservation.resource_id).first()
        current = Reservation.objects.filter(pk=reservation.pk, anonymised_at__isnull=True).first()
        if current is None:
            return False
        forget_mail(network_id=current.network_id, address=current.email)
        changes: dict[str, Any] = {}
        if current.status in HOLDING_STATUSES and current.ends_at > now:
            changes.update(status=ReservationStatus.CANCELLED, decided_at=now, decided_by=None)
        Reservation.objects.filter(pk=reservation.pk).update(
            name=ERASED,
            company="",
            email="",
            phone="",
            purpose="",
            decision_message="",
            idempotency_key=None,
            anonymised_at=now,
            token_version=F("token_version") + 1,
            **changes,
        )
    reservation.refresh_from_db()
    log.info("reservation anonymised", extra={"reservation": reservation.code})
    return True


def erase_bookings(bookings: Iterable[Booking], now: datetime | None = None) -> int:
    return sum(erase_booking(booking=b, now=now) for b in bookings)


def erase_reservations(reservations: Iterable[Reservation], now: datetime | None = None) -> int:
    return sum(erase_reservation(reservation=r, now=now) for r in reservations)


def apply_retention(now: datetime | None = None) -> tuple[int, int]:
    """Anonymise appointments and reservations that ended more than the network's retention
    period ago. Runs over every network (visibly unscoped); returns (bookings, reservations).
    """
    now = now or timezone.now()
    bookings = reservations = 0
    with scopes_disabled():
        networks = list(Network.objects.all())
    for network in networks:
        cutoff = now - timedelta(days=retention_days(network))
        with network_scope(network):
            bookings += erase_bookings(
                Booking.objects.filter(
                    network=network, slot__ends_at__lt=cutoff, anonymised_at__isnull=True
                ),
                now,
            )
            reservations += erase_reservations(
                Reservation.objects.filter(
                    network=network, ends_at__lt=cutoff, anonymised_at__isnull=True
                ),
                now,
            )
    return bookings, reservations
