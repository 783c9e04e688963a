"""Every write of the booking app: book, cancel, move; reserve, approve, decline.

Locking discipline (docs/decisions/0004-booking-slots.md): one lock, taken late, inside
`transaction.atomic()` — the Slot row for appointments, the Resource row for
reservations — plus database constraints as the last line of defence. On SQLite the
IMMEDIATE transaction mode serialises writers instead of row locks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from anlaufstelle.networks.models import User

from . import queries, video
from .models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Format,
    Reservation,
    ReservationStatus,
    Resource,
    Schedule,
    Slot,
)

log = logging.getLogger(__name__)


# A phone appointment is a call to the company: without a number nobody can make it.
PHONE_REQUIRED = _lazy("Please give a phone number on which we can call you.")


class BookingError(Exception):
    """A refusal the user can act on; `message` is translated and shown as is."""

    def __init__(self, message: str, *, next_slots: list[queries.FreeSlot] | None = None):
        super().__init__(message)
        self.message = message
        self.next_slots = next_slots or []


class SlotTaken(BookingError):
    """Lost the race for the last place."""


class SlotUnavailable(BookingError):
    """The slot is not (or no longer) offered: past, too short notice, absence, holiday."""


class IdempotencyConflict(BookingError):
    """The idempotency key was used for a different request."""


class ReservationConflict(BookingError):
    """The time range overlaps another reservation of the resource."""


@dataclass
class BookingRequest:
    name: str
    email: str
    company: str = ""
    phone: str = ""
    concern: str = ""
    consent: bool = False
    language: str = "de"
    extra: dict[str, str] = field(default_factory=dict)


def _next_slots(schedule: Schedule, after: datetime) -> list[queries.FreeSlot]:
    return queries.free_slots([schedule], start=after, limit=5)


def _taken(schedule: Schedule, starts_at: datetime) -> SlotTaken:
    return SlotTaken(
        _("This appointment has just been taken."),
        next_slots=_next_slots(schedule, starts_at),
    )


def _ensure_slot(schedule: Schedule, candidate: queries.slots.Candidate) -> Slot:
    # Two first bookings of one slot race on the unique (schedule, starts_at) index:
    # get_or_create retries the read when its insert loses.
    slot, _created = Slot.objects.get_or_create(
        schedule=schedule,
        starts_at=candidate.starts_at,
        defaults={
            "network_id": schedule.network_id,
            "ends_at": candidate.ends_at,
            "capacity": candidate.capacity,
        },
    )
    return slot


def _checked_key(key: str | None) -> str | None:
    """None (no key: staff bookings) or a key of 1 to 100 characters, never blank: a
    blank key would silently switch idempotency off, a cut one could match another's."""
    if key is None:
        return None
    if not key.strip() or len(key) > 100:
        raise BookingError(_("The Idempotency-Key must hold 1 to 100 characters."))
    return key


def _replay(
    key: str | None, schedule: Schedule, starts_at: datetime, email: str, name: str
) -> Booking | None:
    """The booking made earlier under `key` in the schedule's network, if any.

    Keys belong to a network (each network's clients choose their own). The same key
    with other content (schedule, time, name, e-mail) is an IdempotencyConflict."""
    if not key:
        return None
    existing = (
        Booking.objects.select_related("slot")
        .filter(network_id=schedule.network_id, idempotency_key=key)
        .first()
    )
    if existing is None:
        return None
    same = (
        existing.slot.schedule_id == schedule.pk
        and existing.slot.starts_at == starts_at
        and existing.email.lower() == email.strip().lower()
        and existing.name == name.strip()
    )
    if not same:
        raise IdempotencyConflict(_("This request was already used for another appointment."))
    return existing


