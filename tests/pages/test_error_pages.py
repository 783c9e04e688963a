"""The site's own German error pages (DEBUG off, as in the demo and production) and the icon."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from anlaufstelle.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request: object) -> None:
    raise RuntimeError("boom")


urlpatterns = [path("kaputt/", broken_view), *site_urlpatterns]


def test_an_unknown_address_gets_the_german_404_page_without_url_patterns(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Diese Seite gibt es nicht" in page
    assert "URLconf" not in page and "n/&lt;slug:network_slug&gt;" not in page


def test_an_unknown_page_of_a_network_links_back_to_its_start(client, personas):
    response = client.get("/n/feldberg/gibt-es-nicht/")
    assert response.status_code == 404
    assert 'href="/n/feldberg/"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_gets_the_german_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/kaputt/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Etwas ist schiefgelaufen" in page
    assert "RuntimeError" not in page and "Traceback" not in page


def test_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file header
    assert "max-age=86400" in response["Cache-Control"]


def test_pages_link_the_icon(client, personas):
    assert 'rel="icon" href="/favicon.ico"' in client.get("/n/feldberg/").content.decode()
