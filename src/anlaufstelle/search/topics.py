"""Topic and audience affinity: how close a question is to each topic of the collection.

A question such as "finde keinen Koch für die Saison" names no topic, and the offers
that answer it ("Arbeitgeber-Service", "Welcome Center") may share few words with it.
But the question lies near the *topic* "Personalgewinnung" as a whole: near the mean
of the vectors of every item labelled with it. So each label (topic or audience) gets
a centroid — the normalised mean of the stored vectors of the visible rows carrying it
— and a question is scored against the centroids. The affinity of an item is that of
its best label, as a z-score over the labels (how much more this topic fits than the
typical one). It is a signal of the collection itself: no list of words, no text per
topic; a new topic gets its centroid as soon as items carry it.

The centroids are cached per set of visible networks and rebuilt when a snapshot
changes (the same stamps as the vectors). Per query the cost is one small matrix
product (labels × dimension) and a look-up per candidate.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import numpy as np
from django_scopes import scopes_disabled

from . import snapshots
from .analysis import analyse, stem
from .lexicon import fold, load_stopwords
from .models import SearchDocument
from .synonyms import builtin_synonyms

FIELDS = ("topics", "audiences")
# Labels carried by fewer rows than this get no centroid (too noisy to describe a topic),
# and labels that say nothing about the content ("alle", "kmu") by more than this share.
MIN_ROWS = 3
MAX_SHARE = 0.5


@dataclass
class LabelIndex:
    labels: list[str]
    centroids: np.ndarray  # (len(labels), dim), L2-normalised
    members: dict[int, list[int]]  # document id -> indices into labels


_lock = threading.Lock()
_cache: dict[tuple[str, tuple[tuple[int, snapshots.Stamp], ...]], LabelIndex] = {}


def _build(network_ids: list[int], field: str) -> LabelIndex:
    snaps = [snapshots.snapshot(n) for n in network_ids]
    snaps = [s for s in snaps if len(s.ids)]
    if not snaps:
        return LabelIndex([], np.zeros((0, 0), dtype=np.float32), {})
    ids = np.concatenate([s.ids for s in snaps])
    matrix = np.vstack([s.matrix for s in snaps])
    row_of = {int(pk): i for i, pk in enumerate(ids)}
    with scopes_disabled():
        rows = SearchDocument.objects.filter(pk__in=row_of).values_list("pk", field)
        labels_of = {pk: list(values or []) for pk, values in rows}
    counts: dict[str, int] = {}
    for values in labels_of.values():
        for label in set(values):
            counts[label] = counts.get(label, 0) + 1
    carrying = sum(1 for values in labels_of.values() if values) or 1
    labels = sorted(
        label for label, n in counts.items() if n >= MIN_ROWS and n <= MAX_SHARE * carrying
    )
    position = {label: i for i, label in enumerate(labels)}
    sums = np.zeros((len(labels), matrix.shape[1]), dtype=np.float64)
    members: dict[int, list[int]] = {}
    for pk, values in labels_of.items():
        mine = sorted({position[v] for v in values if v in position})
        if not mine:
            continue
        members[pk] = mine
        sums[mine] += matrix[row_of[pk]]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return LabelIndex(labels, (sums / norms).astype(np.float32), members)


def label_index(network_ids: list[int], field: str = "topics") -> LabelIndex:
    """The centroids of `field`'s labels over the visible networks' rows (cached)."""
    stamps = snapshots.current_stamps()
    key = (field, tuple(sorted((n, stamps.get(n, (0, ""))) for n in network_ids)))
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    built = _build(network_ids, field)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = built
    return built


def affinities(
    network_ids: list[int], vector: np.ndarray, doc_ids: list[int], field: str = "topics"
) -> dict[int, float]:
    """{document id: z-score of its best label's similarity to the question} for the
    `doc_ids` that carry a label with a centroid (others are left out)."""
    index = label_index(network_ids, field)
    if len(index.labels) < 2:
        return {}
    sims = index.centroids @ np.asarray(vector, dtype=np.float32)
    std = float(sims.std()) or 1.0
    z = ((sims - float(sims.mean())) / std).tolist()
    out = {}
    for doc_id in doc_ids:
        mine = index.members.get(doc_id)
        if mine is not None:
            out[doc_id] = max(z[i] for i in mine)
    return out


def invalidate() -> None:
    with _lock:
        _cache.clear()
    _labels.clear()


# ---------------------------------------------------------------- labels named by a query

LABELS_TTL = 60.0
SPLIT_RE = re.compile(r"\s*(?:&|/|,|\bund\b)\s*")
MIN_PREFIX = 4  # a label's stem names a query word that starts with it ("wohn" → "wohnung")


@dataclass(frozen=True)
class Alternative:
    """One alternative of a label ("Wohnen & Mobilität" has two): named by a query whose
    terms contain one of its phrase groups, or that covers each of its words (by the
    word's stem, a term starting with it, or one of the word's synonym groups)."""

    phrase_groups: frozenset[str]
    words: tuple[tuple[str, frozenset[str]], ...]  # (stem, the word's own groups)

    def named_by(self, terms: set[str], prefixes: set[str]) -> bool:
        """`prefixes`: every prefix of at least MIN_PREFIX letters of the terms."""
        if self.phrase_groups & terms:
            return True
        if not self.words:
            return False
        return all(
            stem_ in terms or (groups and groups & terms) or stem_ in prefixes
            for stem_, groups in self.words
        )


_labels: dict[str, tuple[float, dict[str, list[Alternative]]]] = {}


def _label_rules(field: str) -> dict[str, list[Alternative]]:
    """{slug: [Alternative]} of `field`'s labels (cached for `LABELS_TTL` seconds)."""
    now = time.monotonic()
    cached = _labels.get(field)
    if cached is not None and now - cached[0] < LABELS_TTL:
        return cached[1]
    from anlaufstelle.directory.models import Audience, Topic

    model = Topic if field == "topics" else Audience
    stop = load_stopwords()
    synonyms = builtin_synonyms()
    rules: dict[str, list[Alternative]] = {}
    with scopes_disabled():
        labels = list(model.objects.values_list("slug", "label_de"))
    for slug, label in labels:
        for part in SPLIT_RE.split(label or ""):
            if not part.strip():
                continue
            analysed = analyse(part)
            words = []
            single: set[str] = set()
            for word in analysed.words:
                if fold(word) in stop or len(word) < 3:
                    continue
                groups = frozenset(synonyms.groups_in([fold(word)]))
                single |= groups
                words.append((stem(word), groups))
            phrase = frozenset(analysed.groups) - single
            if phrase or words:
                rules.setdefault(slug, []).append(Alternative(phrase, tuple(words)))
    _labels[field] = (now, rules)
    return rules


def named(field: str, terms: set[str]) -> frozenset[str]:
    """The slugs of `field`'s labels (topics or audiences) that a query with the
    analysed `terms` names (see `Alternative`)."""
    prefixes = {t[:k] for t in terms for k in range(MIN_PREFIX, len(t) + 1)}
    return frozenset(
        slug
        for slug, alternatives in _label_rules(field).items()
        if any(alt.named_by(terms, prefixes) for alt in alternatives)
    )
