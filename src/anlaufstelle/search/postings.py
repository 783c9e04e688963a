"""A network's analysed terms as postings in memory, and BM25 over every matching row.

The lexical ranking of the analysed modes (decision 0013). The snapshot of a network
(snapshots.py) already reads every row's analysed terms to count document frequencies;
it keeps them as an inverted index too: per term the rows that hold it, with the number
of times in the title and in the body. A query then scores every visible row that
matches it (a rare term, or all common terms together: `backends.match_groups`) with
Okapi BM25 from the visible rows' statistics — the formula of `backends.bm25_scores`,
summed in the query's order — instead of asking the database for a pool of 300 rows
by its own ranking and reading and splitting their terms again. So the ranking is the
same on SQLite and PostgreSQL at any size (PostgreSQL's ts_rank pool has no IDF and
kept only about half of BM25's best 150 rows at 100,000 rows), and the step costs a few
numpy operations on the postings of the query's terms.

The database's full-text index stays the index of record: the `plain` baseline, the
other ranking methods (`SearchOptions.pg_ranking`) and `lexical_scoring="database"`
use it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from .backends import BM25_B, BM25_K1, TermStats, _clean, match_groups

# Estimated bytes per vocabulary entry (key string, index, dict slot).
VOCABULARY_ENTRY_BYTES = 100
# Occurrences of a term in one field are counted up to this (uint16); BM25 saturates
# long before.
MAX_COUNT = 65_535


@dataclass
class TermPostings:
    """Every row of one network: its analysed terms as postings (rows ascending per term)."""

    ids: np.ndarray  # int64: document id of each row
    lengths: np.ndarray  # float64: analysed terms per row (title + body), BM25's length
    vocabulary: dict[str, int]  # term -> its postings' number
    ptr: np.ndarray  # int64: postings of term t are [ptr[t], ptr[t + 1])
    rows: np.ndarray  # int32: row positions
    title_counts: np.ndarray  # uint16: occurrences in the row's title
    body_counts: np.ndarray  # uint16: occurrences in the row's body

    def nbytes(self) -> int:
        arrays = (self.ids, self.lengths, self.ptr, self.rows, self.title_counts, self.body_counts)
        return sum(a.nbytes for a in arrays) + VOCABULARY_ENTRY_BYTES * len(self.vocabulary)

    def document_frequency(self, term: str) -> int:
        index = self.vocabulary.get(term)
        return 0 if index is None else int(self.ptr[index + 1] - self.ptr[index])

    def bm25(
        self,
        rare: list[str],
        frequent: list[str],
        stats: TermStats,
        title_weight: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document ids, BM25 scores) of the rows that match; unordered.

        A row matches with one of the `rare` terms, or with all `frequent` ones (two or
        more); every query term scores. The same sum as `backends.bm25_scores`: per term
        idf · f · (k1 + 1) / (f + k1 · (1 − b + b · len / avg_len)), f = title_weight ·
        title occurrences + body occurrences, added up in the query's order.
        """
        count = len(self.ids)
        if not count:
            return self.ids, np.zeros(0, dtype=np.float64)
        avg = max(float(stats.avg_length), 1.0)
        scores = np.zeros(count, dtype=np.float64)
        matched = np.zeros(count, dtype=bool)
        together = np.zeros(count, dtype=np.int16) if frequent else None
        norm: np.ndarray | None = None
        rare_set = set(rare)
        for term in [*rare, *frequent]:
            index = self.vocabulary.get(term)
            if index is None:
                continue
            start, end = int(self.ptr[index]), int(self.ptr[index + 1])
            rows = self.rows[start:end]
            if norm is None:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * self.lengths / avg)
            found = title_weight * self.title_counts[start:end] + self.body_counts[start:end]
            idf = float(stats.idf.get(term, 1.0))
            # A term's rows are unique, so the fancy-indexed += adds once per row.
            scores[rows] += idf * found * (BM25_K1 + 1) / (found + norm[rows])
            if term in rare_set:
                matched[rows] = True
            elif together is not None:
                together[rows] += 1
        if together is not None:
            matched |= together == len(frequent)
        positions = np.flatnonzero(matched)
        return self.ids[positions], scores[positions]


class PostingsBuilder:
    """Collects rows one at a time (the snapshot's single pass over them), then builds."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.ids: list[int] = []
        self.lengths = array("i")
        # One entry per (term, row, field): the term's number, the row, the count.
        self._terms = {field: array("i") for field in ("title", "body")}
        self._rows = {field: array("i") for field in ("title", "body")}
        self._counts = {field: array("I") for field in ("title", "body")}

    def add(self, doc_id: int, title_terms: list[str], body_terms: list[str]) -> None:
        row = len(self.ids)
        self.ids.append(int(doc_id))
        self.lengths.append(len(title_terms) + len(body_terms))
        vocabulary = self.vocabulary
        for field, terms in (("title", title_terms), ("body", body_terms)):
            if not terms:
                continue
            counted = Counter(terms)
            # setdefault's default is evaluated first: a new term gets the next number.
            self._terms[field].extend(vocabulary.setdefault(t, len(vocabulary)) for t in counted)
            self._rows[field].extend(repeat(row, len(counted)))
            self._counts[field].extend(counted.values())

    def build(self) -> TermPostings:
        count = len(self.ids)
        width = max(count, 1)
        keys = {
            field: np.frombuffer(self._terms[field], dtype=np.int32).astype(np.int64) * width
            + np.frombuffer(self._rows[field], dtype=np.int32)
            for field in ("title", "body")
        }
        # One posting per (term, row), sorted by term, then row.
        unique, inverse = np.unique(
            np.concatenate([keys["title"], keys["body"]]), return_inverse=True
        )
        split = len(keys["title"])
        counts = {}
        for field, where in (("title", inverse[:split]), ("body", inverse[split:])):
            column = np.zeros(len(unique), dtype=np.uint16)
            raw = np.frombuffer(self._counts[field], dtype=np.uint32)
            column[where] = np.minimum(raw, MAX_COUNT).astype(np.uint16)
            counts[field] = column
        per_term = np.bincount(unique // width, minlength=len(self.vocabulary))
        return TermPostings(
            ids=np.asarray(self.ids, dtype=np.int64),
            lengths=np.frombuffer(self.lengths, dtype=np.int32).astype(np.float64),
            vocabulary=self.vocabulary,
            ptr=np.concatenate([[0], np.cumsum(per_term)]).astype(np.int64),
            rows=(unique % width).astype(np.int32),
            title_counts=counts["title"],
            body_counts=counts["body"],
        )


def rank(
    postings: list[TermPostings],
    terms: list[str],
    *,
    common: list[str] | None,
    stats: TermStats,
    title_weight: float,
    limit: int,
    plain: bool = False,
) -> list[tuple[int, float]]:
    """The `limit` best matching rows of the visible networks' postings, best first,
    ties by document id (as `backends.bm25_scores`); `plain`: raw words, stop words
    left out of the query (`backends._clean`)."""
    terms = _clean(terms, plain)
    if not terms or limit <= 0:
        return []
    rare, frequent = match_groups(terms, common)
    found = [p.bm25(rare, frequent, stats, title_weight) for p in postings]
    ids = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64)
    scores = np.concatenate([f[1] for f in found]) if found else np.zeros(0)
    if len(ids) > limit:
        # Every row that scores at least the limit-th score (ties included), then sorted.
        threshold = -np.partition(-scores, limit - 1)[limit - 1]
        keep = np.flatnonzero(scores >= threshold)
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:limit]
    return [(int(ids[i]), float(scores[i])) for i in order]
