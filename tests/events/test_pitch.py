"""The pitch format ("Löwenpitch"): two roles with their own questions, a running order,
the pitching companies named on the event page after the event if they agreed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.models import Event, Registration

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/"
PITCH = "Pitchendes Unternehmen"
TALENT = "Talent (Besuch)"


@pytest.fixture
def pitch(feldberg):
    return make_event(
        feldberg.network,
        feldberg.provider,
        slug="loewenpitch",
        title="Löwenpitch",
        capacity=20,
        roles=f"{PITCH}\n{TALENT}",
        questions=f"{PITCH}: Ihr Pitch in zwei Sätzen\n{TALENT}: Welcher Beruf interessiert Sie?",
    )


def test_each_role_answers_only_its_own_questions(pitch):
    answers = {
        f"{PITCH}: Ihr Pitch in zwei Sätzen": "Wir bauen Boote.",
        f"{TALENT}: Welcher Beruf interessiert Sie?": "Bootsbauerin",
    }
    company = services.register(event=pitch, role=PITCH, answers=answers, **person(1))
    talent = services.register(event=pitch, role=TALENT, answers=answers, **person(2))
    assert company.answers == {f"{PITCH}: Ihr Pitch in zwei Sätzen": "Wir bauen Boote."}
    assert talent.answers == {f"{TALENT}: Welcher Beruf interessiert Sie?": "Bootsbauerin"}


def test_a_role_is_required_when_the_event_has_roles(pitch, client):
    with pytest.raises(services.RegistrationError) as refused:
        services.register(event=pitch, **person(1))
    assert refused.value.message == "Bitte wählen Sie, wie Sie teilnehmen."
    response = client.post(
        f"{BASE}loewenpitch/anmelden/",
        {"name": "A", "email": "a@example.org", "consent": "on", "idempotency_key": "k"},
    )
    assert response.status_code == 400
    assert "Bitte wählen Sie, wie Sie teilnehmen." in response.content.decode()


def test_the_form_registers_a_pitching_company_with_consent_to_be_named(pitch, client):
    response = client.post(
        f"{BASE}loewenpitch/anmelden/",
        {
            "name": "Anja Muster",
            "company": "Bootswerft am See",
            "email": "anja@werft.example",
            "role": PITCH,
            "frage_0": "Wir bauen Boote.",
            "listed_publicly": "on",
            "consent": "on",
            "idempotency_key": "k1",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get()
    assert (registration.role, registration.listed_publicly) == (PITCH, True)


def test_after_the_event_the_agreeing_pitchers_are_listed_in_the_running_order(
    feldberg, pitch, client
):
    first = services.register(event=pitch, role=PITCH, listed_publicly=True, **person(1))
    second = services.register(event=pitch, role=PITCH, listed_publicly=True, **person(2))
    services.register(event=pitch, role=PITCH, listed_publicly=False, **person(3))
    services.register(event=pitch, role=TALENT, listed_publicly=True, **person(4))
    staff = Client()
    staff.force_login(feldberg.navigator)
    response = staff.post(
        f"{BASE}verwaltung/loewenpitch/reihenfolge/",
        {f"position_{first.pk}": "2", f"position_{second.pk}": "1", "position_x": "²"},
    )
    assert response.status_code == 302
    page = client.get(f"{BASE}loewenpitch/").content.decode()
    assert "Anja Muster 1" not in page  # not before the event
    with scopes_disabled():
        Event.objects.filter(pk=pitch.pk).update(starts_at=timezone.now() - timedelta(hours=3))
        pitch.refresh_from_db()
    page = client.get(f"{BASE}loewenpitch/").content.decode()
    assert [p.pk for p in services.public_participants(pitch)] == [second.pk, first.pk]
    assert page.count("<li>Hotel am See</li>") == 2  # the two who agreed, by company
