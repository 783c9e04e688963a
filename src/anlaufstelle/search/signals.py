"""Keep the index in step with the directory: changes enqueue a background update.

An offer's document carries its provider's name and a provider's document lists its
offers' titles, so a change to one enqueues the other as well. The update is queued
after the transaction commits (a rolled-back change never reaches the index).
Bulk jobs switch this off with `SEARCH_AUTO_INDEX = False` and run `rebuild_index`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.test.signals import setting_changed

from anlaufstelle.directory.models import Contact, Offer, Provider

KINDS: dict[type, str] = {Offer: "offer", Provider: "provider", Contact: "contact"}


def _enabled() -> bool:
    return getattr(settings, "SEARCH_AUTO_INDEX", True)


def enqueue_update(instance: Any) -> None:
    from .tasks import update_document

    kind = KINDS[type(instance)]
    args = (kind, instance.pk, instance.network_id, f"{kind}:{instance.slug}")
    transaction.on_commit(lambda: update_document.enqueue(*args))


@receiver(post_save, sender=Offer)
@receiver(post_save, sender=Provider)
@receiver(post_save, sender=Contact)
def on_save(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _enabled():
        return
    enqueue_update(instance)
    if isinstance(instance, Offer):
        enqueue_update(instance.provider)
    elif isinstance(instance, Provider):
        for offer in Offer.objects.with_scopes_disabled().filter(provider=instance):
            enqueue_update(offer)


@receiver(m2m_changed, sender=Offer.topics.through)
@receiver(m2m_changed, sender=Offer.audiences.through)
@receiver(m2m_changed, sender=Contact.topics.through)
def on_m2m(sender: type, instance: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and _enabled() and type(instance) in KINDS:
        enqueue_update(instance)
        if isinstance(instance, Offer):
            # The provider's row holds its offers' topics (facets and embedded text).
            enqueue_update(instance.provider)


@receiver(post_delete, sender=Offer)
@receiver(post_delete, sender=Provider)
@receiver(post_delete, sender=Contact)
def on_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not _enabled():
        return
    from .tasks import remove_document

    kind = KINDS[type(instance)]
    args = (instance.network_id, f"{kind}:{instance.slug}")
    transaction.on_commit(lambda: remove_document.enqueue(*args))


@receiver(post_save, sender="search.SynonymEntry")
@receiver(post_delete, sender="search.SynonymEntry")
def on_synonyms_changed(**kwargs: Any) -> None:
    """A coordinator's group applies at this process's next search (others: within 1 s)."""
    from .engine import forget_network_synonyms

    forget_network_synonyms()


@receiver(setting_changed)
def on_embedder_setting_changed(setting: str, **kwargs: Any) -> None:
    """A changed SEARCH_EMBEDDER* setting (tests, `override_settings`) takes effect at once
    instead of leaving the process on the embedder it happened to build first."""
    if not setting.startswith("SEARCH_EMBEDDER"):
        return
    from .embedders import get_embedder
    from .engine import clear_query_cache

    get_embedder.cache_clear()
    clear_query_cache()
