"""JSON API for embedding booking in a network's own website."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from ninja.testing import TestClient

from anlaufstelle.api.api import api as v1
from anlaufstelle.api.booking import router
from anlaufstelle.booking import queries, services
from anlaufstelle.booking.models import Booking, BookingStatus
from anlaufstelle.booking.slots import BERLIN

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
    again = api.post(f"/feldberg/bookings/{code}/cancel", json={"token": token})
    assert again.status_code == 410
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


def create(api, schedule, start, key: str = "k1") -> dict:
    url = f"/feldberg/schedules/{schedule.code}/bookings"
    response = api.post(url, json=payload(start), headers={"Idempotency-Key": key})
    assert response.status_code == 201
    return response.json()


def test_a_used_cancel_token_says_the_booking_was_already_cancelled(api, schedule, free_slot):
    created = create(api, schedule, free_slot.starts_at)
    cancel = f"/feldberg/bookings/{created['code']}/cancel"
    assert api.post(cancel, json={"token": created["cancel_token"]}).status_code == 200
    again = api.post(cancel, json={"token": created["cancel_token"]})
    assert again.status_code == 410
    assert again.json() == {"detail": "Dieser Termin wurde bereits abgesagt."}
    # A forged token, another booking's or another network's address: still 404.
    token = created["cancel_token"]
    forged = api.post(cancel, json={"token": token[:-2] + ("xx" if token[-2:] != "xx" else "yy")})
    assert forged.status_code == 404
    assert forged.json() == {"detail": "Nicht gefunden"}
    other = f"/stuttgart/bookings/{created['code']}/cancel"
    assert api.post(other, json={"token": created["cancel_token"]}).status_code == 404


def test_a_cancel_token_of_a_moved_booking_says_it_was_moved(api, schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    created = create(api, schedule, first.starts_at)
    booking = Booking.objects.get(code=created["code"])
    services.move_booking(booking=booking, starts_at=second.starts_at)
    response = api.post(
        f"/feldberg/bookings/{created['code']}/cancel", json={"token": created["cancel_token"]}
    )
    assert response.status_code == 410
    detail = response.json()["detail"]
    assert "verschoben" in detail and "letzten E-Mail" in detail
    assert second.starts_at.astimezone(BERLIN).strftime("%H:%M") not in detail
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_cancel_operation_documents_the_410():
    schema = v1.get_openapi_schema()
    operation = schema["paths"]["/api/v1/booking/{network}/bookings/{code}/cancel"]["post"]
    responses = {str(status): answer for status, answer in operation["responses"].items()}
    assert {"200", "404", "409", "410"} <= set(responses)
    gone = responses["410"]
    assert gone["description"]
    body = gone["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/GoneOut"}
    assert schema["components"]["schemas"]["GoneOut"]["required"] == ["detail"]
    assert "410" in operation["description"]
