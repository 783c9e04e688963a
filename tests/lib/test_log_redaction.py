"""Bearer tokens in URLs never reach the log: the real handler, filter and formatter."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator

import pytest
from django.core import signing
from django_scopes import scopes_disabled

from anlaufstelle.cases import links, services
from anlaufstelle.lib import signed_links
from anlaufstelle.lib.log_redaction import redact_tokens
from anlaufstelle.networks.scoping import network_scope


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes, in this test."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def concern(personas, settings):
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    network = personas.feldberg.network
    with network_scope(network):
        return services.submit_concern(
            network=network,
            text="Wir suchen einen Koch für die Saison.",
            contact_name="Anja Muster",
            email="anja@hotel-am-see.example",
            consent=True,
        )


def signed(code: str) -> str:
    """A token shaped exactly like the site's signed links."""
    return signing.dumps({"c": code, "v": 0}, salt="anlaufstelle.booking.booking.view")


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_valid_status_link_is_logged_without_its_token(client, concern, log_output):
    token = links.make_token(concern)

    with scopes_disabled():
        path = links.status_path(concern)
    response = client.get(path)

    assert response.status_code == 200
    output = log_output.getvalue()
    assert token not in output
    request_lines = [line for line in lines(log_output) if line["msg"] == "request"]
    assert request_lines[-1]["path"] == (f"/n/feldberg/anliegen/status/{concern.code}/[redacted]/")
    assert request_lines[-1]["status"] == 200


@pytest.mark.parametrize(
    "path_for",
    [
        pytest.param(lambda t: f"/n/feldberg/anliegen/status/ABCDEFGH23/{t}/", id="status"),
        pytest.param(lambda t: f"/n/feldberg/termine/termin/ABCDEFGH23/{t}/", id="booking"),
        pytest.param(
            lambda t: f"/n/feldberg/termine/termin/ABCDEFGH23/{t}/absagen/", id="booking-cancel"
        ),
        pytest.param(
            lambda t: f"/n/feldberg/termine/reservierung/ABCDEFGH23/{t}/", id="reservation"
        ),
        pytest.param(lambda t: f"/n/feldberg/termine/abo/{t}.ics", id="feed"),
    ],
)
@pytest.mark.parametrize(
    "token",
    [
        pytest.param(signed("ABCDEFGH23"), id="signed"),
        pytest.param(secrets.token_urlsafe(32), id="random"),
        # Lower case only: not token-shaped, so only the route rule can catch it.
        pytest.param("abcdefghijklmnopqrstuvwxyzabcdef", id="lowercase"),
    ],
)
def test_a_404_on_a_token_link_logs_neither_request_nor_warning_with_the_token(
    client, personas, log_output, path_for, token
):
    response = client.get(path_for(token))

    assert response.status_code == 404
    output = log_output.getvalue()
    assert token not in output
    records = lines(log_output)
    assert any(r["logger"] == "django.request" and "Not Found" in r["msg"] for r in records)
    assert any(r["logger"] == "anlaufstelle.request" and r["status"] == 404 for r in records)
    assert all("[redacted]" in r["msg"] for r in records if r["logger"] == "django.request")


def test_a_password_reset_key_is_never_logged(client, db, log_output):
    # allauth's keys are lower case and digits: the route rule must catch them.
    key = "1-cbl2pe-0f3c9a7e1d2b4c5a6e7f8091a2b3c4d5"

    client.get(f"/accounts/password/reset/key/{key}/")

    assert "cbl2pe-0f3c9a7e" not in log_output.getvalue()
    assert "/accounts/password/reset/key/[redacted]/" in log_output.getvalue()


def test_a_500_on_a_token_link_keeps_the_token_out_of_message_and_traceback(
    client, concern, log_output, monkeypatch
):
    token = links.make_token(concern)

    def crash(obj, token, **kwargs):
        # Like BadSignature, whose message quotes the signature it refused.
        raise RuntimeError(f'Signature "{token}" crashed')

    monkeypatch.setattr(signed_links, "check_token", crash)
    client.raise_request_exception = False
    with scopes_disabled():
        path = links.status_path(concern)

    response = client.get(path)

    assert response.status_code == 500
    output = log_output.getvalue()
    assert token not in output
    assert token.split(":")[-1] not in output
    error = next(r for r in lines(log_output) if r["logger"] == "django.request")
    assert error["msg"].startswith("Internal Server Error: /n/feldberg/anliegen/status/")
    assert "RuntimeError" in error["exc"]
    assert "[redacted]" in error["exc"]


def test_the_runserver_access_line_is_redacted(log_output):
    token = secrets.token_urlsafe(32)
    # The format django.core.servers.basehttp.WSGIRequestHandler.log_message uses.
    logging.getLogger("django.server").warning(
        '"%s" %s %s', f"GET /n/feldberg/termine/abo/{token}.ics HTTP/1.1", "404", "179"
    )

    (record,) = lines(log_output)
    assert record["msg"] == '"GET /n/feldberg/termine/abo/[redacted].ics HTTP/1.1" 404 179'


def test_token_shaped_words_go_and_ordinary_words_stay():
    csrf = "Xq3vB9kLmN2pQrStUvWxYz0123456789AbCdEf"
    text = (
        f"/n/region-stuttgart/angebote/eingliederungszuschuss/ ABCDEFGH23 "
        f"2026-12-03T05:57:20 AuthenticationMiddleware csrf={csrf}"
    )

    redacted = redact_tokens(text)

    assert csrf not in redacted
    assert redacted == (
        "/n/region-stuttgart/angebote/eingliederungszuschuss/ ABCDEFGH23 "
        "2026-12-03T05:57:20 AuthenticationMiddleware csrf=[redacted]"
    )
