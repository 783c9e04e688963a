"""In-memory, per-process snapshots of each network's index: vectors and vocabulary.

A network searches its own rows plus the nationwide ones — a few thousand vectors —
so a numpy matrix per network, multiplied by the query vector, is fast on SQLite and
PostgreSQL alike and needs no vector extension. A process builds a network's
snapshot when it first searches that network, and keeps the snapshots it uses within
`SEARCH_SNAPSHOT_BUDGET_MB` (least recently used ones are dropped first).

Each snapshot remembers the stamp (row count, version) it was built from. The stamps
come from `SearchIndexState`, one row per network that database triggers keep in step
with every write, read at most every `CHECK_INTERVAL` seconds; a snapshot whose stamp
changed is rebuilt. So a change written by the task worker (another process) becomes
visible within that interval.

The snapshots also carry each network's words: the visible networks' words are the
vocabulary that typos are corrected against. The compound lexicon's corpus words (the
words of every network) come from the table `SearchCorpusWord` instead, reloaded when
its version (the state row of network 0) changes.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from .analysis import tokenize
from .blas import single_threaded_blas
from .candidates import CANDIDATE_BYTES, CANDIDATE_COLUMNS, Candidate, candidate
from .dense import DenseIndex, DenseScores
from .embedders import bytes_to_sparse, get_embedder
from .lexicon import corpus_words, fold, set_corpus_words
from .models import SearchCorpusWord, SearchDocument, SearchIndexState
from .postings import PostingsBuilder, TermPostings
from .typos import Vocabulary

CHECK_INTERVAL = 1.0
# Default of SEARCH_SNAPSHOT_BUDGET_MB: ~1.3 MiB per network of 300 offers (with vectors
# and latent terms), so about 200 networks per process (docs/scaling.md).
DEFAULT_BUDGET_MB = 256
# Estimated bytes per entry of a word counter (key string, count, table slot).
COUNTER_ENTRY_BYTES = 120

Stamp = tuple[int, str]


@dataclass
class NetworkSnapshot:
    network_id: int
    stamp: Stamp
    ids: np.ndarray  # document ids of the rows with a vector of the current model
    matrix: np.ndarray  # (len(ids), dim) float32, L2-normalised
    words: Counter[str] = field(default_factory=Counter)
    # Document frequency of each analysed index term (title_terms + body_terms).
    term_df: Counter[str] = field(default_factory=Counter)
    # Number of analysed terms over all rows (BM25's average row length).
    term_count: int = 0
    # Sparse latent-term vectors as an inverted index over the rows of `matrix`: the
    # postings of feature f are sparse_rows/sparse_weights[sparse_ptr[f]:sparse_ptr[f+1]].
    sparse_ptr: np.ndarray | None = None
    sparse_rows: np.ndarray | None = None
    sparse_weights: np.ndarray | None = None
    # The dense matrix with what a large network needs for a prefiltered product (dense.py).
    dense: DenseIndex | None = None
    # Every row's analysed terms as postings: the lexical ranking (postings.py).
    postings: TermPostings | None = None
    # What the ranking needs of each row (kind, labels, title terms), by document id.
    candidates: dict[int, Candidate] = field(default_factory=dict)
    # Every row's raw words as postings: the `plain` baseline's index (plain_postings).
    plain: TermPostings | None = None

    def nbytes(self) -> int:
        """Estimated memory of this snapshot (arrays exactly, word counters roughly)."""
        arrays = [self.ids, self.sparse_ptr, self.sparse_rows, self.sparse_weights]
        size = sum(a.nbytes for a in arrays if a is not None)
        size += self.dense.nbytes() if self.dense is not None else self.matrix.nbytes
        size += self.postings.nbytes() if self.postings is not None else 0
        size += CANDIDATE_BYTES * len(self.candidates)
        size += self.plain.nbytes() if self.plain is not None else 0
        counters = len(self.words) + len(self.term_df)
        return size + COUNTER_ENTRY_BYTES * counters

    def dense_index(self) -> DenseIndex:
        if self.dense is None:
            self.dense = DenseIndex.build(self.matrix)
        return self.dense

    def sparse_scores(self, indices: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
        """Dot product of a sparse query with every row (None without sparse vectors).

        Only the postings of the query's features are touched (a few hundred thousand
        entries at 100,000 rows), summed per row with one `bincount`.
        """
        if self.sparse_ptr is None or self.sparse_rows is None or self.sparse_weights is None:
            return None
        known = indices < len(self.sparse_ptr) - 1
        indices, weights = indices[known], weights[known]
        starts = self.sparse_ptr[indices]
        lengths = self.sparse_ptr[indices + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(len(self.ids), dtype=np.float64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = offsets + np.arange(total)
        return np.bincount(
            self.sparse_rows[positions],
            weights=self.sparse_weights[positions] * np.repeat(weights, lengths),
            minlength=len(self.ids),
        )


_lock = threading.RLock()
_snapshots: OrderedDict[int, NetworkSnapshot] = OrderedDict()  # least recently used first
_snapshot_bytes: dict[int, int] = {}
_stamps: dict[int, Stamp] = {}
_lexicon_stamp: Stamp | None = None
_stamps_read_at = 0.0
_UNLOADED: Stamp = (-1, "")
_lexicon_key: Stamp | None = _UNLOADED
# Typo vocabularies per set of visible networks (~3 MiB each at 450 rows: the words and
# their one-letter deletions), least recently used first; at most VOCABULARIES kept.
VOCABULARIES = 32
_vocabularies: OrderedDict[tuple[tuple[int, Stamp], ...], Vocabulary] = OrderedDict()


def invalidate() -> None:
    """Forget every snapshot (after a rebuild in this process, and in tests)."""
    global _stamps_read_at, _lexicon_key, _lexicon_stamp
    with _lock:
        _snapshots.clear()
        _snapshot_bytes.clear()
        _stamps.clear()
        _vocabularies.clear()
        _stamps_read_at = 0.0
        _lexicon_key = _UNLOADED
        _lexicon_stamp = None


def recheck() -> None:
    """Read the stamps again on the next search: this process has just written rows.

    Other processes see a write within CHECK_INTERVAL; the writing process (a request
    that saved an offer, a test) sees it at once, on the lexical side as before the
    lexical ranking moved into the snapshots (postings.py)."""
    global _stamps_read_at
    with _lock:
        _stamps_read_at = 0.0


def _read_stamps() -> tuple[dict[int, Stamp], Stamp | None]:
    """(network id -> stamp, the lexicon's stamp) from SearchIndexState: one small read."""
    table = SearchIndexState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT network_id, rows, version, changed_at FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    stamps: dict[int, Stamp] = {}
    lexicon: Stamp | None = None
    for network_id, count, version, changed_at in rows:
        stamp = (int(count), f"{version}:{changed_at}")
        if network_id == SearchIndexState.LEXICON:
            lexicon = stamp
        elif count:
            stamps[int(network_id)] = stamp
    return stamps, lexicon


def current_stamps(force: bool = False) -> dict[int, Stamp]:
    global _stamps_read_at, _lexicon_stamp
    now = time.monotonic()
    with _lock:
        if force or now - _stamps_read_at > CHECK_INTERVAL:
            fresh, lexicon = _read_stamps()
            _stamps.clear()
            _stamps.update(fresh)
            _lexicon_stamp = lexicon
            _stamps_read_at = now
        return dict(_stamps)


def sees_every_row(network_ids: list[int]) -> bool:
    """True when the visible networks hold every indexed row (one network per
    installation, or a search over all of them), as far as the stamps know."""
    stamps = current_stamps()
    return bool(stamps) and set(stamps) <= set(network_ids)


def budget_bytes() -> int:
    """SEARCH_SNAPSHOT_BUDGET_MB in bytes (0 or less: no limit)."""
    budget = getattr(settings, "SEARCH_SNAPSHOT_BUDGET_MB", DEFAULT_BUDGET_MB)
    return int(float(budget) * 1024 * 1024) if budget else 0


def memory() -> dict[str, int]:
    """What this process holds: snapshots, their estimated bytes, corpus words."""
    with _lock:
        return {
            "snapshots": len(_snapshots),
            "snapshot_bytes": sum(_snapshot_bytes.values()),
            "corpus_words": len(corpus_words()),
            "vocabularies": len(_vocabularies),
        }


def _build(network_id: int, stamp: Stamp) -> NetworkSnapshot:
    embedder = get_embedder()
    model_id = embedder.model_id if embedder else None
    ids: list[int] = []
    vectors: list[bytes] = []
    sparse_features: list[np.ndarray] = []
    sparse_values: list[np.ndarray] = []
    sparse_row_ids: list[np.ndarray] = []
    words: Counter[str] = Counter()
    postings = PostingsBuilder()
    with scopes_disabled():
        rows = SearchDocument.objects.filter(network_id=network_id).values_list(
            "id",
            "title",
            "body",
            "title_terms",
            "body_terms",
            "vector",
            "sparse",
            "model_id",
            *CANDIDATE_COLUMNS,
        )
        term_df: Counter[str] = Counter()
        term_count = 0
        rows_of: dict[int, Candidate] = {}
        for (
            pk,
            title,
            body,
            title_terms,
            body_terms,
            vector,
            sparse,
            row_model,
            *facets,
        ) in rows.iterator(chunk_size=2000):
            kind, audiences, topics, offer_kind, provider_slug, slug = facets
            rows_of[pk] = candidate(
                network_id,
                title_terms,
                sys.intern(kind),
                audiences,
                topics,
                sys.intern(offer_kind or ""),
                sys.intern(provider_slug or ""),
                slug,
            )
            raw = tokenize(title) + tokenize(body)
            words.update(raw)
            title_list, body_list = title_terms.split(), body_terms.split()
            term_df.update(set(title_list) | set(body_list))
            term_count += len(title_list) + len(body_list)
            postings.add(pk, title_list, body_list)
            if model_id and vector is not None and row_model == model_id:
                if sparse is not None:
                    feature_ids, values = bytes_to_sparse(sparse)
                    sparse_features.append(feature_ids)
                    sparse_values.append(values)
                    sparse_row_ids.append(np.full(len(feature_ids), len(ids), dtype=np.int32))
                ids.append(pk)
                vectors.append(bytes(vector))
    if vectors:
        matrix = np.frombuffer(b"".join(vectors), dtype="<f4").reshape(len(vectors), -1)
    else:
        matrix = np.zeros((0, embedder.dimension if embedder else 0), dtype=np.float32)
    snap = NetworkSnapshot(
        network_id=network_id,
        stamp=stamp,
        ids=np.asarray(ids, dtype=np.int64),
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        words=words,
        term_df=term_df,
        term_count=term_count,
        postings=postings.build(),
        candidates=rows_of,
    )
    snap.dense_index()
    if sparse_features:
        dimension = int(getattr(embedder, "sparse_dimension", 0)) or 1 + int(
            max(f.max() for f in sparse_features if len(f))
        )
        features = np.concatenate(sparse_features)
        order = np.argsort(features, kind="stable")
        snap.sparse_rows = np.concatenate(sparse_row_ids)[order]
        snap.sparse_weights = np.concatenate(sparse_values).astype(np.float32)[order]
        counts = np.bincount(features, minlength=dimension)
        snap.sparse_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return snap


def snapshot(network_id: int) -> NetworkSnapshot:
    """The up-to-date snapshot of one network's rows (empty if it has none)."""
    stamps = current_stamps()
    stamp = stamps.get(network_id, (0, ""))
    with _lock:
        snap = _snapshots.get(network_id)
        if snap is None or snap.stamp != stamp:
            snap = _build(network_id, stamp)
            _snapshots[network_id] = snap
            _snapshot_bytes[network_id] = snap.nbytes()
            _evict(keep=network_id)
        _snapshots.move_to_end(network_id)
        return snap


def _evict(keep: int) -> None:
    """Drop the least recently used snapshots beyond the budget (never `keep`)."""
    budget = budget_bytes()
    if not budget:
        return
    total = sum(_snapshot_bytes.values())
    while total > budget and len(_snapshots) > 1:
        oldest = next(iter(_snapshots))
        if oldest == keep:
            _snapshots.move_to_end(oldest)
            oldest = next(iter(_snapshots))
            if oldest == keep:
                break
        _snapshots.pop(oldest)
        total -= _snapshot_bytes.pop(oldest, 0)


def ensure_lexicon(force: bool = False) -> None:
    """Make the compound lexicon contain the corpus words of every network's rows.

    They are read from `SearchCorpusWord` (one query) when its version changed, not
    from the snapshots: a process loads only the networks it searches.
    """
    global _lexicon_key
    current_stamps(force=force)
    key = _lexicon_stamp
    if key == _lexicon_key and not force:
        return
    with scopes_disabled():
        words = list(SearchCorpusWord.objects.values_list("word", flat=True))
    with _lock:
        set_corpus_words(sys.intern(w) for w in words)
        _lexicon_key = key


def vocabulary(network_ids: list[int]) -> Vocabulary:
    """The words of the visible networks' rows, for typo correction."""
    snaps = [snapshot(n) for n in network_ids]
    key = tuple(sorted((s.network_id, s.stamp) for s in snaps))
    with _lock:
        vocab = _vocabularies.get(key)
        if vocab is None:
            counts: Counter[str] = Counter()
            for snap in snaps:
                counts.update(snap.words)
            vocab = Vocabulary(counts)
            _vocabularies[key] = vocab
            while len(_vocabularies) > VOCABULARIES:
                _vocabularies.popitem(last=False)
        _vocabularies.move_to_end(key)
        return vocab


def plain_words(text: str) -> list[str]:
    """The words of a text as the `plain` analysis gives a query's (lower case, folded)."""
    return [fold(word) for word in tokenize(text or "")]


def plain_postings(network_id: int) -> TermPostings:
    """The network's raw words as postings, for the `plain` baseline only: built from the
    database on its first use, so that other processes never hold them."""
    snap = snapshot(network_id)
    if snap.plain is None:
        builder = PostingsBuilder()
        with scopes_disabled():
            rows = SearchDocument.objects.filter(network_id=network_id).values_list(
                "id", "title", "body"
            )
            for pk, title, body in rows.iterator(chunk_size=2000):
                builder.add(pk, plain_words(title), plain_words(body))
        with _lock:
            if snap.plain is None:
                snap.plain = builder.build()
                if _snapshots.get(network_id) is snap:
                    _snapshot_bytes[network_id] = snap.nbytes()
    return snap.plain


def document_frequencies(
    network_ids: list[int], terms: list[str], *, plain: bool = False
) -> tuple[dict[str, int], int]:
    """({term: number of visible rows containing it}, number of visible rows); `plain`:
    of the raw words rather than the analysed terms."""
    snaps = [snapshot(n) for n in network_ids]
    total = sum(s.stamp[0] for s in snaps)
    if plain:
        tables = [plain_postings(n) for n in network_ids]
        # The raw words are indexed folded (plain_words): "geflüchtete" is "gefluchtete".
        return {t: sum(p.document_frequency(fold(t)) for p in tables) for t in terms}, total
    counts = [s.term_df for s in snaps]
    return {t: sum(c.get(t, 0) for c in counts) for t in terms}, total


def term_postings(network_ids: list[int], *, plain: bool = False) -> list[TermPostings]:
    """The visible networks' term postings (postings.py), one per network with rows;
    `plain`: of their raw words."""
    if plain:
        return [p for p in (plain_postings(n) for n in network_ids) if len(p.ids)]
    snaps = [snapshot(n) for n in network_ids]
    return [s.postings for s in snaps if s.postings is not None and len(s.postings.ids)]


def candidate_rows(network_ids: list[int], doc_ids: Iterable[int]) -> dict[int, Candidate]:
    """{document id: Candidate} of those of `doc_ids` that the visible snapshots hold
    (the ids come from the snapshots: the rows are of the same version)."""
    tables = [snapshot(n).candidates for n in network_ids]
    out: dict[int, Candidate] = {}
    for doc_id in doc_ids:
        for table in tables:
            row = table.get(doc_id)
            if row is not None:
                out[doc_id] = row
                break
    return out


def average_length(network_ids: list[int], *, plain: bool = False) -> float:
    """Mean number of analysed terms (title + body) per visible row (0 without rows);
    `plain`: of raw words."""
    snaps = [snapshot(n) for n in network_ids]
    rows = sum(s.stamp[0] for s in snaps)
    if plain:
        words = sum(float(plain_postings(n).lengths.sum()) for n in network_ids)
        return words / rows if rows else 0.0
    return sum(s.term_count for s in snaps) / rows if rows else 0.0


@dataclass
class SemanticScores:
    """Scores of a query against every visible row.

    `cosines` are exact except in the segments of networks scored with a prefilter
    (`parts`: (dense index, first position, end position)), where they are approximate
    until `refine` makes the wanted positions exact. `mean`/`std` are the exact
    statistics of the cosines over all visible rows in either case.
    """

    ids: np.ndarray
    cosines: np.ndarray
    sparse: np.ndarray | None
    mean: float
    std: float
    query: np.ndarray
    parts: list[tuple[DenseIndex, int, int]] = field(default_factory=list)

    @property
    def approximate(self) -> bool:
        return bool(self.parts)

    def refine(self, positions: np.ndarray) -> None:
        """Replace the approximate cosines at `positions` by exact ones."""
        for index, start, end in self.parts:
            # In row order: reading the rows front to back is a third faster at 100,000
            # rows than in score order (the prefetcher follows).
            mine = np.sort(positions[(positions >= start) & (positions < end)])
            if len(mine):
                self.cosines[mine] = index.exact(self.query, mine - start)


@dataclass
class EarlyDense:
    """The dense scores of a query vector against the visible snapshots, computed while
    the model's sparse pass still ran (engine.search); `score_rows` uses those whose
    snapshot is still the current one."""

    vector: np.ndarray
    scores: dict[int, tuple[NetworkSnapshot, DenseScores]]


def visible(network_ids: list[int]) -> dict[int, NetworkSnapshot]:
    """The up-to-date snapshots of the visible networks that have rows."""
    snaps = {network_id: snapshot(network_id) for network_id in network_ids}
    return {network_id: snap for network_id, snap in snaps.items() if len(snap.ids)}


def dense_scores(snaps: dict[int, NetworkSnapshot], query_vector: np.ndarray) -> EarlyDense:
    """Dense scores against snapshots the caller has already resolved (`visible`).

    No database access: it runs in the embedding thread (engine.search), where a
    connection would stay open for the life of the process (and keep PostgreSQL from
    dropping a test database)."""
    single_threaded_blas()
    query = np.asarray(query_vector, dtype=np.float32)
    scores = {
        network_id: (snap, snap.dense_index().scores(query)) for network_id, snap in snaps.items()
    }
    return EarlyDense(query, scores)


@dataclass
class EarlySparse:
    """The latent-term scores of a query's sparse vector against the visible snapshots,
    computed in the model's sparse thread while the dense scores are computed in the
    other (engine.search); `score_rows` uses those whose snapshot is still current."""

    vector: tuple[np.ndarray, np.ndarray]
    scores: dict[int, tuple[NetworkSnapshot, np.ndarray | None]]

    def matches(self, vector: tuple[np.ndarray, np.ndarray]) -> bool:
        indices, weights = vector
        return np.array_equal(self.vector[0], indices) and np.array_equal(self.vector[1], weights)


def sparse_scores(
    snaps: dict[int, NetworkSnapshot], query_sparse: tuple[np.ndarray, np.ndarray]
) -> EarlySparse:
    """Latent-term scores against snapshots the caller has already resolved (`visible`);
    no database access (it runs in the model's sparse thread, see `dense_scores`)."""
    scores = {
        network_id: (snap, snap.sparse_scores(*query_sparse)) for network_id, snap in snaps.items()
    }
    return EarlySparse(query_sparse, scores)


def score_rows(
    network_ids: list[int],
    query_vector: np.ndarray,
    query_sparse: tuple[np.ndarray, np.ndarray] | None = None,
    early: EarlyDense | None = None,
    early_sparse: EarlySparse | None = None,
) -> SemanticScores:
    """Dense (and sparse) scores of the query against every visible row.

    The sparse scores are None unless the query has a sparse vector and every visible
    snapshot has sparse rows (a half-sparse ranking would be biased by network).
    `early`: dense scores already computed for this vector (`dense_scores`);
    `early_sparse`: latent-term scores already computed (`sparse_scores`).
    """
    single_threaded_blas()  # see blas.py: spinning BLAS threads slow the next embedding
    query = np.asarray(query_vector, dtype=np.float32)
    if early is not None and not np.array_equal(early.vector, query):
        early = None
    if early_sparse is not None and (
        query_sparse is None or not early_sparse.matches(query_sparse)
    ):
        early_sparse = None
    all_ids = []
    all_scores = []
    all_sparse: list[np.ndarray | None] = []
    parts: list[tuple[DenseIndex, int, int]] = []
    count, total, squares, position = 0, 0.0, 0.0, 0
    for network_id in network_ids:
        snap = snapshot(network_id)
        rows = len(snap.ids)
        if not rows:
            continue
        index = snap.dense_index()
        known = early.scores.get(network_id) if early is not None else None
        dense = known[1] if known is not None and known[0] is snap else index.scores(query)
        if dense.approximate:
            parts.append((index, position, position + rows))
        all_ids.append(snap.ids)
        all_scores.append(dense.cosines)
        all_sparse.append(_latent_scores(snap, network_id, query_sparse, early_sparse))
        count += rows
        total += rows * dense.mean
        squares += rows * (dense.std**2 + dense.mean**2)
        position += rows
    if not all_ids:
        empty = np.zeros(0, dtype=np.float32)
        return SemanticScores(np.zeros(0, dtype=np.int64), empty, None, 0.0, 0.0, query)
    sparse: np.ndarray | None = None
    present = [s for s in all_sparse if s is not None]
    if present and len(present) == len(all_sparse):
        sparse = np.concatenate(present)
    mean = total / count
    std = max(squares / count - mean * mean, 0.0) ** 0.5
    return SemanticScores(
        np.concatenate(all_ids), np.concatenate(all_scores), sparse, mean, std, query, parts
    )


def _latent_scores(
    snap: NetworkSnapshot,
    network_id: int,
    query_sparse: tuple[np.ndarray, np.ndarray] | None,
    early: EarlySparse | None,
) -> np.ndarray | None:
    if query_sparse is None:
        return None
    known = early.scores.get(network_id) if early is not None else None
    return known[1] if known is not None and known[0] is snap else snap.sparse_scores(*query_sparse)


def vectors_for(network_ids: list[int], doc_ids: list[int]) -> np.ndarray:
    """The stored vectors of `doc_ids` (those that have one), as rows."""
    wanted = set(doc_ids)
    rows = []
    for network_id in network_ids:
        snap = snapshot(network_id)
        if not len(snap.ids) or not wanted:
            continue
        mask = np.isin(snap.ids, list(wanted))
        if mask.any():
            rows.append(snap.matrix[mask])
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(rows)
