"""Erasure, export and retention cover the appointments and reservations too (issue 9.10).

- An appointment a navigator booked from a concern is in the concern's export and is
  erased with the concern (an upcoming one is cancelled, its place freed).
- Appointments and reservations have their own retention per network (default 90 days
  after they ended), run by the daily `apply_retention` job.
- Open concerns older than the retention period are flagged on the coordinator's inbox.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy, queries
from anlaufstelle.booking import services as booking_services
from anlaufstelle.booking.models import (
    Booking,
    BookingSettings,
    BookingStatus,
    Reservation,
    ReservationStatus,
    Resource,
    ResourceKind,
    Slot,
)
from anlaufstelle.cases import services
from anlaufstelle.cases.models import ConcernStatus
from anlaufstelle.networks.scoping import network_scope

from .conftest import make_schedule, site, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(desk, concern):
    """An upcoming appointment the navigator booked from the concern."""
    schedule = make_schedule(desk.network, desk.partner_a, expert=desk.expert_a)
    with network_scope(desk.network):
        slot = queries.free_slots([schedule], limit=1)[0]
        return services.book_for_company(
            concern=concern, schedule=schedule, starts_at=slot.starts_at, by=desk.navigator
        )


def test_a_booking_from_a_concern_is_tied_to_it(booked, concern):
    assert booked.origin == f"concern:{concern.code}"
    with scopes_disabled():
        assert Booking.objects.get(pk=booked.pk).origin == f"concern:{concern.code}"


def test_the_company_s_export_contains_its_appointment(client, desk, concern, booked):
    from anlaufstelle.cases import links

    response = client.post(links.status_path(concern), {"aktion": "export"})
    data = json.loads(response.content)
    [appointment] = data["appointments"]
    assert appointment["code"] == booked.code
    assert appointment["email"] == concern.email
    assert appointment["starts"] == booked.slot.starts_at.isoformat()


def test_erasing_the_concern_erases_and_cancels_its_appointment(desk, concern, booked):
    with network_scope(desk.network):
        services.erase(concern=concern)
    with scopes_disabled():
        booking = Booking.objects.get(pk=booked.pk)
        slot = Slot.objects.get(pk=booked.slot_id)
    assert booking.anonymised_at is not None
    assert (booking.name, booking.email, booking.phone, booking.concern) == (
        privacy.ERASED,
        "",
        "",
        "",
    )
    assert booking.status == BookingStatus.CANCELLED
    assert slot.booked_count == 0  # the place is free again
    assert booking.token_version > booked.token_version  # its links stop working


def test_erasing_a_concern_leaves_other_bookings_of_the_same_company(desk, concern, booked):
    schedule = make_schedule(desk.network, desk.partner_a, title="Andere Sprechstunde")
    with network_scope(desk.network):
        slot = queries.free_slots([schedule], limit=1)[0]
        own = booking_services.book_slot(
            schedule=schedule,
            starts_at=slot.starts_at,
            name="Anja Muster",
            email=concern.email,
            consent=True,
        )
        services.erase(concern=concern)
    with scopes_disabled():
        assert Booking.objects.get(pk=own.pk).email == "anja@hotel-am-see.example"


def past_booking(network, provider, *, days_ago: int, email: str) -> Booking:
    """An appointment that ended `days_ago` days ago (written directly: the past is not
    bookable)."""
    schedule = make_schedule(network, provider, title=f"Vergangen {days_ago}")
    starts = timezone.now() - timedelta(days=days_ago, hours=1)
    with scopes_disabled():
        slot = Slot.objects.create(
            network=network,
            schedule=schedule,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            capacity=1,
            booked_count=1,
        )
        return Booking.objects.create(
            network=network, slot=slot, name="Kai Kunde", email=email, consent_at=starts
        )


def past_reservation(network, *, days_ago: int, email: str) -> Reservation:
    starts = timezone.now() - timedelta(days=days_ago, hours=2)
    with scopes_disabled():
        room, _ = Resource.objects.get_or_create(
            network=network, name="Seminarraum", defaults={"kind": ResourceKind.SEMINAR_ROOM}
        )
        return Reservation.objects.create(
            network=network,
            resource=room,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status=ReservationStatus.CONFIRMED,
            name="Rita Raum",
            email=email,
            purpose="Workshop mit Azubis",
            consent_at=starts,
        )


def test_retention_erases_appointments_and_reservations_after_90_days(desk):
    old = past_booking(desk.network, desk.partner_a, days_ago=91, email="alt@example.org")
    recent = past_booking(desk.network, desk.partner_a, days_ago=89, email="neu@example.org")
    old_room = past_reservation(desk.network, days_ago=91, email="alt@raum.example")
    recent_room = past_reservation(desk.network, days_ago=10, email="neu@raum.example")

    call_command("apply_retention")

    with scopes_disabled():
        assert Booking.objects.get(pk=old.pk).email == ""
        assert Booking.objects.get(pk=old.pk).name == privacy.ERASED
        assert Booking.objects.get(pk=old.pk).status == BookingStatus.CONFIRMED  # history
        assert Booking.objects.get(pk=recent.pk).email == "neu@example.org"
        erased = Reservation.objects.get(pk=old_room.pk)
        assert (erased.email, erased.purpose, erased.name) == ("", "", privacy.ERASED)
        assert Reservation.objects.get(pk=recent_room.pk).email == "neu@raum.example"


def test_the_retention_period_is_a_setting_of_each_network(desk, personas):
    with scopes_disabled():
        BookingSettings.objects.create(network=desk.network, retention_days=7)
    feldberg = past_booking(desk.network, desk.partner_a, days_ago=8, email="f@example.org")
    stuttgart = past_booking(
        personas.stuttgart.network, personas.stuttgart.provider, days_ago=8, email="s@example.org"
    )
    assert privacy.apply_retention() == (1, 0)
    with scopes_disabled():
        assert Booking.objects.get(pk=feldberg.pk).email == ""
        assert Booking.objects.get(pk=stuttgart.pk).email == "s@example.org"
    assert privacy.apply_retention() == (0, 0)  # once


def test_the_daily_task_runs_the_booking_retention_too(desk):
    from anlaufstelle.cases import tasks

    old = past_booking(desk.network, desk.partner_a, days_ago=120, email="alt@example.org")
    tasks.apply_retention.call()
    with scopes_disabled():
        assert Booking.objects.get(pk=old.pk).email == ""


# --- the coordinator's flag ------------------------------------------------------------


def age(concern, days: int) -> None:
    from anlaufstelle.cases.models import Concern

    with scopes_disabled():
        Concern.objects.filter(pk=concern.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )


def test_open_concerns_older_than_the_retention_period_are_flagged(client, desk):
    old = submit(desk.network, email="alt@hotel.example")
    fresh = submit(desk.network, email="neu@hotel.example")
    closed = submit(desk.network, email="zu@hotel.example")
    age(old, 400)
    age(closed, 400)
    with network_scope(desk.network):
        services.close_concern(concern=closed, outcome="advice_given", by=desk.navigator)

    assert [c.code for c in services.overdue_open_concerns(desk.network)] == [old.code]

    client.force_login(desk.coordinator)
    page = client.get(site("lotsen/")).content.decode()
    assert 'id="retention-flag"' in page
    assert "1 offenes Anliegen ist älter als die Aufbewahrungsfrist" in page
    flag = page.split('id="retention-flag"', 1)[1].split("</div>\n</div>", 1)[0]
    assert old.code in flag and fresh.code not in flag and closed.code not in flag


def test_no_flag_without_overdue_concerns_and_none_for_the_other_network(client, desk, personas):
    stuttgart_old = submit(personas.stuttgart.network, email="alt@stuttgart.example")
    age(stuttgart_old, 400)
    client.force_login(desk.coordinator)
    page = client.get(site("lotsen/")).content.decode()
    assert 'id="retention-flag"' not in page
    assert stuttgart_old.code not in page


def test_navigators_do_not_get_the_coordinator_s_flag(client, desk):
    old = submit(desk.network, email="alt@hotel.example")
    age(old, 400)
    client.force_login(desk.navigator)
    assert 'id="retention-flag"' not in client.get(site("lotsen/")).content.decode()
    assert old.status == ConcernStatus.NEW


def test_bookings_made_from_concerns_before_the_upgrade_are_linked_by_the_migration(desk):
    """Older bookings carry the concern's code only in their idempotency key."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "anlaufstelle.booking.migrations.0005_privacy_and_retention"
    )
    old = past_booking(desk.network, desk.partner_a, days_ago=1, email="alt@example.org")
    plain = past_booking(desk.network, desk.partner_a, days_ago=2, email="b@example.org")
    with scopes_disabled():
        Booking.objects.filter(pk=old.pk).update(
            idempotency_key="concern-ABCDEFGH23-SCHED123-20270114T0900"
        )
        Booking.objects.filter(pk=plain.pk).update(idempotency_key="web-form-key-1")
    migration.link_bookings_to_concerns(apps, None)
    with scopes_disabled():
        assert Booking.objects.get(pk=old.pk).origin == "concern:ABCDEFGH23"
        assert Booking.objects.get(pk=plain.pk).origin == ""
