"""The search page of a network's site: full page, or the results fragment for htmx."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from . import queries, services
from .models import SearchDocument

PAGE_SIZE = 10


def search_page(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = request.network  # type: ignore[attr-defined]
    if network is None:
        raise Http404
    query = request.GET.get("q", "").strip()[:300]
    selected = {p: request.GET.getlist(p)[:20] for p in queries.FACETS if request.GET.getlist(p)}
    page = queries.run_search(network, query, selected)
    partial = bool(request.headers.get("HX-Request"))
    log = None
    if query and not partial:
        # Live results while typing are not logged: only what the visitor submitted.
        log = services.log_query(
            network=network,
            query=query,
            mode="hybrid",
            result_count=page.total,
            suggestion=page.suggestion,
        )
    paginator = Paginator(page.documents, PAGE_SIZE)
    current = paginator.get_page(request.GET.get("seite"))
    terms = page.result.analysis.terms if page.result else []
    offset = (current.number - 1) * PAGE_SIZE
    results = [
        {
            "doc": doc,
            "rank": offset + i + 1,
            "url": queries.result_url(network, doc),
            "snippet": queries.snippet(doc, terms),
        }
        for i, doc in enumerate(current.object_list)
    ]
    params = request.GET.copy()
    params.pop("seite", None)
    context = {
        "page": page,
        "results": results,
        "page_obj": current,
        "log": log,
        "query_string": params.urlencode(),
    }
    template = "search/partials/_results.html" if partial else "search/search.html"
    return render(request, template, context)


def result_click(request: HttpRequest, network_slug: str, code: str, rank: int) -> HttpResponse:
    """Record which result was opened, then go there (only to a known result's page)."""
    network = request.network  # type: ignore[attr-defined]
    if network is None:
        raise Http404
    ref = request.GET.get("ref", "")
    from anlaufstelle.networks.scoping import visible_network_ids

    doc = SearchDocument.objects.filter(
        ref=ref, network_id__in=visible_network_ids(network)
    ).first()
    if doc is None:
        raise Http404
    services.log_click(network=network, code=code, rank=rank, ref=ref)
    return HttpResponseRedirect(queries.result_url(network, doc))
