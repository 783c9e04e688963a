"""Versioned JSON API: the directory (read-only) and booking.

OpenAPI schema at /api/v1/openapi.json.
"""

from __future__ import annotations

from ninja import NinjaAPI

from . import errors
from .booking import router as booking_router
from .endpoints import router
from .search import router as search_router

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
api.add_router("", search_router)
api.add_router("/booking/", booking_router)
errors.install(api)
