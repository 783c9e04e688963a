"""Public directory pages: offer list with filters, offer page, provider page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import queries


def offer_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    offer_filter = queries.OfferFilter.from_query(dict(request.GET.lists()))
    offers = offer_filter.apply(queries.public_offers())
    page = Paginator(offers, 20).get_page(request.GET.get("seite"))
    context = {
        "page": page,
        "filter": offer_filter,
        "choices": queries.filter_choices(request.network),
        "result_count": page.paginator.count,
    }
    template = "directory/offer_list.html"
    if request.headers.get("HX-Request"):
        template = "directory/partials/_offer_results.html"
    return render(request, template, context)


def offer_detail(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    offer = queries.get_offer_or_404(slug)
    return render(request, "directory/offer_detail.html", {"offer": offer})


def provider_detail(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    provider = queries.get_provider_or_404(slug)
    offers = queries.public_offers().filter(provider=provider)
    return render(
        request, "directory/provider_detail.html", {"provider": provider, "offers": offers}
    )
