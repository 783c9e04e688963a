"""/healthz tells a load balancer the truth, also when the database is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection


@pytest.fixture
def unreachable_database(transactional_db: None, closed_port: int) -> Iterator[None]:
    """Point the real connection at a database that cannot be opened, then restore it."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
    else:
        connection.settings_dict["NAME"] = "/nonexistent-directory/anlaufstelle.sqlite3"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_json_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    # A real connection failure, not pytest's "database access not allowed" guard.
    assert response.json() == {"status": "error", "database": "OperationalError"}


def test_healthz_answers_503_also_on_a_network_host_name(client, unreachable_database, settings):
    settings.ANLAUFSTELLE_DEFAULT_NETWORK = "feldberg"

    response = client.get("/healthz", HTTP_HOST="localhost")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
