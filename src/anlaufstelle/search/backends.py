"""Lexical backends with one contract: ranked (document id, score) pairs, best first.

- SQLite: two FTS5 tables kept in step with `search_searchdocument` by triggers
  (migrations 0002, 0004): `search_fts` over the analysed terms (tokenchars "_" keeps
  the synonym tokens whole) and `search_fts_plain` over the raw title and body (FTS5's
  default unicode61 tokenizer: the `plain` baseline), each with the row's network id
  as a third column that scopes the MATCH. FTS5's bm25() picks the best rows; the
  analysed terms are then ranked with BM25 from the visible rows' statistics
  (`TermStats`, `bm25_scores`), as on PostgreSQL: FTS5's own statistics cover the
  whole table, every network's rows.
- PostgreSQL: stored generated `tsvector` columns (`to_tsvector('simple', …)` of the
  same columns; migration 0004; the analysed one kept in the table row, 0005, with "_"
  read as "0" so a synonym token is one lexeme, 0009: `pg_lexeme`) with GIN
  indexes that find the matching rows; `ts_rank` picks the best of them and the
  analysed terms are ranked with the same BM25 as on SQLite (`bm25_scores`, from the
  stored terms and the visible rows' statistics), `plain` with `ts_rank` (title
  weight A, body weight B). The analysed terms are already stemmed by the
  same Snowball German stemmer that PostgreSQL's `german` configuration uses, and
  decompounded, which PostgreSQL cannot do; running `german` over
  them would stem the stems again, so the analysed columns use `simple`, which keeps
  both backends' matching identical (see docs/decisions/0003-search.md).

Both OR the query terms: colloquial questions never contain every word of an offer;
terms that are in a large share of the rows can only score, not match alone (see
`match_groups`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction

from .lexicon import fold, load_stopwords

SAFE_TERM = re.compile(r"^[0-9a-zäöüß_]+$")

# BM25's constants, FTS5's (sqlite/ext/fts5/fts5_aux.c).
BM25_K1 = 1.2
BM25_B = 0.75
# Rows ranked again with BM25 from the visible rows' statistics: the best POOL × limit
# by the database's own ranking (PostgreSQL: ts_rank, no IDF; SQLite: FTS5's bm25()
# over the whole table), 300 rows for the engine's 150 candidates. The dev questions
# measure the same with 1, 2 and 4; the BM25 stage's time grows with the pool
# (docs/search.md).
POOL = 2


@dataclass(frozen=True)
class TermStats:
    """Statistics of the visible rows that the BM25 of both backends needs from outside.

    `idf`: term -> inverse document frequency; `avg_length`: mean number of analysed
    terms per row (title + body); `method`: "bm25" (Okapi BM25 as FTS5 computes it) or
    "idf" (Σ idf(t) · ts_rank(t), the earlier approximation, kept for comparison).
    """

    idf: dict[str, float]
    avg_length: float
    method: str = "bm25"


class LexicalBackend(Protocol):
    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float,
        common: list[str] | None = None,
        stats: TermStats | None = None,
        everything_visible: bool = False,
    ) -> list[tuple[int, float]]: ...


def match_groups(terms: list[str], common: list[str] | None) -> tuple[list[str], list[str]]:
    """(terms that match, common terms that must all be present to match alone).

    The "common terms" rule of large indexes: a term that is in a large share of the
    rows matches tens of thousands of them at 100,000 items, and ranking all of those
    is what made a lexical query slow, while such a term adds little to BM25 (low IDF).
    So a row must contain one of the query's rare terms; two or more common terms
    still make a row a candidate when it has all of them (and then score), a single
    common term is left out like a stop word. A query of common terms only is OR'ed as
    before.
    """
    common_set = set(common or ())
    rare = [t for t in terms if t not in common_set]
    frequent = [t for t in terms if t in common_set]
    if not rare:
        return frequent, []
    return rare, frequent if len(frequent) > 1 else []


def _clean(terms: list[str], plain: bool = False) -> list[str]:
    """Safe, unique, at most 64 terms. `plain` (the portal baseline's raw words) leaves
    out the German stop words, as PostgreSQL's "german" configuration or a search
    server's German analyser would: "für", "der", "in" match nearly every row, and
    ranking all of them made the baseline slow on large indexes (940 ms p95 at 100,000
    rows on PostgreSQL) while adding nothing to its ranking. A query of stop words only
    keeps them."""
    seen: list[str] = []
    for term in terms:
        term = term.lower()
        if SAFE_TERM.match(term) and term not in seen:
            seen.append(term)
    if plain:
        stop = load_stopwords()
        seen = [t for t in seen if fold(t) not in stop] or seen
    return seen[:64]


def bm25_scores(
    rows: list[tuple[int, str, str]],
    terms: list[str],
    stats: TermStats,
    title_weight: float,
) -> list[tuple[int, float]]:
    """Okapi BM25 of (id, title terms, body terms) rows, best first, ties by id.

    Per query term idf(t) · f·(k1+1) / (f + k1·(1 − b + b·len/avg_len)) with f =
    title_weight · (occurrences in the title) + (occurrences in the body) and len the
    row's analysed terms (title + body) — FTS5's formula with the visible rows'
    statistics. Both backends rank their pooled rows with it.
    """
    avg = max(float(stats.avg_length), 1.0)
    weights = [(t, float(stats.idf.get(t, 1.0))) for t in terms]
    wanted = {t for t, _ in weights}
    out = []
    for pk, title, body in rows:
        # One pass over the row's terms, counting only the query's (a third faster than
        # counting each " term " in the text). len = the row's analysed terms, as
        # PostgreSQL's cardinality(string_to_array(…, ' ')).
        title_terms = title.split() if title else []
        body_terms = body.split() if body else []
        norm = BM25_K1 * (1 - BM25_B + BM25_B * (len(title_terms) + len(body_terms)) / avg)
        found: dict[str, float] = {}
        for term in title_terms:
            if term in wanted:
                found[term] = found.get(term, 0.0) + title_weight
        for term in body_terms:
            if term in wanted:
                found[term] = found.get(term, 0.0) + 1.0
        score = 0.0
        if found:
            for term, idf in weights:  # in the query's order: the same sum on both databases
                f = found.get(term)
                if f:
                    score += idf * f * (BM25_K1 + 1) / (f + norm)
        out.append((int(pk), score))
    out.sort(key=lambda item: (-item[1], item[0]))
    return out


class SQLiteFTS5Backend:
    name = "sqlite-fts5"
    needs_stats = True

    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float = 2.0,
        common: list[str] | None = None,
        stats: TermStats | None = None,
        everything_visible: bool = False,
    ) -> list[tuple[int, float]]:
        """FTS5 finds the matching rows; with the visible rows' `stats` (analysed terms
        only) its bm25() picks the best POOL × limit of them and BM25 is computed again
        from their stored terms with those statistics, as on PostgreSQL. FTS5's own
        bm25() counts rows and terms over the whole table — every network's rows, and
        the network-id column's token in each row's length — so another network's
        content changed a network's ranking (docs/decisions/0009, addendum 12)."""
        terms = _clean(terms, plain)
        if not terms or not network_ids:
            return []
        table = "search_fts_plain" if plain else "search_fts"
        rare, frequent = match_groups(terms, common)
        match = " OR ".join(f'"{t}"' for t in rare)
        if frequent:
            # The common terms are in the expression (so BM25 scores them) but only
            # all together can they make a row a candidate.
            together = " AND ".join(f'"{t}"' for t in frequent)
            match = f"({match}) OR ({together})"
        weight = float(title_weight)
        # The scope is part of the MATCH (the network_id column, weight 0 in bm25):
        # FTS5 intersects it with the terms itself, no join per matching row.
        # When the visible networks hold every row, the scope would only cost time:
        # intersecting with a network's postings read all of them (about 5 ms of 15 at
        # 100,000 rows in one network). The network ids are still read and checked, so a
        # network added since the stamps were read stays out.
        scope = " OR ".join(f'"{int(n)}"' for n in network_ids)
        expression = f"({match})" if everything_visible else f"({match}) AND network_id : ({scope})"
        sql = (
            f"SELECT rowid, bm25({table}, {weight:.3f}, 1.0, 0.0) AS rank "  # noqa: S608
            f"FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT %s"
        )
        rescore = stats is not None and stats.method == "bm25" and not plain
        pool = int(limit) * POOL if rescore else int(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, pool])
            # FTS5's bm25() is negative, lower is better: flip it.
            ranked = [(int(pk), -float(rank)) for pk, rank in cursor.fetchall()]
            if not ranked or not (rescore or everything_visible):
                return ranked
            ids = [pk for pk, _ in ranked]
            cursor.execute(
                "SELECT id, network_id, title_terms, body_terms "  # noqa: S608
                f"FROM search_searchdocument WHERE id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
            visible = set(network_ids)
            rows = {pk: (pk, t, b) for pk, net, t, b in cursor.fetchall() if net in visible}
        if not rescore or stats is None:
            return [(pk, score) for pk, score in ranked if pk in rows]
        return bm25_scores(list(rows.values()), [*rare, *frequent], stats, weight)[: int(limit)]


# Stored generated columns (migration 0004): title weight A, body weight B.
PG_VECTOR = {False: "d.terms_tsv", True: "d.plain_tsv"}


def pg_lexeme(term: str) -> str:
    """An analysed term as the one lexeme `terms_tsv` holds for it (migration 0009).

    PostgreSQL's parser splits a word at "_", so a synonym token `syn_azubi` was the
    lexemes `syn` and `azubi` and the query's term the phrase `'syn' <-> 'azubi'`;
    `syn0azubi` stays one word. No analysed term has a digit after a letter, so
    the mapped token never meets a real term."""
    return term.replace("_", "0")


# The planner's cost of a random page read during the lexical query (at most this;
# PostgreSQL's default is 4, meant for spinning disks). With 4 it read all 10,000 rows
# sequentially and tested each tsvector against the query rather than use the GIN
# index once a third of them matched: ~40 ms instead of 10-25 (docs/search.md).
PG_RANDOM_PAGE_COST = 1.1


class PostgresFTSBackend:
    name = "postgresql-fts"
    needs_stats = True

    def search(
        self,
        terms: list[str],
        network_ids: list[int],
        *,
        plain: bool,
        limit: int,
        title_weight: float = 2.0,
        common: list[str] | None = None,
        stats: TermStats | None = None,
        everything_visible: bool = False,  # the network filter costs nothing here
    ) -> list[tuple[int, float]]:
        """Match with the GIN-indexed tsvector; rank with `ts_rank`, or — given the
        visible rows' `stats` (analysed terms only) — with BM25 like FTS5.

        `ts_rank` knows term frequency and the title/body weights but no IDF and no
        saturation against the row's length, so a word in every row counted as much as
        a programme name and long texts won by repetition. BM25 (`bm25_scores`, the
        same as on SQLite) is computed from the stored analysed text of the best
        POOL × limit rows by ts_rank.

        Where the time goes at 100,000 rows (docs/search.md): the first stage reads
        every matching row's tsvector (kept in the row, migration 0005) and ranks it;
        it returns ids only, so nothing else of the up to ~15,000 matching rows is
        read. Only the pooled rows' analysed text is fetched again by primary key.
        """
        terms = _clean(terms, plain)
        if not terms or not network_ids:
            return []
        vector = PG_VECTOR[plain]
        rare, frequent = match_groups(terms, common)
        # The raw words of `plain` never hold "_"; BM25 below reads the stored terms.
        lexeme = (lambda t: t) if plain else pg_lexeme
        tsquery = " | ".join(f"'{lexeme(t)}'" for t in rare)
        if frequent:
            together = " & ".join(f"'{lexeme(t)}'" for t in frequent)
            tsquery = f"({tsquery}) | ({together})"
        # ts_rank weights are {D, C, B, A}, each at most 1: the title (A) gets 1 and
        # the body (B) 1/title_weight, the same ratio as FTS5's column weights.
        body = 1.0 / max(float(title_weight), 1.0)
        weights = f"'{{{0.1 * body:.4f}, {0.2 * body:.4f}, {body:.4f}, 1.0}}'::float4[]"
        match = (
            f"FROM search_searchdocument d, to_tsquery('simple'::regconfig, %s) q "
            f"WHERE {vector} @@ q AND d.network_id = ANY(%s) "
        )
        params: list[Any] = [tsquery, list(network_ids)]
        scored = [*rare, *frequent]
        python_bm25 = False
        if stats is None or plain:
            sql = (
                f"SELECT d.id, ts_rank({weights}, {vector}, q) AS rank {match}"  # noqa: S608
                f"ORDER BY rank DESC, d.id LIMIT %s"
            )
            params.append(int(limit))
        else:
            # The pool: ids only (a wider row would be carried through the sort of
            # every matching row), then the pooled rows again by primary key.
            pool = (
                f"WITH pool AS MATERIALIZED (SELECT d.id {match}"  # noqa: S608
                f"ORDER BY ts_rank({weights}, {vector}, q) DESC, d.id "
                f"LIMIT {int(limit) * POOL}) "
            )
            if stats.method == "bm25":
                # BM25 in Python over the pooled rows' stored terms, as on SQLite: the
                # same numbers as the earlier SQL (string_to_array, array_positions per
                # term and row) and 13 → 6 ms of the query at 100,000 rows.
                sql = (
                    f"{pool}SELECT s.id, s.title_terms, s.body_terms FROM pool p "  # noqa: S608
                    f"JOIN search_searchdocument s ON s.id = p.id"
                )
                python_bm25 = True
            else:
                idf = [float(stats.idf.get(t, 1.0)) for t in scored]
                # Σ idf(t) · ts_rank(t) over the pool (one ts_rank per term and row).
                rank = " + ".join(
                    f"%s::float8 * ts_rank({weights}, {vector}, "
                    f"to_tsquery('simple'::regconfig, %s))"
                    for _ in scored
                )
                sql = (
                    f"{pool}SELECT d.id, {rank} AS rank FROM pool p "  # noqa: S608
                    f"JOIN search_searchdocument d ON d.id = p.id "
                    f"ORDER BY rank DESC, d.id LIMIT %s"
                )
                params += [
                    p for t, w in zip(scored, idf, strict=True) for p in (w, f"'{lexeme(t)}'")
                ]
                params.append(int(limit))
        # SET LOCAL needs a transaction; inside a caller's transaction the previous
        # value is restored afterwards, so the setting never outlives this query.
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('random_page_cost'), set_config('random_page_cost', "
                "least(current_setting('random_page_cost')::float8, %s)::text, true)",
                [PG_RANDOM_PAGE_COST],
            )
            previous = cursor.fetchone()[0]
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if python_bm25 and stats is not None:
                rows = bm25_scores(rows, scored, stats, float(title_weight))[: int(limit)]
            if nested:
                cursor.execute("SELECT set_config('random_page_cost', %s, true)", [previous])
        return [(int(pk), float(rank)) for pk, rank in rows]


def get_backend() -> LexicalBackend:
    """The lexical backend of the configured database."""
    if connection.vendor == "postgresql":
        return PostgresFTSBackend()
    if connection.vendor == "sqlite":
        return SQLiteFTS5Backend()
    raise RuntimeError(f"No lexical search backend for {connection.vendor}")
