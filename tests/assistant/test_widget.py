"""The widget: our own script, and the embedded page framable only by the network's origins."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django_scopes import scopes_disabled

from anlaufstelle.assistant.models import AssistantSettings, Conversation
from anlaufstelle.lib.security_headers import CONTENT_SECURITY_POLICY, allow_framing, policy_for

from .conftest import CHAT, token_of

pytestmark = pytest.mark.django_db
EMBED = CHAT + "?eingebettet=1"


def allow(network, origins: str) -> AssistantSettings:
    with scopes_disabled():
        return AssistantSettings.objects.create(network=network, allowed_origins=origins)


def frame_ancestors(response) -> str:
    [part] = [
        p.strip() for p in response["Content-Security-Policy"].split(";") if "frame-ancestors" in p
    ]
    return part


def test_the_widget_script_is_our_own_javascript(client, feldberg):
    response = client.get("/n/feldberg/assistent/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "eingebettet=1" in body and "iframe" in body
    assert "http" not in body.replace("https://<anlaufstelle>", "")  # loads nothing else


def test_the_embedded_page_may_be_framed_only_by_the_networks_origins(client, personas):
    allow(
        personas.feldberg.network,
        "https://www.fachkraefte-feldberg.de\nhttps://portal.example:8443",
    )
    allow(personas.stuttgart.network, "https://www.stuttgart.example")
    response = client.get(EMBED)
    assert response.status_code == 200
    assert frame_ancestors(response) == (
        "frame-ancestors https://www.fachkraefte-feldberg.de https://portal.example:8443"
    )
    assert "X-Frame-Options" not in response
    assert "<header" not in response.content.decode()  # the panel only, no site chrome
    other = client.get("/n/stuttgart/assistent/?eingebettet=1")
    assert frame_ancestors(other) == "frame-ancestors https://www.stuttgart.example"


def test_every_other_page_stays_unframable(client, feldberg):
    allow(feldberg.network, "https://www.fachkraefte-feldberg.de")
    for url in (CHAT, "/n/feldberg/", "/n/feldberg/assistent/widget.js"):
        response = client.get(url)
        assert frame_ancestors(response) == "frame-ancestors 'none'", url
        assert response["X-Frame-Options"] == "DENY", url


def test_without_configured_origins_the_embedded_page_cannot_be_framed(client, feldberg):
    response = client.get(EMBED)
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_embedded_chat_works_without_cookies_and_keeps_framing_on_posts(client, feldberg):
    allow(feldberg.network, "https://www.fachkraefte-feldberg.de")
    first = client.post(CHAT, {"nachricht": "Hallo", "eingebettet": "1"})
    assert first.status_code == 200
    assert "sessionid" not in first.cookies and "csrftoken" not in first.cookies
    assert frame_ancestors(first) == "frame-ancestors https://www.fachkraefte-feldberg.de"
    client.cookies.clear()
    client.post(
        CHAT,
        {"nachricht": "Weiter", "eingebettet": "1", "gespraech": token_of(first.content.decode())},
    )
    with scopes_disabled():
        conversation = Conversation.objects.get()
        assert conversation.turns.filter(role="user").count() == 2
    assert conversation.embedded is True


@pytest.mark.parametrize(
    "bad",
    [
        "http://www.example.de",
        "https://www.example.de/pfad",
        "https://*.example.de",
        "https://user@example.de",
        "javascript:alert(1)",
        "https://example.de; script-src *",
        "https://example.de?x=1",
        "'self'",
    ],
)
def test_only_plain_https_origins_are_saved(feldberg, bad):
    with pytest.raises(ValidationError):
        allow(feldberg.network, bad)


def test_origins_are_normalised_on_save(feldberg):
    row = allow(feldberg.network, "HTTPS://WWW.Example.de/ , https://www.example.de")
    assert row.allowed_origins == "https://www.example.de"


def test_allow_framing_drops_anything_but_plain_https_origins():
    response = allow_framing(
        HttpResponse(), ["https://ok.example", "https://x.example; script-src *"]
    )
    assert policy_for(response) == CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors https://ok.example"
    )
    assert (
        policy_for(allow_framing(HttpResponse(), ["http://no.example"])) == CONTENT_SECURITY_POLICY
    )


def test_http_is_accepted_only_for_this_machine(feldberg):
    row = allow(feldberg.network, "http://127.0.0.1:8080 http://localhost")
    assert row.origins() == ["http://127.0.0.1:8080", "http://localhost"]
    response = allow_framing(HttpResponse(), row.origins())
    assert "frame-ancestors http://127.0.0.1:8080 http://localhost" in policy_for(response)
    with pytest.raises(ValidationError):
        allow(feldberg.network, "http://10.0.0.1")
