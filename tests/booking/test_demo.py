"""load_booking_demo runs after load_demo and can run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Resource, Schedule
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope


@pytest.mark.django_db
def test_the_booking_demo_loads_on_top_of_the_catalog_demo_twice():
    call_command("load_demo", verbosity=0)
    call_command("load_booking_demo")
    call_command("load_booking_demo")
    with scopes_disabled():
        feldberg = Network.objects.get(slug="feldberg")
        jens = Schedule.objects.get(title="Arbeitgeber-Sprechstunde im Werkraum")
        assert jens.provider.slug == "aa-neubrandenburg"
        assert jens.expert is not None
        assert Resource.objects.filter(network=feldberg, kind="desk").count() == 5
        assert Schedule.objects.filter(network__slug="region-stuttgart").count() == 3
        assert jens.offers.filter(slug="aa-nb-arbeitgeber-service").exists()
    with network_scope(feldberg):
        free = queries.free_slots([jens], limit=50)
    assert free
    assert {s.starts_at.astimezone(queries.slots.BERLIN).weekday() for s in free} == {3}
