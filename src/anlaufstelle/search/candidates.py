"""What the ranking needs to know of each candidate row, in one query.

The engine re-ranks up to 300 candidates per search (kind, topics, audiences, title
terms, provider). Read through the ORM this cost two queries for the providers and one
for the rest, with a JSON decode per field and row: about a quarter of a hybrid search
at 100,000 rows once the vector product was prefiltered (docs/search.md). One plain
query per call, and label lists decoded once per distinct value, do the same work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

TABLE = "search_searchdocument"
COLUMNS = "id, network_id, title_terms, kind, audiences, topics, offer_kind, provider_slug, slug"
CHUNK = 900  # ids per query: below SQLite's limit of host parameters


@dataclass(frozen=True, slots=True)
class Candidate:
    network_id: int
    title_terms: str
    kind: str
    audiences: tuple[str, ...]
    topics: tuple[str, ...]
    offer_kind: str
    provider_slug: str
    slug: str


@lru_cache(maxsize=4096)
def _labels_from_text(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


@lru_cache(maxsize=4096)
def _shared(labels: tuple[str, ...]) -> tuple[str, ...]:
    return labels


def _labels(value: object) -> tuple[str, ...]:
    """A JSON label list as SQLite (text) or PostgreSQL's driver (a list) returns it;
    equal lists share one tuple (a snapshot keeps one per row)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return _labels_from_text(value)
    return _shared(tuple(value)) if isinstance(value, list | tuple) else ()


# The columns of a snapshot's rows that make a Candidate (after the id and network id).
CANDIDATE_COLUMNS = ("kind", "audiences", "topics", "offer_kind", "provider_slug", "slug")
# Estimated bytes of one Candidate kept in a snapshot (object, title terms, slugs, dict slot).
CANDIDATE_BYTES = 400


def candidate(
    network_id: int,
    title_terms: str | None,
    kind: str,
    audiences: object,
    topics: object,
    offer_kind: str | None,
    provider_slug: str | None,
    slug: str | None,
) -> Candidate:
    """A Candidate from one row's columns (label lists as text or as decoded lists)."""
    return Candidate(
        int(network_id),
        title_terms or "",
        kind,
        _labels(audiences),
        _labels(topics),
        offer_kind or "",
        provider_slug or "",
        slug or "",
    )


def _rows(sql: str, params: list) -> dict[int, Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(row[0]): candidate(*row[1:]) for row in cursor.fetchall()}


def load(doc_ids: Iterable[int]) -> dict[int, Candidate]:
    """{document id: Candidate} of the rows that exist (no scope: ids come from the index)."""
    ids = sorted({int(pk) for pk in doc_ids})
    out: dict[int, Candidate] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        out.update(_rows(f"SELECT {COLUMNS} FROM {TABLE} WHERE id IN ({marks})", chunk))  # noqa: S608
    return out


def providers(network_ids: list[int], slugs: set[str]) -> dict[int, Candidate]:
    """The provider rows of these slugs in these networks."""
    if not network_ids or not slugs:
        return {}
    nets = ", ".join(["%s"] * len(network_ids))
    names = ", ".join(["%s"] * len(slugs))
    sql = (
        f"SELECT {COLUMNS} FROM {TABLE} WHERE kind = 'provider' "  # noqa: S608
        f"AND network_id IN ({nets}) AND slug IN ({names})"
    )
    return _rows(sql, [*network_ids, *sorted(slugs)])
