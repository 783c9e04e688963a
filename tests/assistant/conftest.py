"""Assistant fixtures: Feldberg personas, a consultation hour, offline search, eager tasks."""

from __future__ import annotations

import re

import pytest

from booking.conftest import make_schedule


@pytest.fixture(autouse=True)
def fast_and_offline(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def feldberg(personas):
    return personas.feldberg


@pytest.fixture
def schedule(feldberg):
    schedule = make_schedule(feldberg.network, feldberg.provider, expert=feldberg.partner_expert)
    schedule.offers.add(feldberg.offer)
    return schedule


CHAT = "/n/feldberg/assistent/"


def token_of(page: str) -> str:
    """The signed conversation code the page carries in its forms."""
    match = re.search(r'name="gespraech" value="([^"]+)"', page)
    assert match, "no conversation on the page"
    return match.group(1)


def step_of(page: str) -> str:
    return re.search(r'name="schritt" value="(\d+)"', page).group(1)