def book_slot(
    *,
    schedule: Schedule,
    starts_at: datetime,
    name: str,
    email: str,
    company: str = "",
    phone: str = "",
    concern: str = "",
    consent: bool,
    consent_note: str = "",
    idempotency_key: str | None = None,
    language: str = "de",
    booked_by: User | None = None,
    now: datetime | None = None,
) -> Booking:
    """Book one place in the slot of `schedule` that starts at `starts_at` (aware).

    Replaying the same `idempotency_key` returns the first booking. Raises SlotTaken
    (with the next free slots) when the last place is gone, SlotUnavailable when the
    slot is not offered, BookingError without consent. Staff booking on the company's
    behalf pass `booked_by` and say in `consent_note` how the company agreed.
    """
    if not consent:
        raise BookingError(_("Please agree to the processing of your data."))
    if schedule.format == Format.PHONE and not phone.strip():
        raise BookingError(str(PHONE_REQUIRED))
    idempotency_key = _checked_key(idempotency_key)

    def replay() -> Booking | None:
        return _replay(idempotency_key, schedule, starts_at, email, name)

    # A retry whose first try booked the last place must get that booking, not "taken":
    # every refusal below asks again, because a concurrent first try under the same key
    # may have committed while this one waited for the lock (or the slot was full).
    if (earlier := replay()) is not None:
        return earlier
    now = now or timezone.now()
    candidate = queries.find_candidate(schedule, starts_at, now=now)
    if candidate is None:
        if (earlier := replay()) is not None:
            return earlier
        raise SlotUnavailable(
            _("This appointment can no longer be booked."),
            next_slots=_next_slots(schedule, now),
        )
    video_url = video.new_video_url(schedule.network) if schedule.format == Format.VIDEO else ""
    try:
        with transaction.atomic():
            slot = _ensure_slot(schedule, candidate)
            # The one lock: every booking of this slot queues here.
            slot = Slot.objects.select_for_update().get(pk=slot.pk)
            if slot.booked_count >= slot.capacity:
                raise SlotTaken(_("This appointment has just been taken."))
            Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") + 1)
            booking = Booking.objects.create(
                network_id=schedule.network_id,
                slot=slot,
                name=name.strip(),
                company=company.strip(),
                email=email.strip(),
                phone=phone.strip(),
                concern=concern.strip(),
                consent_at=now,
                consent_note=consent_note[:300],
                idempotency_key=idempotency_key or None,
                language=language,
                video_url=video_url,
                booked_by=booked_by,
            )
            transaction.on_commit(lambda: _after_booking(booking.pk))
    except SlotTaken as exc:
        # Outside the transaction: the lock is released, the first try has committed.
        if (earlier := replay()) is not None:
            return earlier
        exc.next_slots = _next_slots(schedule, starts_at)
        raise
    except IntegrityError as exc:
        # Either the CheckConstraint caught an overbooking that slipped past the lock,
        # or a concurrent replay inserted the same idempotency key first.
        if (earlier := replay()) is not None:
            return earlier
        log.warning("booking refused by constraint", extra={"schedule": schedule.code})
        raise _taken(schedule, starts_at) from exc
    log.info("booking created", extra={"booking": booking.code, "schedule": schedule.code})
    return booking


def _after_booking(booking_id: int) -> None:
    from . import tasks

    tasks.send_booking_confirmation.enqueue(booking_id)
    tasks.schedule_reminders(booking_id)


def cancel_booking(*, booking: Booking, by: str, message: str = "") -> Booking:
    """Cancel `booking` (by "company" or "expert") and free its place; links stop working."""
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=booking.slot_id)
        changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.CANCELLED,
            cancelled_at=timezone.now(),
            cancelled_by=by,
            cancel_message=message,
            token_version=F("token_version") + 1,
        )
        if not changed:
            raise BookingError(_("This appointment has already been cancelled."))
        Slot.objects.filter(pk=slot.pk).update(booked_count=F("booked_count") - 1)
        booking_id = booking.pk
        transaction.on_commit(lambda: _after_cancel(booking_id))
    booking.refresh_from_db()
    return booking


def _after_cancel(booking_id: int) -> None:
    from . import tasks

    tasks.send_cancellation.enqueue(booking_id)


def move_booking(*, booking: Booking, starts_at: datetime, now: datetime | None = None) -> Booking:
    """Move `booking` to another slot of the same schedule; old links stop working."""
    schedule = booking.slot.schedule
    now = now or timezone.now()
    if not booking.is_changeable(now):
        raise BookingError(_("This appointment can no longer be changed."))
    candidate = queries.find_candidate(schedule, starts_at, now=now)
    if candidate is None or candidate.starts_at == booking.slot.starts_at:
        raise SlotUnavailable(
            _("This appointment can no longer be booked."),
            next_slots=_next_slots(schedule, now),
        )
    try:
        with transaction.atomic():
            new_slot = _ensure_slot(schedule, candidate)
            # Two locks here: take them in primary-key order so two moves cannot deadlock.
            locked = {
                s.pk: s
                for s in Slot.objects.select_for_update()
                .filter(pk__in=[new_slot.pk, booking.slot_id])
                .order_by("pk")
            }
            if locked[new_slot.pk].booked_count >= locked[new_slot.pk].capacity:
                raise _taken(schedule, starts_at)
            changed = Booking.objects.filter(
                pk=booking.pk,
                status=BookingStatus.CONFIRMED,
                token_version=booking.token_version,
            ).update(slot=new_slot, token_version=F("token_version") + 1)
            if not changed:
                raise BookingError(_("This link has already been used."))
            Slot.objects.filter(pk=new_slot.pk).update(booked_count=F("booked_count") + 1)
            Slot.objects.filter(pk=booking.slot_id).update(booked_count=F("booked_count") - 1)
            booking_id = booking.pk
            transaction.on_commit(lambda: _after_booking(booking_id))
    except IntegrityError as exc:
        raise _taken(schedule, starts_at) from exc
    booking.refresh_from_db()
    return booking


# --- rooms and desks -------------------------------------------------------------------


