"""Articles, episodes and videos as search sources (through search's registry).

Only published rows are indexed; an unpublished or deleted row leaves the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from html import unescape
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_scopes import scopes_disabled

from anlaufstelle.lib.dates import format_when
from anlaufstelle.search import registry
from anlaufstelle.search.sources import SourceItem

from .models import Article, Episode, MediaItem, Video

_TAGS = re.compile(r"<[^>]+>")
# Kind in the index -> (model, URL name of its page).
KINDS: dict[str, tuple[type[MediaItem], str]] = {
    "article": (Article, "site:mediathek:article"),
    "episode": (Episode, "site:mediathek:episode"),
    "video": (Video, "site:mediathek:video"),
}
LABELS = {
    "article": pgettext_lazy("search result type", "Article"),
    "episode": pgettext_lazy("search result type", "Podcast"),
    "video": pgettext_lazy("search result type", "Video"),
}


def plain(html: str) -> str:
    return unescape(_TAGS.sub(" ", html))


def item_of(kind: str, row: Any) -> SourceItem:
    topics = list(row.topics.all())
    text = {
        "article": lambda: plain(row.body),
        "episode": lambda: plain(row.show_notes) + "\n" + row.transcript[:20_000],
        "video": lambda: row.description,
    }[kind]()
    provider = row.provider
    labels = ", ".join(t.label_de for t in topics)
    return SourceItem(
        network_id=row.network_id,
        ref=f"{kind}:{row.slug}",
        kind=kind,
        slug=row.slug,
        title=row.title,
        body="\n".join(p for p in (row.summary, text, f"Themen: {labels}" if labels else "") if p),
        embed_text="\n".join(p for p in (row.title, row.summary, labels) if p),
        topics=[t.slug for t in topics],
        provider_slug=provider.slug if provider else "",
        provider_name=provider.name if provider else "",
    )


def _items(kind: str) -> Iterator[SourceItem]:
    model = KINDS[kind][0]
    with scopes_disabled():
        rows = (
            model.objects.filter(is_published=True)
            .select_related("provider")
            .prefetch_related("topics")
        )
        for row in rows:
            yield item_of(kind, row)


def _item_for(kind: str, pk: int) -> SourceItem | None:
    model = KINDS[kind][0]
    with scopes_disabled():
        row = model.objects.filter(pk=pk, is_published=True).select_related("provider").first()
        return item_of(kind, row) if row is not None else None


def _url(kind: str, network: Any, doc: Any) -> str:
    try:
        return reverse(KINDS[kind][1], args=[network.slug, doc.slug])
    except NoReverseMatch:
        return ""


def _date(kind: str, doc: Any) -> registry.ResultDate | None:
    """A medium's publication date for its search result ("Veröffentlicht am 03.12.2026")."""
    model = KINDS[kind][0]
    with scopes_disabled():
        row = model.objects.filter(
            network_id=doc.network_id, slug=doc.slug, is_published=True
        ).first()
    if row is None:
        return None
    local = timezone.localtime(row.published_at, timezone.get_default_timezone())
    return registry.ResultDate(
        text=_("Published on %(date)s") % {"date": format_when(local, "short_date")},
        iso=local.date().isoformat(),
    )


def register() -> None:
    for kind, (model, _name) in KINDS.items():
        registry.register_source(
            kind,
            items=partial(_items, kind),
            item_for=partial(_item_for, kind),
            url=partial(_url, kind),
            label=LABELS[kind],
            date=partial(_date, kind),
        )
        registry.watch(model, kind, m2m=[model.topics.through])
