"""The ASGI entry point (uvicorn): HTTP goes to Django, WebSockets to the chat consumers.

WebSocket handshakes pass two checks before a consumer sees them: the Origin header must
name one of ALLOWED_HOSTS (a page on another site cannot open a socket with the visitor's
cookies), and the session is resolved so that a consumer knows the signed-in staff member.
Companies have no session: their consumers check the signed link's token themselves.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Django first: the consumers import models, which needs the app registry ready.
django_application = get_asgi_application()


def build_application(http: Any = None) -> Any:
    """The protocol router; `http` replaces Django's handler (the tests add static files)."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator

    from anlaufstelle.chat.routing import websocket_urlpatterns

    return ProtocolTypeRouter(
        {
            "http": http or django_application,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )


application = build_application()
