"""What each kind of item contributes to the index: text, facets and network.

Offers, providers and contacts come from the directory; other apps register their
kinds in `registry` (events, Mediathek). While no app registers events, events are
read from a catalog file,
assigned to the network that shows their region and indexed as `event:<slug>`. Two
rules keep fiction and undated entries out of real installations:

- the catalog file the directory bundles is demo data: it is read only when the demo
  opts in (`SEARCH_DEMO_EVENTS`); an installation's own file (`SEARCH_EVENTS_CATALOG`)
  is always read;
- an event without a start date is never indexed: a result must say when it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Contact, Offer, OfferKind, Provider, ProviderKind
from anlaufstelle.networks.models import Network

from . import registry

EVENT_FORMATS = {
    "vor-ort": "Vor Ort",
    "online": "Online",
    "hybrid": "Hybrid",
    "webinar": "Webinar",
}


@dataclass
class SourceItem:
    """The indexable content of one item."""

    network_id: int
    ref: str
    kind: str
    slug: str
    title: str
    body: str
    embed_text: str
    topics: list[str] = field(default_factory=list)
    offer_kind: str = ""
    audiences: list[str] = field(default_factory=list)
    provider_slug: str = ""
    provider_name: str = ""
    format: str = ""
    region: str = ""


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _labelled(name: str, labels: list[str]) -> str:
    """The line "Themen: A, B", or nothing without labels."""
    return f"{name}: {', '.join(labels)}" if labels else ""


def offer_item(offer: Offer) -> SourceItem:
    topics = list(offer.topics.all())
    audiences = list(offer.audiences.all())
    topic_line = _labelled("Themen", [t.label_de for t in topics])
    audience_line = _labelled("Zielgruppen", [a.label_de for a in audiences])
    kind_label = str(OfferKind(offer.kind).label) if offer.kind in OfferKind.values else ""
    body = _join(
        offer.summary,
        offer.target_description,
        offer.conditions,
        offer.costs,
        offer.legal_basis,
        topic_line,
        audience_line,
        f"Anbieter: {offer.provider.name}",
    )
    # The embedded text names the topics and audiences as the lexical body does: the
    # topic centroids (topics.py) are means of these vectors, and a question about a
    # kind of company ("kleiner Pflegedienst", "Handwerksbetrieb") meets the audience
    # (measured: docs/search.md, "Topics and audiences in the embedded text").
    embed = _join(
        offer.title, offer.summary, topic_line, audience_line, f"Anbieter: {offer.provider.name}"
    )
    return SourceItem(
        network_id=offer.network_id,
        ref=f"offer:{offer.slug}",
        kind="offer",
        slug=offer.slug,
        title=offer.title,
        body=body,
        embed_text=embed,
        topics=[t.slug for t in topics],
        offer_kind=offer.kind or kind_label,
        audiences=[a.slug for a in audiences],
        provider_slug=offer.provider.slug,
        provider_name=offer.provider.name,
        region=offer.region,
    )


def provider_item(provider: Provider) -> SourceItem:
    kind_label = (
        str(ProviderKind(provider.kind).label) if provider.kind in ProviderKind.values else ""
    )
    offers = [o for o in provider.offers.all() if o.is_published]
    offer_topics = {t for o in offers for t in o.topics.all()}
    topics = sorted(t.slug for t in offer_topics)
    offer_titles = "; ".join(o.title for o in offers[:12])
    body = _join(provider.description, f"Angebote: {offer_titles}" if offer_titles else "")
    return SourceItem(
        network_id=provider.network_id,
        ref=f"provider:{provider.slug}",
        kind="provider",
        slug=provider.slug,
        title=provider.name,
        body=body,
        # Its offers' topics: a provider is an answer for what it offers (measured,
        # docs/search.md "Topics and audiences in the embedded text").
        embed_text=_join(
            provider.name,
            kind_label,
            provider.description,
            _labelled("Themen", sorted(t.label_de for t in offer_topics)),
        ),
        topics=topics,
        provider_slug=provider.slug,
        provider_name=provider.name,
        region=provider.region,
    )


def contact_item(contact: Contact) -> SourceItem:
    topics = list(contact.topics.all())
    provider = contact.provider
    title = f"{contact.function} – {provider.name}"
    body = _join(
        contact.name,
        contact.description,
        contact.availability,
        _labelled("Themen", [t.label_de for t in topics]),
    )
    return SourceItem(
        network_id=contact.network_id,
        ref=f"contact:{contact.slug}",
        kind="contact",
        slug=contact.slug,
        title=title,
        body=body,
        embed_text=_join(title, contact.description, body),
        topics=[t.slug for t in topics],
        provider_slug=provider.slug,
        provider_name=provider.name,
        region=provider.region,
    )


def bundled_catalog_path() -> Path:
    return Path(apps.get_app_config("directory").path) / "demo" / "catalog.json"


def events_catalog_path() -> Path | None:
    """The catalog file whose events are indexed, or None when none may be."""
    configured = getattr(settings, "SEARCH_EVENTS_CATALOG", None)
    if configured:
        return Path(configured)
    # The bundled file's events are fictional (`fictional: true`): demo only.
    if getattr(settings, "SEARCH_DEMO_EVENTS", False):
        return bundled_catalog_path()
    return None


def event_start(event: dict[str, object]) -> datetime | date | None:
    """The event's start (`start`: ISO date or date-time), None if missing or invalid."""
    value = event.get("start")
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        if "T" in value:
            return datetime.fromisoformat(value)
        return date.fromisoformat(value)
    except ValueError:
        return None


