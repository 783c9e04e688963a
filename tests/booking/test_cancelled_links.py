"""An earlier link of a cancelled or moved appointment, or of a cancelled, approved or
declined reservation, says so (410) instead of "not found"; a wrong link, another
network's address or an erased appointment or reservation still shows nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy, queries, services, tokens
from anlaufstelle.booking.models import Booking, BookingStatus, ReservationStatus

from . import test_services
from .test_services import at, book, reserve

open_day = test_services.open_day  # the service tests' fixture: a day the room is open


def url(name: str, booking: Booking, token: str, network: str = "feldberg") -> str:
    return reverse(
        f"site:booking:{name}",
        kwargs={"network_slug": network, "code": booking.code, "token": token},
    )


def chat_url(booking: Booking, token: str, network: str = "feldberg") -> str:
    return reverse(
        "site:chat:booking_company",
        kwargs={"network_slug": network, "code": booking.code, "token": token},
    )


@pytest.fixture
def booking(schedule, free_slot):
    return book(schedule, free_slot.starts_at)


@pytest.fixture
def old(booking) -> dict[str, str]:
    """The company's links as its confirmation mail carried them, before the cancel."""
    return {p: tokens.make_token(booking, p) for p in tokens.PURPOSES}


def test_the_company_cancels_and_its_old_links_say_so(client, schedule, booking, old):
    assert client.post(url("cancel", booking, old["cancel"])).status_code == 200
    for name, token in (
        ("view", old["view"]),
        ("ics", old["view"]),
        ("cancel", old["cancel"]),
        ("move", old["move"]),
    ):
        response = client.get(url(name, booking, token))
        assert response.status_code == 410, name
        html = response.content.decode()
        assert "Dieser Termin wurde abgesagt" in html
        assert "Sie haben diesen Termin am" in html
        assert "Arbeitgeber-Sprechstunde" in html
        new = reverse(
            "site:booking:schedule", kwargs={"network_slug": "feldberg", "code": schedule.code}
        )
        assert f'href="{new}"' in html
        assert "Neuen Termin buchen" in html
        # Only what the link showed before; never the company's data.
        assert "anja@hotel-am-see.example" not in html
        assert "Anja Muster" not in html
        assert response["Cache-Control"].startswith("max-age=0")
    # A POST to the old cancel link changes nothing and says the same.
    assert client.post(url("cancel", booking, old["cancel"])).status_code == 410


def test_the_experts_cancel_is_shown_with_the_message(client, feldberg, booking, old):
    with scopes_disabled():
        services.cancel_booking(booking=booking, by="expert", message="Ich bin krank.")
    response = client.get(url("view", booking, old["view"]))
    assert response.status_code == 410
    html = response.content.decode()
    assert f"{feldberg.provider.name} hat diesen Termin am" in html
    assert "Ich bin krank." in html


def test_the_old_chat_link_says_so_too(client, booking, old):
    with scopes_disabled():
        services.cancel_booking(booking=booking, by="company")
    response = client.get(chat_url(booking, old["view"]))
    assert response.status_code == 410
    assert "Dieser Termin wurde abgesagt" in response.content.decode()


def test_a_new_appointment_is_offered_at_the_overview_when_the_hour_is_closed(
    client, schedule, booking, old
):
    with scopes_disabled():
        services.cancel_booking(booking=booking, by="company")
        schedule.is_active = False
        schedule.save(update_fields=["is_active"])
    response = client.get(url("view", booking, old["view"]))
    assert response.status_code == 410
    html = response.content.decode()
    closed = reverse(
        "site:booking:schedule", kwargs={"network_slug": "feldberg", "code": schedule.code}
    )
    index = reverse("site:booking:index", kwargs={"network_slug": "feldberg"})
    assert f'href="{closed}"' not in html
    assert f'<a class="kern-link" href="{index}">Neuen Termin buchen</a>' in html


def test_wrong_links_other_networks_and_erased_appointments_still_get_404(
    client, schedule, in_feldberg, booking, old
):
    other = book(schedule, queries.free_slots([schedule], limit=2)[1].starts_at, email="b@x.org")
    services.cancel_booking(booking=booking, by="company")
    assert client.get(url("view", booking, old["view"], network="stuttgart")).status_code == 404
    assert client.get(chat_url(booking, old["view"], network="stuttgart")).status_code == 404
    for token in (
        "guess",
        old["view"][:-2] + ("AA" if not old["view"].endswith("AA") else "BB"),
        tokens.make_token(other, "view"),  # another booking's genuine link
        tokens.make_token(booking, "view", kind="reservation"),  # another kind's link
    ):
        response = client.get(url("view", booking, token))
        assert response.status_code == 404
        assert "abgesagt" not in response.content.decode()
        assert client.get(chat_url(booking, token)).status_code == 404
    # Erased: nothing is left to say.
    privacy.erase_booking(booking=booking)
    assert client.get(url("view", booking, old["view"])).status_code == 404


