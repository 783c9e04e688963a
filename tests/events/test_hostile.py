"""Hostile input against every events route with real rows: never a 5xx, NUL is a 400.

tests/test_hostile_input.py walks every route with made-up slugs (404s); this walk fills
the events routes with a real event, registration and signed links, so the views run.
"""

from __future__ import annotations

import pytest
from django.test import Client

from anlaufstelle.events import services, tokens
from test_hostile_input import FIELD_VALUES, HOSTILE_PATH_VALUES, HOSTILE_VALUES, Failures

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

FIELDS = [
    "name", "company", "email", "consent", "idempotency_key", "frage_0", "subject", "body",
    "role", "listed_publicly", "position_1", "position_x", "anwesend",
]  # fmt: skip
PARAMS = ["thema", "format", "anbieter", "monat"]


@pytest.fixture
def urls(feldberg):
    event = make_event(
        feldberg.network, feldberg.provider, capacity=50,
        roles="Pitch\nBesuch", questions="Pitch: Ihr Pitch?\nAllgemeine Frage",
    )  # fmt: skip
    registration = services.register(event=event, role="Pitch", **person(1))
    base = "/n/feldberg/veranstaltungen/"
    code = registration.code
    return {
        "public": [
            base,
            f"{base}kalender.ics",
            f"{base}{event.slug}/",
            f"{base}{event.slug}/anmelden/",
            f"{base}anmeldung/{code}/{tokens.make_token(registration, 'view')}/",
            f"{base}anmeldung/{code}/{tokens.make_token(registration, 'cancel')}/abmelden/",
        ],
        "staff": [
            f"{base}verwaltung/",
            f"{base}verwaltung/{event.slug}/",
            f"{base}verwaltung/{event.slug}/anmeldungen.csv",
            f"{base}verwaltung/{event.slug}/einlass/",
            f"{base}verwaltung/{event.slug}/nachricht/",
            f"{base}verwaltung/{event.slug}/schliessen/",
            f"{base}verwaltung/{event.slug}/reihenfolge/",
            f"{base}verwaltung/{event.slug}/einlass/{code}/",
        ],
        "register": f"{base}{event.slug}/anmelden/",
        "base": base,
        "slug": event.slug,
    }


def clients(feldberg) -> list[Client]:
    staff = Client(raise_request_exception=False)
    staff.force_login(feldberg.navigator)
    return [Client(raise_request_exception=False), staff]


def test_hostile_query_strings_and_posts_never_cause_a_server_error(feldberg, urls):
    failures = Failures()
    for client in clients(feldberg):
        for url in urls["public"] + urls["staff"]:
            for value in HOSTILE_VALUES:
                params = {name: value for name in PARAMS}
                failures.check("GET", url, client.get(url, params))
                form = {name: value for name in FIELDS}
                failures.check("POST", url, client.post(url, form))
    assert not failures, "\n".join(failures)


def test_hostile_path_values_never_cause_a_server_error(feldberg, urls):
    failures = Failures()
    base = urls["base"]
    for client in clients(feldberg):
        for value in HOSTILE_PATH_VALUES:
            for url in (
                f"{base}{value}/",
                f"{base}{value}/anmelden/",
                f"{base}anmeldung/{value}/{value}/",
                f"{base}anmeldung/{value}/{value}/abmelden/",
                f"{base}verwaltung/{value}/",
                f"{base}verwaltung/{value}/anmeldungen.csv",
            ):
                failures.check("GET", url, client.get(url))
    assert not failures, "\n".join(failures)


def test_one_hostile_field_in_a_valid_registration_never_causes_a_server_error(urls):
    client = Client(raise_request_exception=False)
    valid = {
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "consent": "on",
        "role": "Pitch",
        "frage_0": "Wir suchen Azubis.",
        "frage_1": "Ja.",
        "listed_publicly": "on",
    }
    assert client.post(urls["register"], {**valid, "idempotency_key": "ok"}).status_code == 302
    failures = Failures()
    for name in valid:
        for i, value in enumerate(FIELD_VALUES):
            data = {**valid, name: value, "idempotency_key": f"{name}-{i}"}
            response = client.post(urls["register"], data)
            failures.check("POST", f"{name}={value[:20]!r}", response)
    assert not failures, "\n".join(failures)


def test_nul_in_a_registration_field_is_a_400(urls):
    response = Client().post(
        urls["register"],
        {"name": "A\x00B", "email": "a@example.org", "consent": "on", "idempotency_key": "n"},
    )
    assert response.status_code == 400
