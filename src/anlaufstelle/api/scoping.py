"""The one choke point of the API's tenancy: resolve `{network}` and enter its scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404, HttpRequest

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope

View = TypeVar("View", bound=Callable[..., Any])


def get_public_network_or_404(slug: str) -> Network:
    """The active public network with this slug; the nationwide pool has no API of its own."""
    network = Network.objects.public().filter(slug=slug).first()
    if network is None:
        raise Http404
    return network


def network_endpoint(view: View) -> View:
    """Run an endpoint that takes a `network` path parameter inside that network's scope.

    The scope set by the middleware (host name, default network, nothing) is replaced,
    so the path alone decides which rows are visible; cookies never widen it. The
    endpoint must return fully built schema objects, because ninja serialises after
    the view returns, outside this scope. `request.network` is the resolved network.
    """

    @wraps(view)
    def scoped(request: HttpRequest, network: str, **kwargs: Any) -> Any:
        resolved = get_public_network_or_404(network)
        request.network = resolved  # type: ignore[attr-defined]
        with network_scope(resolved):
            return view(request, network, **kwargs)

    return scoped  # type: ignore[return-value]