def test_an_old_link_of_a_moved_appointment_says_it_was_moved(client, schedule, in_feldberg):
    first, second = queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    old = {p: tokens.make_token(booking, p) for p in tokens.PURPOSES}
    services.move_booking(booking=booking, starts_at=second.starts_at)
    booking.refresh_from_db()
    new_time = timezone.localtime(booking.slot.starts_at, ZoneInfo("Europe/Berlin"))
    for name, token in (("view", old["view"]), ("cancel", old["cancel"]), ("move", old["move"])):
        response = client.get(url(name, booking, token))
        assert response.status_code == 410, name
        html = response.content.decode()
        assert "Dieser Termin wurde verschoben" in html
        assert "in der letzten E-Mail zu diesem Buchungscode" in html
        assert booking.code in html and "Arbeitgeber-Sprechstunde" in html
        # The new time went to the company's address; an old (forwarded) link does not
        # show it, nor the company's data.
        assert new_time.strftime("%H:%M") not in html
        assert booking.email not in html
    # A POST on an old cancel link cancels nothing.
    assert client.post(url("cancel", booking, old["cancel"])).status_code == 410
    booking.refresh_from_db()
    assert booking.status != BookingStatus.CANCELLED
    assert client.get(chat_url(booking, old["view"])).status_code == 410
    # The current links work; another network's address still shows nothing.
    assert client.get(url("view", booking, tokens.make_token(booking, "view"))).status_code == 200
    assert client.get(url("view", booking, old["view"], network="stuttgart")).status_code == 404


def test_an_old_link_of_a_moved_appointment_leads_to_the_navigators(client, schedule, in_feldberg):
    """A company that lost the newest e-mail can ask the navigators, who find the
    appointment by its code; the page still shows neither the new time nor the data."""
    first, second = queries.free_slots([schedule], limit=2)
    booking = book(schedule, first.starts_at)
    old_view = tokens.make_token(booking, "view")
    services.move_booking(booking=booking, starts_at=second.starts_at)
    booking.refresh_from_db()
    new_time = timezone.localtime(booking.slot.starts_at, ZoneInfo("Europe/Berlin"))
    response = client.get(url("view", booking, old_view))
    assert response.status_code == 410
    html = response.content.decode()
    form = reverse("site:cases:submit", kwargs={"network_slug": "feldberg"})
    assert f'<a class="kern-link" href="{form}?text=' in html
    assert "Lotsen" in html
    assert new_time.strftime("%H:%M") not in html
    assert new_time.strftime("%d.%m.") not in html
    assert booking.email not in html and booking.name not in html
    # The form opens with the booking code filled in (it is on the page already).
    link = html.split(f'href="{form}?text=', 1)[1].split('"', 1)[0]
    assert booking.code in link
    assert new_time.strftime("%H") + "%3A" not in link


# --- rooms and desks -------------------------------------------------------------------


def reservation_url(name: str, reservation, token: str, network: str = "feldberg") -> str:
    return reverse(
        f"site:booking:reservation_{name}",
        kwargs={"network_slug": network, "code": reservation.code, "token": token},
    )


@pytest.fixture
def reservation(room, open_day, in_feldberg):
    return reserve(room, at(open_day, 9), at(open_day, 11))


@pytest.fixture
def old_reservation(reservation) -> dict[str, str]:
    """The reservation's links as its confirmation mail carried them, before the cancel."""
    return {p: tokens.make_token(reservation, p, kind="reservation") for p in ("view", "cancel")}


def test_the_company_cancels_a_reservation_and_its_old_links_say_so(
    client, room, reservation, old_reservation
):
    old = old_reservation
    assert client.post(reservation_url("cancel", reservation, old["cancel"])).status_code == 200
    for name in ("view", "cancel"):
        response = client.get(reservation_url(name, reservation, old[name]))
        assert response.status_code == 410, name
        html = response.content.decode()
        assert "Diese Reservierung wurde storniert" in html
        assert "Sie haben diese Reservierung am" in html
        assert "Besprechungsraum" in html and reservation.code in html
        new = reverse(
            "site:booking:resource", kwargs={"network_slug": "feldberg", "code": room.code}
        )
        assert f'<a class="kern-link" href="{new}">Neu reservieren</a>' in html
        assert "anja@hotel-am-see.example" not in html
        assert "Anja Muster" not in html and "Hotel am See" not in html
        assert response["Cache-Control"].startswith("max-age=0")
    # A POST to the old cancel link changes nothing and says the same.
    assert client.post(reservation_url("cancel", reservation, old["cancel"])).status_code == 410


