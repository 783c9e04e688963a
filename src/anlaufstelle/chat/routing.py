"""WebSocket routes (asgi.py mounts them behind the origin check and the session)."""

from __future__ import annotations

import os

from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path(
        "ws/n/<slug:network_slug>/anliegen/status/<str:code>/<str:token>/chat/",
        consumers.ChatConsumer.as_asgi(),
    ),
    path(
        "ws/n/<slug:network_slug>/anliegen/team/<str:code>/chat/",
        consumers.ChatConsumer.as_asgi(),
    ),
    path(
        "ws/n/<slug:network_slug>/termine/termin/<str:code>/<str:token>/chat/",
        consumers.BookingChatConsumer.as_asgi(),
    ),
    path(
        "ws/n/<slug:network_slug>/termine/kalender/<str:code>/chat/",
        consumers.BookingChatConsumer.as_asgi(),
    ),
    path(
        "ws/n/<slug:network_slug>/sprechstunde/platz/<str:entry_code>/",
        consumers.OpenHourConsumer.as_asgi(),
    ),
    path(
        "ws/n/<slug:network_slug>/sprechstunde/verwaltung/<str:code>/",
        consumers.OpenHourConsumer.as_asgi(),
    ),
]

# benchmarks/chat.py compares the chat with a bare echo on the same server.
if os.environ.get("CHAT_BENCH_ECHO", "").lower() in {"1", "true", "yes"}:
    websocket_urlpatterns.append(path("ws/echo/", consumers.EchoConsumer.as_asgi()))
