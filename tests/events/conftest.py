"""Events fixtures: a published Feldberg event with a few places, in the coming weeks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.events.models import Event, EventFormat, EventStatus


@pytest.fixture(autouse=True)
def quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def feldberg(personas):
    return personas.feldberg


def make_event(network, provider=None, **kw) -> Event:
    with scopes_disabled():
        return Event.objects.create(
            network=network,
            provider=provider,
            slug=kw.pop("slug", "sprechtag-ausbildung"),
            title=kw.pop("title", "Sprechtag Ausbildung"),
            summary=kw.pop("summary", "Fachleute beraten Betriebe zur Ausbildung."),
            starts_at=kw.pop(
                "starts_at", (timezone.now() + timedelta(days=10)).replace(microsecond=0)
            ),
            ends_at=kw.pop("ends_at", None),
            place=kw.pop("place", "Werkraum Feldberg"),
            address=kw.pop("address", "Strelitzer Straße 1, 17258 Feldberger Seenlandschaft"),
            capacity=kw.pop("capacity", 2),
            status=kw.pop("status", EventStatus.PUBLISHED),
            format=kw.pop("format", EventFormat.ON_SITE),
            **kw,
        )


@pytest.fixture
def event(feldberg):
    return make_event(feldberg.network, feldberg.provider)


def person(i: int = 1, **extra) -> dict:
    return {
        "name": f"Anja Muster {i}",
        "email": f"anja{i}@hotel-am-see.example",
        "company": "Hotel am See",
        "consent": True,
        **extra,
    }