def event_date_label(start: datetime | date) -> str:
    """German date as shown in results: "14.01.2027" or "14.01.2027, 10:00 Uhr"."""
    if isinstance(start, datetime):
        return f"{start:%d.%m.%Y}, {start:%H:%M} Uhr"
    return f"{start:%d.%m.%Y}"


def catalog_event_items() -> Iterator[SourceItem]:
    """The catalog's dated events, while no app registers events (see module docstring)."""
    if registry.is_registered("event"):
        return
    path = events_catalog_path()
    if path is None or not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    with scopes_disabled():
        networks = {n.region: n for n in Network.objects.exclude(region="")}
        for n in Network.objects.filter(is_nationwide=True):
            networks["bund"] = n
        providers = {(p.network_id, p.slug): p for p in Provider.objects.all()} | {
            ("*", p.slug): p for p in Provider.objects.all()
        }
    for event in data.get("events", []):
        start = event_start(event)
        if start is None:
            continue  # no event result without its date
        network = networks.get(event.get("region", ""))
        if network is None:
            continue
        provider = providers.get((network.pk, event.get("anlaufstelle"))) or providers.get(
            ("*", event.get("anlaufstelle"))
        )
        provider_name = provider.name if provider else ""
        fmt = EVENT_FORMATS.get(event.get("format", ""), event.get("format", ""))
        when = event_date_label(start)
        # The date is part of the title, so every list and link of results shows it.
        title = f"{event['title_de']} ({when})"
        description = event.get("description_de", "")
        yield SourceItem(
            network_id=network.pk,
            ref=f"event:{event['id']}",
            kind="event",
            slug=event["id"],
            title=title,
            body=_join(
                f"Termin: {when}", description, f"Format: {fmt}", f"Veranstalter: {provider_name}"
            ),
            embed_text=_join(title, description, f"Veranstalter: {provider_name}"),
            provider_slug=provider.slug if provider else "",
            provider_name=provider_name,
            format=event.get("format", ""),
            region=event.get("region", ""),
        )


def dated_event(ref: str) -> SourceItem | None:
    """The catalog file's indexable event behind a result's ref, or None if it may not
    be shown (only while no app registers events: see `registry`)."""
    return next((item for item in catalog_event_items() if item.ref == ref), None)


def directory_items(network_id: int | None = None) -> Iterator[SourceItem]:
    """The directory's offers, providers and contacts (of one network, or of all)."""
    where = {} if network_id is None else {"network_id": network_id}
    with scopes_disabled():
        offers = (
            Offer.objects.published()
            .filter(**where)
            .select_related("provider")
            .prefetch_related("topics", "audiences")
        )
        for offer in offers:
            yield offer_item(offer)
        providers = Provider.objects.filter(is_published=True, **where).prefetch_related(
            "offers__topics"
        )
        for provider in providers:
            yield provider_item(provider)
        contacts = (
            Contact.objects.filter(**where).select_related("provider").prefetch_related("topics")
        )
        for contact in contacts:
            if contact.provider.is_published:
                yield contact_item(contact)


def other_items() -> Iterator[SourceItem]:
    """The catalog file's events and the registered kinds' items (all networks)."""
    yield from catalog_event_items()
    with scopes_disabled():
        yield from registry.registered_items()


def all_items() -> Iterator[SourceItem]:
    """Every indexable item of every network (runs unscoped: the index spans networks)."""
    yield from directory_items()
    yield from other_items()


def item_for(kind: str, pk: int) -> SourceItem | None:
    """The current indexable content of one row, or None if it must leave."""
    source = registry.get(kind)
    if source is not None:
        with scopes_disabled():
            return source.item_for(pk)
    with scopes_disabled():
        if kind == "offer":
            offer = (
                Offer.objects.published()
                .select_related("provider")
                .prefetch_related("topics", "audiences")
                .filter(pk=pk)
                .first()
            )
            return offer_item(offer) if offer else None
        if kind == "provider":
            provider = (
                Provider.objects.filter(pk=pk, is_published=True)
                .prefetch_related("offers__topics")
                .first()
            )
            return provider_item(provider) if provider else None
        if kind == "contact":
            contact = (
                Contact.objects.select_related("provider")
                .prefetch_related("topics")
                .filter(pk=pk, provider__is_published=True)
                .first()
            )
            return contact_item(contact) if contact else None
    raise ValueError(f"unknown kind {kind!r}")
