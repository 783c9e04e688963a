"""Versioned JSON API, read-only for now. OpenAPI schema at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Anlaufstelle API",
    version="1",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
