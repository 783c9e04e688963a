"""In-memory, per-process snapshots of each network's index: vectors and vocabulary.

A network searches its own rows plus the nationwide ones — a few thousand vectors —
so a numpy matrix per network, multiplied by the query vector, is fast on SQLite and
PostgreSQL alike and needs no vector extension. Each snapshot remembers the stamp
(row count, latest `updated_at`) it was built from; the stamps of all networks are
read with one grouped query at most every `CHECK_INTERVAL` seconds, and a snapshot
whose stamp changed is rebuilt. So a change written by the task worker (another
process) becomes visible within that interval.

The snapshots also carry each network's words: their union joins the compound
lexicon (the corpus's own vocabulary), and the visible networks' words are the
vocabulary that typos are corrected against.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max
from django_scopes import scopes_disabled

from .analysis import tokenize
from .embedders import get_embedder
from .lexicon import set_corpus_words
from .models import SearchDocument
from .typos import Vocabulary

CHECK_INTERVAL = 1.0

Stamp = tuple[int, str]


@dataclass
class NetworkSnapshot:
    network_id: int
    stamp: Stamp
    ids: np.ndarray  # document ids of the rows with a vector of the current model
    matrix: np.ndarray  # (len(ids), dim) float32, L2-normalised
    words: Counter[str] = field(default_factory=Counter)


_lock = threading.RLock()
_snapshots: dict[int, NetworkSnapshot] = {}
_stamps: dict[int, Stamp] = {}
_stamps_read_at = 0.0
_lexicon_key: tuple[tuple[int, Stamp], ...] | None = None
_vocabularies: dict[tuple[tuple[int, Stamp], ...], Vocabulary] = {}


def invalidate() -> None:
    """Forget every snapshot (after a rebuild in this process, and in tests)."""
    global _stamps_read_at, _lexicon_key
    with _lock:
        _snapshots.clear()
        _stamps.clear()
        _vocabularies.clear()
        _stamps_read_at = 0.0
        _lexicon_key = None


def current_stamps(force: bool = False) -> dict[int, Stamp]:
    global _stamps_read_at
    now = time.monotonic()
    with _lock:
        if force or now - _stamps_read_at > CHECK_INTERVAL:
            with scopes_disabled():
                rows = (
                    SearchDocument.objects.values("network_id")
                    .annotate(n=Count("id"), latest=Max("updated_at"))
                    .order_by()
                )
                fresh = {r["network_id"]: (r["n"], str(r["latest"])) for r in rows}
            _stamps.clear()
            _stamps.update(fresh)
            _stamps_read_at = now
        return dict(_stamps)


def _build(network_id: int, stamp: Stamp) -> NetworkSnapshot:
    embedder = get_embedder()
    model_id = embedder.model_id if embedder else None
    ids: list[int] = []
    vectors: list[bytes] = []
    words: Counter[str] = Counter()
    with scopes_disabled():
        rows = SearchDocument.objects.filter(network_id=network_id).values_list(
            "id", "title", "body", "vector", "model_id"
        )
        for pk, title, body, vector, row_model in rows.iterator(chunk_size=2000):
            words.update(tokenize(title))
            words.update(tokenize(body))
            if model_id and vector is not None and row_model == model_id:
                ids.append(pk)
                vectors.append(bytes(vector))
    if vectors:
        matrix = np.frombuffer(b"".join(vectors), dtype="<f4").reshape(len(vectors), -1)
    else:
        matrix = np.zeros((0, embedder.dimension if embedder else 0), dtype=np.float32)
    return NetworkSnapshot(
        network_id=network_id,
        stamp=stamp,
        ids=np.asarray(ids, dtype=np.int64),
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        words=words,
    )


def snapshot(network_id: int) -> NetworkSnapshot:
    """The up-to-date snapshot of one network's rows (empty if it has none)."""
    stamps = current_stamps()
    stamp = stamps.get(network_id, (0, ""))
    with _lock:
        snap = _snapshots.get(network_id)
        if snap is None or snap.stamp != stamp:
            snap = _build(network_id, stamp)
            _snapshots[network_id] = snap
        return snap


def ensure_lexicon() -> None:
    """Make the compound lexicon contain the words of every network's indexed rows."""
    global _lexicon_key
    stamps = current_stamps()
    key = tuple(sorted(stamps.items()))
    if key == _lexicon_key:
        return
    words: set[str] = set()
    for network_id in stamps:
        words.update(snapshot(network_id).words)
    with _lock:
        set_corpus_words(words)
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
            if len(_vocabularies) > 32:
                _vocabularies.clear()
            _vocabularies[key] = vocab
        return vocab


def semantic_scores(
    network_ids: list[int], query_vector: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(document ids, cosine scores) over the visible networks' rows."""
    all_ids = []
    all_scores = []
    for network_id in network_ids:
        snap = snapshot(network_id)
        if len(snap.ids):
            all_ids.append(snap.ids)
            all_scores.append(snap.matrix @ query_vector)
    if not all_ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(all_ids), np.concatenate(all_scores)


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
