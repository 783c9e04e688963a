"""One choke point for NUL characters: a 400 before any view or query sees them.

PostgreSQL cannot store or even compare text that contains U+0000: psycopg raises
an error as soon as such a string is sent as a query parameter, so a `%00` in a code,
a search term or a form field would end in a 500 on PostgreSQL (SQLite accepts it). No
legitimate input contains NUL, so the path, the query string and form bodies are
refused here, in one place, on every database; cookies with NUL are dropped (a session
key with NUL would reach the database too). JSON bodies are checked by the API's
schemas (see `anlaufstelle.api.fields`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def nul_message() -> str:
    return gettext("The request contains a forbidden control character (NUL).")


def _any_nul(pairs: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query parameter or a form field (name or value) holds NUL."""
    if NUL in request.path or _any_nul(request.GET.lists()):
        return True
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return False
    if request.content_type == "multipart/form-data" and request.path.startswith("/api/"):
        # Parsing multipart consumes the stream, and the API reads the raw body (JSON only:
        # such a body is refused there with a 400 anyway).
        return False
    # Parsing here is what the view would do anyway; Django caches the result. Too big
    # or malformed bodies raise exceptions that Django itself answers with a 400.
    return _any_nul(request.POST.lists()) or any(
        NUL in (upload.name or "") for _, uploads in request.FILES.lists() for upload in uploads
    )


class RejectNulMiddleware:
    """Answers 400 (JSON under /api/, plain German text elsewhere) for NUL in the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A cookie with NUL was never set by this site (the session key would reach
        # the database): treat it as absent rather than lock the browser out with 400s.
        request.COOKIES = {
            name: value
            for name, value in request.COOKIES.items()
            if NUL not in name and NUL not in value
        }
        if has_nul(request):
            # This runs before LocaleMiddleware: choose the request's language as it would,
            # not whatever an earlier request left active in this thread.
            with translation.override(translation.get_language_from_request(request)):
                message = nul_message()
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
