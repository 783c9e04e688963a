"""Data-protection requests in the back office: export and erase one appointment or
reservation (issue 9.10), only within the own network and only by coordinators and
navigators."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy
from anlaufstelle.booking.models import (
    Booking,
    BookingStatus,
    Reservation,
    ReservationStatus,
    Slot,
)

from .test_services import book

BOOKINGS = reverse("admin:booking_booking_changelist")
RESERVATIONS = reverse("admin:booking_reservation_changelist")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reload(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def booking(schedule, free_slot):
    return book(schedule, free_slot.starts_at)


@pytest.fixture
def reservation(room, in_feldberg):
    from anlaufstelle.booking import services

    day = timezone.localdate() + timedelta(days=3)
    starts = timezone.make_aware(datetime.combine(day, time.min))
    return services.reserve_resource(
        resource=room,
        starts_at=starts + timedelta(hours=10),
        ends_at=starts + timedelta(hours=11),
        name="Rita Raum",
        email="rita@raum.example",
        purpose="Workshop",
        consent=True,
    )


@pytest.mark.parametrize("role", ["coordinator", "navigator"])
def test_staff_export_an_appointment_as_json(feldberg, booking, role):
    response = client_for(getattr(feldberg, role)).post(
        BOOKINGS, {"action": "export_selected", ACTION_CHECKBOX_NAME: [booking.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    [row] = json.loads(response.content)["rows"]
    assert (row["code"], row["email"], row["name"]) == (booking.code, booking.email, booking.name)


def test_erasing_asks_first_then_blanks_the_person_and_frees_the_place(feldberg, booking):
    client = client_for(feldberg.coordinator)
    data = {"action": "erase_selected", ACTION_CHECKBOX_NAME: [booking.pk]}
    confirm = client.post(BOOKINGS, data)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Personenbezogene Daten löschen?" in page and "Ja, löschen" in page
    assert reload(booking).email == booking.email  # nothing happened yet

    done = client.post(BOOKINGS, {**data, "post": "yes"}, follow=True)
    assert "wurden gelöscht" in done.content.decode()
    erased = reload(booking)
    assert (erased.name, erased.email, erased.phone, erased.concern) == (privacy.ERASED, "", "", "")
    assert erased.status == BookingStatus.CANCELLED and erased.anonymised_at is not None
    with scopes_disabled():
        assert Slot.objects.get(pk=booking.slot_id).booked_count == 0


def test_an_erased_place_can_be_booked_again(feldberg, schedule, booking, in_feldberg):
    privacy.erase_booking(booking=booking)
    again = book(schedule, booking.slot.starts_at, email="neu@example.org")
    assert again.slot_id == booking.slot_id


def test_erasing_a_reservation_frees_the_room(feldberg, reservation):
    client = client_for(feldberg.navigator)
    client.post(
        RESERVATIONS,
        {"action": "erase_selected", ACTION_CHECKBOX_NAME: [reservation.pk], "post": "yes"},
    )
    erased = reload(reservation)
    assert (erased.name, erased.email, erased.purpose) == (privacy.ERASED, "", "")
    assert erased.status == ReservationStatus.CANCELLED


def test_partner_experts_cannot_erase_or_export(feldberg, booking):
    client = client_for(feldberg.partner_expert)
    for action in ("erase_selected", "export_selected"):
        response = client.post(
            BOOKINGS, {"action": action, ACTION_CHECKBOX_NAME: [booking.pk], "post": "yes"}
        )
        assert not response["Content-Type"].startswith("application/json")
    assert reload(booking).email == booking.email


def test_the_other_network_cannot_erase_or_export_our_rows(personas, booking, reservation):
    client = client_for(personas.stuttgart.coordinator)
    exported = client.post(
        BOOKINGS, {"action": "export_selected", ACTION_CHECKBOX_NAME: [booking.pk]}
    )
    if exported["Content-Type"].startswith("application/json"):
        assert json.loads(exported.content)["rows"] == []
    for url, obj in ((BOOKINGS, booking), (RESERVATIONS, reservation)):
        client.post(
            url, {"action": "erase_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"}
        )
        assert reload(obj).anonymised_at is None


def test_erasing_twice_changes_nothing_more(booking):
    assert privacy.erase_booking(booking=booking) is True
    assert privacy.erase_booking(booking=booking) is False
    with scopes_disabled():
        assert Booking.objects.filter(anonymised_at__isnull=False).count() == 1
        assert Reservation.objects.count() == 0


def test_only_the_coordinator_changes_retention_and_the_video_pattern(feldberg):
    from anlaufstelle.booking.models import BookingSettings

    url = reverse("admin:booking_bookingsettings_add")
    data = {"video_url_pattern": "https://video.example.org/{room}", "retention_days": 30}
    for role in ("navigator", "partner_expert"):
        assert client_for(getattr(feldberg, role)).post(url, data).status_code == 403
    with scopes_disabled():
        assert not BookingSettings.objects.exists()
    assert client_for(feldberg.coordinator).post(url, data).status_code == 302
