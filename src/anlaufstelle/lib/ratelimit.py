"""Rate limits on the public writes, per client address, in the shared cache.

One choke point: the middleware knows which routes are public writes (the concern form,
booking a slot, reserving a room, every API write) and counts each client's requests per
route group in windows that open with the client's first request. The counters live in
Django's cache, so with REDIS_URL all app servers count together (with the local-memory
cache each process counts alone). Over the limit the answer is 429 with Retry-After: the
site's German page, or JSON for the API. Limits come from settings.ANLAUFSTELLE_RATE_LIMITS
(docs/configuration.md).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from .client_ip import client_key

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The public forms by URL name; their GETs (showing the form) are never limited.
SITE_GROUPS = {
    "site:cases:submit": "concern",
    "site:booking:book": "booking",
    "site:booking:resource": "reservation",
    "site:events:register": "event_registration",
    # The assistant: messages per visitor; booking and hand-over count like their forms.
    "site:assistant:chat": "assistant",
    "site:assistant:book": "booking",
    "site:assistant:handover": "concern",
    # The direct chat (also limited per concern and side in chat.services) and the
    # waiting room of the open consultation hours.
    "site:chat:company": "chat",
    "site:chat:staff": "chat",
    "site:chat:booking_company": "chat",
    "site:chat:booking_staff": "chat",
    "site:chat:open_hour": "open_hour",
    # The exchange: asking for sign-in links; writing threads, replies and reports.
    "site:community:join": "community_signin",
    "site:community:signin": "community_signin",
    "site:community:new_thread": "community_post",
    "site:community:reply": "community_post",
    "site:community:post_hilfreich": "community_post",
    "site:community:post_antwort": "community_post",
    "site:community:post_melden": "community_post",
}
API_PREFIX = "/api/"
API_GROUP = "api_write"

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@lru_cache(maxsize=64)
def parse_rates(text: str) -> tuple[Rate, ...]:
    """ "10/m,50/h" (also "10/minute", "100/5m") → rates; empty → no limit."""
    rates = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _RATE.match(part.lower())
        if match is None:
            raise ValueError(f"not a rate: {part!r} (expected e.g. 10/m or 50/h)")
        count, multiple, unit = match.groups()
        rates.append(Rate(int(count), int(multiple or 1) * _PERIODS[unit]))
    return tuple(rates)


def group_for(request: HttpRequest) -> str | None:
    """The limited route group of this request, or None when it is not a public write."""
    if request.method not in WRITE_METHODS:
        return None
    if request.path_info.startswith(API_PREFIX):
        return API_GROUP
    match = request.resolver_match
    if request.method == "POST" and match is not None:
        return SITE_GROUPS.get(match.view_name)
    return None


def retry_after(group: str, client: str, rates: tuple[Rate, ...], now: float) -> int | None:
    """Count this request in every window of `group`; seconds to wait if one is full.

    A client's window opens with its first request and closes `rate.seconds` later (the
    counter's lifetime in the cache). Windows aligned to the clock would let a burst that
    straddles a full minute through twice: ten requests at :59.9 and ten at :00.1.
    """
    wait = 0
    for rate in rates:
        key = f"ratelimit:{group}:{rate.seconds}:{client}"
        # add() only creates; incr() is atomic in Redis (and under a lock in the
        # local-memory cache), so parallel requests never lose a count. The opening time
        # lives beside the counter, for Retry-After.
        cache.add(f"{key}:opened", now, timeout=rate.seconds)
        cache.add(key, 0, timeout=rate.seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr(): a new window
            cache.set(key, 1, timeout=rate.seconds)
            count = 1
        if count > rate.limit:
            opened = cache.get(f"{key}:opened", now)
            wait = max(wait, math.ceil(opened + rate.seconds - now), 1)
    return wait or None


def too_many_requests(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, math.ceil(wait / 60))
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        message = gettext(
            "Too many requests from your address. Please try again in %(seconds)s seconds."
        ) % {"seconds": wait}
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response


class RateLimitMiddleware:
    """Answers 429 when a client sends too many public writes (see module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # A mistyped limit stops the start, not the first visitor.
        for group, text in settings.ANLAUFSTELLE_RATE_LIMITS.items():
            try:
                parse_rates(text)
            except ValueError as exc:
                raise ImproperlyConfigured(f"ANLAUFSTELLE_RATE_LIMITS[{group!r}]: {exc}") from exc

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        group = group_for(request)
        if group is None:
            return None
        rates = parse_rates(settings.ANLAUFSTELLE_RATE_LIMITS.get(group, ""))
        if not rates:
            return None
        try:
            wait = retry_after(group, client_key(request), rates, time.time())
        except Exception:  # the cache (Redis) is down: serve rather than refuse everyone
            logger.warning("rate limit not checked: cache unavailable", exc_info=True)
            return None
        return too_many_requests(request, wait) if wait else None
