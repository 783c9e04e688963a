"""Staff book a slot on a company's behalf from the calendar page (the company called)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Booking, Schedule

from .conftest import make_schedule
from .test_services import book


def url(name: str, network: str = "feldberg", **kwargs) -> str:
    return reverse(f"site:booking:{name}", kwargs={"network_slug": network, **kwargs})


def staff_form(schedule: Schedule, slot_key: str, **overrides) -> dict:
    data = {
        "slot": f"{schedule.code}:{slot_key}",
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "039831 0000",
        "concern": "Koch für die Saison gesucht",
        "consent": "on",
        "idempotency_key": "staff-key-1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def expert(client, feldberg):
    client.force_login(feldberg.partner_expert)
    return feldberg.partner_expert


def test_the_calendar_offers_the_staff_form_with_the_free_slots(
    client, expert, schedule, free_slot
):
    html = client.get(url("calendar")).content.decode()
    assert "Für einen Betrieb buchen" in html
    assert f'value="{schedule.code}:{free_slot.key}"' in html
    assert 'action="' + url("staff_book") + '"' in html


def test_staff_book_a_slot_for_a_company_with_consent_given_by_phone(
    client, expert, schedule, free_slot
):
    expert.first_name, expert.last_name = "Jens", "Berater"
    expert.save()
    response = client.post(url("staff_book"), staff_form(schedule, free_slot.key))

    assert response.status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
    assert booking.slot.starts_at == free_slot.starts_at
    assert (booking.name, booking.company, booking.email, booking.phone) == (
        "Anja Muster",
        "Hotel am See",
        "anja@hotel-am-see.example",
        "039831 0000",
    )
    assert booking.concern == "Koch für die Saison gesucht"
    assert booking.booked_by == expert
    assert booking.consent_at is not None
    assert booking.consent_note == "Telefonisch erteilt gegenüber Jens Berater"
    assert f"gebucht={booking.code}" in response["Location"]

    calendar = client.get(response["Location"]).content.decode()
    assert "Termin für Anja Muster am" in calendar
    assert "Gebucht von Jens Berater" in calendar


def test_a_replayed_staff_form_books_once(client, expert, schedule, free_slot):
    first = client.post(url("staff_book"), staff_form(schedule, free_slot.key))
    second = client.post(url("staff_book"), staff_form(schedule, free_slot.key))
    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert Booking.objects.count() == 1


def test_without_the_companys_consent_nothing_is_booked_and_the_input_is_kept(
    client, expert, schedule, free_slot
):
    response = client.post(
        url("staff_book"), staff_form(schedule, free_slot.key, consent="", email="kein-at")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bitte bestätigen Sie, dass der Betrieb eingewilligt hat." in html
    assert "Bitte gültige E-Mail-Adresse eingeben." in html
    assert 'value="Hotel am See"' in html
    assert re.search(rf'<option value="{schedule.code}:{free_slot.key}" selected>', html)
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_gives_the_message_and_keeps_the_input(
    client, expert, schedule, free_slot
):
    book(schedule, free_slot.starts_at, email="schneller@example.org")
    response = client.post(url("staff_book"), staff_form(schedule, free_slot.key))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Dieser Termin wurde gerade vergeben." in html
    assert 'value="Anja Muster"' in html
    # The taken slot is no longer offered; the next free one is.
    assert f'value="{schedule.code}:{free_slot.key}"' not in html
    with scopes_disabled():
        assert Booking.objects.count() == 1


def test_an_expert_cannot_book_another_providers_consultation_hour(
    client, expert, feldberg, in_feldberg
):
    with scopes_disabled():
        other_provider = feldberg.offer.provider.__class__.objects.create(
            network=feldberg.network, slug="andere", name="Andere Kammer", kind="kammer"
        )
    other = make_schedule(feldberg.network, other_provider, title="Fremde Sprechstunde")
    slot = queries.free_slots([other], limit=1)[0]
    response = client.post(url("staff_book"), staff_form(other, slot.key))
    assert response.status_code == 400
    assert "Bitte wählen Sie einen Termin." in response.content.decode()
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_a_navigator_books_for_any_consultation_hour_of_the_network(
    client, feldberg, schedule, free_slot
):
    client.force_login(feldberg.navigator)
    response = client.post(url("staff_book"), staff_form(schedule, free_slot.key))
    assert response.status_code == 302
    with scopes_disabled():
        assert Booking.objects.get().booked_by == feldberg.navigator


def test_the_staff_form_needs_a_login(client, schedule, free_slot):
    response = client.post(url("staff_book"), staff_form(schedule, free_slot.key))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_the_outsider_gets_404_and_books_nothing(client, outsider, schedule, free_slot):
    client.force_login(outsider)
    assert client.get(url("staff_book")).status_code == 404
    assert client.post(url("staff_book"), staff_form(schedule, free_slot.key)).status_code == 404
    with scopes_disabled():
        assert not Booking.objects.exists()
