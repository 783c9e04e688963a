"""A synonym token (`syn_azubi`) is one term on both databases (the suite runs on both).

FTS5 keeps it whole (`tokenchars '_'`); PostgreSQL's parser split it at the underscore
into `syn` and `azubi` until migration 0009, so the query's token was the phrase
`'syn' <-> 'azubi'` and a plain `azubi` matched rows that only hold the group token.
"""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.search.backends import BM25_B, BM25_K1, TermStats, get_backend
from anlaufstelle.search.models import SearchDocument

# (slug, title terms, body terms): the stored analysed terms, as `analyse` writes them.
ROWS = [
    ("azubi", "azubi syn_azubi wohnheim", "zimm betrieb syn_azubi"),
    ("lehrling", "lehrling syn_azubi", "kamm betrieb"),
    ("kammer", "handwerkskamm handwerk kamm syn_hwk", "beruf syn_ausland betrieb"),
    ("zuschuss", "zuschuss syn_zuschuss", "hwk einstell betrieb kamm"),
]


@pytest.fixture
def rows(db) -> dict[str, int]:
    """Row id by slug, and the network's id under "network"."""
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        network = Network.objects.create(slug="lexeme", name="Lexeme", region="lexeme")
        pks = {
            slug: SearchDocument.objects.create(
                network=network,
                ref=f"offer:{slug}",
                kind="offer",
                slug=slug,
                title=slug,
                title_terms=title,
                body_terms=body,
            ).pk
            for slug, title, body in ROWS
        }
    pks["network"] = network.pk
    return pks


def stats_of(terms: list[str]) -> TermStats:
    """BM25 statistics of the fixture's rows, computed here (N, df, average length)."""
    split = [(t.split(), b.split()) for _, t, b in ROWS]
    n = len(split)
    df = {term: sum(term in t or term in b for t, b in split) for term in terms}
    return TermStats(
        idf={term: math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5)) for term in terms},
        avg_length=sum(len(t) + len(b) for t, b in split) / n,
    )


def expected_scores(terms: list[str], common: list[str]) -> dict[str, float]:
    """BM25 (title occurrences twice) of the rows that match the way FTS5 matches:
    one rare term, or all common terms together; a term is a whole stored term."""
    stats = stats_of(terms)
    rare = [t for t in terms if t not in common] or terms
    together = [t for t in terms if t in common] if len(rare) < len(terms) else []
    together = together if len(together) > 1 else []  # a single common term is left out
    out = {}
    for slug, title, body in ROWS:
        title_terms, body_terms = title.split(), body.split()
        present = set(title_terms) | set(body_terms)
        if not (present & set(rare) or (len(together) > 1 and set(together) <= present)):
            continue
        length = len(title_terms) + len(body_terms)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / stats.avg_length)
        score = 0.0
        for term in [*rare, *together]:
            tf = 2.0 * title_terms.count(term) + body_terms.count(term)
            if tf:
                score += stats.idf[term] * tf * (BM25_K1 + 1) / (tf + norm)
        out[slug] = score
    return out


def lexical(rows, terms, common=None, method="bm25"):
    stats = stats_of(terms)
    stats = TermStats(idf=stats.idf, avg_length=stats.avg_length, method=method)
    slugs = {pk: slug for slug, pk in rows.items() if slug != "network"}
    found = get_backend().search(
        terms, [rows["network"]], plain=False, limit=50, common=common, stats=stats
    )
    return [(slugs[pk], score) for pk, score in found]


def test_a_synonym_token_finds_the_rows_of_its_group_only(rows):
    """`syn_azubi` finds both rows of the group, not the rows with other groups'
    tokens; the bare word `azubi` finds the row that has the word, not the row that
    only has the group's token ("Lehrling"), nor `hwk` the row of `syn_hwk`."""
    assert {slug for slug, _ in lexical(rows, ["syn_azubi"])} == {"azubi", "lehrling"}
    assert {slug for slug, _ in lexical(rows, ["azubi"])} == {"azubi"}
    assert {slug for slug, _ in lexical(rows, ["hwk"])} == {"zuschuss"}
    assert {slug for slug, _ in lexical(rows, ["syn_hwk", "syn_ausland"])} == {"kammer"}
    # The first stage alone (ts_rank / FTS5's bm25(), no statistics) matches alike.
    slugs = {pk: slug for slug, pk in rows.items() if slug != "network"}
    for terms, expected in ((["azubi"], {"azubi"}), (["syn_azubi"], {"azubi", "lehrling"})):
        found = get_backend().search(terms, [rows["network"]], plain=False, limit=50)
        assert {slugs[pk] for pk, _ in found} == expected
        found = lexical(rows, terms, method="idf")
        assert {slug for slug, _ in found} == expected


@pytest.mark.parametrize(
    ("terms", "common"),
    [
        (["azubi", "hwk"], []),
        (["azubi", "syn_azubi", "kamm", "betrieb"], []),
        (["azubi", "syn_azubi", "kamm"], ["syn_azubi", "kamm"]),
        (["wohnheim", "syn_azubi", "syn_hwk", "betrieb"], ["syn_azubi", "syn_hwk", "betrieb"]),
    ],
)
def test_both_databases_give_the_same_lexical_scores(rows, terms, common):
    """The same rows with the same BM25 on SQLite and PostgreSQL (checked against the
    scores computed here): before, PostgreSQL also listed rows that hold no query
    term but a group token containing one (score 0)."""
    expected = expected_scores(terms, common)
    got = lexical(rows, terms, common=common)
    assert {slug: pytest.approx(score, rel=1e-9) for slug, score in got} == expected
    assert [slug for slug, _ in got] == sorted(expected, key=lambda s: (-expected[s], rows[s]))


def test_the_postgresql_tsvector_holds_a_synonym_token_as_one_lexeme(rows):
    """Title terms weight A, body terms weight B, one position per analysed term."""
    if connection.vendor != "postgresql":
        pytest.skip("the tsvector column is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT terms_tsv::text FROM search_searchdocument WHERE id = %s", [rows["lehrling"]]
        )
        vector = cursor.fetchone()[0]
        cursor.execute(
            "SELECT array_agg(lexeme ORDER BY lexeme) FROM search_searchdocument, "
            "unnest(terms_tsv) WHERE id = %s",
            [rows["kammer"]],
        )
        lexemes = cursor.fetchone()[0]
    assert vector == "'betrieb':4B 'kamm':3B 'lehrling':1A 'syn0azubi':2A"
    assert lexemes == sorted(
        ["handwerkskamm", "handwerk", "kamm", "syn0hwk", "beruf", "syn0ausland", "betrieb"]
    )
