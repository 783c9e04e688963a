"""The request type that views under /n/<slug>/ receive, for annotations only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from .models import Network


class NetworkRequest(HttpRequest):
    """An HttpRequest after NetworkMiddleware: `network` is the site's network.

    Never instantiated; Django passes its own request object and the middleware sets
    `network` on it. Only annotate views mounted under /n/<slug>/ with it: there the
    network is resolved from the path (an unknown slug leaves it None, so views that
    must answer 404 for that call `directory.queries.site_network()`). `request.user`
    needs nothing here: django-stubs already types it as `User | AnonymousUser`.
    """

    network: Network
