"""The event page shows what a visitor needs (agenda, speakers, place or online access,
places left, accessibility) — never the online link — and the registration page refuses
a past, closed or full event in German with nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.models import Event, Registration

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/"


def form(i: int) -> dict[str, str]:
    return {
        "name": f"Anja Muster {i}",
        "email": f"anja{i}@hotel-am-see.example",
        "company": "Hotel am See",
        "consent": "on",
        "idempotency_key": f"seite-{i}",
    }


def stored() -> int:
    with scopes_disabled():
        return Registration.objects.count()


def test_the_page_shows_agenda_speakers_access_places_and_accessibility(client, feldberg):
    event = make_event(
        feldberg.network,
        feldberg.provider,
        format="hybrid",
        capacity=5,
        agenda="10:00 Begrüßung\n10:15 Förderprogramme",
        speakers="Dr. Erika Beispiel, Agentur für Arbeit",
        accessibility="Stufenloser Zugang, Induktionsschleife",
    )
    services.register(event=event, **person(1))
    with scopes_disabled():
        event.refresh_from_db()
    assert event.online_url  # from the network's video pattern
    page = client.get(f"{BASE}{event.slug}/").content.decode()
    for text in (
        "Ablauf", "10:00 Begrüßung<br>10:15 Förderprogramme",
        "Referierende", "Dr. Erika Beispiel, Agentur für Arbeit",
        "Barrierefreiheit", "Stufenloser Zugang, Induktionsschleife",
        "Werkraum Feldberg", "Online-Zugang", "4 / 5",
    ):  # fmt: skip
        assert text in page, text
    assert event.online_url not in page  # the link is for registrants only


def test_a_full_event_without_waiting_list_refuses_on_the_page(client, feldberg):
    event = make_event(feldberg.network, capacity=1, waiting_list=False)
    assert client.post(f"{BASE}{event.slug}/anmelden/", form(1)).status_code == 302
    page = client.get(f"{BASE}{event.slug}/").content.decode()
    assert "Diese Veranstaltung ist ausgebucht." in page
    assert f"{event.slug}/anmelden/" not in page  # no button to a form that cannot work
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(2))
    assert response.status_code == 409
    assert "Diese Veranstaltung ist ausgebucht." in response.content.decode()
    assert stored() == 1


def test_a_past_event_refuses_on_the_page_and_stores_nothing(client, feldberg):
    event = make_event(feldberg.network)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(1))
    assert response.status_code == 409
    assert "Diese Veranstaltung hat bereits stattgefunden." in response.content.decode()
    assert stored() == 0
