"""Content-Security-Policy and Permissions-Policy on every response.

The site loads nothing from other hosts and runs no inline script or style (htmx's own
indicator style is switched off in base.html), so the policy can be strict: a script
injected into a page (stored XSS in operator text) does not run, the page cannot be
framed, forms cannot post elsewhere. Django's admin and ninja's Swagger page run under
the same policy (tests/e2e/test_csp.py); `data:` images are the admin's icons, Swagger's
icons and the TOTP QR code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
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
)

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


class SecurityHeadersMiddleware:
    """Adds the two policies unless a view has set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
