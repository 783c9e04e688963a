"""book_slot, cancel, move, reserve: the rules and the database's last line of defence."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries, services
from anlaufstelle.booking.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    ClosingDay,
    Format,
    ReservationStatus,
    Slot,
)
from anlaufstelle.booking.slots import BERLIN

from .conftest import booking_data, make_schedule


def book(schedule, starts_at, **overrides):
    return services.book_slot(schedule=schedule, starts_at=starts_at, **booking_data(**overrides))


def test_booking_a_free_slot_counts_the_place(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.slot.starts_at == free_slot.starts_at
    assert Slot.objects.get(pk=booking.slot_id).booked_count == 1
    assert len(booking.code) == 10 and not booking.code.isdigit()
    assert booking.video_url == ""


def test_a_full_slot_is_refused_in_german_with_the_next_free_slots(schedule, free_slot):
    book(schedule, free_slot.starts_at)
    with pytest.raises(services.SlotTaken) as refused:
        book(schedule, free_slot.starts_at, email="murat@metall.example")
    assert refused.value.message == "Dieser Termin wurde gerade vergeben."
    assert refused.value.next_slots
    assert free_slot.starts_at not in [s.starts_at for s in refused.value.next_slots]
    assert Booking.objects.count() == 1


def test_a_taken_slot_disappears_from_the_free_list(schedule, free_slot):
    book(schedule, free_slot.starts_at)
    assert free_slot.starts_at not in [s.starts_at for s in queries.free_slots([schedule], limit=5)]


def test_a_group_slot_takes_as_many_bookings_as_places(feldberg, in_feldberg):
    group = make_schedule(feldberg.network, feldberg.provider, capacity=3)
    slot = queries.free_slots([group], limit=1)[0]
    for i in range(3):
        book(group, slot.starts_at, email=f"firma{i}@example.org")
    assert queries.free_slots([group], limit=1)[0].starts_at != slot.starts_at
    with pytest.raises(services.SlotTaken):
        book(group, slot.starts_at, email="vierte@example.org")


def test_replaying_the_idempotency_key_books_once(schedule, free_slot):
    first = book(schedule, free_slot.starts_at, idempotency_key="key-1")
    again = book(schedule, free_slot.starts_at, idempotency_key="key-1")
    assert again.pk == first.pk
    assert Booking.objects.count() == 1
    assert Slot.objects.get().booked_count == 1


def test_an_idempotency_key_cannot_be_reused_by_someone_else(schedule, free_slot):
    book(schedule, free_slot.starts_at, idempotency_key="key-2")
    with pytest.raises(services.IdempotencyConflict):
        book(schedule, free_slot.starts_at, idempotency_key="key-2", email="other@example.org")


def test_it_refuses_a_booking_without_consent(schedule, free_slot):
    with pytest.raises(services.BookingError):
        book(schedule, free_slot.starts_at, consent=False)
    assert not Booking.objects.exists()


def test_it_refuses_a_booking_in_the_past(schedule, in_feldberg):
    with pytest.raises(services.SlotUnavailable):
        book(
            schedule, timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        )


def test_it_refuses_a_time_that_is_not_a_slot(schedule, free_slot):
    with pytest.raises(services.SlotUnavailable):
        book(schedule, free_slot.starts_at + timedelta(minutes=7))


def test_it_refuses_a_slot_on_a_closing_day(feldberg, schedule, free_slot):
    with scopes_disabled():
        ClosingDay.objects.create(
            network=feldberg.network, date=free_slot.starts_at.astimezone(BERLIN).date()
        )
    with pytest.raises(services.SlotUnavailable):
        book(schedule, free_slot.starts_at)


def test_the_database_refuses_more_bookings_than_places(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=booking.slot_id).update(booked_count=2)


def test_cancelling_frees_the_place_once(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    services.cancel_booking(booking=booking, by="company")
    assert booking.status == BookingStatus.CANCELLED
    assert booking.token_version == 1
    assert Slot.objects.get().booked_count == 0
    with pytest.raises(services.BookingError):
        services.cancel_booking(booking=booking, by="company")
    assert Slot.objects.get().booked_count == 0
    assert (
        book(schedule, free_slot.starts_at, email="next@example.org").status
        == BookingStatus.CONFIRMED
    )


def test_moving_takes_the_new_place_and_frees_the_old(schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    services.move_booking(booking=booking, starts_at=second.starts_at)
    assert booking.slot.starts_at == second.starts_at
    counts = dict(Slot.objects.values_list("starts_at", "booked_count"))
    assert counts == {first.starts_at: 0, second.starts_at: 1}
    assert booking.token_version == 1


def test_moving_to_a_full_slot_is_refused(schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    book(schedule, second.starts_at, email="b@example.org")
    with pytest.raises(services.SlotTaken):
        services.move_booking(booking=booking, starts_at=second.starts_at)
    booking.refresh_from_db()
    assert booking.slot.starts_at == first.starts_at


def test_video_appointments_get_an_unguessable_jitsi_room(feldberg, in_feldberg):
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    first, second = queries.free_slots([online], limit=2)
    a = book(online, first.starts_at)
    b = book(online, second.starts_at, email="b@example.org")
    assert a.video_url.startswith("https://meet.jit.si/Anlaufstelle")
    assert len(a.video_url.rsplit("/", 1)[1]) >= 32 + len("Anlaufstelle")
    assert a.video_url != b.video_url


def test_a_network_may_use_another_video_provider(feldberg, in_feldberg):
    BookingSettings.objects.create(
        network=feldberg.network, video_url_pattern="https://video.example.org/r/{room}"
    )
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    assert booking.video_url.startswith("https://video.example.org/r/Anlaufstelle")


def test_video_links_can_be_switched_off(feldberg, in_feldberg, settings):
    settings.ANLAUFSTELLE_VIDEO_URL_PATTERN = ""
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    assert booking.video_url == ""


# --- rooms and desks -------------------------------------------------------------------


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=2)
    # Skip public holidays and Sundays are fine: the test room is open every day.
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def reserve(room, start, end, **overrides):
    data = booking_data(**overrides)
    data["purpose"] = data.pop("concern")
    return services.reserve_resource(resource=room, starts_at=start, ends_at=end, **data)


@pytest.fixture
def open_day(feldberg):
    """A day at least two days ahead that is no public holiday in MV."""
    from anlaufstelle.booking.slots import public_holidays

    day = timezone.localdate() + timedelta(days=2)
    while day in public_holidays("MV", [day.year]):
        day += timedelta(days=1)
    return day


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def test_reservations_of_one_room_never_overlap(room, open_day, in_feldberg):
    reserve(room, at(open_day, 9), at(open_day, 12))
    with pytest.raises(services.ReservationConflict) as refused:
        reserve(room, at(open_day, 11), at(open_day, 13), email="b@example.org")
    assert "vergeben" in refused.value.message
    adjacent = reserve(room, at(open_day, 12), at(open_day, 13), email="c@example.org")
    assert adjacent.status == ReservationStatus.CONFIRMED


def test_a_room_with_approval_starts_pending_and_staff_decide(
    room, open_day, in_feldberg, feldberg
):
    room.requires_approval = True
    room.save()
    pending = reserve(room, at(open_day, 9), at(open_day, 10))
    assert pending.status == ReservationStatus.PENDING
    # A pending request already holds the time.
    with pytest.raises(services.ReservationConflict):
        reserve(room, at(open_day, 9, 30), at(open_day, 10, 30), email="b@example.org")
    services.decline_reservation(reservation=pending, by=feldberg.coordinator, message="Belegt")
    assert pending.status == ReservationStatus.DECLINED
    second = reserve(room, at(open_day, 9, 30), at(open_day, 10, 30), email="b@example.org")
    services.approve_reservation(reservation=second, by=feldberg.coordinator)
    assert second.status == ReservationStatus.CONFIRMED
    with pytest.raises(services.BookingError):
        services.approve_reservation(reservation=second, by=feldberg.coordinator)


def test_reservations_outside_opening_hours_are_refused(room, open_day, in_feldberg):
    with pytest.raises(services.BookingError):
        reserve(room, at(open_day, 19), at(open_day, 21))


def test_reservations_on_a_holiday_are_refused(room, in_feldberg, feldberg):
    from anlaufstelle.booking.slots import public_holidays

    today = timezone.localdate()
    upcoming = sorted(
        d
        for d in public_holidays("MV", [today.year, today.year + 1])
        if d > today + timedelta(days=1)
    )
    day = upcoming[0]
    room.horizon_days = 400
    room.save()
    with pytest.raises(services.BookingError):
        reserve(room, at(day, 9), at(day, 10))


def test_reservation_replay_with_the_same_key_reserves_once(room, open_day, in_feldberg):
    a = reserve(room, at(open_day, 9), at(open_day, 10), idempotency_key="r-1")
    b = reserve(room, at(open_day, 9), at(open_day, 10), idempotency_key="r-1")
    assert a.pk == b.pk
