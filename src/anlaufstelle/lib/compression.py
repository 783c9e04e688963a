"""Compress the HTML pages of anonymous responses with gzip.

Static files are compressed ahead of time (WhiteNoise serves the .br/.gz files that
collectstatic writes); this middleware covers the pages. Decision and BREACH reasoning:
docs/decisions/0008-compress-anonymous-pages.md. In short:
- only responses to visitors who are not logged in: a staff page shows personal data
  (concerns, bookings) next to reflected input (filters, the language switch's `next`),
  the precondition of BREACH, so it stays uncompressed;
- the CSRF token in the forms is masked afresh for every response (Django), and Django's
  gzip adds random bytes to every compressed response (Heal-the-BREACH);
- streaming responses (server-sent events, downloads) are left alone: gzip would hold
  back the chunks until its buffer fills.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Pages only: API clients (JSON) and feeds negotiate and decompress on their own terms.
COMPRESSED_TYPES = ("text/html",)


class AnonymousGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.streaming:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in COMPRESSED_TYPES:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return response
        return super().process_response(request, response)
