"""Registrants' data: export, erasure and retention like bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.events import privacy, services
from anlaufstelle.events.models import Event, Registration

from .conftest import make_event, person

pytestmark = pytest.mark.django_db


def test_export_lists_what_is_stored_about_the_person(feldberg, event):
    services.register(event=event, **person(1))
    [row] = privacy.export_registrations(feldberg.network, "ANJA1@hotel-am-see.example")
    assert row["veranstaltung"] == "Sprechtag Ausbildung" and row["firma"] == "Hotel am See"


def test_erasure_blanks_the_person_and_frees_the_place_for_the_waiting_list(feldberg):
    event = make_event(feldberg.network, capacity=1)
    services.register(event=event, **person(1))
    services.register(event=event, **person(2))
    assert privacy.erase_registrations(feldberg.network, "anja1@hotel-am-see.example") == 1
    with scopes_disabled():
        erased, moved = Registration.objects.order_by("pk")
    assert (erased.name, erased.email, erased.status) == ("[gelöscht]", "", "cancelled")
    assert moved.status == "confirmed"
    assert privacy.export_registrations(feldberg.network, "anja1@hotel-am-see.example") == []


def test_retention_erases_registrations_of_events_that_ended_long_ago(feldberg):
    old = make_event(feldberg.network, slug="alt")
    recent = make_event(feldberg.network, slug="neu")
    services.register(event=old, **person(1))
    services.register(event=recent, **person(2))
    with scopes_disabled():
        Event.objects.filter(pk=old.pk).update(
            starts_at=timezone.now() - timedelta(days=100),
            ends_at=timezone.now() - timedelta(days=99),
        )
    assert privacy.apply_retention() == 1
    with scopes_disabled():
        names = list(Registration.objects.order_by("pk").values_list("name", flat=True))
    assert names == ["[gelöscht]", "Anja Muster 2"]
