"""The chat's sockets, driven by channels' WebsocketCommunicator through the whole ASGI
application (origin check, session, URL routing), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.asgi import build_application
from anlaufstelle.cases import links
from anlaufstelle.cases import services as case_services
from anlaufstelle.cases.models import Message

from .communicator import WebsocketCommunicator
from .conftest import refer_to

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://testserver")


def company_route(concern: Any, token: str | None = None) -> str:
    token = token or links.make_token(concern)
    return f"/ws/n/feldberg/anliegen/status/{concern.code}/{token}/chat/"


def staff_route(concern: Any, network: str = "feldberg") -> str:
    return f"/ws/n/{network}/anliegen/team/{concern.code}/chat/"


def cookie_of(user: Any) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def communicator(
    path: str, *headers: tuple[bytes, bytes], origin: tuple[bytes, bytes] = ORIGIN
) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        build_application(), path, headers=[(b"host", b"testserver"), origin, *headers]
    )


def run(scenario: Any) -> Any:
    return async_to_sync(scenario)()


async def open_pair(
    company_path: str, staff_path: str, cookie: tuple[bytes, bytes]
) -> tuple[WebsocketCommunicator, WebsocketCommunicator]:
    """Both sides' sockets, connected: (company, staff)."""
    company = communicator(company_path)
    staff = communicator(staff_path, cookie)
    assert (await company.connect(timeout=10))[0]
    assert (await staff.connect(timeout=10))[0]
    return company, staff


async def send_and_hear(
    sender: WebsocketCommunicator, receiver: WebsocketCommunicator, body: str
) -> tuple[dict, dict]:
    """`sender` writes `body`: (its own copy, the other side's), both "message" frames."""
    await sender.send_json_to({"type": "send", "body": body})
    mine = await sender.receive_json_from(timeout=5)
    theirs = await receiver.receive_json_from(timeout=5)
    assert mine["type"] == theirs["type"] == "message"
    assert mine["mine"] is True and theirs["mine"] is False
    return mine, theirs


def write_while_online_then_away(
    company_path: str, staff_path: str, cookie: tuple[bytes, bytes]
) -> None:
    """The company writes while the staff side is connected, then after it left."""

    async def scenario() -> None:
        company, staff = await open_pair(company_path, staff_path, cookie)
        await send_and_hear(company, staff, "Sie sind ja online")
        await staff.disconnect()
        await company.send_json_to({"type": "send", "body": "Jetzt nicht mehr"})
        await company.receive_json_from(timeout=5)
        await company.disconnect()

    run(scenario)


def can_open(
    path: str, *headers: tuple[bytes, bytes], origin: tuple[bytes, bytes] = ORIGIN
) -> bool:
    """Whether the handshake on `path` is accepted (the socket is closed again)."""

    async def scenario() -> bool:
        socket = communicator(path, *headers, origin=origin)
        connected, _code = await socket.connect(timeout=10)
        await socket.disconnect()
        return bool(connected)

    return bool(run(scenario))


HOSTILE_FRAMES = [
    "not json",
    "[]",
    "null",
    json.dumps({"type": "send", "body": 42}),
    json.dumps({"type": "read", "up_to": "x"}),
    json.dumps({"type": "unknown"}),
    json.dumps({"type": "send", "body": "x" * 30_000}),
    json.dumps({"type": "send", "body": "\x00"}),
]


def answers_with_an_error_and_stays_open(path: str, frame: str) -> None:
    async def scenario() -> None:
        socket = communicator(path)
        assert (await socket.connect(timeout=10))[0]
        await socket.send_to(text_data=frame)
        answer = await socket.receive_json_from(timeout=5)
        assert answer["type"] == "error"
        assert answer["message"]
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
        await socket.disconnect()

    run(scenario)


def test_company_and_navigator_receive_each_others_messages(desk, concern):
    navigator = cookie_of(desk.navigator)

    async def scenario() -> None:
        company, staff = await open_pair(company_route(concern), staff_route(concern), navigator)
        _mine, theirs = await send_and_hear(company, staff, "Hallo & guten Tag <3")
        # The text arrives escaped inside the rendered item.
        assert "Hallo &amp; guten Tag &lt;3" in theirs["html"]
        assert "Hotel am See" in theirs["html"]
        await staff.send_json_to({"type": "read", "up_to": theirs["id"]})
        assert await company.receive_json_from(timeout=5) == {"type": "read", "up_to": theirs["id"]}
        await company.disconnect()
        await staff.disconnect()

    run(scenario)
    with scopes_disabled():
        message = Message.objects.get(concern=concern)
    assert (message.sender, message.body) == ("company", "Hallo & guten Tag <3")


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, b"", "de"),
        ("en", b"de", "en"),
        (None, b"en-GB,en;q=0.9", "en"),
        ("xx\x00<script>", b"\xff\xfe" * 4000, "de"),
        ("../../etc", b"fr-FR;q=abc,,;;", "de"),
    ],
)
def test_the_sockets_language_is_a_language_of_the_site_whatever_the_browser_sends(
    cookie, accept, expected
):
    from django.conf import settings

    from anlaufstelle.chat.consumers import socket_language

    cookies = {settings.LANGUAGE_COOKIE_NAME: cookie} if cookie is not None else {}
    scope = {"cookies": cookies, "headers": [(b"accept-language", accept)]}
    assert socket_language(scope) == expected


