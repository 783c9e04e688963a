"""The start page of a network: question box, topic tiles, the lab."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anlaufstelle.directory import queries


def start(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = queries.site_network(request)
    return render(
        request,
        "pages/start.html",
        {
            "topics": queries.topics_with_offer_counts(),
            "host_provider": queries.get_host_provider(network.host_provider_slug),
            "offer_count": queries.published_offers().count(),
        },
    )
