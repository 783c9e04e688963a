"""WebSocket routes (asgi.py mounts them behind the origin check and the session)."""

from __future__ import annotations

import os

from channels.consumer import AsyncConsumer
from django.urls import path

from . import consumers

NET = "ws/n/<slug:network_slug>/"
# (path below /ws/n/<network>/, consumer): the company's and the staff's socket of each
# kind of chat, then the waiting room's (an entry's page, the host's page).
ROUTES: list[tuple[str, type[AsyncConsumer]]] = [
    ("anliegen/status/<str:code>/<str:token>/chat/", consumers.ChatConsumer),
    ("anliegen/team/<str:code>/chat/", consumers.ChatConsumer),
    ("termine/termin/<str:code>/<str:token>/chat/", consumers.BookingChatConsumer),
    ("termine/kalender/<str:code>/chat/", consumers.BookingChatConsumer),
    ("sprechstunde/platz/<str:entry_code>/", consumers.OpenHourConsumer),
    ("sprechstunde/verwaltung/<str:code>/", consumers.OpenHourConsumer),
]
websocket_urlpatterns = [path(NET + route, consumer.as_asgi()) for route, consumer in ROUTES]

# benchmarks/chat.py compares the chat with a bare echo on the same server.
if os.environ.get("CHAT_BENCH_ECHO", "").lower() in {"1", "true", "yes"}:
    websocket_urlpatterns.append(path("ws/echo/", consumers.EchoConsumer.as_asgi()))
