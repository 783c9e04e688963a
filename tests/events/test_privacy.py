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


def test_staff_export_and_erase_a_registration_in_the_back_office(client, feldberg, event):
    services.register(event=event, **person(1))
    services.register(event=event, **person(2))
    with scopes_disabled():
        first, second = Registration.objects.order_by("pk")
    client.force_login(feldberg.navigator)
    url = "/admin/events/registration/"
    exported = client.post(url, {"action": "export_selected", "_selected_action": [first.pk]})
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/json")
    assert "anja1@hotel-am-see.example" in exported.content.decode()
    assert "anja2@" not in exported.content.decode()

    # First the confirmation page, then the erasure of exactly the selected row.
    selected = {"action": "erase_selected", "_selected_action": [first.pk]}
    assert "[gelöscht]" not in client.post(url, selected).content.decode()
    client.post(url, {**selected, "post": "yes"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, first.email) == ("[gelöscht]", "")
    assert second.email == "anja2@hotel-am-see.example"


def test_a_partner_expert_cannot_reach_registrations_of_other_providers(client, feldberg):
    # The network's own event (no provider): not the partner expert's.
    services.register(event=make_event(feldberg.network, slug="netzwerktreffen"), **person(1))
    with scopes_disabled():
        registration = Registration.objects.get()
    client.force_login(feldberg.partner_expert)
    url = "/admin/events/registration/"
    client.post(
        url, {"action": "erase_selected", "_selected_action": [registration.pk], "post": "yes"}
    )
    registration.refresh_from_db()
    assert registration.email == "anja1@hotel-am-see.example"
    assert "anja1@" not in client.get(url).content.decode()


def test_erasure_also_forgets_the_stored_e_mails_to_the_registrant(
    feldberg, event, django_capture_on_commit_callbacks
):
    from anlaufstelle.ops.models import MailDelivery

    with django_capture_on_commit_callbacks(execute=True):
        services.register(event=event, **person(1))
        services.register(event=event, **person(2))

    def stored_to(address: str) -> int:
        with scopes_disabled():
            rows = MailDelivery.objects.filter(network=feldberg.network)
            return sum(address in r.recipients for r in rows)

    assert stored_to("anja1@hotel-am-see.example") == 1  # the confirmation
    assert privacy.erase_registrations(feldberg.network, "anja1@hotel-am-see.example") == 1
    assert stored_to("anja1@hotel-am-see.example") == 0
    assert stored_to("anja2@hotel-am-see.example") == 1
