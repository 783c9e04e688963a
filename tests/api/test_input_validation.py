"""Bad input to /api/v1 is a 4xx with a German message in the documented shape, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import Booking

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture
def api_world(personas: Any, settings: Any) -> Any:
    from booking.conftest import make_schedule

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    feldberg = personas.feldberg
    feldberg.schedule = make_schedule(feldberg.network, feldberg.provider)
    return feldberg


def bookings_url(world: Any) -> str:
    return f"/api/v1/booking/feldberg/schedules/{world.schedule.code}/bookings"


def book(client: Client, world: Any, key: str = "key-1", **fields: Any) -> Any:
    body = {
        "start": "2027-01-14T09:00:00+01:00",
        "name": "Anja Muster",
        "email": "anja@example.org",
        "consent": True,
        **fields,
    }
    return client.post(
        bookings_url(world),
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def field_error(response: Any, field: str) -> dict[str, Any]:
    """The one entry of the 422 body's `errors` for `field`, checking the body's shape."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"].startswith("Die Anfrage ist ungültig.")
    for error in body["errors"]:
        assert set(error) == {"loc", "type", "message"}
    matching = [e for e in body["errors"] if e["loc"][-1] == field]
    assert len(matching) == 1, body
    return matching[0]


def test_a_naive_start_is_a_422_asking_for_a_time_zone(client: Client, api_world: Any) -> None:
    error = field_error(book(client, api_world, start="2027-01-14T09:00:00"), "start")
    assert error["message"] == (
        "Bitte geben Sie die Zeit mit Zeitzone an, z. B. 2027-01-14T09:00:00+01:00."
    )
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_a_naive_start_of_the_free_slots_is_a_422(client: Client, api_world: Any) -> None:
    url = f"/api/v1/booking/feldberg/schedules/{api_world.schedule.code}/slots"
    response = client.get(url, {"start": "2027-01-14T09:00:00"})
    assert field_error(response, "start")["type"] == "timezone_aware"
    assert client.get(url, {"start": "2027-01-14T09:00:00+01:00"}).status_code == 200


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"]
)
def test_a_start_beyond_the_calendar_is_a_422(client: Client, api_world: Any, start: str) -> None:
    error = field_error(book(client, api_world, start=start), "start")
    assert error["message"] == "Das Datum muss zwischen den Jahren 1900 und 2999 liegen."


def test_a_start_given_as_a_number_is_a_422(client: Client, api_world: Any) -> None:
    assert field_error(book(client, api_world, start=1e9), "start")["type"] == "datetime_iso"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "0.5"])
def test_a_room_day_beyond_the_calendar_is_a_422(client: Client, api_world: Any, day: str) -> None:
    from anlaufstelle.booking.models import Resource, ResourceKind

    with scopes_disabled():
        room = Resource.objects.create(
            network=api_world.network,
            provider=api_world.provider,
            name="Raum",
            kind=ResourceKind.MEETING_ROOM,
        )
    response = client.get(f"/api/v1/booking/feldberg/resources/{room.code}/busy", {"day": day})
    field_error(response, "day")


@pytest.mark.parametrize(
    ("email", "kind"),
    [("no-address", "email"), ("anja@", "email"), (f"anja{NUL}@example.org", "nul_character")],
)
def test_a_bad_e_mail_is_a_422_with_a_clear_message(
    client: Client, api_world: Any, email: str, kind: str
) -> None:
    error = field_error(book(client, api_world, email=email), "email")
    assert error["type"] == kind
    if kind == "email":
        assert error["message"] == "Bitte geben Sie eine gültige E-Mail-Adresse ein."


def test_an_over_long_language_is_a_422(client: Client, api_world: Any) -> None:
    error = field_error(book(client, api_world, language="de" * 50), "language")
    assert error["message"] == "Erlaubte Werte: 'de' or 'en'."


def test_nul_in_a_json_field_is_a_422(client: Client, api_world: Any) -> None:
    error = field_error(book(client, api_world, name=f"Anja{NUL}"), "name")
    assert error["message"] == "Der Wert enthält ein unzulässiges Steuerzeichen (NUL)."


def test_nul_in_the_path_is_a_json_400(client: Client, api_world: Any) -> None:
    response = client.get("/api/v1/booking/feldberg/schedules/ab%00cd/slots")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Die Anfrage enthält ein unzulässiges Steuerzeichen (NUL)."
    }


@pytest.mark.parametrize("key", ["", "with space", "x" * 101, "tab\tkey"])
def test_a_bad_idempotency_key_is_a_422(client: Client, api_world: Any, key: str) -> None:
    response = book(client, api_world, key=key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


@pytest.mark.parametrize("offset", ["1000001", "99999999999999999999999999", "-1"])
def test_a_huge_or_negative_offset_is_a_422(client: Client, api_world: Any, offset: str) -> None:
    response = client.get("/api/v1/networks/feldberg/offers", {"offset": offset})
    field_error(response, "offset")


def test_a_body_that_is_no_json_is_a_400(client: Client, api_world: Any) -> None:
    response = client.post(
        bookings_url(api_world),
        "{not json",
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Der Inhalt der Anfrage ist kein gültiges JSON."}


def test_a_3_mb_body_in_development_mode_is_a_413(
    client: Client, api_world: Any, settings: Any
) -> None:
    # With DEBUG on, ninja used to answer anything unexpected with a traceback and 500.
    settings.DEBUG = True
    response = book(client, api_world, concern="x" * 3_000_000)
    assert response.status_code == 413
    assert response.json() == {"detail": "Der Inhalt der Anfrage ist zu groß."}


def test_a_valid_booking_still_works(client: Client, api_world: Any) -> None:
    from anlaufstelle.booking.queries import free_slots
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(api_world.network):
        slot = free_slots([api_world.schedule], limit=1)[0]
    response = book(client, api_world, start=slot.starts_at.isoformat(), language="en")
    assert response.status_code == 201, response.content
    with scopes_disabled():
        assert Booking.objects.get().language == "en"


def test_the_schema_documents_the_error_answers(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    create = paths["/api/v1/booking/{network}/schedules/{code}/bookings"]["post"]
    assert {"400", "404", "409", "413", "422", "429"} <= set(create["responses"])
    unprocessable = create["responses"]["422"]["content"]["application/json"]["schema"]
    assert unprocessable == {"$ref": "#/components/schemas/ValidationErrorOut"}
    body = schema["components"]["schemas"]["ValidationErrorOut"]
    assert set(body["properties"]) == {"detail", "errors"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "404", "422"} <= set(operation["responses"]), (method, path)
    booking_in = schema["components"]["schemas"]["BookingIn"]["properties"]
    assert booking_in["email"]["format"] == "email"
    assert booking_in["language"]["enum"] == ["de", "en"]


@pytest.mark.parametrize("body", ["[]", '"text"', "null", "42", "{}", ""])
def test_a_body_that_is_no_object_is_a_422(client: Client, api_world: Any, body: str) -> None:
    response = client.post(
        bookings_url(api_world),
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Die Anfrage ist ungültig.")


def test_fields_of_the_wrong_type_are_named_in_the_422(client: Client, api_world: Any) -> None:
    response = book(client, api_world, start=[], name={"a": 1}, email=5, consent="vielleicht")
    fields = {tuple(e["loc"][-1:]): e["message"] for e in response.json()["errors"]}
    assert response.status_code == 422
    assert set(fields) == {("start",), ("name",), ("email",), ("consent",)}
    assert fields[("consent",)] == "Muss true oder false sein."
