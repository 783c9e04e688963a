"""Booking fixtures: a Feldberg consultation hour with slots on every weekday, a room."""

from __future__ import annotations

from datetime import time

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries
from anlaufstelle.booking.models import (
    Format,
    OpeningHours,
    Resource,
    ResourceKind,
    Schedule,
    WeeklyRule,
)
from anlaufstelle.networks.scoping import network_scope


def make_schedule(
    network, provider, *, expert=None, capacity: int = 1, fmt: str = Format.ON_SITE, **kw
) -> Schedule:
    """A schedule open 08:00–18:00 on every day, so tests always find a future slot."""
    with scopes_disabled():
        schedule = Schedule.objects.create(
            network=network,
            provider=provider,
            expert=expert,
            title=kw.pop("title", "Arbeitgeber-Sprechstunde"),
            format=fmt,
            location="Werkraum, Strelitzer Straße 1, Feldberg",
            capacity=capacity,
            min_notice_minutes=kw.pop("min_notice_minutes", 0),
            horizon_days=kw.pop("horizon_days", 30),
            **kw,
        )
        for weekday in range(7):
            WeeklyRule.objects.create(
                network=network,
                schedule=schedule,
                weekday=weekday,
                start_time=time(8),
                end_time=time(18),
            )
    return schedule


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The persona fixture creates several users; PBKDF2 would take seconds each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def feldberg(personas):
    return personas.feldberg


@pytest.fixture
def schedule(feldberg):
    return make_schedule(feldberg.network, feldberg.provider, expert=feldberg.partner_expert)


@pytest.fixture
def in_feldberg(feldberg):
    with network_scope(feldberg.network):
        yield feldberg.network


@pytest.fixture
def free_slot(schedule, in_feldberg):
    return queries.free_slots([schedule], limit=1)[0]


@pytest.fixture
def room(feldberg):
    with scopes_disabled():
        resource = Resource.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            name="Besprechungsraum",
            kind=ResourceKind.MEETING_ROOM,
            capacity=6,
            min_minutes=30,
        )
        for weekday in range(7):
            OpeningHours.objects.create(
                network=feldberg.network,
                resource=resource,
                weekday=weekday,
                opens=time(7),
                closes=time(20),
            )
    return resource


def booking_data(**overrides) -> dict:
    data = {
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "039831 0000",
        "concern": "Koch für die Saison gesucht",
        "consent": True,
    }
    data.update(overrides)
    return data
