"""Public booking pages, signed-link pages, the expert calendar and room reservations."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse
from django_scopes import scopes_disabled
from icalendar import Calendar

from anlaufstelle.booking import queries, tokens
from anlaufstelle.booking.models import (
    Booking,
    BookingStatus,
    FeedToken,
    Reservation,
    ReservationStatus,
)

from .test_services import at, book, open_day  # noqa: F401  (fixture)


def url(name: str, network: str = "feldberg", **kwargs) -> str:
    return reverse(f"site:booking:{name}", kwargs={"network_slug": network, **kwargs})


def form_data(slot_key: str, **overrides) -> dict:
    data = {
        "termin": slot_key,
        "name": "Anja Muster",
        "company": "Hotel am See",
        "email": "anja@hotel-am-see.example",
        "phone": "",
        "concern": "Koch gesucht",
        "consent": "on",
        "idempotency_key": "form-key-1",
    }
    data.update(overrides)
    return data


def test_the_slot_picker_lists_free_slots_by_day_in_german(client, schedule, free_slot):
    response = client.get(url("schedule", code=schedule.code))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Termin buchen" in html
    assert f"termin={free_slot.key}" in html
    assert "<html" in html


def test_the_slot_picker_loads_more_as_a_fragment_for_htmx(client, schedule, free_slot):
    page = client.get(url("schedule", code=schedule.code)).content.decode()
    more = re.search(r'href="\?ab=([0-9TZ]+)"', page).group(1)
    fragment = client.get(
        url("schedule", code=schedule.code), {"ab": more}, headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert "<html" not in html
    assert f"termin={more}" in html
    assert f"termin={free_slot.key}" not in html


def test_the_outsider_network_gets_404_for_a_schedule(client, schedule):
    assert client.get(url("schedule", network="stuttgart", code=schedule.code)).status_code == 404


def test_an_offer_with_a_consultation_hour_shows_its_slots(client, schedule, feldberg, free_slot):
    with scopes_disabled():
        schedule.offers.add(feldberg.offer)
    response = client.get(url("offer", slug=feldberg.offer.slug))
    assert response.status_code == 200
    assert free_slot.key in response.content.decode()
    assert client.get(url("offer", slug=feldberg.unpublished_offer.slug)).status_code == 404


def test_booking_through_the_form_redirects_to_the_confirmation(client, schedule, free_slot):
    response = client.post(url("book", code=schedule.code), form_data(free_slot.key))
    assert response.status_code == 302
    with scopes_disabled():
        booking = Booking.objects.get()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ihr Termin ist gebucht." in html
    assert booking.code in html
    assert "Termin absagen" in html


def test_a_double_submit_books_once(client, schedule, free_slot):
    first = client.post(url("book", code=schedule.code), form_data(free_slot.key))
    second = client.post(url("book", code=schedule.code), form_data(free_slot.key))
    # Both answers lead to the same booking; the links' tokens carry a timestamp, so two
    # requests a second apart (a loaded machine) sign the same booking differently.
    first_match, second_match = resolve(first["Location"]), resolve(second["Location"])
    assert first_match.url_name == second_match.url_name == "view"
    assert first_match.kwargs["code"] == second_match.kwargs["code"]
    assert client.get(second["Location"]).status_code == 200
    with scopes_disabled():
        assert Booking.objects.count() == 1


def test_missing_consent_keeps_the_input_and_says_why(client, schedule, free_slot):
    data = form_data(free_slot.key)
    del data["consent"]
    response = client.post(url("book", code=schedule.code), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in html
    assert 'value="Anja Muster"' in html
    with scopes_disabled():
        assert not Booking.objects.exists()


def test_the_loser_of_the_race_sees_the_message_the_next_slots_and_its_input(
    client, schedule, free_slot
):
    book(schedule, free_slot.starts_at, email="first@example.org")
    response = client.post(
        url("book", code=schedule.code), form_data(free_slot.key, name="Murat Demir")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Dieser Termin wurde gerade vergeben." in html
    assert 'value="Murat Demir"' in html
    assert 'type="radio" name="termin"' in html
    alternative = re.search(r'name="termin" id="termin-([0-9TZ]+)"', html).group(1)
    retry = client.post(url("book", code=schedule.code), form_data(alternative, name="Murat Demir"))
    assert retry.status_code == 302


def _links(booking: Booking) -> dict[str, str]:
    return {
        p: url(p, code=booking.code, token=tokens.make_token(booking, p)) for p in tokens.PURPOSES
    }


def test_the_cancel_link_works_once(client, schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    links = _links(booking)
    assert client.get(links["cancel"]).status_code == 200
    assert client.post(links["cancel"]).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    # Once: the old links now only say that it was cancelled (test_cancelled_links.py).
    assert client.post(links["cancel"]).status_code == 410
    assert client.get(links["view"]).status_code == 410
    booking.refresh_from_db()
    assert booking.token_version == 1


def test_a_cancel_link_does_not_open_another_booking(client, schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    a = book(schedule, first.starts_at)
    b = book(schedule, second.starts_at, email="b@example.org")
    forged = url("cancel", code=b.code, token=tokens.make_token(a, "cancel"))
    assert client.post(forged).status_code == 404
    b.refresh_from_db()
    assert b.status == BookingStatus.CONFIRMED


def test_the_move_link_moves_and_then_expires(client, schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    links = _links(booking)
    page = client.get(links["move"])
    assert second.key in page.content.decode()
    response = client.post(links["move"], {"termin": second.key})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot.starts_at == second.starts_at
    # The old move link is spent: it says the appointment was moved and moves nothing.
    assert client.post(links["move"], {"termin": first.key}).status_code == 410
    booking.refresh_from_db()
    assert booking.slot.starts_at == second.starts_at


def test_the_booking_ics_download(client, schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    token = tokens.make_token(booking, "view")
    response = client.get(url("ics", code=booking.code, token=token))
    assert response["Content-Type"].startswith("text/calendar")
    assert (
        Calendar.from_ical(response.content).walk("VEVENT")[0].decoded("dtstart")
        == free_slot.starts_at
    )


# --- expert ----------------------------------------------------------------------------


def test_the_calendar_needs_a_login(client, feldberg):
    response = client.get(url("calendar"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_outsider_gets_404_in_the_calendar(client, outsider, schedule):
    client.force_login(outsider)
    assert client.get(url("calendar")).status_code == 404


def test_the_expert_sees_the_bookings_of_the_week_and_cancels_with_a_message(
    client, feldberg, schedule, free_slot
):
    booking = book(schedule, free_slot.starts_at, name="Anja Muster")
    client.force_login(feldberg.partner_expert)
    day = free_slot.starts_at.astimezone(queries.slots.BERLIN).date()
    html = client.get(url("calendar"), {"tag": day.isoformat()}).content.decode()
    assert "Anja Muster" in html
    response = client.post(url("expert_cancel", code=booking.code), {"message": "Ich bin krank."})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_message == "Ich bin krank."
    assert booking.cancelled_by == "expert"


def test_the_outsider_cannot_cancel_an_appointment(client, outsider, schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    client.force_login(outsider)
    assert (
        client.post(url("expert_cancel", network="stuttgart", code=booking.code)).status_code == 404
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_private_feed_lists_appointments_and_can_be_revoked(
    client, feldberg, schedule, free_slot
):
    book(schedule, free_slot.starts_at)
    client.force_login(feldberg.partner_expert)
    client.post(url("feed_manage"), {"aktion": "neu"})
    with scopes_disabled():
        token = FeedToken.objects.get(revoked_at__isnull=True).token
    client.logout()
    feed = client.get(url("feed", token=token))
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [free_slot.starts_at]
    assert client.get(url("feed", network="stuttgart", token=token)).status_code == 404
    client.force_login(feldberg.partner_expert)
    client.post(url("feed_manage"), {"aktion": "widerrufen"})
    client.logout()
    assert client.get(url("feed", token=token)).status_code == 404
    assert client.get(url("feed", token="erraten")).status_code == 404


# --- rooms -----------------------------------------------------------------------------


def test_a_room_request_needing_approval_is_approved_by_staff(client, feldberg, room, open_day):  # noqa: F811
    room.requires_approval = True
    room.save()
    data = {
        "day": open_day.isoformat(),
        "start": "09:00",
        "end": "12:00",
        "name": "Anja Muster",
        "email": "anja@hotel-am-see.example",
        "consent": "on",
        "idempotency_key": "room-1",
    }
    response = client.post(url("resource", code=room.code), data)
    assert response.status_code == 302
    assert "Ihre Anfrage ist eingegangen" in client.get(response["Location"]).content.decode()
    with scopes_disabled():
        reservation = Reservation.objects.get()
    assert reservation.status == ReservationStatus.PENDING
    clash = client.post(
        url("resource", code=room.code),
        data | {"start": "11:00", "end": "13:00", "idempotency_key": "room-2"},
    )
    assert clash.status_code == 409
    assert "Diese Zeit wurde gerade vergeben." in clash.content.decode()
    client.force_login(feldberg.partner_expert)
    assert client.get(url("reservations")).status_code == 404
    client.force_login(feldberg.coordinator)
    client.post(url("reservations"), {"code": reservation.code, "aktion": "annehmen"})
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CONFIRMED


def test_the_room_form_presets_the_day_in_the_format_a_date_field_reads(client, room, open_day):  # noqa: F811
    # A date input shows only an ISO value; "04.12.2026" left the field empty in chromium.
    page = client.get(url("resource", code=room.code), {"tag": open_day.isoformat()})
    field = re.search(r'<input[^>]*name="day"[^>]*>', page.content.decode()).group(0)
    assert f'value="{open_day.isoformat()}"' in field


def test_the_outsider_cannot_decide_a_reservation(client, outsider, room, open_day):  # noqa: F811
    client.post(
        url("resource", code=room.code),
        {
            "day": open_day.isoformat(),
            "start": "09:00",
            "end": "10:00",
            "name": "A",
            "email": "a@example.org",
            "consent": "on",
            "idempotency_key": "k",
        },
    )
    with scopes_disabled():
        reservation = Reservation.objects.get()
    client.force_login(outsider)
    assert (
        client.post(
            url("reservations", network="stuttgart"),
            {"code": reservation.code, "aktion": "ablehnen"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["index"])
def test_the_overview_lists_schedules_and_rooms(client, schedule, room, name):
    html = client.get(url(name)).content.decode()
    assert schedule.title in html and room.name in html
