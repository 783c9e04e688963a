"""Idempotency-Key on the booking API: every retry gets the one booking, also when 20
arrive at once on a single place; other content under the same key is a 422; an empty
key is refused; each network has its own keys. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Booking, Reservation, Slot
from anlaufstelle.networks.scoping import network_scope

from .conftest import make_schedule
from .test_api import payload

PARALLEL = 20
API = "/api/v1/booking"


def single_place(personas_network):
    network, provider = personas_network.network, personas_network.provider
    with network_scope(network):
        schedule = make_schedule(network, provider, capacity=1)
        starts_at = queries.free_slots([schedule], limit=1)[0].starts_at
    return schedule, starts_at


def post(url: str, body: dict, key: str | None):
    """Through the whole API (its error handlers too), each call with a client of its own."""
    headers = {} if key is None else {"Idempotency-Key": key}
    return Client().post(
        f"{API}{url}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def post_booking(network_slug: str, schedule, body: dict, key: str | None):
    return post(f"/{network_slug}/schedules/{schedule.code}/bookings", body, key)


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_retries_on_a_single_place_all_get_the_one_booking(personas):
    schedule, starts_at = single_place(personas.feldberg)
    barrier = threading.Barrier(PARALLEL)
    answers: list[tuple[int, dict]] = [(0, {})] * PARALLEL

    def retry(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            response = post_booking("feldberg", schedule, payload(starts_at), "one-click")
            answers[i] = (response.status_code, response.json())
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=retry, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [status for status, _ in answers] == [201] * PARALLEL, answers
    assert len({body["code"] for _, body in answers}) == 1
    with scopes_disabled():
        assert Booking.objects.count() == 1
        assert Slot.objects.get(schedule=schedule).booked_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"email": "jemand.anders@example.org"},
        {"name": "Jemand Anders"},
        {"later": True},
    ],
    ids=["email", "name", "time"],
)
def test_the_same_key_with_other_content_is_a_422(personas, change):
    schedule, starts_at = single_place(personas.feldberg)
    first = post_booking("feldberg", schedule, payload(starts_at), "k-1")
    assert first.status_code == 201
    if change.pop("later", False):
        with network_scope(personas.feldberg.network):
            starts_at = queries.free_slots([schedule], start=starts_at, limit=2)[-1].starts_at
    other = post_booking("feldberg", schedule, payload(starts_at, **change), "k-1")
    assert other.status_code == 422
    assert "anderen Termin" in other.json()["detail"]
    with scopes_disabled():
        assert Booking.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_for_another_schedule_is_a_422(personas):
    schedule, starts_at = single_place(personas.feldberg)
    other_schedule, other_start = single_place(personas.feldberg)
    assert post_booking("feldberg", schedule, payload(starts_at), "k-2").status_code == 201
    other = post_booking("feldberg", other_schedule, payload(other_start), "k-2")
    assert other.status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "x" * 101], ids=["empty", "blank", "too-long"])
def test_an_empty_or_overlong_key_is_refused_with_a_clear_message(personas, key):
    schedule, starts_at = single_place(personas.feldberg)
    response = post_booking("feldberg", schedule, payload(starts_at), key)
    assert response.status_code == 422
    assert "Idempotency-Key" in json.dumps(response.json())  # names the header
    with scopes_disabled():
        assert Booking.objects.count() == 0


@pytest.mark.django_db
def test_keys_are_scoped_per_network(personas):
    feldberg_schedule, feldberg_start = single_place(personas.feldberg)
    stuttgart_schedule, stuttgart_start = single_place(personas.stuttgart)
    in_feldberg = post_booking("feldberg", feldberg_schedule, payload(feldberg_start), "same")
    in_stuttgart = post_booking("stuttgart", stuttgart_schedule, payload(stuttgart_start), "same")
    assert in_feldberg.status_code == in_stuttgart.status_code == 201
    assert in_feldberg.json()["code"] != in_stuttgart.json()["code"]
    with scopes_disabled():
        assert Booking.objects.count() == 2


@pytest.mark.django_db
def test_reservation_keys_are_scoped_per_network_and_refused_when_empty(personas, room):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from anlaufstelle.booking.models import OpeningHours, Resource, ResourceKind
    from anlaufstelle.booking.slots import BERLIN

    with scopes_disabled():
        stuttgart_room = Resource.objects.create(
            network=personas.stuttgart.network,
            provider=personas.stuttgart.provider,
            name="Raum",
            kind=ResourceKind.MEETING_ROOM,
            capacity=6,
            min_minutes=30,
        )
        for weekday in range(7):
            OpeningHours.objects.create(
                network=personas.stuttgart.network,
                resource=stuttgart_room,
                weekday=weekday,
                opens=time(0),
                closes=time(23, 59),
            )
    day = timezone.localdate() + timedelta(days=30)
    start = datetime.combine(day, time(12), tzinfo=BERLIN)
    body = payload(start, end=(start + timedelta(hours=1)).isoformat())

    def reserve(slug: str, resource, key: str):
        return post(f"/{slug}/resources/{resource.code}/reservations", body, key)

    assert reserve("feldberg", room, "").status_code == 422
    statuses = (reserve("feldberg", room, "r"), reserve("stuttgart", stuttgart_room, "r"))
    assert [r.status_code for r in statuses] == [201, 201], [r.json() for r in statuses]
    with scopes_disabled():
        assert Reservation.objects.count() == 2
