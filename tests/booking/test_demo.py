"""load_booking_demo runs after load_demo and can run twice."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
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


BOOKABLE_DEMO_PAGES = [
    ("feldberg", "angebote/aa-nb-arbeitgeber-service/"),
    ("feldberg", "angebote/werkraum-sprechstunden/"),
    ("feldberg", "anlaufstellen/werkraum-feldberg/"),
    ("feldberg", "anlaufstellen/aa-neubrandenburg/"),
    ("region-stuttgart", "angebote/aa-s-arbeitgeber-service/"),
    ("region-stuttgart", "angebote/wc-stuttgart-beratung/"),
    ("region-stuttgart", "anlaufstellen/ihk-region-stuttgart/"),
]


@pytest.mark.django_db
def test_the_demo_pages_offer_booking_with_free_slots_in_the_coming_weeks(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    call_command("load_booking_demo", stdout=io.StringIO())
    for network, path in BOOKABLE_DEMO_PAGES:
        html = client.get(f"/n/{network}/{path}").content.decode()
        cta = re.search(r'<p class="booking-cta">\s*<a class="[^"]+" href="([^"]+)"', html)
        assert cta and "Termin buchen" in html, f"{network}/{path} has no booking button"
        picker = client.get(cta.group(1)).content.decode()
        keys = re.findall(r"termin=(\d{8}T\d{4}Z)", picker)
        assert keys, f"{cta.group(1)} lists no free slot"
        first = queries.parse_slot_key(keys[0])
        assert first - timezone.now() < timedelta(days=21)


@pytest.mark.django_db
def test_both_demo_networks_have_rooms_to_reserve(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    call_command("load_booking_demo", stdout=io.StringIO())
    for network in ("feldberg", "region-stuttgart"):
        html = client.get(f"/n/{network}/termine/").content.decode()
        rooms = re.findall(r'href="(/n/[-a-z]+/termine/raeume/\w+/)"', html)
        assert len(rooms) >= 2, network
        assert client.get(rooms[0]).status_code == 200
    with scopes_disabled():
        werkraum = Schedule.objects.get(title="Arbeitgeber-Sprechstunde im Werkraum")
        assert werkraum.room.name == "Besprechungsraum"
        assert werkraum.room.provider.slug == "werkraum-feldberg"
