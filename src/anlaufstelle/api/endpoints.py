"""Read-only endpoints of /api/v1: networks, offers, providers, topics, audiences."""

# No `from __future__ import annotations`: ninja reads the Query[...] hints at runtime.

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from anlaufstelle.directory import queries
from anlaufstelle.directory.models import Audience, Contact, Offer, Provider, Topic
from anlaufstelle.networks.models import Network

from .errors import COMMON
from .schemas import (
    ContactOut,
    NetworkOut,
    OfferDetailOut,
    OfferOut,
    OfferPage,
    OfferQuery,
    OfferRef,
    PageQuery,
    ProviderDetailOut,
    ProviderOut,
    ProviderPage,
    ProviderRef,
    TermOut,
)
from .scoping import network_endpoint

router = Router()


def _site_url(request: HttpRequest, name: str, **kwargs: str) -> str:
    network = request.network  # type: ignore[attr-defined]
    return request.build_absolute_uri(
        reverse(f"site:{name}", kwargs={"network_slug": network.slug, **kwargs})
    )


def _nationwide_ids() -> set[int]:
    return set(Network.objects.filter(is_nationwide=True).values_list("pk", flat=True))


def _contact_out(contact: Contact) -> ContactOut:
    return ContactOut(
        ref=contact.ref,
        slug=contact.slug,
        function=contact.function,
        name=contact.name,
        description=contact.description,
        email=contact.email,
        phone=contact.phone,
        availability=contact.availability,
        topics=[topic.slug for topic in contact.topics.all()],
    )


def _provider_ref(request: HttpRequest, provider: Provider) -> ProviderRef:
    return ProviderRef(
        ref=provider.ref,
        slug=provider.slug,
        name=provider.name,
        url=_site_url(request, "provider", slug=provider.slug),
    )


def _provider_fields(request: HttpRequest, provider: Provider, nationwide: set[int]) -> dict:
    return {
        **_provider_ref(request, provider).dict(),
        "kind": provider.kind,
        "description": provider.description,
        "website": provider.website,
        "address": provider.address,
        "email": provider.email,
        "phone": provider.phone,
        "region": provider.region,
        "nationwide": provider.network_id in nationwide,
        "contacts": [_contact_out(contact) for contact in provider.contacts.all()],
    }


def _offer_ref(request: HttpRequest, offer: Offer) -> OfferRef:
    return OfferRef(
        ref=offer.ref,
        slug=offer.slug,
        title=offer.title,
        url=_site_url(request, "offer", slug=offer.slug),
    )


def _offer_fields(request: HttpRequest, offer: Offer, nationwide: set[int]) -> dict:
    return {
        **_offer_ref(request, offer).dict(),
        "summary": offer.summary,
        "kind": offer.kind,
        "provider": _provider_ref(request, offer.provider),
        "topics": [topic.slug for topic in offer.topics.all()],
        "audiences": [audience.slug for audience in offer.audiences.all()],
        "region": offer.region,
        "nationwide": offer.network_id in nationwide,
        "verified": offer.verified,
        "last_checked": offer.last_checked,
        "valid_from": offer.valid_from,
        "valid_until": offer.valid_until,
    }


def _contacts() -> Prefetch:
    return Prefetch(
        "contacts", queryset=Contact.objects.prefetch_related("topics").order_by("function")
    )


def _page(items: QuerySet, page: PageQuery) -> tuple[int, list]:
    return items.count(), list(items[page.offset : page.offset + page.limit])


@router.get("/networks", response={200: list[NetworkOut], **COMMON}, tags=["networks"])
def list_networks(request: HttpRequest) -> list[NetworkOut]:
    """The networks with a public site (the nationwide pool is not one of them)."""
    return [
        NetworkOut(
            ref=f"network:{network.slug}",
            slug=network.slug,
            name=network.name,
            bundesland=network.bundesland,
            bundesland_name=network.get_bundesland_display(),
            description=network.description,
            url=request.build_absolute_uri(
                reverse("site:start", kwargs={"network_slug": network.slug})
            ),
        )
        for network in Network.objects.public()
    ]


@router.get(
    "/networks/{network}/offers",
    response={200: OfferPage, **COMMON},
    tags=["offers"],
)
@network_endpoint
def list_offers(request: HttpRequest, network: str, filters: Query[OfferQuery]) -> OfferPage:
    """Published offers the network shows (its own and the nationwide ones), filterable."""
    offer_filter = queries.OfferFilter(
        query=" ".join(filters.q.split()),
        topics=filters.topic,
        kinds=[str(kind) for kind in filters.kind],
        audiences=filters.audience,
        providers=filters.provider,
    )
    count, offers = _page(offer_filter.apply(queries.public_offers()), filters)
    nationwide = _nationwide_ids()
    return OfferPage(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        items=[OfferOut(**_offer_fields(request, offer, nationwide)) for offer in offers],
    )


@router.get(
    "/networks/{network}/offers/{slug}",
    response={200: OfferDetailOut, **COMMON},
    tags=["offers"],
)
@network_endpoint
def get_offer(request: HttpRequest, network: str, slug: str) -> OfferDetailOut:
    offer = queries.get_offer_or_404(slug)
    return OfferDetailOut(
        **_offer_fields(request, offer, _nationwide_ids()),
        target_description=offer.target_description,
        conditions=offer.conditions,
        costs=offer.costs,
        legal_basis=offer.legal_basis,
        source_urls=[str(url) for url in offer.source_urls or []],
        contacts=[_contact_out(contact) for contact in offer.provider.contacts.all()],
    )


@router.get(
    "/networks/{network}/providers",
    response={200: ProviderPage, **COMMON},
    tags=["providers"],
)
@network_endpoint
def list_providers(request: HttpRequest, network: str, page: Query[PageQuery]) -> ProviderPage:
    """Published providers the network shows, with their contacts."""
    providers = queries.public_providers().prefetch_related(_contacts())
    count, rows = _page(providers, page)
    nationwide = _nationwide_ids()
    return ProviderPage(
        count=count,
        limit=page.limit,
        offset=page.offset,
        items=[ProviderOut(**_provider_fields(request, p, nationwide)) for p in rows],
    )


@router.get(
    "/networks/{network}/providers/{slug}",
    response={200: ProviderDetailOut, **COMMON},
    tags=["providers"],
)
@network_endpoint
def get_provider(request: HttpRequest, network: str, slug: str) -> ProviderDetailOut:
    provider = queries.get_provider_or_404(slug)
    offers = queries.published_offers().filter(provider=provider).order_by("title", "pk")
    return ProviderDetailOut(
        **_provider_fields(request, provider, _nationwide_ids()),
        offers=[_offer_ref(request, offer) for offer in offers],
    )


@router.get("/topics", response={200: list[TermOut], **COMMON}, tags=["taxonomy"])
def list_topics(request: HttpRequest) -> list[TermOut]:
    return [
        TermOut(ref=f"topic:{t.slug}", slug=t.slug, label_de=t.label_de, label_en=t.label_en)
        for t in Topic.objects.order_by("position", "label_de")
    ]


@router.get("/audiences", response={200: list[TermOut], **COMMON}, tags=["taxonomy"])
def list_audiences(request: HttpRequest) -> list[TermOut]:
    return [
        TermOut(ref=f"audience:{a.slug}", slug=a.slug, label_de=a.label_de, label_en=a.label_en)
        for a in Audience.objects.order_by("position", "label_de")
    ]
