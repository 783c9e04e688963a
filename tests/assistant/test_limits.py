"""Floods get a German 429; hostile values in every chat field never cause a 5xx."""

from __future__ import annotations

import pytest

from .conftest import CHAT, token_of

pytestmark = pytest.mark.django_db
NUL = "\x00"


def test_a_flood_of_messages_gets_a_german_429(client, feldberg, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "assistant": "3/m"}
    statuses = [client.post(CHAT, {"nachricht": f"Nachricht {i}"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.post(CHAT, {"nachricht": "noch eine"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "Bitte" in response.content.decode()
    # Reading the conversation is never limited.
    assert client.get(CHAT).status_code == 200


def test_the_widget_counts_against_the_same_limit(client, feldberg, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "assistant": "2/m"}
    data = {"nachricht": "Hallo", "eingebettet": "1"}
    assert [client.post(CHAT, data).status_code for _ in range(3)] == [200, 200, 429]


HOSTILE = [
    f"abc{NUL}def",
    "99999999999999999999999999999999",
    "x" * 5000,
    "' OR '1'='1' --",
    "\u202e\ufeff\u0301𝔘𝔫𝔦😀",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "",
]


def test_hostile_values_in_every_chat_field_never_cause_a_server_error(
    feldberg, schedule, settings
):
    from django.test import Client

    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    client = Client(raise_request_exception=False)
    page = client.post(CHAT, {"nachricht": "Hallo"}).content.decode()
    valid = {
        "/n/feldberg/assistent/": {"nachricht": "Hallo", "gespraech": token_of(page)},
        "/n/feldberg/assistent/termin/": {
            "gespraech": token_of(page), "termin": f"{schedule.code}|20300101T0900Z",
            "name": "A", "email": "a@x.example", "consent": "on", "idempotency_key": "k",
        },
        "/n/feldberg/assistent/uebergabe/": {
            "gespraech": token_of(page), "name": "A", "email": "a@x.example", "consent": "on",
            "idempotency_key": "k2",
        },
    }  # fmt: skip
    problems = []
    for url, base in valid.items():
        for name in [*base, "schritt", "eingebettet", "panel", "zeigen", "share_consent"]:
            for i, value in enumerate(HOSTILE):
                data = {**base, name: value}
                if name == "idempotency_key":
                    data[name] = value or f"k-{i}"
                response = client.post(url, data)
                if response.status_code >= 500:
                    problems.append(f"{url} {name}={value[:20]!r}: {response.status_code}")
                elif NUL in value and response.status_code != 400:
                    problems.append(f"{url} {name}=NUL: {response.status_code}")
    assert problems == []
