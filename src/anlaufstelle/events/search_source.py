"""The events app's source for the search index (registered in apps.py).

Only published events with a date are indexed; the date is part of the title so every
result list shows when the event is.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anlaufstelle.lib.dates import format_when
from anlaufstelle.networks.models import Network
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.registry import ResultDate
from anlaufstelle.search.sources import SourceItem

from .models import Event, EventStatus

FORMAT_FACETS = {"vor_ort": "vor-ort", "online": "online", "hybrid": "hybrid"}


def date_label(event: Event) -> str:
    local = timezone.localtime(event.starts_at, timezone.get_default_timezone())
    return f"{local:%d.%m.%Y}, {local:%H:%M} Uhr"


def _public() -> QuerySet[Event]:
    return (
        Event.objects.with_scopes_disabled()
        .filter(status=EventStatus.PUBLISHED, starts_at__isnull=False)
        .select_related("provider")
        .prefetch_related("topics")
    )


def event_item(event: Event) -> SourceItem:
    when = date_label(event)
    title = f"{event.title} ({when})"
    topics = list(event.topics.all())
    provider_name = event.provider.name if event.provider else ""
    lines = [
        f"Termin: {when}",
        event.summary,
        event.description,
        f"Ort: {event.place}" if event.place else "",
        "Themen: " + ", ".join(t.label_de for t in topics) if topics else "",
        f"Veranstalter: {provider_name}" if provider_name else "",
    ]
    return SourceItem(
        network_id=event.network_id,
        ref=f"event:{event.slug}",
        kind="event",
        slug=event.slug,
        title=title,
        body="\n".join(line for line in lines if line),
        embed_text="\n".join(p for p in [title, event.summary, event.description[:800]] if p),
        topics=[t.slug for t in topics],
        provider_slug=event.provider.slug if event.provider else "",
        provider_name=provider_name,
        format=FORMAT_FACETS.get(event.format, event.format),
    )


def all_items() -> Iterator[SourceItem]:
    for event in _public():
        yield event_item(event)


def item_for(pk: int) -> SourceItem | None:
    event = _public().filter(pk=pk).first()
    return event_item(event) if event else None


def result_date(doc: SearchDocument) -> ResultDate | None:
    """The event's date and time for its search result ("Termin: 14.01.2027, 10:00 Uhr")."""
    event = _public().filter(network_id=doc.network_id, slug=doc.slug).first()
    if event is None or event.starts_at is None:
        return None
    local = timezone.localtime(event.starts_at, timezone.get_default_timezone())
    # In the page's language (date_label is the indexed German text).
    when = f"{format_when(local, 'short_date')}, {format_when(local, 'time_of_day')}"
    return ResultDate(text=_("Date: %(when)s") % {"when": when}, iso=local.isoformat())


def result_url(network: Network, doc: SearchDocument) -> str:
    """The event's page on the network's site; "" when it is no longer public."""
    event = _public().select_related("network").filter(network_id=doc.network_id, slug=doc.slug)
    found = event.first()
    if found is None:
        return ""
    # A nationwide network's event lives on that network's pages.
    return reverse("site:events:detail", args=[found.network.slug, doc.slug])
