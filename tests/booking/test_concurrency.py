"""Concurrency: 20 parallel requests, each thread with its own database connection.

Runs on whichever database the settings point at (SQLite file DB by default, PostgreSQL
under `make test`). Each pair of tests first shows that the race exists without the
lock, then that the service prevents it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries, services
from anlaufstelle.booking.models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    Reservation,
    ReservationStatus,
    Slot,
)
from anlaufstelle.booking.slots import BERLIN, public_holidays
from anlaufstelle.networks.scoping import network_scope

from .conftest import booking_data, make_schedule

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def run_parallel(network, fn: Callable[[int], object]) -> list[tuple[str, object]]:
    """Start PARALLEL threads that call fn(i) at the same moment; collect results."""
    barrier = threading.Barrier(PARALLEL)
    results: list[tuple[str, object]] = [("none", None)] * PARALLEL

    def worker(i: int) -> None:
        try:
            with network_scope(network):
                barrier.wait(timeout=30)
                results[i] = ("ok", fn(i))
        except Exception as exc:  # noqa: BLE001 (collected and asserted on below)
            results[i] = ("error", exc)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def successes(results):
    return [r for kind, r in results if kind == "ok"]


def errors(results):
    return [r for kind, r in results if kind == "error"]


@pytest.fixture
def last_place(feldberg):
    """A slot with three places of which two are booked: one place left."""
    with network_scope(feldberg.network):
        schedule = make_schedule(feldberg.network, feldberg.provider, capacity=3)
        slot = queries.free_slots([schedule], limit=1)[0]
        for i in range(2):
            services.book_slot(
                schedule=schedule,
                starts_at=slot.starts_at,
                **booking_data(email=f"early{i}@example.org"),
            )
    return schedule, slot.starts_at


def test_without_the_lock_the_last_place_is_sold_many_times(feldberg, last_place):
    schedule, starts_at = last_place
    checked = threading.Barrier(PARALLEL)

    def unlocked_booking(i: int) -> Booking:
        # Check-then-insert without a lock or counter: the naive implementation.
        slot = Slot.objects.get(schedule=schedule, starts_at=starts_at)
        taken = Booking.objects.filter(slot=slot, status=BookingStatus.CONFIRMED).count()
        checked.wait(timeout=30)  # everyone has checked before anyone writes
        if taken >= slot.capacity:
            raise services.SlotTaken("full")
        return Booking.objects.create(
            network=schedule.network,
            slot=slot,
            consent_at=timezone.now(),
            **{
                k: v
                for k, v in booking_data(email=f"racer{i}@example.org").items()
                if k != "consent"
            },
        )

    results = run_parallel(feldberg.network, unlocked_booking)
    assert len(successes(results)) > 1
    with scopes_disabled():
        assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() > 3


def test_twenty_parallel_requests_for_the_last_place_book_exactly_once(feldberg, last_place):
    schedule, starts_at = last_place

    def book(i: int) -> Booking:
        return services.book_slot(
            schedule=schedule, starts_at=starts_at, **booking_data(email=f"racer{i}@example.org")
        )

    results = run_parallel(feldberg.network, book)
    assert len(successes(results)) == 1
    refused = errors(results)
    assert len(refused) == PARALLEL - 1
    assert all(isinstance(e, services.SlotTaken) for e in refused), refused
    assert {e.message for e in refused} == {"Dieser Termin wurde gerade vergeben."}
    assert all(e.next_slots and e.next_slots[0].starts_at != starts_at for e in refused)
    with scopes_disabled():
        slot = Slot.objects.get(schedule=schedule, starts_at=starts_at)
        assert slot.booked_count == 3
        assert Booking.objects.filter(slot=slot, status=BookingStatus.CONFIRMED).count() == 3


def test_twenty_parallel_first_bookings_of_a_fresh_slot_book_exactly_once(feldberg):
    with network_scope(feldberg.network):
        schedule = make_schedule(feldberg.network, feldberg.provider, capacity=1)
        starts_at = queries.free_slots([schedule], limit=1)[0].starts_at

    def book(i: int) -> Booking:
        return services.book_slot(
            schedule=schedule, starts_at=starts_at, **booking_data(email=f"racer{i}@example.org")
        )

    results = run_parallel(feldberg.network, book)
    assert len(successes(results)) == 1
    assert all(isinstance(e, services.SlotTaken) for e in errors(results)), errors(results)
    with scopes_disabled():
        assert Slot.objects.get(schedule=schedule).booked_count == 1
        assert Booking.objects.count() == 1


def test_twenty_replays_of_one_idempotency_key_book_once(feldberg):
    with network_scope(feldberg.network):
        schedule = make_schedule(feldberg.network, feldberg.provider, capacity=5)
        starts_at = queries.free_slots([schedule], limit=1)[0].starts_at

    def book(i: int) -> int:
        return services.book_slot(
            schedule=schedule, starts_at=starts_at, idempotency_key="double-click", **booking_data()
        ).pk

    results = run_parallel(feldberg.network, book)
    assert errors(results) == []
    assert len(set(successes(results))) == 1
    with scopes_disabled():
        assert Booking.objects.count() == 1
        assert Slot.objects.get().booked_count == 1


# --- rooms -----------------------------------------------------------------------------


def _open_day():
    day = timezone.localdate() + timedelta(days=2)
    while day in public_holidays("MV", [day.year]):
        day += timedelta(days=1)
    return day


def _range(i: int) -> tuple[datetime, datetime]:
    # Twenty different ranges that all overlap 10:00–10:30.
    day = _open_day()
    start = datetime.combine(day, time(9), tzinfo=BERLIN) + timedelta(minutes=3 * i)
    return start, start + timedelta(minutes=90)


def test_without_the_lock_a_room_is_reserved_twice(feldberg, room):
    checked = threading.Barrier(PARALLEL)
    passed_check = []

    def unlocked_reservation(i: int) -> Reservation:
        start, end = _range(i)
        clash = Reservation.objects.filter(
            resource=room, status__in=HOLDING_STATUSES, starts_at__lt=end, ends_at__gt=start
        ).exists()
        checked.wait(timeout=30)  # everyone has checked before anyone writes
        if clash:
            raise services.ReservationConflict("taken")
        passed_check.append(i)
        with transaction.atomic():
            return Reservation.objects.create(
                network=room.network,
                resource=room,
                starts_at=start,
                ends_at=end,
                status=ReservationStatus.CONFIRMED,
                consent_at=timezone.now(),
                name="X",
                email=f"r{i}@example.org",
            )

    results = run_parallel(feldberg.network, unlocked_reservation)
    # The check in Python lets everyone through: the race exists.
    assert len(passed_check) == PARALLEL
    if _has_exclusion_constraint():
        # PostgreSQL with btree_gist: the exclusion constraint is the last line of defence.
        # Concurrent inserts that conflict wait for each other; PostgreSQL refuses all but
        # one, as an exclusion violation or, when two waited on each other, a detected
        # deadlock. Either way the database, not Python, kept the room from double booking.
        assert len(successes(results)) == 1
        refused = errors(results)
        assert all(
            isinstance(e, IntegrityError)
            or (isinstance(e, OperationalError) and "deadlock" in str(e))
            for e in refused
        ), [repr(e) for e in refused]
    else:
        assert len(successes(results)) == PARALLEL


def _has_exclusion_constraint() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = 'reservation_no_overlap'")
        return cursor.fetchone() is not None


def test_twenty_parallel_overlapping_reservations_reserve_exactly_once(feldberg, room):
    def reserve(i: int) -> Reservation:
        start, end = _range(i)
        data = booking_data(email=f"r{i}@example.org")
        data["purpose"] = data.pop("concern")
        return services.reserve_resource(resource=room, starts_at=start, ends_at=end, **data)

    results = run_parallel(feldberg.network, reserve)
    assert len(successes(results)) == 1
    refused = errors(results)
    assert all(isinstance(e, services.ReservationConflict) for e in refused), refused
    assert {e.message for e in refused} == {"Diese Zeit wurde gerade vergeben."}
    with scopes_disabled():
        assert Reservation.objects.filter(status__in=HOLDING_STATUSES).count() == 1
