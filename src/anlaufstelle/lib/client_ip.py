"""The client's address, as far as we can trust it (for per-client limits).

Behind a reverse proxy every request comes from the proxy; `TRUSTED_PROXY_COUNT`
(settings.ALLAUTH_TRUSTED_PROXY_COUNT, shared with the login throttling) says how many
proxies of ours append to X-Forwarded-For. Entries left of those are whatever the client
claimed and are never used; without trusted proxies the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip().strip("[]")))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address the client connected from, or "unknown" (all unknowns share one budget)."""
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = _valid(hops[-proxies])
            if address:
                return address
    return _valid(request.META.get("REMOTE_ADDR", "")) or "unknown"


def client_key(request: HttpRequest) -> str:
    """The client address as a limit key: IPv6 by its /64, as one household gets a /64."""
    address = client_ip(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return address
