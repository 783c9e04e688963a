"""The chat page without JavaScript and with htmx: privacy note, turns stored, escaping,
clear answers for empty, long and repeated messages."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.assistant.models import Conversation, Turn

from .conftest import CHAT, step_of, token_of
from .scripted import Reply, Source, install

pytestmark = pytest.mark.django_db
XSS = "<script>alert('x')</script>"


def conversations() -> list[Conversation]:
    with scopes_disabled():
        return list(Conversation.objects.all())


def turns() -> list[Turn]:
    with scopes_disabled():
        return list(Turn.objects.order_by("created_at", "pk"))


def test_the_page_tells_that_navigators_read_along_before_the_first_message(client, feldberg):
    page = client.get(CHAT).content.decode()
    assert "Lotsinnen und Lotsen des Netzwerks können dieses Gespräch lesen" in page
    assert 'href="/n/feldberg/seite/datenschutz/"' in page
    # The note comes before the message box, and nothing is stored by looking.
    assert page.index("dieses Gespräch lesen") < page.index('id="assistant-message"')
    assert conversations() == []


def test_a_message_and_its_answer_are_stored_without_the_address(client, feldberg):
    response = client.post(CHAT, {"nachricht": "Guten Tag"}, REMOTE_ADDR="203.0.113.77")
    assert response.status_code == 200
    [conversation] = conversations()
    assert conversation.consent_shown is True
    assert [(t.role, t.text) for t in turns()][0] == ("user", "Guten Tag")
    assert [t.role for t in turns()] == ["user", "assistant"]
    stored = " ".join(
        str(getattr(conversation, f.attname)) for f in Conversation._meta.concrete_fields
    )
    assert "203.0.113" not in stored
    assert not any("ip" in f.name.split("_") for f in Conversation._meta.fields)


def test_the_conversation_continues_on_the_next_post_and_in_the_session(client, feldberg):
    first = client.post(CHAT, {"nachricht": "Guten Tag"}).content.decode()
    client.post(CHAT, {"nachricht": "Noch eine Frage", "gespraech": token_of(first),
                       "schritt": step_of(first)})  # fmt: skip
    assert len(conversations()) == 1
    assert len(turns()) == 4
    # Opening the page again (or the panel on another page) shows the same conversation.
    again = client.get(CHAT).content.decode()
    assert "Noch eine Frage" in again


def test_script_text_in_a_message_is_shown_as_text_never_as_markup(client, feldberg):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.post(CHAT, {"nachricht": f"Hallo {XSS}"}, **headers).content.decode()
        assert XSS not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_markup_and_javascript_links_in_sources_are_not_rendered(client, feldberg, monkeypatch):
    install(
        monkeypatch,
        Reply(
            intent="find_support",
            text=f"Antwort {XSS}",
            sources=[
                Source(ref="offer:a", title=f"Titel {XSS}", url="javascript:alert(1)", reason=XSS),
                Source(ref="offer:b", title="Gut", url="/n/feldberg/angebote/b/", reason="passt"),
            ],
            clarify_options=[f"Option {XSS}"],
        ),
    )
    page = client.post(CHAT, {"nachricht": "Frage"}).content.decode()
    assert XSS not in page
    assert "javascript:" not in page
    assert 'href="/n/feldberg/angebote/b/"' in page


def test_a_clarifying_question_offers_buttons_and_the_answer_carries_the_state(
    client, feldberg, monkeypatch
):
    engine = install(
        monkeypatch,
        Reply(
            intent="clarify",
            text="Geht es um Ausbildung, Weiterbildung oder neue Mitarbeitende?",
            clarify_options=["Ausbildung", "Weiterbildung", "Neue Mitarbeitende"],
            state={"pending": "clarify", "topic": None},
        ),
        Reply(
            intent="find_support",
            text="Dazu passt die Ausbildungsberatung.",
            sources=[
                Source(
                    "offer:persona-angebot-feldberg",
                    "Ausbildungsberatung",
                    "/n/feldberg/angebote/persona-angebot-feldberg/",
                    "Beratung",
                )
            ],
            state={"topic": "ausbildung"},
        ),  # fmt: skip
    )
    first = client.post(CHAT, {"nachricht": "Wir brauchen Leute"}).content.decode()
    assert 'name="nachricht" value="Ausbildung"' in first
    # The company presses the button: an ordinary post of the option as its message.
    second = client.post(
        CHAT, {"nachricht": "Ausbildung", "gespraech": token_of(first), "schritt": step_of(first)}
    ).content.decode()
    assert engine.calls[1] == {
        "message": "Ausbildung",
        "state": {"pending": "clarify", "topic": None},
        "language": "de",
    }
    assert "Dazu passt die Ausbildungsberatung." in second
    assert 'href="/n/feldberg/angebote/persona-angebot-feldberg/"' in second
    with scopes_disabled():
        assert Conversation.objects.get().state == {"topic": "ausbildung"}


def test_an_empty_message_gets_a_clear_german_answer(client, feldberg):
    response = client.post(CHAT, {"nachricht": "   "})
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Nachricht." in response.content.decode()
    assert conversations() == []


def test_a_very_long_message_gets_a_clear_german_answer_and_keeps_the_text(client, feldberg):
    response = client.post(CHAT, {"nachricht": "Fachkraft " * 200})
    assert response.status_code == 400
    page = response.content.decode()
    assert "höchstens 1000 Zeichen" in page
    assert "Fachkraft Fachkraft" in page  # kept in the box to shorten
    assert conversations() == []


def test_a_reloaded_form_does_not_send_the_message_twice(client, feldberg):
    first = client.post(CHAT, {"nachricht": "Guten Tag"}).content.decode()
    data = {"nachricht": "Zweite", "gespraech": token_of(first), "schritt": step_of(first)}
    client.post(CHAT, data)
    client.post(CHAT, data)  # the browser's "send again"
    assert [t.text for t in turns() if t.role == "user"] == ["Guten Tag", "Zweite"]


def test_htmx_gets_the_panel_with_the_live_region_and_a_plain_post_the_whole_page(client, feldberg):
    partial = client.post(CHAT, {"nachricht": "Hallo"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<section")
    assert 'id="assistant-announce"' in partial and 'data-hx-swap-oob="true"' in partial
    assert "<html" not in partial
    full = client.post(CHAT, {"nachricht": "Hallo"}).content.decode()
    assert "<html" in full and 'id="assistant-announce"' in full and 'aria-live="polite"' in full


def test_every_network_page_opens_the_panel(client, feldberg):
    page = client.get("/n/feldberg/angebote/").content.decode()
    assert 'id="assistant-open" href="/n/feldberg/assistent/"' in page
    assert 'data-hx-get="/n/feldberg/assistent/?panel=1"' in page
    panel = client.get(CHAT + "?panel=1", HTTP_HX_REQUEST="true").content.decode()
    assert "data-assistant-close" in panel


def test_a_post_to_the_sites_own_page_needs_the_csrf_token(feldberg):
    client = Client(enforce_csrf_checks=True)
    assert client.post(CHAT, {"nachricht": "Hallo"}).status_code == 403
    assert conversations() == []


def test_a_conversation_of_one_network_cannot_be_continued_in_another(client, personas):
    first = client.post(CHAT, {"nachricht": "Geheimnis Feldberg"}).content.decode()
    other = client.post(
        "/n/stuttgart/assistent/", {"nachricht": "Hallo", "gespraech": token_of(first)}
    ).content.decode()
    assert "Geheimnis Feldberg" not in other
    assert len(conversations()) == 2


def test_the_embedded_page_never_reads_the_session(client, feldberg):
    client.post(CHAT, {"nachricht": "Geheimnis im Hauptfenster"})
    # A forged post (csrf-exempt in the widget) without the signed code starts afresh.
    page = client.post(CHAT, {"nachricht": "Hallo", "eingebettet": "1"}).content.decode()
    assert "Geheimnis im Hauptfenster" not in page
    page = client.get(CHAT + "?eingebettet=1").content.decode()
    assert "Geheimnis im Hauptfenster" not in page


def test_a_forged_conversation_code_is_ignored(client, feldberg):
    page = client.post(CHAT, {"nachricht": "Hallo", "gespraech": "ABCDEF:forged"})
    assert page.status_code == 200
    assert len(conversations()) == 1


def test_the_engine_asks_back_and_uses_the_answer_in_the_next_turn_via_the_page(
    client, demo_catalog
):
    """The real engine on the demo catalog (lexical index): a vague message, a clarifying
    question with buttons, the pressed button answers it with cited offers."""
    from django.core.management import call_command

    call_command("rebuild_index", stdout=None)
    first = client.post(CHAT, {"nachricht": "Hilfe"}).content.decode()
    assert "Geht es um Ausbildung, Weiterbildung oder neue Mitarbeitende?" in first
    assert 'name="nachricht" value="Ausbildung"' in first
    second = client.post(
        CHAT, {"nachricht": "Ausbildung", "gespraech": token_of(first), "schritt": step_of(first)}
    ).content.decode()
    with scopes_disabled():
        answer = Turn.objects.filter(role="assistant").last()
        assert Conversation.objects.get().state.get("turns") == 2
    assert answer.intent == "find_support"
    assert answer.sources, "the answer cites offers of the network"
    for source in answer.sources:
        assert f'href="{source["url"]}"' in second
