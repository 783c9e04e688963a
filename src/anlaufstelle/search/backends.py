"""Lexical backends with one contract: ranked (document id, score) pairs, best first.

- SQLite: two FTS5 tables kept in step with `search_searchdocument` by triggers
  (migration 0002): `search_fts` over the analysed terms (tokenchars "_" keeps the
  synonym tokens whole) and `search_fts_plain` over the raw title and body (FTS5's
  default unicode61 tokenizer: the `plain` baseline). Ranking is FTS5's BM25 with the
  title weighted above the body.
- PostgreSQL: GIN expression indexes over `to_tsvector('simple', …)` of the same
  columns, ranked with `ts_rank` (title weight A, body weight B). The analysed terms
  are already stemmed by the same Snowball German stemmer that PostgreSQL's `german`
  configuration uses, and decompounded, which PostgreSQL cannot do; running `german`
  over them would stem the stems again, so the analysed columns use `simple`, which
  keeps both backends' matching identical (see docs/decisions/0003-search.md).

Both OR the query terms: colloquial questions never contain every word of an offer.
"""

from __future__ import annotations

import re
from typing import Protocol

from django.db import connection

SAFE_TERM = re.compile(r"^[0-9a-zäöüß_]+$")


class LexicalBackend(Protocol):
    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float,
    ) -> list[tuple[int, float]]: ...


def _clean(terms: list[str]) -> list[str]:
    seen: list[str] = []
    for term in terms:
        term = term.lower()
        if SAFE_TERM.match(term) and term not in seen:
            seen.append(term)
    return seen[:64]


class SQLiteFTS5Backend:
    name = "sqlite-fts5"

    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float = 2.0,
    ) -> list[tuple[int, float]]:
        terms = _clean(terms)
        if not terms or not network_ids:
            return []
        table = "search_fts_plain" if plain else "search_fts"
        match = " OR ".join(f'"{t}"' for t in terms)
        weight = float(title_weight)
        placeholders = ",".join("%s" for _ in network_ids)
        sql = (
            f"SELECT d.id, bm25({table}, {weight:.3f}, 1.0) AS rank "  # noqa: S608
            f"FROM {table} JOIN search_searchdocument d ON d.id = {table}.rowid "
            f"WHERE {table} MATCH %s AND d.network_id IN ({placeholders}) "
            f"ORDER BY rank LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, *network_ids, int(limit)])
            # FTS5's bm25() is negative, lower is better: flip it.
            return [(int(pk), -float(rank)) for pk, rank in cursor.fetchall()]


PG_VECTOR = {
    False: (
        "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, body_terms), 'B'))"
    ),
    True: (
        "(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, body), 'B'))"
    ),
}


class PostgresFTSBackend:
    name = "postgresql-fts"

    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float = 2.0,
    ) -> list[tuple[int, float]]:
        terms = _clean(terms)
        if not terms or not network_ids:
            return []
        vector = PG_VECTOR[plain]
        tsquery = " | ".join(f"'{t}'" for t in terms)
        # ts_rank weights are {D, C, B, A}, each at most 1: the title (A) gets 1 and
        # the body (B) 1/title_weight, the same ratio as FTS5's column weights.
        body = 1.0 / max(float(title_weight), 1.0)
        weights = f"'{{{0.1 * body:.4f}, {0.2 * body:.4f}, {body:.4f}, 1.0}}'"
        sql = (
            f"SELECT d.id, ts_rank({weights}::float4[], {vector}, q) AS rank "  # noqa: S608
            f"FROM search_searchdocument d, to_tsquery('simple'::regconfig, %s) q "
            f"WHERE {vector} @@ q AND d.network_id = ANY(%s) "
            f"ORDER BY rank DESC, d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [tsquery, list(network_ids), int(limit)])
            return [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]


def get_backend() -> LexicalBackend:
    """The lexical backend of the configured database."""
    if connection.vendor == "postgresql":
        return PostgresFTSBackend()
    if connection.vendor == "sqlite":
        return SQLiteFTS5Backend()
    raise RuntimeError(f"No lexical search backend for {connection.vendor}")
