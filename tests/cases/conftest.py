"""Desk fixtures: Feldberg with two partner organisations (each with an expert) and helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.cases import services
from anlaufstelle.networks.scoping import network_scope


@pytest.fixture(autouse=True)
def fast_and_offline(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Lexical search only: the unit tests do not load the embedding model.
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Desk:
    network: object
    navigator: object
    coordinator: object
    partner_a: object  # provider
    expert_a: object
    partner_b: object
    expert_b: object
    outsider_navigator: object
    personas: object


@pytest.fixture
def desk(personas) -> Desk:
    from anlaufstelle.directory.models import Provider
    from anlaufstelle.networks.models import Role, User

    feldberg = personas.feldberg
    with scopes_disabled():
        partner_b = Provider.objects.create(
            network=feldberg.network,
            slug="welcome-center-test",
            name="Welcome Center Test",
            kind="welcome_center",
            email="info@welcome.example",
        )
        expert_b = User.objects.create_user(
            "expertin@welcome.example",
            None,
            network=feldberg.network,
            role=Role.PARTNER_EXPERT,
            provider=partner_b,
            is_staff=True,
        )
        outsider = User.objects.create_user(
            "lotsin@stuttgart.example",
            None,
            network=personas.stuttgart.network,
            role=Role.NAVIGATOR,
            is_staff=True,
        )
    return Desk(
        network=feldberg.network,
        navigator=feldberg.navigator,
        coordinator=feldberg.coordinator,
        partner_a=feldberg.provider,
        expert_a=feldberg.partner_expert,
        partner_b=partner_b,
        expert_b=expert_b,
        outsider_navigator=outsider,
        personas=personas,
    )


def submit(network, **overrides):
    data = {
        "text": "Wir finden keinen Koch für die Saison. Was können wir tun?",
        "contact_name": "Anja Muster",
        "company_name": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "wz_section": "I",
        "size_class": "10-49",
        "municipality": "Feldberg",
        "postcode": "17258",
        "urgency": "urgent",
        "consent": True,
        "share_consent": True,
    }
    data.update(overrides)
    with network_scope(network):
        return services.submit_concern(network=network, **data)


@pytest.fixture
def concern(desk):
    return submit(desk.network)


def form_data(**overrides) -> dict:
    data = {
        "text": "Wir finden keinen Koch für die Saison. Was können wir tun?",
        "wz_section": "I",
        "size_class": "10-49",
        "municipality": "Feldberg",
        "postcode": "17258",
        "urgency": "urgent",
        "contact_name": "Anja Muster",
        "company_name": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "",
        "consent": "on",
        "share_consent": "on",
        "idempotency_key": "key-1",
    }
    data.update(overrides)
    return data


def site(path: str, network: str = "feldberg") -> str:
    return f"/n/{network}/anliegen/{path}"


def make_schedule(network, provider, **kw):
    """A consultation hour open 08:00–18:00 every day, so a future slot always exists."""
    from datetime import time

    from anlaufstelle.booking.models import Format, Schedule, WeeklyRule

    with scopes_disabled():
        schedule = Schedule.objects.create(
            network=network,
            provider=provider,
            title=kw.pop("title", "Arbeitgeber-Sprechstunde"),
            format=Format.ON_SITE,
            location="Werkraum Feldberg",
            min_notice_minutes=0,
            horizon_days=30,
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
