"""Versioned JSON API: the directory (read-only) and booking.

OpenAPI schema at /api/v1/openapi.json.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI

from .booking import router as booking_router
from .endpoints import router

api = NinjaAPI(
    title="Anlaufstelle API",
    version="1",
    description=(
        "Read-only access to the public directory of each network: offers, providers, "
        "contacts and the shared taxonomy. Items are named by typed references "
        '("offer:<slug>", "provider:<slug>").'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", router)
api.add_router("/booking/", booking_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # "Another network's offer" and "no such offer" answer alike, so nothing leaks.
    return api.create_response(request, {"detail": gettext("Not found")}, status=404)
