"""The demo's rooms are open when the network says it is open (no Friday contradiction)."""

from __future__ import annotations

import io
import re
from datetime import time

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
LINE = re.compile(
    r"^(?P<first>\w+)(?: bis (?P<last>\w+))? (?P<opens>\d{1,2})–(?P<closes>\d{1,2}) Uhr$"
)


def stated_hours(text: str) -> dict[int, tuple[time, time]]:
    """ "Dienstag bis Donnerstag 9–17 Uhr" → {1: (9:00, 17:00), 2: ..., 3: ...}."""
    hours: dict[int, tuple[time, time]] = {}
    for line in text.splitlines():
        match = LINE.match(line.strip())
        if not match:
            continue  # "Sprechstunden nach Vereinbarung" and the like
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"] or match["first"])
        for weekday in range(first, last + 1):
            hours[weekday] = (time(int(match["opens"])), time(int(match["closes"])))
    return hours


@pytest.mark.django_db
def test_demo_rooms_keep_the_networks_opening_hours():
    from anlaufstelle.booking.models import Resource
    from anlaufstelle.networks.models import Network

    call_command("load_demo", verbosity=0)
    call_command("load_booking_demo", stdout=io.StringIO())
    with scopes_disabled():
        for network in Network.objects.public():
            stated = stated_hours(network.opening_hours)
            assert 4 in stated, network.slug  # both demo networks state their Friday hours
            rooms = Resource.objects.filter(network=network).prefetch_related("opening_hours")
            assert rooms, network.slug
            for room in rooms:
                hours = {h.weekday: (h.opens, h.closes) for h in room.opening_hours.all()}
                assert hours == stated, (network.slug, room.name)
