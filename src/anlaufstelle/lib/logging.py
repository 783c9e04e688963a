"""Structured (JSON lines) logging and a request log without personal data.

Every request gets a request id: the caller's `X-Request-ID` when it is a plain id
(nginx's `$request_id`, a load balancer's), otherwise a fresh one. It is sent back in
the same header, carried by every log line written while the request runs, and handed
to the tasks the request enqueues (anlaufstelle.ops.task_context), whose log lines
carry it too.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from . import metrics
from .log_redaction import redact_tokens

request_logger = logging.getLogger("anlaufstelle.request")

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and . _ : - ; 8 to 64 characters (UUIDs, nginx's 32 hex digits).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")
_request_id: ContextVar[str | None] = ContextVar("anlaufstelle_request_id", default=None)


def valid_request_id(value: str | None) -> str | None:
    """`value` if it may serve as a request id, else None.

    Refused too: anything the log redaction would hide (a token-shaped value), so the
    id in the log is always the one in the response header.
    """
    if not value or not _REQUEST_ID.match(value) or redact_tokens(value) != value:
        return None
    return value


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request (or of the task it enqueued) being handled, if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> Token[str | None]:
    """Bind `value` until `reset_request_id(token)` (for begin/end signals)."""
    return _request_id.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


@contextmanager
def bound_request_id(value: str | None) -> Iterator[None]:
    """Log lines written inside carry `value` as `request_id`."""
    token = set_request_id(value)
    try:
        yield
    finally:
        reset_request_id(token)


_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra=` fields kept as keys."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        request_id = current_request_id()
        if request_id and "request_id" not in payload:
            payload["request_id"] = request_id
        if record.exc_text:  # set (and redacted) by RedactTokensFilter
            payload["exc"] = record.exc_text
        elif record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        # Objects in extras (Django passes the request) print their path: redact it too.
        return json.dumps(
            payload, default=lambda value: redact_tokens(str(value)), ensure_ascii=False
        )


class RequestLogMiddleware:
    """Logs method, path, status and duration; never query strings, IPs, bodies or tokens.

    Also gives the request its id (see the module docstring) and counts it in the
    Prometheus metrics (route name, method, status, duration).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Bound until the response is closed (request_finished, below), not only until
        # this middleware returns: Django logs "Not Found" and 5xx lines after it.
        set_request_id(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        if not request.path.startswith("/static/"):
            match = getattr(request, "resolver_match", None)
            route = match.view_name if match is not None else None
            metrics.observe_request(
                route=route, method=request.method, status=response.status_code, seconds=seconds
            )
            request_logger.info(
                "request",
                extra={
                    "method": metrics.method_label(request.method),
                    "path": redact_tokens(request.path),
                    "route": route or metrics.UNMATCHED_ROUTE,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    set_request_id(None)


request_finished.connect(_forget_request_id, dispatch_uid="anlaufstelle.forget_request_id")