def test_a_reservation_cancelled_by_the_lab_says_by_whom_and_why(
    client, feldberg, room, reservation, old_reservation
):
    services.cancel_reservation(
        reservation=reservation, by=feldberg.coordinator, message="Wasserschaden im Raum."
    )
    room.is_active = False
    room.save(update_fields=["is_active"])
    response = client.get(reservation_url("view", reservation, old_reservation["view"]))
    assert response.status_code == 410
    html = response.content.decode()
    assert f"{feldberg.provider.name} hat diese Reservierung am" in html
    assert "Wasserschaden im Raum." in html
    # The room is no longer bookable: the overview of rooms and hours instead.
    index = reverse("site:booking:index", kwargs={"network_slug": "feldberg"})
    assert f'<a class="kern-link" href="{index}">Neu reservieren</a>' in html


@pytest.mark.parametrize(
    "decide", ["cancel_reservation", "approve_reservation", "decline_reservation"]
)
def test_wrong_reservation_links_other_networks_and_erased_reservations_still_get_404(
    client, feldberg, room, open_day, request_links, decide
):
    pending, old = request_links
    other = reserve(room, at(open_day, 16), at(open_day, 17), email="b@x.org")
    getattr(services, decide)(reservation=pending, by=feldberg.coordinator, message="Notiz")
    view = old["view"]
    response = client.get(reservation_url("view", pending, view, network="stuttgart"))
    assert response.status_code == 404
    for token in (
        "guess",
        view[:-2] + ("AA" if not view.endswith("AA") else "BB"),
        tokens.make_token(other, "view", kind="reservation"),  # another reservation's link
        tokens.make_token(pending, "view"),  # another kind's link
    ):
        response = client.get(reservation_url("view", pending, token))
        assert response.status_code == 404
        html = response.content.decode()
        assert "Notiz" not in html
        assert "storniert" not in html and "bestätigt" not in html and "abgelehnt" not in html
    # Erased: nothing is left to say.
    privacy.erase_reservation(reservation=pending)
    assert client.get(reservation_url("view", pending, view)).status_code == 404
    assert client.get(reservation_url("cancel", pending, old["cancel"])).status_code == 404


@pytest.fixture
def request_links(room, open_day, in_feldberg):
    """A room that needs approval, a reservation request, and the links of the company's
    "request received" e-mail (before staff decide)."""
    room.requires_approval = True
    room.save(update_fields=["requires_approval"])
    pending = reserve(room, at(open_day, 14), at(open_day, 15))
    old = {p: tokens.make_token(pending, p, kind="reservation") for p in ("view", "cancel")}
    return pending, old


def old_request_pages(client, reservation, old: dict[str, str]) -> list[str]:
    """The pages of the request's old view and cancel links: 410, the room, time and code
    as the link showed them, never the company's data; then a POST on the old cancel
    link, which changes nothing."""
    pages = []
    for name in ("view", "cancel"):
        response = client.get(reservation_url(name, reservation, old[name]))
        assert response.status_code == 410, name
        assert response["Cache-Control"].startswith("max-age=0")
        html = response.content.decode()
        assert "Besprechungsraum" in html and reservation.code in html
        assert "anja@hotel-am-see.example" not in html
        assert "Anja Muster" not in html and "Hotel am See" not in html
        pages.append(html)
    status = reservation.status
    assert client.post(reservation_url("cancel", reservation, old["cancel"])).status_code == 410
    reservation.refresh_from_db()
    assert reservation.status == status
    return pages


