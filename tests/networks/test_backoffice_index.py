"""The back office's start page leads staff to their daily work on the site."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def links(client, user) -> str:
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_navigators_find_their_inbox_and_calendar(client, personas):
    page = links(client, personas.feldberg.navigator)
    assert 'href="/n/feldberg/anliegen/lotsen/"' in page
    assert 'href="/n/feldberg/termine/kalender/"' in page
    assert "/anliegen/partner/" not in page
    assert "/n/stuttgart/" not in page


def test_partner_experts_find_their_referred_concerns(client, personas):
    page = links(client, personas.stuttgart.partner_expert)
    assert 'href="/n/stuttgart/anliegen/partner/"' in page
    assert "/anliegen/lotsen/" not in page


def test_operators_without_a_network_get_no_site_links(client, personas):
    page = links(client, personas.operator)
    assert 'id="workspaces"' not in page
