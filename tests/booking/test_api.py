"""JSON API for embedding booking in a network's own website."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from ninja.testing import TestClient

from anlaufstelle.api.booking import router
from anlaufstelle.booking.models import Booking, BookingStatus

from .test_services import at, open_day  # noqa: F401  (fixture)


@pytest.fixture
def api():
    return TestClient(router)


def payload(start, **kw):
    data = {
        "start": start.isoformat(),
        "name": "Anja Muster",
        "email": "anja@example.org",
        "consent": True,
    }
    data.update(kw)
    return data


def test_free_slots_are_listed_in_utc(api, schedule, free_slot):
    response = api.get(f"/feldberg/schedules/{schedule.code}/slots?limit=3")
    assert response.status_code == 200
    slots = response.json()
    assert len(slots) == 3
    assert slots[0]["start"].replace("Z", "+00:00").startswith(free_slot.starts_at.isoformat()[:16])


def test_the_outsider_network_does_not_see_the_schedule(api, schedule):
    assert api.get(f"/stuttgart/schedules/{schedule.code}/slots").status_code == 404


def test_create_is_idempotent_and_cancel_works_once(api, schedule, free_slot):
    url = f"/feldberg/schedules/{schedule.code}/bookings"
    first = api.post(url, json=payload(free_slot.starts_at), headers={"Idempotency-Key": "abc"})
    again = api.post(url, json=payload(free_slot.starts_at), headers={"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    with scopes_disabled():
        assert Booking.objects.count() == 1
    other = api.post(
        url,
        json=payload(free_slot.starts_at, email="b@example.org"),
        headers={"Idempotency-Key": "xyz"},
    )
    assert other.status_code == 409
    assert other.json()["detail"] == "Dieser Termin wurde gerade vergeben."
    assert other.json()["next_slots"]
    code, token = first.json()["code"], first.json()["cancel_token"]
    assert api.post(f"/feldberg/bookings/{code}/cancel", json={"token": token}).status_code == 200
    assert api.post(f"/feldberg/bookings/{code}/cancel", json={"token": token}).status_code == 404
    with scopes_disabled():
        assert Booking.objects.get(code=code).status == BookingStatus.CANCELLED


def test_a_booking_needs_an_idempotency_key(api, schedule, free_slot):
    response = api.post(
        f"/feldberg/schedules/{schedule.code}/bookings", json=payload(free_slot.starts_at)
    )
    assert response.status_code == 422


def test_reservations_conflict_with_409(api, room, open_day):  # noqa: F811
    url = f"/feldberg/resources/{room.code}/reservations"
    body = payload(at(open_day, 9), end=at(open_day, 11).isoformat())
    assert api.post(url, json=body, headers={"Idempotency-Key": "r1"}).status_code == 201
    clash = api.post(
        url,
        json=payload(at(open_day, 10), end=at(open_day, 12).isoformat(), email="b@example.org"),
        headers={"Idempotency-Key": "r2"},
    )
    assert clash.status_code == 409
    busy = api.get(f"/feldberg/resources/{room.code}/busy?day={open_day.isoformat()}").json()
    assert len(busy) == 1
