"""Hand-over ends in a real concern with the transcript; erased with the concern."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.assistant import services
from anlaufstelle.assistant.models import Conversation, Turn
from anlaufstelle.cases import services as case_services
from anlaufstelle.cases.models import Concern

from .conftest import CHAT, token_of
from .scripted import Reply, Source, install

pytestmark = pytest.mark.django_db
HANDOVER = "/n/feldberg/assistent/uebergabe/"


def chat_that_offers_handover(monkeypatch, client) -> str:
    install(
        monkeypatch,
        Reply(
            intent="find_support",
            text="Dazu passt die Ausbildungsberatung.",
            sources=[Source("offer:a", "Ausbildungsberatung", "/n/feldberg/angebote/a/", "passt")],
            offer_handoff=True,
        ),
    )
    return client.post(
        CHAT, {"nachricht": "Wir suchen einen Azubi als Koch <script>x</script>"}
    ).content.decode()


def handover_data(page: str, **extra) -> dict:
    return {
        "gespraech": token_of(page),
        "name": "Anja Muster",
        "email": "anja@hotel-am-see.example",
        "phone": "039831 0000",
        "consent": "on",
        "idempotency_key": "uebergabe-1",
    } | extra


def test_handing_over_creates_a_concern_with_the_transcript_and_sends_the_receipt(
    client, feldberg, monkeypatch, smtp, django_capture_on_commit_callbacks
):
    page = chat_that_offers_handover(monkeypatch, client)
    assert 'action="/n/feldberg/assistent/uebergabe/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(HANDOVER, handover_data(page))
    assert response.status_code == 200
    with scopes_disabled():
        [concern] = Concern.objects.all()
        conversation = Conversation.objects.get()
    assert conversation.concern == concern
    assert concern.contact_name == "Anja Muster" and concern.phone == "039831 0000"
    assert concern.consent_at is not None
    assert f"Gespräch mit dem Assistenten ({conversation.code})" in concern.text
    assert "Unternehmen: Wir suchen einen Azubi als Koch ‹script›x‹/script›" in concern.text
    assert "Assistent: Dazu passt die Ausbildungsberatung." in concern.text
    assert "Quellen: Ausbildungsberatung" in concern.text
    answer = response.content.decode()
    assert f"(Nummer {concern.code})" in answer
    assert smtp.to("anja@hotel-am-see.example")  # the receipt with the status link


def test_a_repeated_handover_gives_the_same_concern(client, feldberg, monkeypatch):
    page = chat_that_offers_handover(monkeypatch, client)
    client.post(HANDOVER, handover_data(page))
    client.post(HANDOVER, handover_data(page))
    with scopes_disabled():
        assert Concern.objects.count() == 1
        assert Turn.objects.filter(intent="human_handoff").count() == 1


def test_handover_without_consent_is_refused_in_german(client, feldberg, monkeypatch):
    page = chat_that_offers_handover(monkeypatch, client)
    data = handover_data(page)
    del data["consent"]
    response = client.post(HANDOVER, data)
    assert response.status_code == 400
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in response.content.decode()
    with scopes_disabled():
        assert not Concern.objects.exists()


def test_talk_to_a_person_shows_the_form_without_javascript(client, feldberg):
    page = client.post(CHAT, {"nachricht": "Hallo"}).content.decode()
    shown = client.post(HANDOVER, {"gespraech": token_of(page), "zeigen": "1"}).content.decode()
    assert 'name="consent"' in shown and "Ich bin damit einverstanden" in shown


def test_a_long_conversation_fits_the_concern_with_the_newest_turns(feldberg):
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(feldberg.network):
        conversation = services.start_conversation(network=feldberg.network)
        for i in range(40):
            services._add_turn(conversation, "user", f"Frage {i} " + "x" * 300)
        text = services.transcript(conversation)
    assert len(text) <= case_services.MAX_TEXT
    assert "Frage 39" in text and "Frage 0 " not in text
    assert "(Frühere Nachrichten gekürzt.)" in text


def test_erasing_the_concern_erases_the_conversation_with_the_daily_job(
    client, feldberg, monkeypatch
):
    page = chat_that_offers_handover(monkeypatch, client)
    client.post(HANDOVER, handover_data(page))
    with scopes_disabled():
        concern = Concern.objects.get()
        case_services.erase(concern=concern)
    assert services.apply_retention() == 1
    with scopes_disabled():
        assert not Conversation.objects.exists() and not Turn.objects.exists()


def test_conversations_are_deleted_after_the_networks_retention(client, feldberg):
    client.post(CHAT, {"nachricht": "Alt"})
    assert services.apply_retention() == 0
    later = timezone.now() + timedelta(days=366)
    assert services.apply_retention(now=later) == 1
    with scopes_disabled():
        assert not Conversation.objects.exists()


def test_htmx_gets_the_panel_after_the_handover_and_a_plain_post_the_page(
    client, feldberg, monkeypatch
):
    page = chat_that_offers_handover(monkeypatch, client)
    partial = client.post(
        HANDOVER, handover_data(page, idempotency_key="h-1"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith("<section") and "Nummer" in partial
    full = client.post(HANDOVER, handover_data(page, idempotency_key="h-1")).content.decode()
    assert "<html" in full and "Nummer" in full
