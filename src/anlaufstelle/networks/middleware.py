"""Resolves the request's network once (path prefix or host) and enters its scope."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scopes_disabled

from .models import Network
from .scoping import network_scope

NETWORK_PATH = re.compile(r"^/n/(?P<slug>[-a-z0-9_]+)(/|$)")
# Operational endpoints belong to no network and must not query before their own check:
# the load balancer needs /healthz's 503 JSON, not the 500 page, when the database is down.
NETWORKLESS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def network_for_host(host: str) -> Network | None:
    host = host.split(":")[0].lower()
    for network in Network.objects.public().exclude(hostnames=""):
        if host in network.hostname_list():
            return network
    return None


def resolve_network(request: HttpRequest) -> Network | None:
    match = NETWORK_PATH.match(request.path_info)
    if match:
        network = Network.objects.public().filter(slug=match["slug"]).first()
        if network is None:
            raise Http404("Unknown network")
        return network
    network = network_for_host(request.get_host())
    if network is None and settings.ANLAUFSTELLE_DEFAULT_NETWORK:
        network = (
            Network.objects.public().filter(slug=settings.ANLAUFSTELLE_DEFAULT_NETWORK).first()
        )
    return network


class NetworkMiddleware:
    """Sets `request.network` and runs the view inside that network's scope.

    The back office and the API outside a network path are scoped by the staff
    member's own network; operators (superusers) work unscoped, visibly.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in NETWORKLESS_PATHS:
            request.network = None  # type: ignore[attr-defined]
            return self.get_response(request)
        try:
            network = resolve_network(request)
        except Http404:
            # An unknown /n/<slug>/: every page under it is a 404, before any view runs
            # (views may then rely on request.network being a real network).
            request.network = None  # type: ignore[attr-defined]
            raise
        request.network = network  # type: ignore[attr-defined]
        if request.path_info.startswith("/admin/"):
            # The back office is scoped by who you are, never by the host you came through.
            user = request.user
            if user.is_authenticated and user.is_superuser:
                with scopes_disabled():
                    return self.get_response(request)
            network = user.network if user.is_authenticated else None
        with network_scope(network):
            return self.get_response(request)
