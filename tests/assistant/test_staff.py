"""Navigators and coordinators read conversations; everyone else gets 404 or the login."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import CHAT

pytestmark = pytest.mark.django_db
LIST = "/n/feldberg/assistent/verwaltung/"


@pytest.fixture
def conversation_code(client, feldberg):
    client.post(CHAT, {"nachricht": "Wir suchen <b>Köche</b>"})
    from django_scopes import scopes_disabled

    from anlaufstelle.assistant.models import Conversation

    with scopes_disabled():
        return Conversation.objects.get().code


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["navigator", "coordinator"])
def test_navigators_and_coordinators_read_the_conversations(feldberg, conversation_code, role):
    client = signed_in(getattr(feldberg, role))
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert conversation_code in listing.content.decode()
    detail = client.get(f"{LIST}{conversation_code}/").content.decode()
    assert "Wir suchen &lt;b&gt;Köche&lt;/b&gt;" in detail
    assert "no-store" in listing["Cache-Control"]


def test_the_partner_expert_and_the_outsider_get_404(personas, feldberg, conversation_code):
    for user in (feldberg.partner_expert, personas.stuttgart.coordinator):
        client = signed_in(user)
        assert client.get(LIST).status_code == 404
        assert client.get(f"{LIST}{conversation_code}/").status_code == 404


def test_the_other_networks_navigator_cannot_open_it_under_their_own_site(
    personas, conversation_code
):
    client = signed_in(personas.stuttgart.navigator)
    assert client.get(f"/n/stuttgart/assistent/verwaltung/{conversation_code}/").status_code == 404


def test_anonymous_visitors_go_to_the_login(client, conversation_code):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_staff_navigation_links_the_conversations_for_navigators_only(feldberg):
    link = 'href="/n/feldberg/assistent/verwaltung/"'
    assert link in signed_in(feldberg.navigator).get("/n/feldberg/").content.decode()
    assert link not in signed_in(feldberg.partner_expert).get("/n/feldberg/").content.decode()


def test_the_list_costs_the_same_queries_for_one_or_many_conversations(feldberg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    navigator = signed_in(feldberg.navigator)

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert navigator.get(LIST).status_code == 200
        return len(captured)

    Client().post(CHAT, {"nachricht": "Frage"})
    one = queries_for_list()
    for i in range(8):
        Client().post(CHAT, {"nachricht": f"Frage {i}"})
    assert queries_for_list() == one
