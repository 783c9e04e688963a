"""Sources that other apps register: search indexes them without importing those apps.

An app (events, Mediathek, …) tells search in its `AppConfig.ready()` what it indexes:

    from anlaufstelle.search import registry
    registry.register_source(
        "event",
        items=all_event_items,        # () -> Iterable[SourceItem], every indexable row
        item_for=event_item_for,      # (pk) -> SourceItem | None (None: must leave the index)
        url=event_url,                # (network, SearchDocument) -> str ("" when gone)
        label=pgettext_lazy("search result type", "Event"),
        date=event_date,              # optional: (SearchDocument) -> ResultDate | None
    )
    registry.watch(Event, "event")   # re-index on save/delete (after commit)

`sources.all_items()`/`sources.item_for()` and `queries.result_url()` consult the
registry for every registered kind; the directory's own kinds stay built in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

if TYPE_CHECKING:
    from anlaufstelle.networks.models import Network

    from .models import SearchDocument
    from .sources import SourceItem

BUILT_IN_KINDS = frozenset({"offer", "provider", "contact"})


@dataclass(frozen=True)
class ResultDate:
    """The date a result shows beside its type: `text` for people, `iso` for <time>."""

    text: str
    iso: str


@dataclass(frozen=True)
class Source:
    kind: str
    items: Callable[[], Iterable[SourceItem]]
    item_for: Callable[[int], SourceItem | None]
    url: Callable[[Network, SearchDocument], str]
    label: Any  # str or lazy translation: the result type shown to visitors
    # The result's date (an event's next date, a medium's publication), None without one.
    date: Callable[[SearchDocument], ResultDate | None] | None = None


def result_date(doc: SearchDocument) -> ResultDate | None:
    source = _SOURCES.get(doc.kind)
    return source.date(doc) if source is not None and source.date is not None else None


_SOURCES: dict[str, Source] = {}


def register_source(
    kind: str,
    *,
    items: Callable[[], Iterable[SourceItem]],
    item_for: Callable[[int], SourceItem | None],
    url: Callable[[Network, SearchDocument], str],
    label: Any,
    date: Callable[[SearchDocument], ResultDate | None] | None = None,
) -> Source:
    """Add (or replace: `ready()` may run twice in tests) the source of one kind."""
    if kind in BUILT_IN_KINDS:
        raise ValueError(f"{kind!r} is a built-in kind of the directory")
    source = Source(kind=kind, items=items, item_for=item_for, url=url, label=label, date=date)
    _SOURCES[kind] = source
    return source


def get(kind: str) -> Source | None:
    return _SOURCES.get(kind)


def is_registered(kind: str) -> bool:
    return kind in _SOURCES


def sources() -> list[Source]:
    return list(_SOURCES.values())


def registered_items() -> Iterator[SourceItem]:
    for source in sources():
        yield from source.items()


@contextmanager
def unregistered(kind: str) -> Iterator[None]:
    """Tests: act as if no app registered `kind` (e.g. to test the catalog file source)."""
    source = _SOURCES.pop(kind, None)
    try:
        yield
    finally:
        if source is not None:
            _SOURCES[kind] = source


# -- index updates -----------------------------------------------------------------


def _enabled() -> bool:
    return getattr(settings, "SEARCH_AUTO_INDEX", True)


def _slug_ref(kind: str) -> Callable[[Any], str]:
    return lambda instance: f"{kind}:{instance.slug}"


def watch(
    model: type[Model],
    kind: str,
    *,
    ref: Callable[[Any], str] | None = None,
    m2m: Iterable[Any] = (),
) -> None:
    """Re-index a row of `model` after it is saved, drop its document after a delete.

    `ref` gives the document reference of a row (default `"<kind>:<slug>"`); `m2m` lists
    many-to-many fields' `through` models whose changes also re-index (e.g. topics).
    Updates are queued after the transaction commits, like the directory's.
    """
    make_ref = ref or _slug_ref(kind)
    uid = f"search-registry-{kind}-{model._meta.label_lower}"

    def enqueue_update(instance: Any) -> None:
        from .tasks import update_document

        args = (kind, instance.pk, instance.network_id, make_ref(instance))
        transaction.on_commit(lambda: update_document.enqueue(*args))

    def on_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw and _enabled():
            enqueue_update(instance)

    def on_delete(sender: type, instance: Any, **kwargs: Any) -> None:
        if not _enabled():
            return
        from .tasks import remove_document

        args = (instance.network_id, make_ref(instance))
        transaction.on_commit(lambda: remove_document.enqueue(*args))

    def on_m2m(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
        if action.startswith("post_") and _enabled() and isinstance(instance, model):
            enqueue_update(instance)

    post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"{uid}-save")
    post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
    for through in m2m:
        m2m_changed.connect(
            on_m2m, sender=through, weak=False, dispatch_uid=f"{uid}-m2m-{through._meta.label}"
        )
