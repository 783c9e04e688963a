"""The API's error answers: one JSON shape per status, German messages, never a 500.

- 400 `ErrorOut`: the body is no JSON, or the request holds a NUL character.
- 404 `ErrorOut`: no such network, offer, schedule, ... (another network's alike).
- 409 `RefusalOut` (booking.py): taken or not offered (with the next free slots).
- 410 `GoneOut` (booking.py): a genuine cancel token of a booking cancelled or moved since.
- 413 `ErrorOut`: the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
- 422 `ValidationErrorOut`: a parameter or field is invalid; `errors` names each one; or
  a booking rule refused, e.g. the Idempotency-Key was used before for other content.
- 429 `ErrorOut` (writes only): too many requests from this client (lib/ratelimit.py).
- 429 `ErrorOut` (writes): too many writes from this client (lib/ratelimit.py, Retry-After).

ninja's own defaults answer 422 with a list in `detail` (not what the schema says) and,
with DEBUG on, any other exception with a traceback and status 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from .schemas import ErrorOut, ValidationErrorOut


def field_message(error: dict[str, Any]) -> str:
    """A German sentence for one pydantic error (English source strings, translated)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return gettext("This field is missing.")
    if kind in {"string_too_long", "too_long"}:
        return gettext("At most %(max)s characters.") % {"max": ctx.get("max_length", "?")}
    if kind in {"string_too_short", "too_short", "blank"}:
        return gettext("This field must not be empty.")
    if kind == "string_pattern_mismatch":
        return gettext("The format of this value is not valid.")
    if kind == "timezone_aware":
        return gettext("Please give the time with a time zone, e.g. 2027-01-14T09:00:00+01:00.")
    if kind.startswith("datetime_"):
        return gettext("Not a valid date and time, e.g. 2027-01-14T09:00:00+01:00.")
    if kind.startswith("date_"):
        return gettext("Not a valid date, e.g. 2027-01-14.")
    if kind == "out_of_range":
        return gettext("The date must lie between the years 1900 and 2999.")
    if kind.startswith(("int_", "float_")):
        return gettext("Not a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt", "?"))
        return gettext("The number must be at least %(limit)s.") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt", "?"))
        return gettext("The number must be at most %(limit)s.") % {"limit": limit}
    if kind in {"literal_error", "enum"}:
        return gettext("Allowed values: %(values)s.") % {"values": ctx.get("expected", "?")}
    if kind.startswith("bool_"):
        return gettext("Must be true or false.")
    if kind == "email":
        return gettext("Please enter a valid e-mail address.")
    if kind == "nul_character":
        return gettext("The value contains a forbidden control character (NUL).")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return gettext("Expected a JSON object.")
    if kind in {"list_type", "string_type"}:
        return gettext("This value has the wrong type.")
    return gettext("This value is not valid.")


def _loc(error: dict[str, Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]


def validation_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "detail": gettext("The request is not valid. Please check the fields in 'errors'."),
        "errors": [
            {"loc": _loc(e), "type": str(e.get("type", "")), "message": field_message(e)}
            for e in errors
        ],
    }


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api` (replacing ninja's defaults)."""

    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, validation_body(exc.errors), 422)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # "Another network's offer" and "no such offer" answer alike, so nothing leaks.
        return respond(request, {"detail": gettext("Not found")}, 404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja raises this one for a body it cannot parse as JSON.
            detail = gettext("The request body is not valid JSON.")
        else:
            detail = str(exc)
        return respond(request, {"detail": detail}, exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, {"detail": gettext("The request body is too large.")}, 413)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, {"detail": gettext("The request is not valid.")}, 400)


# The status codes every operation may answer with besides its own, for `response=`.
COMMON = {400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE = {**COMMON, 413: ErrorOut, 429: ErrorOut}
