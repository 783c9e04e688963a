"""Public directory pages: offer list with filters, offer page, provider page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from anlaufstelle.booking.queries import booking_links

from . import queries

OFFERS_PER_PAGE = 20


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment.

    htmx restores history after a cache miss with a full-page request that still
    carries HX-Request, so that one gets the whole page.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def offer_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    queries.site_network(request)
    offer_filter = queries.OfferFilter.from_query(request.GET)
    offers = offer_filter.apply(queries.public_offers())
    page = Paginator(offers, OFFERS_PER_PAGE).get_page(request.GET.get("seite"))
    choices = queries.filter_choices()
    context = {
        "page": page,
        "filter": offer_filter,
        "choices": choices,
        "active_filters": offer_filter.active_filters(choices),
        "result_count": page.paginator.count,
    }
    if is_htmx_fragment_request(request):
        response = render(
            request, "directory/partials/_offer_results.html", {**context, "is_fragment": True}
        )
    else:
        response = render(request, "directory/offer_list.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def offer_detail(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    queries.site_network(request)
    offer = queries.get_offer_or_404(slug)
    context = {
        "offer": offer,
        **booking_links(offer_slug=offer.slug, provider_slug=offer.provider.slug),
    }
    return render(request, "directory/offer_detail.html", context)


def provider_detail(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    queries.site_network(request)
    provider = queries.get_provider_or_404(slug)
    offers = queries.public_offers().filter(provider=provider)
    context = {"provider": provider, "offers": offers, **booking_links(provider_slug=provider.slug)}
    return render(request, "directory/provider_detail.html", context)