def test_each_side_hears_a_message_in_its_own_pages_language(desk, concern):
    """The company reads English pages (the switcher's cookie), the navigator German: a
    message arriving live is rendered for each in that language, as the page renders
    the earlier ones ("sent"/"gesendet", "3 Dec 2026, 14:30"/"03.12.2026 14:30")."""
    import re

    from django.conf import settings

    english = (b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}=en".encode())
    german = (b"accept-language", b"de-DE,de;q=0.9")
    navigator = cookie_of(desk.navigator)
    company_path = company_route(concern)

    async def scenario() -> tuple[dict, dict]:
        company = communicator(company_path, english)
        staff = communicator(staff_route(concern), navigator, german)
        assert (await company.connect(timeout=10))[0]
        assert (await staff.connect(timeout=10))[0]
        mine, theirs = await send_and_hear(company, staff, "Guten Tag")
        await company.disconnect()
        await staff.disconnect()
        return mine, theirs

    mine, theirs = run(scenario)
    assert ">sent<" in mine["html"] and "gesendet" not in mine["html"]
    assert re.search(r">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d</time>", mine["html"])
    assert re.search(r">\d\d\.\d\d\.\d{4} \d\d:\d\d</time>", theirs["html"])


@pytest.mark.parametrize("who", ["anonymous", "outsider", "other_partner", "wrong_token"])
def test_outsiders_cannot_open_the_socket(desk, concern, who):
    refer_to(desk, concern, desk.partner_a)
    routes = {
        "anonymous": (staff_route(concern),),
        "outsider": (staff_route(concern), cookie_of(desk.outsider_navigator)),
        "other_partner": (staff_route(concern), cookie_of(desk.expert_b)),
        "wrong_token": (company_route(concern, token="x" + links.make_token(concern)),),
    }
    assert can_open(*routes[who]) is False


def test_the_outsider_cannot_reach_it_through_their_own_network_either(desk, concern):
    outsider = cookie_of(desk.outsider_navigator)
    assert can_open(staff_route(concern, "stuttgart"), outsider) is False


def test_the_referred_partner_may_connect_and_writes_as_partner(desk, concern):
    refer_to(desk, concern, desk.partner_a)
    expert = cookie_of(desk.expert_a)

    async def scenario() -> None:
        socket = communicator(staff_route(concern), expert)
        assert (await socket.connect(timeout=10))[0]
        await socket.send_json_to({"type": "send", "body": "Antwort des Partners"})
        event = await socket.receive_json_from(timeout=5)
        assert event["type"] == "message"
        await socket.disconnect()

    run(scenario)
    with scopes_disabled():
        assert Message.objects.get(concern=concern).sender == "partner"


def test_a_socket_from_another_site_is_refused(concern):
    evil = (b"origin", b"https://evil.example")
    assert can_open(company_route(concern), origin=evil) is False
    assert can_open(company_route(concern)) is True


@pytest.mark.parametrize("frame", HOSTILE_FRAMES)
def test_hostile_frames_get_an_error_and_the_socket_stays_open(concern, frame):
    answers_with_an_error_and_stays_open(company_route(concern), frame)
    with scopes_disabled():
        assert not Message.objects.filter(concern=concern).exists()


def test_html_is_refused_with_a_clear_message(concern):
    async def scenario() -> dict:
        socket = communicator(company_route(concern))
        await socket.connect(timeout=10)
        await socket.send_json_to({"type": "send", "body": "<script>alert(1)</script>"})
        answer = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return answer

    answer = run(scenario)
    assert answer["type"] == "error"
    assert "ohne HTML" in answer["message"]


def flood(path: str, count: int) -> list[str]:
    """Send `count` messages at once; per frame "message" or the error's text."""

    async def scenario() -> list[str]:
        socket = communicator(path)
        await socket.connect(timeout=10)
        kinds = []
        for i in range(count):
            await socket.send_json_to({"type": "send", "body": f"Nachricht {i}"})
            answer = await socket.receive_json_from(timeout=5)
            kinds.append(answer["type"] if answer["type"] != "error" else answer["message"])
        await socket.disconnect()
        return kinds

    return list(run(scenario))


def test_flooding_the_socket_is_refused(concern, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "chat": "3/m"}
    kinds = flood(company_route(concern), 5)
    assert kinds[:3] == ["message"] * 3
    assert all("Bitte warten Sie" in k for k in kinds[3:])
    with scopes_disabled():
        assert Message.objects.filter(concern=concern).count() == 3


def test_erasing_the_concern_closes_its_sockets(desk, concern):
    old_route = company_route(concern)

    async def scenario() -> None:
        socket = communicator(old_route)
        assert (await socket.connect(timeout=10))[0]
        from channels.db import database_sync_to_async

        def erase() -> None:
            with scopes_disabled():
                case_services.erase(concern=concern)

        await database_sync_to_async(erase)()
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4404}

    run(scenario)
    # The old link opens nothing any more.
    assert can_open(old_route) is False


def test_the_other_side_online_gets_no_email(desk, concern, mailoutbox):
    navigator = cookie_of(desk.navigator)

    mailoutbox.clear()
    write_while_online_then_away(company_route(concern), staff_route(concern), navigator)
    bodies = [m.body for m in mailoutbox]
    assert not any("Sie sind ja online" in b for b in bodies)
    assert any("Jetzt nicht mehr" in b for b in bodies)