def test_an_old_link_of_an_approved_reservation_says_it_was_confirmed(
    client, feldberg, request_links
):
    """Approving raises the version (the new links go out by e-mail): the request's link
    says the request was confirmed and where the current links are, without the approval's
    message (it may hold a door code) or the company's data; it cancels nothing."""
    pending, old = request_links
    services.approve_reservation(
        reservation=pending, by=feldberg.coordinator, message="Türcode 4711, Schlüssel am Empfang."
    )
    form = reverse("site:cases:submit", kwargs={"network_slug": "feldberg"})
    for html in old_request_pages(client, pending, old):
        assert "Diese Reservierung wurde bestätigt" in html
        assert f"{feldberg.provider.name} hat diese Reservierung am" in html
        assert "Ansehen und Stornieren" in html
        # Reservation e-mails carry no booking code: the page does not refer to one.
        assert "in der letzten E-Mail zu dieser Reservierung" in html
        assert "4711" not in html and "Schlüssel" not in html
        assert "storniert" not in html and "verschoben" not in html
        assert "Neu reservieren" not in html  # the reservation stands
        # The navigators' form, with the booking code filled in.
        assert f'<a class="kern-link" href="{form}?text=' in html
        link = html.split(f'href="{form}?text=', 1)[1].split('"', 1)[0]
        assert pending.code in link and "best%C3%A4tigt" in link
    assert pending.status == ReservationStatus.CONFIRMED
    # The links of the approval's e-mail work.
    current = tokens.make_token(pending, "view", kind="reservation")
    assert client.get(reservation_url("view", pending, current)).status_code == 200


def test_an_old_link_of_a_declined_reservation_says_so_with_the_message(
    client, feldberg, room, request_links
):
    pending, old = request_links
    services.decline_reservation(
        reservation=pending, by=feldberg.coordinator, message="Der Raum wird renoviert."
    )
    new = reverse("site:booking:resource", kwargs={"network_slug": "feldberg", "code": room.code})
    for html in old_request_pages(client, pending, old):
        assert "Diese Reservierungsanfrage wurde abgelehnt" in html
        assert f"{feldberg.provider.name} hat diese Reservierungsanfrage am" in html
        # The decline's e-mail carries the message too.
        assert "Der Raum wird renoviert." in html
        assert f'<a class="kern-link" href="{new}">Neu reservieren</a>' in html
        assert "storniert" not in html and "bestätigt" not in html
    assert pending.status == ReservationStatus.DECLINED


@pytest.mark.parametrize(
    ("decide", "english"),
    [
        ("approve_reservation", "This reservation was confirmed"),
        ("decline_reservation", "This reservation request was declined"),
        ("cancel_reservation", "This reservation was cancelled"),
    ],
)
def test_the_old_reservation_links_speak_english_too(
    client, feldberg, request_links, decide, english
):
    """The source strings are English (locale/en holds no translations): the pages of
    outdated links read in English for whoever chose English."""
    pending, old = request_links
    getattr(services, decide)(reservation=pending, by=feldberg.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reservation_url("view", pending, old["view"]))
    assert response.status_code == 410
    html = response.content.decode()
    assert english in html
    assert "Reservierung" not in html and "Uhr" not in html


def test_a_desk_reservation_is_labelled_as_a_desk_not_as_a_room(
    client, room, open_day, in_feldberg
):
    """The reservation's pages name the kind of place: "Coworking-Platz", not "Raum"."""
    from anlaufstelle.booking.models import Resource, ResourceKind

    with scopes_disabled():
        Resource.objects.filter(pk=room.pk).update(kind=ResourceKind.DESK, name="Platz am Fenster")
        room.refresh_from_db()
    desk = reserve(room, at(open_day, 9), at(open_day, 11))
    links = {p: tokens.make_token(desk, p, kind="reservation") for p in ("view", "cancel")}
    current = client.get(reservation_url("view", desk, links["view"])).content.decode()
    assert "<dt>Coworking-Platz</dt><dd>Platz am Fenster</dd>" in current
    assert "<dt>Raum</dt>" not in current
    assert client.post(reservation_url("cancel", desk, links["cancel"])).status_code == 200
    gone = client.get(reservation_url("view", desk, links["view"]))
    assert gone.status_code == 410
    assert "<dt>Coworking-Platz</dt><dd>Platz am Fenster</dd>" in gone.content.decode()


@pytest.mark.parametrize(
    ("decide", "said"),
    [
        ("decline_reservation", "Ihre Reservierungsanfrage wurde abgelehnt."),
        ("approve_reservation", "Ihre Reservierung ist bestätigt."),
    ],
)
def test_the_current_link_shows_the_decision_with_its_message(
    client, feldberg, request_links, decide, said
):
    """The decision's e-mail carries the current link and the lab's message; the page
    behind that link shows both (an old link's page leaves an approval's message out)."""
    pending, _old = request_links
    getattr(services, decide)(
        reservation=pending, by=feldberg.coordinator, message="Schlüssel am Empfang."
    )
    current = tokens.make_token(pending, "view", kind="reservation")
    response = client.get(reservation_url("view", pending, current))
    assert response.status_code == 200
    html = response.content.decode()
    assert said in html
    assert "Nachricht: Schlüssel am Empfang." in html
