"""A phone appointment is a call to the company: it needs a number, on every way in
(public form, staff form, API); the staff form lists the free slots in time order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Booking, Format

from .conftest import make_schedule

NEEDS_PHONE = "Bitte geben Sie eine Telefonnummer an, unter der wir Sie anrufen können."


def url(name: str, **kwargs) -> str:
    return reverse(f"site:booking:{name}", kwargs={"network_slug": "feldberg", **kwargs})


@pytest.fixture
def phone_hour(feldberg):
    return make_schedule(
        feldberg.network,
        feldberg.provider,
        expert=feldberg.partner_expert,
        fmt=Format.PHONE,
        title="Telefonsprechstunde",
    )


@pytest.fixture
def phone_slot(phone_hour, in_feldberg):
    return queries.free_slots([phone_hour], limit=1)[0]


def public_form(key: str, **overrides) -> dict:
    data = {
        "termin": key,
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "",
        "concern": "Koch gesucht",
        "consent": "on",
        "idempotency_key": "phone-key-1",
    }
    data.update(overrides)
    return data


def test_the_public_form_asks_for_the_number_and_keeps_the_input(client, phone_hour, phone_slot):
    page = client.get(url("book", code=phone_hour.code) + f"?termin={phone_slot.key}")
    html = page.content.decode()
    assert "Telefon (wir rufen Sie unter dieser Nummer an)" in html
    assert "Telefon (freiwillig)" not in html

    response = client.post(url("book", code=phone_hour.code), public_form(phone_slot.key))
    assert response.status_code == 200
    html = response.content.decode()
    assert NEEDS_PHONE in html
    assert 'value="Hotel am See"' in html and "Koch gesucht" in html
    with scopes_disabled():
        assert not Booking.objects.exists()

    response = client.post(
        url("book", code=phone_hour.code), public_form(phone_slot.key, phone="039831 12345")
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Booking.objects.get().phone == "039831 12345"


def test_an_on_site_appointment_still_needs_no_number(client, schedule, free_slot):
    response = client.post(url("book", code=schedule.code), public_form(free_slot.key))
    assert response.status_code == 302


def test_the_api_refuses_a_phone_booking_without_a_number(client, phone_hour, phone_slot):
    path = f"/api/v1/booking/feldberg/schedules/{phone_hour.code}/bookings"
    payload = {
        "start": phone_slot.starts_at.isoformat(),
        "name": "Anja Muster",
        "email": "anja@hotel-am-see.example",
        "consent": True,
    }
    response = client.post(
        path, payload, content_type="application/json", headers={"Idempotency-Key": "api-1"}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == NEEDS_PHONE
    payload["phone"] = "039831 12345"
    response = client.post(
        path, payload, content_type="application/json", headers={"Idempotency-Key": "api-2"}
    )
    assert response.status_code == 201


def test_the_staff_form_needs_the_number_for_a_phone_slot_and_lists_slots_in_time_order(
    client, feldberg, schedule, phone_hour, phone_slot
):
    client.force_login(feldberg.partner_expert)
    html = client.get(url("calendar")).content.decode()
    labels = re.findall(r'<option value="[A-Z0-9]+:[^"]+">([^<]+)</option>', html)
    assert labels, "no slot options"
    # Both consultation hours are open all day, so their slots interleave in time order.
    assert any("Telefonsprechstunde" in label for label in labels[:4])
    assert any("Arbeitgeber-Sprechstunde" in label for label in labels[:4])

    data = {
        "slot": f"{phone_hour.code}:{phone_slot.key}",
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "",
        "concern": "",
        "consent": "on",
        "idempotency_key": "staff-phone-1",
    }
    response = client.post(url("staff_book"), data)
    assert response.status_code == 400
    assert NEEDS_PHONE in response.content.decode()
    with scopes_disabled():
        assert not Booking.objects.exists()
