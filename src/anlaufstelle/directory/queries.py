"""Read helpers for the public directory; every query runs inside the network scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from anlaufstelle.networks.models import Network

from .models import Audience, Contact, Offer, OfferKind, Provider, Topic


def public_offers() -> QuerySet[Offer]:
    return (
        Offer.objects.published()
        .select_related("provider")
        .prefetch_related("topics", "audiences")
        .order_by("title")
    )


def public_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(is_published=True).order_by("name")


def get_offer_or_404(slug: str) -> Offer:
    """The published offer with this slug that the current network may show."""
    offer = (
        public_offers()
        .select_related("provider")
        .prefetch_related(Prefetch("provider__contacts", queryset=Contact.objects.all()))
        .filter(slug=slug)
        .first()
    )
    if offer is None:
        raise Http404
    return offer


def get_provider_or_404(slug: str) -> Provider:
    provider = public_providers().filter(slug=slug).prefetch_related("contacts").first()
    if provider is None:
        raise Http404
    return provider


@dataclass
class OfferFilter:
    """The filter state of the offer list, parsed from (and written back to) the URL."""

    topics: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: dict[str, list[str]]) -> OfferFilter:
        def values(name: str) -> list[str]:
            return [v for v in params.get(name, []) if v][:20]

        return cls(
            topics=values("thema"),
            kinds=[k for k in values("art") if k in OfferKind.values],
            audiences=values("zielgruppe"),
            providers=values("anbieter"),
        )

    def apply(self, offers: QuerySet[Offer]) -> QuerySet[Offer]:
        if self.topics:
            offers = offers.filter(topics__slug__in=self.topics)
        if self.kinds:
            offers = offers.filter(kind__in=self.kinds)
        if self.audiences:
            offers = offers.filter(audiences__slug__in=self.audiences)
        if self.providers:
            offers = offers.filter(provider__slug__in=self.providers)
        return offers.distinct()

    @property
    def active(self) -> bool:
        return bool(self.topics or self.kinds or self.audiences or self.providers)


def topics_with_offer_counts() -> QuerySet[Topic]:
    """Topics that have at least one published offer in the current network scope."""
    offer_ids = list(public_offers().values_list("pk", flat=True))
    return (
        Topic.objects.annotate(offer_count=Count("offers", filter=Q(offers__in=offer_ids)))
        .filter(offer_count__gt=0)
        .order_by("position")
    )


def filter_choices(network: Network) -> dict[str, object]:
    offers = public_offers()
    return {
        "topics": Topic.objects.filter(offers__in=offers).distinct().order_by("position"),
        "kinds": [
            (value, label)
            for value, label in OfferKind.choices
            if offers.filter(kind=value).exists()
        ],
        "audiences": Audience.objects.filter(offers__in=offers).distinct().order_by("position"),
        "providers": public_providers().filter(offers__in=offers).distinct(),
    }
