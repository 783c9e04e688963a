"""The check-in list in use: organisers mark arrivals at the door (and undo a mistake);
only confirmed registrants of an event the organiser manages can be marked."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.models import Registration

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/verwaltung/"


@pytest.fixture
def people(event):
    confirmed = services.register(event=event, **person(1))
    services.register(event=event, **person(2))
    waiting = services.register(event=event, **person(3))
    return confirmed, waiting


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def arrived(registration) -> bool:
    with scopes_disabled():
        return Registration.objects.get(pk=registration.pk).checked_in_at is not None


def test_an_organiser_marks_an_arrival_and_undoes_it(feldberg, event, people):
    confirmed, _waiting = people
    client = login(feldberg.navigator)
    page = client.get(f"{BASE}{event.slug}/einlass/").content.decode()
    assert "0 von 2 anwesend" in page
    assert "Anja Muster 1 ist da" in page
    url = f"{BASE}{event.slug}/einlass/{confirmed.code}/"
    response = client.post(url, {"anwesend": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{event.slug}/einlass/#einlass-{confirmed.code}"
    assert arrived(confirmed)
    page = client.get(f"{BASE}{event.slug}/einlass/").content.decode()
    assert "1 von 2 anwesend" in page and "Ja, seit" in page
    assert "Ankunft von Anja Muster 1 zurücknehmen" in page
    client.post(url, {"anwesend": "0"})
    assert not arrived(confirmed)


def test_only_confirmed_registrants_of_a_managed_event_can_be_marked(
    feldberg, personas, event, people
):
    confirmed, waiting = people
    client = login(feldberg.navigator)
    assert (
        client.post(f"{BASE}{event.slug}/einlass/{waiting.code}/", {"anwesend": "1"}).status_code
        == 404
    )
    assert not arrived(waiting)
    assert client.get(f"{BASE}{event.slug}/einlass/{confirmed.code}/").status_code == 405
    other = make_event(feldberg.network, slug="andere")
    assert (
        client.post(f"{BASE}{other.slug}/einlass/{confirmed.code}/", {"anwesend": "1"}).status_code
        == 404
    )
    # Staff of another network and visitors never reach it.
    outsider = login(personas.stuttgart.coordinator)
    url = f"{BASE}{event.slug}/einlass/{confirmed.code}/"
    assert outsider.post(url, {"anwesend": "1"}).status_code == 404
    assert Client().post(url, {"anwesend": "1"}).status_code == 302  # to the login
    assert not arrived(confirmed)


def test_a_partner_expert_marks_only_at_their_providers_events(feldberg, event, people):
    confirmed, _waiting = people
    foreign = make_event(feldberg.network, slug="fremd")  # no provider: not theirs
    foreign_reg = services.register(event=foreign, **person(9))
    client = login(feldberg.partner_expert)
    url = f"{BASE}{foreign.slug}/einlass/{foreign_reg.code}/"
    assert client.post(url, {"anwesend": "1"}).status_code == 404
    assert not arrived(foreign_reg)
    own = f"{BASE}{event.slug}/einlass/{confirmed.code}/"
    assert client.post(own, {"anwesend": "1"}).status_code == 302
    assert arrived(confirmed)