def _overlapping(
    resource: Resource, starts_at: datetime, ends_at: datetime, exclude: int | None = None
):
    qs = Reservation.objects.filter(
        resource=resource,
        status__in=HOLDING_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    return qs.exclude(pk=exclude) if exclude else qs


def reserve_resource(
    *,
    resource: Resource,
    starts_at: datetime,
    ends_at: datetime,
    name: str,
    email: str,
    company: str = "",
    phone: str = "",
    purpose: str = "",
    consent: bool,
    idempotency_key: str | None = None,
    language: str = "de",
    now: datetime | None = None,
) -> Reservation:
    """Reserve [starts_at, ends_at) of `resource`; pending when the resource needs approval.

    Raises ReservationConflict when the range overlaps a pending or confirmed reservation.
    """
    if not consent:
        raise BookingError(_("Please agree to the processing of your data."))
    idempotency_key = _checked_key(idempotency_key)

    def replay() -> Reservation | None:
        return _replay_reservation(idempotency_key, resource, starts_at, ends_at, email)

    if (earlier := replay()) is not None:
        return earlier
    now = now or timezone.now()
    if ends_at <= starts_at:
        raise BookingError(_("The end must be after the start."))
    if starts_at < now:
        raise BookingError(_("This time is in the past."))
    if starts_at > now + timedelta(days=resource.horizon_days):
        raise BookingError(_("This time is too far in the future."))
    if ends_at - starts_at < timedelta(minutes=resource.min_minutes):
        raise BookingError(
            _("Please reserve at least %(minutes)s minutes.") % {"minutes": resource.min_minutes}
        )
    if not queries.resource_is_open(resource, starts_at, ends_at):
        raise BookingError(_("The room is closed at this time."))
    status = (
        ReservationStatus.PENDING if resource.requires_approval else ReservationStatus.CONFIRMED
    )
    conflict = ReservationConflict(_("This time has just been taken."))
    try:
        with transaction.atomic():
            # The one lock: all reservations of this resource queue on its row.
            Resource.objects.select_for_update().filter(pk=resource.pk).first()
            if _overlapping(resource, starts_at, ends_at).exists():
                # A concurrent first try under the same key may hold the range now.
                if (earlier := replay()) is not None:
                    return earlier
                raise conflict
            reservation = Reservation.objects.create(
                network_id=resource.network_id,
                resource=resource,
                starts_at=starts_at,
                ends_at=ends_at,
                status=status,
                name=name.strip(),
                company=company.strip(),
                email=email.strip(),
                phone=phone.strip(),
                purpose=purpose.strip(),
                consent_at=now,
                idempotency_key=idempotency_key or None,
                language=language,
            )
            reservation_id = reservation.pk
            transaction.on_commit(lambda: _after_reservation(reservation_id))
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint (or a concurrent replay of the key).
        if (earlier := replay()) is not None:
            return earlier
        raise conflict from exc
    return reservation


def _replay_reservation(
    key: str | None, resource: Resource, starts_at: datetime, ends_at: datetime, email: str
) -> Reservation | None:
    """The reservation made earlier under `key` in the resource's network, if any."""
    if not key:
        return None
    existing = Reservation.objects.filter(
        network_id=resource.network_id, idempotency_key=key
    ).first()
    if existing is None:
        return None
    same = (
        existing.resource_id == resource.pk
        and existing.starts_at == starts_at
        and existing.ends_at == ends_at
        and existing.email.lower() == email.strip().lower()
    )
    if not same:
        raise IdempotencyConflict(_("This request was already used for another reservation."))
    return existing


def _after_reservation(reservation_id: int) -> None:
    from . import tasks

    tasks.send_reservation_update.enqueue(reservation_id)


def _decide(
    reservation: Reservation, *, old: tuple[str, ...], new: str, by: User | None, message: str
) -> Reservation:
    with transaction.atomic():
        Resource.objects.select_for_update().filter(pk=reservation.resource_id).first()
        changed = Reservation.objects.filter(pk=reservation.pk, status__in=old).update(
            status=new,
            decided_at=timezone.now(),
            decided_by=by,
            decision_message=message,
            token_version=F("token_version") + 1,
        )
        if not changed:
            raise BookingError(_("This reservation has already been decided."))
        reservation_id = reservation.pk
        transaction.on_commit(lambda: _after_reservation(reservation_id))
    reservation.refresh_from_db()
    return reservation


def approve_reservation(*, reservation: Reservation, by: User, message: str = "") -> Reservation:
    """Confirm a pending reservation (staff)."""
    return _decide(
        reservation,
        old=(ReservationStatus.PENDING,),
        new=ReservationStatus.CONFIRMED,
        by=by,
        message=message,
    )


def decline_reservation(*, reservation: Reservation, by: User, message: str = "") -> Reservation:
    """Decline a pending reservation (staff); the time becomes free again."""
    return _decide(
        reservation,
        old=(ReservationStatus.PENDING,),
        new=ReservationStatus.DECLINED,
        by=by,
        message=message,
    )


def cancel_reservation(
    *, reservation: Reservation, by: User | None = None, message: str = ""
) -> Reservation:
    """Cancel a pending or confirmed reservation (company via signed link, or staff)."""
    return _decide(
        reservation,
        old=tuple(HOLDING_STATUSES),
        new=ReservationStatus.CANCELLED,
        by=by,
        message=message,
    )
