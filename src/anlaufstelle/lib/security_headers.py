"""Content-Security-Policy and Permissions-Policy on every response.

The site loads nothing from other hosts and runs no inline script or style (htmx's own
indicator style is switched off in base.html), so the policy can be strict: a script
injected into a page (stored XSS in operator text) does not run, the page cannot be
framed, forms cannot post elsewhere. Django's admin and ninja's Swagger page run under
the same policy (tests/e2e/test_csp.py); `data:` images are the admin's icons, Swagger's
icons and the TOTP QR code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse

# Origins one response may frame (see allow_frame_source); other pages frame only 'self'.
FRAME_SOURCES_ATTRIBUTE = "csp_frame_sources"

POLICY_PARTS = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
CONTENT_SECURITY_POLICY = "; ".join(POLICY_PARTS)


def allow_frame_source(response: HttpResponse, origin: str) -> None:
    """Let this one response frame `origin` (e.g. a video platform after the visitor's click).

    `origin` must be a plain `https://host[:port]` (the caller checks it); every other
    response keeps the strict policy.
    """
    if not _ORIGIN.fullmatch(origin):
        raise ValueError(f"not a plain https origin: {origin!r}")
    sources = getattr(response, FRAME_SOURCES_ATTRIBUTE, [])
    setattr(response, FRAME_SOURCES_ATTRIBUTE, [*sources, origin])


# Powerful browser features the site never uses; a script cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "serial",
        "usb",
    ]
)


# Where a view leaves the origins that may frame its response (see allow_framing).
FRAME_ANCESTORS_ATTR = "frame_ancestors"
_ORIGIN = re.compile(r"https://[a-z0-9.-]+(:[0-9]{1,5})?")
# Framing pages: https origins, or this machine over http (a website tested locally;
# browsers treat loopback as a secure context).
_ANCESTOR = re.compile(
    r"https://[a-z0-9.-]+(:[0-9]{1,5})?|http://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?"
)


def allow_framing(response: HttpResponse, origins: Iterable[str]) -> HttpResponse:
    """Let pages of `origins` (https origins, validated on save) frame this one response.

    Used by the assistant's embedded page only; every other response keeps
    `frame-ancestors 'none'` and X-Frame-Options DENY. An origin that is not a plain
    https origin is dropped here too, so a bad value can never widen the policy.
    """
    allowed = [o for o in origins if _ANCESTOR.fullmatch(o)]
    if allowed:
        setattr(response, FRAME_ANCESTORS_ATTR, tuple(allowed))
        # Django's XFrameOptionsMiddleware skips responses marked like this.
        response.xframe_options_exempt = True
    return response


# Where a view leaves the host its page opens a WebSocket to (see allow_websocket).
WEBSOCKET_HOST_ATTR = "csp_websocket_host"
_HOST = re.compile(r"[a-z0-9.-]+(:[0-9]{1,5})?|\[[0-9a-f:.]+\](:[0-9]{1,5})?")


def allow_websocket(response: HttpResponse, host: str) -> HttpResponse:
    """Let this page open a WebSocket back to `host` (its own, from request.get_host()).

    'self' covers ws(s) to the same host only in browsers that follow CSP Level 3 to the
    letter; naming the host keeps the chat working in the others. Pages without a live
    connection keep `connect-src 'self'`.
    """
    host = host.lower()
    if _HOST.fullmatch(host):
        setattr(response, WEBSOCKET_HOST_ATTR, host)
    return response


def policy_for(response: HttpResponse) -> str:
    origins = getattr(response, FRAME_ANCESTORS_ATTR, None)
    sources = getattr(response, FRAME_SOURCES_ATTRIBUTE, None)
    socket_host = getattr(response, WEBSOCKET_HOST_ATTR, None)
    if not origins and not sources and not socket_host:
        return CONTENT_SECURITY_POLICY
    policy = CONTENT_SECURITY_POLICY
    if socket_host:
        policy = policy.replace(
            "connect-src 'self'", f"connect-src 'self' ws://{socket_host} wss://{socket_host}"
        )
    if origins:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(origins))
    if sources:
        policy += "; frame-src 'self' " + " ".join(sources)
    return policy


class SecurityHeadersMiddleware:
    """Adds the two policies unless a view has set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy_for(response))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
