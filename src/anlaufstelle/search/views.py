"""The search page of a network's site: full page, or the results fragment for htmx.

Live results (htmx, while typing) and the plain GET form share one URL and one view.
Every search is logged without personal data; the result links go through `result_click`,
which records the clicked rank and redirects to the result's page on this site.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from anlaufstelle.directory.queries import site_network, topics_with_offer_counts
from anlaufstelle.directory.views import is_htmx_fragment_request
from anlaufstelle.networks.scoping import visible_network_ids

from . import queries, reasons, registry, services, sources
from .models import SearchDocument

PAGE_SIZE = 10
MAX_QUERY_LENGTH = 300
MAX_VALUES_PER_FACET = 20
# The hidden field that carries the log code of the current typing run (live results only).
RUN_PARAM = "suchlauf"


def _selected_facets(params: QueryDict) -> dict[str, list[str]]:
    return {
        param: [v[:160] for v in params.getlist(param)[:MAX_VALUES_PER_FACET] if v]
        for param in queries.FACETS
        if params.getlist(param)
    }


def _case_form_url(network_slug: str, query: str = "") -> str:
    """The navigator contact form, with the visitor's question already filled in
    (nobody should type it twice), or "" while the cases app is not installed."""
    try:
        url = reverse("site:cases:submit", args=[network_slug])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'text': query})}" if query else url


def search_page(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page = queries.run_search(network, query, _selected_facets(request.GET))
    fragment = is_htmx_fragment_request(request)
    log = None
    # A history restore replays a search the visitor already made: not a new one.
    if query and request.headers.get("HX-History-Restore-Request") != "true":
        log = services.record_query(
            network=network,
            query=query,
            result_count=page.found,
            suggestion=page.suggestion,
            continues=request.GET.get(RUN_PARAM, "")[:32] if fragment else "",
        )
    current = Paginator(page.documents, PAGE_SIZE).get_page(request.GET.get("seite"))
    terms = page.result.analysis.terms if page.result else []
    offset = (current.number - 1) * PAGE_SIZE
    regions = queries.region_labels() if current.object_list else {}
    matches = queries.term_matcher(terms)
    why = queries.result_reasons(network, page, list(current.object_list))
    results = [
        {
            "doc": doc,
            "rank": offset + i + 1,
            "url": queries.result_url(network, doc),
            "type_label": queries.type_label(doc.kind),
            "region_label": regions.get(doc.region, doc.region),
            "title": queries.highlight(doc.title, matches),
            "snippet": queries.snippet(doc, terms, matches=matches),
            "reason": reasons.SEPARATOR.join(why.get(doc.pk, [])),
        }
        for i, doc in enumerate(current.object_list)
    ]
    # The address bar and shared links keep the search, never the log code.
    params = request.GET.copy()
    params.pop(RUN_PARAM, None)
    shareable = params.urlencode()
    page_url = request.path + (f"?{shareable}" if shareable else "")
    params.pop("seite", None)
    context = {
        "page": page,
        "results": results,
        "page_obj": current,
        "log": log,
        "query_string": params.urlencode(),
        "case_form_url": _case_form_url(network.slug, query),
        "topics": [] if page.total else topics_with_offer_counts(),
        "is_fragment": fragment,
        "page_url": page_url,
    }
    if fragment:
        response = render(request, "search/partials/_results.html", context)
        response["HX-Push-Url"] = page_url
    else:
        response = render(request, "search/search.html", context)
    # One URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def result_click(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Record which result of a logged search was opened, then go to its page.

    The target is computed from a result this network may show, never taken from the
    request, so the link cannot send a visitor to another site (no open redirect).
    """
    network = site_network(request)
    ref = request.GET.get("ref", "")[:200]
    doc = SearchDocument.objects.filter(
        ref=ref, network_id__in=visible_network_ids(network)
    ).first()
    if doc is None:
        raise Http404
    source = registry.get(doc.kind)
    if source is not None:
        if not source.url(network, doc):
            raise Http404  # the registered item is gone (or not public any more)
    elif doc.kind == "event" and sources.dated_event(ref) is None:
        # An event result from an older index (undated or bundled demo data): never
        # send the visitor to an organiser's page without the event's date.
        raise Http404
    code = request.GET.get("q", "")[:32]
    rank = request.GET.get("rang", "")
    if code and rank.isdigit() and int(rank) > 0:
        services.log_click(network=network, code=code, rank=int(rank), ref=ref)
    target = queries.result_url(network, doc)
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        raise Http404
    return HttpResponseRedirect(target)
