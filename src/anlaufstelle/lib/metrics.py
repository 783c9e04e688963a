"""Prometheus metrics recorded in the request path (served by ops at /metrics).

Several gunicorn workers each count for themselves; with `PROMETHEUS_MULTIPROC_DIR` set
in their environment (before the first import of prometheus_client, so: in the service's
environment, not in settings) every worker writes its values to files there and the
scrape adds them up. The directory must be emptied when the app servers start, and
gunicorn's `child_exit` hook (below) tells the library that a worker is gone.

Labels are bounded: the route is the URL pattern's name (never the path, which carries
slugs and tokens), the method one of the standard ones, the status the number.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

STANDARD_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"

REQUESTS = Counter(
    "anlaufstelle_http_requests",
    "HTTP requests by route name, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "anlaufstelle_http_request_duration_seconds",
    "Time to answer a request, by route name and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SEARCH_SECONDS = Histogram(
    "anlaufstelle_search_duration_seconds",
    "Time of one search (query analysis, embedding, lexical and semantic ranking).",
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0),
)
BOOKINGS = Counter(
    "anlaufstelle_bookings_created",
    "Appointments, room reservations and event registrations created (committed).",
    ["kind"],
)


def method_label(method: str | None) -> str:
    method = (method or "").upper()
    return method if method in STANDARD_METHODS else "other"


def observe_request(*, route: str | None, method: str | None, status: int, seconds: float) -> None:
    route = route or UNMATCHED_ROUTE
    method = method_label(method)
    REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    REQUEST_SECONDS.labels(route=route, method=method).observe(seconds)


def observe_search(seconds: float) -> None:
    SEARCH_SECONDS.observe(seconds)


def count_booking(kind: str) -> None:
    BOOKINGS.labels(kind=kind).inc()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook (`child_exit = ...` in the gunicorn config): a dead worker's live
    gauges leave the multi-process files (counters and histograms are kept)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
