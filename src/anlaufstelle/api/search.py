"""GET /api/v1/networks/{network}/search: the site's search for a network's own website.

The same call as the search page (`search.queries.run_search`): the same hybrid ranking,
the same filters, the same "Why:" reasons and the same "no good match" judgement
(`search.answerability`). When the network cannot answer the question, `no_good_match`
is true, `items` is empty and `navigators` says where to turn instead: the concern form
(with the question filled in) and the topics with offers. Every search is logged like
one on the site (without personal data), with the mode "api".
"""

# No `from __future__ import annotations`: ninja reads the Query[...] hints at runtime.

import html
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from anlaufstelle.directory.models import OfferKind
from anlaufstelle.directory.queries import topics_with_offer_counts
from anlaufstelle.search import queries, services

from .errors import COMMON
from .fields import RequiredText300, Text160
from .scoping import network_endpoint

router = Router()

MAX_LIMIT = 60  # the page shows at most queries.MAX_RESULTS results
FacetValue = Text160
# The API's filter names -> the search page's URL parameters (queries.FACETS).
FILTERS = {
    "topic": "thema",
    "kind": "art",
    "audience": "zielgruppe",
    "provider": "anbieter",
    "format": "format",
    "region": "region",
    "type": "typ",
}


class SearchQuery(Schema):
    q: RequiredText300 = Field(
        description="The question in the company's own words (German or English; at most "
        "300 characters, like the search page)."
    )
    topic: list[FacetValue] = Field(
        default_factory=list, max_length=20, description="Topic slug; repeat for any of."
    )
    kind: list[OfferKind] = Field(default_factory=list, max_length=20, description="Offer kind.")
    audience: list[FacetValue] = Field(
        default_factory=list, max_length=20, description="Audience slug."
    )
    provider: list[FacetValue] = Field(
        default_factory=list, max_length=20, description="Provider slug."
    )
    format: list[FacetValue] = Field(
        default_factory=list, max_length=20, description="vor-ort, online, hybrid or webinar."
    )
    region: list[FacetValue] = Field(
        default_factory=list, max_length=20, description='Region key ("bund": nationwide).'
    )
    type: list[FacetValue] = Field(
        default_factory=list,
        max_length=20,
        description="Kind of result: offer, provider, contact, event, … (see `items[].type`).",
    )
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_LIMIT)


class SearchHitOut(Schema):
    ref: str = Field(examples=["offer:eingliederungszuschuss"])
    type: str = Field(description="offer, provider, contact, event, … ", examples=["offer"])
    type_label: str = Field(examples=["Angebot"])
    title: str
    url: str = Field(description="Absolute URL of the result's page on the network's site.")
    provider: str = Field(description="Name of the offering provider (empty for providers).")
    region: str
    region_label: str
    reasons: list[str] = Field(
        description="Why it fits, most telling first (the site joins them with ' · ').",
        examples=[["Im Text: Zuschuss, Langzeitarbeitslose", "Thema: Förderung"]],
    )
    snippet: str = Field(description="The sentence of the text that matches best (plain text).")


class FacetOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class TopicOut(Schema):
    slug: str
    label: str
    offer_count: int
    url: str = Field(description="The network's offers of this topic.")


class NavigatorsOut(Schema):
    concern_url: str = Field(
        description="The form to describe the concern to the navigators, question filled in "
        '("" when the network has no such form).'
    )
    topics: list[TopicOut] = Field(description="Browse by topic (only without results).")


class SearchOut(Schema):
    query: str
    no_good_match: bool = Field(
        description="True: nothing in the network answers this question well enough to "
        "list it (weather, sport, shopping, …); `items` is empty and `message` and "
        "`navigators` say where to turn instead."
    )
    message: str = Field(description='Sentence for people when there are no items, else "".')
    suggestion: str = Field(description='A better spelling of the question ("Meinten Sie"), or "".')
    count: int = Field(description="Results after the filters.")
    limit: int
    offset: int
    items: list[SearchHitOut]
    facets: dict[str, list[FacetOut]] = Field(
        description="Per filter (topic, kind, audience, …) the values among the results, "
        "each counted with the other chosen filters applied."
    )
    navigators: NavigatorsOut


def _concern_url(request: HttpRequest, slug: str, query: str) -> str:
    try:
        url = reverse("site:cases:submit", args=[slug])
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(f"{url}?{urlencode({'text': query})}")


@router.get(
    "/networks/{network}/search",
    response={200: SearchOut, **COMMON},
    tags=["search"],
)
@network_endpoint
def search_network(request: HttpRequest, network: str, params: Query[SearchQuery]) -> SearchOut:
    """Search the network's offers, providers, contacts and events in a company's own
    words: the site's search (same ranking, filters, reasons and "no good match")."""
    site = request.network  # type: ignore[attr-defined]
    query = " ".join(params.q.split())
    selected = {
        page_param: [str(v) for v in getattr(params, api_param)]
        for api_param, page_param in FILTERS.items()
        if getattr(params, api_param)
    }
    page = queries.run_search(site, query, selected)
    services.log_query(
        network=site,
        query=query,
        mode="api",
        result_count=page.found,
        suggestion=page.suggestion,
    )
    docs = page.documents[params.offset : params.offset + params.limit]
    why = queries.result_reasons(site, page, docs)
    regions = queries.region_labels() if docs else {}
    terms = page.result.analysis.terms if page.result else []
    matches = queries.term_matcher(terms)
    items = [
        SearchHitOut(
            ref=doc.ref,
            type=doc.kind,
            type_label=queries.type_label(doc.kind),
            title=doc.title,
            url=request.build_absolute_uri(queries.result_url(site, doc)),
            provider=doc.provider_name if doc.kind != "provider" else "",
            region=doc.region,
            region_label=regions.get(doc.region, doc.region),
            reasons=why.get(doc.pk, []),
            snippet=_plain(str(queries.snippet(doc, terms, matches=matches))),
        )
        for doc in docs
    ]
    inverse = {page_param: api_param for api_param, page_param in FILTERS.items()}
    facets = {
        inverse[param]: [FacetOut(**option.__dict__) for option in options]
        for param, options in page.facets.items()
        if param in inverse
    }
    topics = []
    if not page.total:
        offers = reverse("site:offers", args=[site.slug])
        topics = [
            TopicOut(
                slug=t.slug,
                label=t.label,
                offer_count=t.offer_count,  # type: ignore[attr-defined]
                url=request.build_absolute_uri(f"{offers}?thema={t.slug}"),
            )
            for t in topics_with_offer_counts()
        ]
    if page.no_good_match:
        message = gettext("No matching offers found.")
    elif not page.total:
        message = gettext("We found nothing that fits well.")
    else:
        message = ""
    return SearchOut(
        query=query,
        no_good_match=page.no_good_match,
        message=message,
        suggestion=page.suggestion,
        count=page.total,
        limit=params.limit,
        offset=params.offset,
        items=items,
        facets=facets,
        navigators=NavigatorsOut(
            concern_url=_concern_url(request, site.slug, query), topics=topics
        ),
    )


def _plain(html_text: str) -> str:
    """A snippet without its <mark> tags and HTML escapes."""
    return html.unescape(strip_tags(html_text))
