"""The booking chat's sockets through the whole ASGI application (origin check, session,
routing), driven by channels' WebsocketCommunicator, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy, tokens
from anlaufstelle.chat.models import BookingMessage
from anlaufstelle.networks.scoping import network_scope

from .conftest import view_token
from .test_consumers import (
    HOSTILE_FRAMES,
    answers_with_an_error_and_stays_open,
    can_open,
    communicator,
    cookie_of,
    flood,
    open_pair,
    run,
    send_and_hear,
    write_while_online_then_away,
)

pytestmark = pytest.mark.django_db(transaction=True)


def company_route(booking: Any, token: str | None = None) -> str:
    token = token or view_token(booking)
    return f"/ws/n/feldberg/termine/termin/{booking.code}/{token}/chat/"


def staff_route(booking: Any, network: str = "feldberg") -> str:
    return f"/ws/n/{network}/termine/kalender/{booking.code}/chat/"


def bodies(booking: Any) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(
            BookingMessage.objects.filter(booking=booking)
            .order_by("pk")
            .values_list("sender", "body")
        )


def test_company_and_expert_receive_each_others_messages(desk, appointment):
    expert = cookie_of(desk.expert_a)

    async def scenario() -> None:
        company, staff = await open_pair(
            company_route(appointment), staff_route(appointment), expert
        )
        _mine, theirs = await send_and_hear(company, staff, "Bringe ich Zeugnisse mit? 5 < 7 &")
        assert "5 &lt; 7 &amp;" in theirs["html"]
        assert "Hotel am See" in theirs["html"]  # the company's label on the expert's side
        await staff.send_json_to({"type": "read", "up_to": theirs["id"]})
        assert await company.receive_json_from(timeout=5) == {"type": "read", "up_to": theirs["id"]}
        _mine, answer = await send_and_hear(staff, company, "Ja, gern.")
        assert "Partner: Partner Werkraum Feldberg" in answer["html"]
        await company.disconnect()
        await staff.disconnect()

    run(scenario)
    assert bodies(appointment) == [
        ("company", "Bringe ich Zeugnisse mit? 5 < 7 &"),
        ("partner", "Ja, gern."),
    ]


@pytest.mark.parametrize(
    "who",
    ["anonymous", "outsider", "other_provider", "wrong_token", "cancel_token", "other_booking"],
)
def test_outsiders_cannot_open_the_socket(desk, appointment, who):
    from .conftest import book

    other = book(desk, email="b@example.org") if who == "other_booking" else None
    routes = {
        "anonymous": lambda: (staff_route(appointment),),
        "outsider": lambda: (staff_route(appointment), cookie_of(desk.outsider_navigator)),
        "other_provider": lambda: (staff_route(appointment), cookie_of(desk.expert_b)),
        "wrong_token": lambda: (company_route(appointment, token="x" + view_token(appointment)),),
        "cancel_token": lambda: (
            company_route(appointment, token=tokens.make_token(appointment, "cancel")),
        ),
        "other_booking": lambda: (company_route(appointment, token=view_token(other)),),
    }
    assert can_open(*routes[who]()) is False
    # The company's own link and the hour's expert do get in.
    assert can_open(company_route(appointment)) is True
    assert can_open(staff_route(appointment), cookie_of(desk.expert_a)) is True


def test_the_outsider_cannot_reach_it_through_their_own_network_either(desk, appointment):
    outsider = cookie_of(desk.outsider_navigator)
    assert can_open(staff_route(appointment, "stuttgart"), outsider) is False


def test_staff_without_the_required_second_factor_cannot_connect(desk, appointment, settings):
    expert = cookie_of(desk.expert_a)
    assert can_open(staff_route(appointment), expert) is True
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    assert can_open(staff_route(appointment), expert) is False


def test_a_socket_from_another_site_is_refused(appointment):
    evil = (b"origin", b"https://evil.example")
    assert can_open(company_route(appointment), origin=evil) is False


@pytest.mark.parametrize(
    "frame",
    [
        *HOSTILE_FRAMES,
        json.dumps({"type": "send", "body": "<img src=x onerror=alert(1)>"}),
        json.dumps({"type": "send", "body": "   "}),
    ],
)
def test_hostile_frames_get_an_error_and_store_nothing(appointment, frame):
    answers_with_an_error_and_stays_open(company_route(appointment), frame)
    assert bodies(appointment) == []


def test_flooding_the_socket_is_refused(appointment, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "chat": "2/m"}
    kinds = flood(company_route(appointment), 4)
    assert kinds[:2] == ["message"] * 2
    assert all("Bitte warten Sie" in k for k in kinds[2:])
    assert len(bodies(appointment)) == 2


def test_erasing_the_booking_closes_its_sockets_and_deletes_the_messages(desk, appointment):
    route = company_route(appointment)

    async def scenario() -> None:
        socket = communicator(route)
        assert (await socket.connect(timeout=10))[0]
        await socket.send_json_to({"type": "send", "body": "Bitte löschen"})
        assert (await socket.receive_json_from(timeout=5))["type"] == "message"

        def erase() -> None:
            with network_scope(desk.network):
                privacy.erase_booking(booking=appointment)

        await database_sync_to_async(erase)()
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4404}

    run(scenario)
    assert bodies(appointment) == []
    assert can_open(route) is False


def test_the_other_side_online_gets_no_email(desk, appointment, mailoutbox):
    expert = cookie_of(desk.expert_a)

    mailoutbox.clear()
    write_while_online_then_away(company_route(appointment), staff_route(appointment), expert)
    # Only the message written after the expert left is announced by e-mail.
    assert [m.to for m in mailoutbox] == [[desk.expert_a.email]]
