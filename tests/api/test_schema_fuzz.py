"""Schemathesis against /api/v1's own OpenAPI schema: no 5xx, every answer as documented.

Bounded and deterministic (a few examples per operation, derandomised), so it runs in
seconds on SQLite and PostgreSQL alike. The `network` and `code` path parameters are
pinned to a real network, consultation hour and room (and, half of the time, left as
generated), so the generated query strings and bodies reach the views' real work instead
of stopping at a 404.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Callable, Iterable
from datetime import time
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from anlaufstelle.api.api import api

FUZZ_CODE = "fuzzcode01"

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": 12, "deterministic": True, "mode": "all"},
        "phases": {"stateful": {"enabled": False}},
        # A schema-valid request may still break a business rule the schema cannot say
        # (the end after the start, within opening hours, consent given): that is a 422
        # with a message, not a failure. Every other built-in check stays on.
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)


class _InTestTransaction:
    """Django's WSGI handler without its connection housekeeping.

    The real handler closes "obsolete" connections at the start and end of a request;
    inside a test's transaction that would drop the transaction (Django's test client
    does the same unhooking).
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> None:
            captured["status"], captured["headers"] = status, headers

        try:
            response = self.handler(environ, capture)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        headers = captured["headers"]
        # The API answers gzip to clients that accept it (as schemathesis says it does);
        # decode it as an HTTP client would, so the checks read the JSON itself.
        if any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers):
            body = gzip.decompress(body)
            headers = [
                (k, str(len(body)) if k.lower() == "content-length" else v)
                for k, v in headers
                if k.lower() != "content-encoding"
            ]
        start_response(captured["status"], headers)
        return [body]


schema.app = _InTestTransaction()
_examples = itertools.count()


@pytest.fixture
def fuzz_world(personas: Any, settings: Any) -> Any:  # noqa: F811
    """Feldberg with a consultation hour and a room, both with the code FUZZ_CODE."""
    from anlaufstelle.booking.models import (
        OpeningHours,
        Resource,
        ResourceKind,
        Schedule,
        WeeklyRule,
    )

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hundreds of writes from one address: the rate limit would answer them with 429.
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    feldberg = personas.feldberg
    with scopes_disabled():
        schedule = Schedule.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            title="Sprechstunde",
            location="Feldberg",
            capacity=2,
            min_notice_minutes=0,
            horizon_days=30,
        )
        Schedule.objects.filter(pk=schedule.pk).update(code=FUZZ_CODE)
        room = Resource.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            name="Raum",
            kind=ResourceKind.MEETING_ROOM,
            capacity=4,
            min_minutes=30,
        )
        Resource.objects.filter(pk=room.pk).update(code=FUZZ_CODE)
        for weekday in range(7):
            WeeklyRule.objects.create(
                network=feldberg.network,
                schedule=schedule,
                weekday=weekday,
                start_time=time(8),
                end_time=time(18),
            )
            OpeningHours.objects.create(
                network=feldberg.network,
                resource=room,
                weekday=weekday,
                opens=time(7),
                closes=time(20),
            )
    return feldberg


@schema.parametrize()
# One world for all examples of an operation is what we want: they only add bookings.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_documented_and_never_fails(case: Any, fuzz_world: Any) -> None:
    params = case.path_parameters or {}
    # Two of three examples go to real rows; the third keeps the generated path.
    if "network" in params and next(_examples) % 3:
        params["network"] = fuzz_world.network.slug
        if "code" in params:
            params["code"] = FUZZ_CODE
        if "slug" in params:
            params["slug"] = fuzz_world.offer.slug
    case.call_and_validate()
