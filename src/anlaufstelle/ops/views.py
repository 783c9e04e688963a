"""Operational endpoints of the ops app: readiness and Prometheus metrics."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from anlaufstelle.lib.client_ip import client_ip

from .health import readiness
from .metrics import exposition


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, else 503; the body lists each check's figures."""
    ready, body = readiness()
    return JsonResponse(body, status=200 if ready else 503)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(entry, strict=False)
        for entry in getattr(settings, "METRICS_ALLOWED_IPS", [])
    ]


def _bearer(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def metrics_allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token and constant_time_compare(_bearer(request), token):
        return True
    address = client_ip(request)
    if address == "unknown":
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _allowed_networks())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; off (404) unless METRICS_TOKEN or METRICS_ALLOWED_IPS is
    set, and then 403 for anyone else."""
    if not getattr(settings, "METRICS_TOKEN", "") and not getattr(
        settings, "METRICS_ALLOWED_IPS", []
    ):
        raise Http404
    if not metrics_allowed(request):
        return HttpResponse(status=403)
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
