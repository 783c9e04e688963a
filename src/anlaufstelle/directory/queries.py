"""Read helpers for the public directory; every query runs inside the network scope.

The scoped managers already restrict rows to the current network plus the nationwide
pool, so nothing here filters by network by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.utils.translation import gettext

from anlaufstelle.networks.models import Network

from .models import Audience, Contact, Offer, OfferKind, Provider, Topic

# Longest free-text query the interim text filter accepts; longer input is cut.
MAX_QUERY_LENGTH = 200
# At most this many values per filter parameter, so a crafted URL cannot build a huge query.
MAX_VALUES_PER_FILTER = 30


def site_network(request: HttpRequest) -> Network:
    """The network whose public site this request shows; 404 for unknown or inactive ones.

    The middleware leaves `request.network` empty for an unknown /n/<slug>/ so that
    every page under it answers 404 rather than an empty site.
    """
    network = getattr(request, "network", None)
    if network is None:
        raise Http404
    return network


def published_offers() -> QuerySet[Offer]:
    """Offers visible to the public in the current scope, without any joins."""
    return Offer.objects.published().filter(provider__is_published=True)


def public_offers() -> QuerySet[Offer]:
    """Published offers with what a result card needs, loaded in a fixed number of queries."""
    return (
        published_offers()
        .select_related("provider")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("position", "label_de")),
            Prefetch("audiences", queryset=Audience.objects.order_by("position", "label_de")),
        )
        .order_by("title", "pk")
    )


def public_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(is_published=True).order_by("name")


def get_offer_or_404(slug: str) -> Offer:
    """The published offer with this slug that the current network may show.

    Another network's offer and a missing one both answer 404.
    """
    offer = (
        public_offers()
        .prefetch_related(
            Prefetch(
                "provider__contacts",
                queryset=Contact.objects.prefetch_related("topics").order_by("function"),
            )
        )
        .filter(slug=slug)
        .first()
    )
    if offer is None:
        raise Http404
    return offer


def get_provider_or_404(slug: str) -> Provider:
    """The published provider with this slug that the current network may show."""
    provider = (
        public_providers()
        .filter(slug=slug)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.order_by("function")))
        .first()
    )
    if provider is None:
        raise Http404
    return provider


def get_host_provider(slug: str) -> Provider | None:
    """The provider that hosts the lab, if the network names one and it is published."""
    if not slug:
        return None
    return public_providers().filter(slug=slug).first()


@dataclass
class ActiveFilter:
    """One selected filter value, with the URL query that removes it again."""

    label: str
    remove_query: str


@dataclass
class OfferFilter:
    """The filter state of the offer list, parsed from (and written back to) the URL."""

    query: str = ""
    topics: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    # URL parameter name -> attribute name; the German parameter names are public URLs.
    PARAMS = (
        ("thema", "topics"),
        ("art", "kinds"),
        ("zielgruppe", "audiences"),
        ("anbieter", "providers"),
    )

    @classmethod
    def from_query(cls, params: QueryDict) -> OfferFilter:
        def values(name: str) -> list[str]:
            unique = dict.fromkeys(v.strip() for v in params.getlist(name) if v.strip())
            return list(unique)[:MAX_VALUES_PER_FILTER]

        return cls(
            query=" ".join(params.get("q", "").split())[:MAX_QUERY_LENGTH],
            topics=values("thema"),
            kinds=[k for k in values("art") if k in OfferKind.values],
            audiences=values("zielgruppe"),
            providers=values("anbieter"),
        )

    def apply(self, offers: QuerySet[Offer]) -> QuerySet[Offer]:
        """Narrow `offers`: any of the chosen values within a filter, all filters together."""
        if self.query:
            # Interim text filter until the search issue brings the real index.
            for word in self.query.split()[:10]:
                offers = offers.filter(
                    Q(title__icontains=word)
                    | Q(summary__icontains=word)
                    | Q(provider__name__icontains=word)
                )
        if self.topics:
            # A subquery, not a join, so an offer with two chosen topics is listed once.
            offers = offers.filter(
                pk__in=Offer.objects.filter(topics__slug__in=self.topics).values("pk")
            )
        if self.kinds:
            offers = offers.filter(kind__in=self.kinds)
        if self.audiences:
            offers = offers.filter(
                pk__in=Offer.objects.filter(audiences__slug__in=self.audiences).values("pk")
            )
        if self.providers:
            offers = offers.filter(provider__slug__in=self.providers)
        return offers

    @property
    def active(self) -> bool:
        return bool(self.query or self.topics or self.kinds or self.audiences or self.providers)

    def as_pairs(self) -> list[tuple[str, str]]:
        """The state as URL parameters, in a stable order."""
        pairs = [("q", self.query)] if self.query else []
        for param, attr in self.PARAMS:
            pairs += [(param, value) for value in getattr(self, attr)]
        return pairs

    def querystring(self) -> str:
        return urlencode(self.as_pairs())

    def active_filters(self, choices: FilterChoices) -> list[ActiveFilter]:
        """Every selected value with its label and the query string without it."""
        labels = choices.labels()
        items = []
        for pair in self.as_pairs():
            rest = [p for p in self.as_pairs() if p != pair]
            if pair[0] == "q":
                label = gettext("Search term: %(query)s") % {"query": pair[1]}
            else:
                label = labels.get(pair, pair[1])
            items.append(ActiveFilter(label=label, remove_query=urlencode(rest)))
        return items


@dataclass
class FilterChoices:
    """The values a visitor can filter by: only those that have offers in this network."""

    topics: list[Topic]
    kinds: list[tuple[str, str]]
    audiences: list[Audience]
    providers: list[Provider]

    def labels(self) -> dict[tuple[str, str], str]:
        labels: dict[tuple[str, str], str] = {}
        labels.update({("thema", t.slug): t.label for t in self.topics})
        labels.update({("art", value): str(label) for value, label in self.kinds})
        labels.update({("zielgruppe", a.slug): a.label for a in self.audiences})
        labels.update({("anbieter", p.slug): p.name for p in self.providers})
        return labels


def filter_choices() -> FilterChoices:
    """Filter options of the current network, in four queries."""
    offers = published_offers()
    used_kinds = set(offers.values_list("kind", flat=True).distinct())
    return FilterChoices(
        topics=list(
            Topic.objects.filter(offers__in=offers.values("pk"))
            .distinct()
            .order_by("position", "label_de")
        ),
        kinds=[(value, str(label)) for value, label in OfferKind.choices if value in used_kinds],
        audiences=list(
            Audience.objects.filter(offers__in=offers.values("pk"))
            .distinct()
            .order_by("position", "label_de")
        ),
        providers=list(
            public_providers().filter(offers__in=offers.values("pk")).distinct().order_by("name")
        ),
    )


def topics_with_offer_counts() -> QuerySet[Topic]:
    """Topics that have at least one published offer in the current scope, with the count."""
    return (
        Topic.objects.annotate(
            offer_count=Count(
                "offers", filter=Q(offers__in=published_offers().values("pk")), distinct=True
            )
        )
        .filter(offer_count__gt=0)
        .order_by("position", "label_de")
    )
