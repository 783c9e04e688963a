"""Booking in the chat ends in a real booking (lock, constraint, confirmation e-mail)."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import Booking

from .conftest import CHAT, step_of, token_of
from .scripted import Reply, install

pytestmark = pytest.mark.django_db
BOOK = "/n/feldberg/assistent/termin/"


def offer_slots(monkeypatch, client, feldberg):
    install(
        monkeypatch,
        Reply(
            intent="book_appointment",
            text="Die Ausbildungsberatung hat Sprechstunden.",
            booking_targets=[f"offer:{feldberg.offer.slug}"],
        ),
    )
    return client.post(CHAT, {"nachricht": "Ich möchte einen Termin"}).content.decode()


def chosen_slot(page: str) -> str:
    import re

    return re.search(r'name="termin" id="termin-slot-1" value="([^"]+)"', page).group(1)


def booking_form(page: str, key: str) -> dict[str, str]:
    """Anja's answers to the chat's booking form for its first offered slot."""
    return {
        "gespraech": token_of(page),
        "schritt": step_of(page),
        "termin": chosen_slot(page),
        "name": "Anja Muster",
        "email": "anja@hotel-am-see.example",
        "consent": "on",
        "idempotency_key": key,
    }


def test_the_chat_shows_the_next_three_free_slots_of_the_offer(
    client, feldberg, schedule, monkeypatch
):
    page = offer_slots(monkeypatch, client, feldberg)
    assert page.count('name="termin"') == 3
    assert schedule.title in page


def test_booking_in_the_chat_ends_in_a_real_booking_with_the_confirmation_email(
    client, feldberg, schedule, monkeypatch, smtp, django_capture_on_commit_callbacks
):
    data = booking_form(offer_slots(monkeypatch, client, feldberg), "chat-1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BOOK, data)
    assert response.status_code == 200
    with scopes_disabled():
        [booking] = Booking.objects.all()
    assert booking.slot.schedule == schedule
    assert booking.concern == "Ich möchte einen Termin"
    assert "Ihr Termin ist gebucht" in response.content.decode()
    assert any("Ihr Termin am" in m["Subject"] for m in smtp.to("anja@hotel-am-see.example"))
    # A retry of the same form (the idempotency key) does not book twice.
    client.post(BOOK, data)
    with scopes_disabled():
        assert Booking.objects.count() == 1


def test_booking_without_consent_is_refused_in_german(client, feldberg, schedule, monkeypatch):
    page = offer_slots(monkeypatch, client, feldberg)
    response = client.post(
        BOOK,
        {"gespraech": token_of(page), "termin": chosen_slot(page), "name": "Anja Muster",
         "email": "anja@hotel-am-see.example", "idempotency_key": "chat-2"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in response.content.decode()
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_a_slot_taken_meanwhile_offers_the_next_ones(client, feldberg, schedule, monkeypatch):
    page = offer_slots(monkeypatch, client, feldberg)
    base = {"gespraech": token_of(page), "termin": chosen_slot(page), "consent": "on"}
    client.post(BOOK, base | {"name": "Erste", "email": "a@x.example", "idempotency_key": "a"})
    response = client.post(
        BOOK, base | {"name": "Zweite", "email": "b@x.example", "idempotency_key": "b"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "gerade vergeben" in page
    assert chosen_slot(page) != base["termin"]


def test_booking_needs_the_conversation_of_the_chat(client, feldberg, schedule):
    assert (
        client.post(BOOK, {"termin": "x|y", "name": "A", "email": "a@x.example"}).status_code == 404
    )


def test_the_booked_reply_writes_its_date_in_the_chats_language(
    client, feldberg, schedule, monkeypatch, smtp
):
    """German "am 03.12.2026", English "on 3 Dec 2026" (was "03.12.2026" in English too)."""
    from django.urls import reverse
    from django.utils import dateformat, timezone, translation

    from anlaufstelle.lib.dates import FORMATS

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    data = booking_form(offer_slots(monkeypatch, client, feldberg), "chat-en")
    html = client.post(BOOK, data).content.decode()
    with scopes_disabled():
        starts = timezone.localtime(Booking.objects.get().slot.starts_at)
    with translation.override("en"):
        english = dateformat.format(starts, FORMATS["en"]["short_date"])
    assert f"Your appointment is booked: {schedule.title} on {english} at " in html
    assert starts.strftime("%d.%m.%Y") not in html
