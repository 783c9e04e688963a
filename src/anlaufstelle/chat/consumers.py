"""WebSocket consumers: the direct chat (of a concern or a booking), the consultation
hour's waiting room, and a plain echo (only for benchmarks/chat.py, switched on by
CHAT_BENCH_ECHO).

A socket is admitted by the same rules as the page (access.py): the company by its
signed link in the path (the concern's status link, the booking's view link), staff by
their session (the router resolved it) and the second factor. Refusals close the
handshake (HTTP 403 to the browser); nothing tells an outsider whether the concern or
booking exists.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import translation

from anlaufstelle.networks.scoping import network_scope

from . import access, openhours, services
from .rendering import is_mine, render_message

log = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's): the page does not reconnect after these.
CLOSE_GONE = 4404
MAX_FRAME = 20_000  # characters of one incoming JSON frame


def socket_language(scope: dict[str, Any]) -> str:
    """The language the viewer's pages are in, chosen as Django's LocaleMiddleware
    chooses it for a page (the language cookie of the site's switcher, then
    Accept-Language, then the default): a socket has no request middleware."""
    request = HttpRequest()
    request.COOKIES = dict(scope.get("cookies", {}))
    accept = dict(scope.get("headers", [])).get(b"accept-language", b"")
    request.META["HTTP_ACCEPT_LANGUAGE"] = accept.decode("latin-1")
    return translation.get_language_from_request(request)


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Both sides of one thread's chat; messages go through services.post_message."""

    party: access.Party | None = None
    kind = "concern"  # BookingChatConsumer: "booking"

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            self.party = await database_sync_to_async(self._resolve)(kwargs)
        except Http404:
            await self.close()
            return
        await self.channel_layer.group_add(self.party.group, self.channel_name)
        await self.accept()
        services.mark_online(self.party.group, self.party.side)

    def _resolve(self, kwargs: dict[str, Any]) -> access.Party:
        company, staff = access.RESOLVERS[self.kind]
        network = access.active_network(kwargs["network_slug"])
        if "token" in kwargs:
            return company(network, kwargs["code"], kwargs["token"])
        user = self.scope.get("user")
        if not access.staff_may_connect(user):
            raise Http404
        return staff(network, user, kwargs["code"])

    async def disconnect(self, code: int) -> None:
        if self.party is not None:
            services.mark_offline(self.party.group, self.party.side)
            try:
                await self.channel_layer.group_discard(self.party.group, self.channel_name)
            except Exception:  # the layer (Redis) is gone: the group entry expires by itself
                log.warning("chat socket not removed from its group", exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.send_json({"type": "error", "message": _refusal()})
            return
        await super().receive(text_data=text_data)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.party is None:
            return
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "send" and isinstance(content.get("body"), str):
            try:
                await database_sync_to_async(self._post)(content["body"])
            except services.ChatError as exc:
                await self.send_json(
                    {"type": "error", "message": exc.message, "body": content["body"]}
                )
        elif kind == "read" and isinstance(content.get("up_to"), int):
            await database_sync_to_async(self._read)(content["up_to"])
        elif kind == "ping":
            services.mark_online(self.party.group, self.party.side)
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "message": _refusal()})

    def _post(self, body: str) -> None:
        assert self.party is not None
        # The socket has no request middleware: enter the thread's network scope here.
        with network_scope(self.party.thread.network):
            services.post_message(party=self.party, body=body)

    def _read(self, up_to: int) -> None:
        assert self.party is not None
        with network_scope(self.party.thread.network):
            services.mark_read(party=self.party, up_to=up_to)

    # --- group events ----------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        assert self.party is not None
        payload = event["message"]
        # In the viewer's language, as the messages the page itself shows.
        with translation.override(socket_language(self.scope)):
            html = render_message(self.party, payload)
        mine = is_mine(self.party, payload)
        await self.send_json({"type": "message", "id": payload["id"], "mine": mine, "html": html})

    async def chat_read(self, event: dict[str, Any]) -> None:
        assert self.party is not None
        if event["side"] != self.party.side:  # the other side read my messages
            await self.send_json({"type": "read", "up_to": event["up_to"]})

    async def chat_erased(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_GONE)


class BookingChatConsumer(ChatConsumer):
    """The same chat in a booking (Channels' as_asgi() ignores keyword arguments, so the
    kind is a class attribute)."""

    kind = "booking"


def _refusal() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(translation.gettext("The message could not be read."))


class OpenHourConsumer(AsyncJsonWebsocketConsumer):
    """Live updates of a waiting room: one entry's page, or the host's queue page."""

    group = ""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            self.group = await database_sync_to_async(self._resolve)(kwargs)
        except Http404:
            await self.close()
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    def _resolve(self, kwargs: dict[str, Any]) -> str:
        network = access.active_network(kwargs["network_slug"])
        if "entry_code" in kwargs:
            entry = openhours.entry_for_company(network, kwargs["entry_code"])
            return openhours.group_name(entry.open_hour_id)
        user = self.scope.get("user")
        if not access.staff_may_connect(user):
            raise Http404
        open_hour = openhours.open_hour_for_host(network, user, kwargs["code"])
        return openhours.group_name(open_hour.pk)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def queue_changed(self, event: dict[str, Any]) -> None:
        # The page fetches its fresh state (the entry's own status or the host's list).
        await self.send_json({"type": "changed"})


class EchoConsumer(AsyncWebsocketConsumer):
    """The benchmark's baseline: sends every frame straight back.

    A plain socket: not attached to the channel layer (an alias that is not configured).
    """

    channel_layer_alias = "bench-echo-without-layer"

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=text_data, bytes_data=bytes_data)
