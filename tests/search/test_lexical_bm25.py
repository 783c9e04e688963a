"""The lexical score is the same Okapi BM25 on SQLite and PostgreSQL, from the visible
rows' statistics: another network's rows never change a network's ranking."""

from __future__ import annotations

import math

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.backends import BM25_B, BM25_K1, TermStats, bm25_scores, get_backend
from anlaufstelle.search.engine import (
    SearchOptions,
    inverse_document_frequencies,
    search,
    term_weights,
    word_units,
)
from anlaufstelle.search.models import SearchDocument

TERMS = ["betrieb", "kamm", "ausbild"]


def engine_stats(terms: list[str], ids: list[int]) -> TermStats:
    """The statistics the engine hands to either backend."""
    return TermStats(
        idf=inverse_document_frequencies(terms, ids), avg_length=snapshots.average_length(ids)
    )


def lexical_scores(terms: list[str], ids: list[int]) -> list[tuple[int, float]]:
    return get_backend().search(
        terms, ids, plain=False, limit=50, title_weight=2.0, stats=engine_stats(terms, ids)
    )


def expected_bm25(terms: list[str], ids: list[int]) -> dict[int, float]:
    """BM25 computed here from the visible rows alone: N, document frequencies and the
    average length over them, IDF ln(1 + (N − n + ½) / (n + ½)), a row's length its
    analysed title and body terms, title occurrences counted twice."""
    with scopes_disabled():
        rows = list(
            SearchDocument.objects.filter(network_id__in=ids).values_list(
                "pk", "title_terms", "body_terms"
            )
        )
    split = {pk: (title.split(), body.split()) for pk, title, body in rows}
    n = len(split)
    avg_length = sum(len(t) + len(b) for t, b in split.values()) / n
    df = {term: sum(term in t or term in b for t, b in split.values()) for term in terms}
    idf = {term: math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5)) for term in terms}
    expected = {}
    for pk, (title, body) in split.items():
        length = len(title) + len(body)
        score = 0.0
        for term in terms:
            tf = 2.0 * title.count(term) + body.count(term)
            if tf:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avg_length)
                score += idf[term] * tf * (BM25_K1 + 1) / (tf + norm)
        if score:
            expected[pk] = score
    return expected


def test_both_backends_rank_with_bm25_over_the_visible_rows(search_world):
    """The same scores on either database (the suite runs on both): FTS5 only finds
    the rows; its own bm25() would count every network's rows and the network-id
    column's token."""
    ids = search_world.ids(search_world.feldberg)
    expected = expected_bm25(TERMS, ids)
    got = lexical_scores(TERMS, ids)
    assert {pk: pytest.approx(score, rel=1e-9) for pk, score in got} == expected
    assert [pk for pk, _ in got] == sorted(expected, key=lambda pk: (-expected[pk], pk))
    # The engine hands the statistics to the backend of either database.
    hits = search("Betrieb Kammer Ausbildung", ids, options=SearchOptions.for_mode("lexical"))
    assert {h.doc_id for h in hits.hits} == set(expected)


def test_another_networks_rows_do_not_change_the_lexical_scores(search_world):
    """Region Stuttgart gains rows full of the query's terms: Feldberg's lexical scores
    stay what they were (before, FTS5's whole-table statistics lowered their IDF)."""
    ids = search_world.ids(search_world.feldberg)
    before = lexical_scores(TERMS, ids)
    with scopes_disabled():
        for i in range(6):
            SearchDocument.objects.create(
                network=search_world.stuttgart,
                ref=f"offer:stuttgart-extra-{i}",
                kind="offer",
                slug=f"stuttgart-extra-{i}",
                title="Betrieb Kammer",
                title_terms="betrieb kamm",
                body_terms="betrieb ausbild kamm betrieb " * (i + 1),
            )
    snapshots.invalidate()
    assert len(before) > 2
    after = lexical_scores(TERMS, ids)
    assert [pk for pk, _ in after] == [pk for pk, _ in before]
    assert [score for _, score in after] == pytest.approx([score for _, score in before])


def test_bm25_scores_formula_and_ties():
    """One term, two rows of equal score (ties by id), a title occurrence counted twice."""
    stats = TermStats(idf={"kamm": 2.0}, avg_length=4.0)
    rows = [(7, "kamm", "a b c"), (3, "x", "kamm a b"), (5, "kamm", "kamm a b c d e f")]
    got = dict(bm25_scores(rows, ["kamm"], stats, title_weight=2.0))
    norm4 = BM25_K1 * (1 - BM25_B + BM25_B * 4 / 4.0)
    norm8 = BM25_K1 * (1 - BM25_B + BM25_B * 8 / 4.0)
    assert got[7] == pytest.approx(2.0 * 2 * (BM25_K1 + 1) / (2 + norm4))
    assert got[3] == pytest.approx(2.0 * 1 * (BM25_K1 + 1) / (1 + norm4))
    assert got[5] == pytest.approx(2.0 * 3 * (BM25_K1 + 1) / (3 + norm8))
    tied = bm25_scores([(9, "kamm", "a"), (2, "kamm", "b")], ["kamm"], stats, 2.0)
    assert [pk for pk, _ in tied] == [2, 9]


def test_each_word_of_the_question_counts_once():
    """A compound's parts and a word's synonym group share one word's weight; terms
    no visible row contains take no share; a term of no word weighs 1."""
    units = word_units("Azubi Berufsschule Nachhilfe", SearchOptions().analysis)
    assert units[0] == ("azubi", "syn_azubi")
    assert units[1][1:] == ("beruf", "schul")
    assert units[2] == ("nachhilf", "syn_abh")
    terms = [t for unit in units for t in unit] + ["syn_extra"]
    df = {"azubi": 3, "syn_azubi": 5, "beruf": 9, "schul": 2, "syn_abh": 1, "syn_extra": 4}
    weights = term_weights(units, terms, df)
    assert weights["azubi"] == weights["syn_azubi"] == 0.5
    assert weights["beruf"] == weights["schul"] == 0.5
    assert weights["syn_abh"] == 1.0  # "nachhilf" is in no row
    assert weights["syn_extra"] == 1.0
    # A term two words yield counts at most once, as before.
    assert term_weights([("a",), ("a", "b")], ["a", "b"], {"a": 1, "b": 1})["a"] == 1.0


def test_the_engine_weighs_the_lexical_terms_by_word(search_world):
    """A word with a synonym group no longer counts twice: the engine hands the
    backend idf × the word's share (`SearchOptions.word_weights`)."""
    ids = search_world.ids(search_world.feldberg)
    query = "Auszubildende Kammer"
    on = search(query, ids, options=SearchOptions.for_mode("lexical"))
    off = search(query, ids, options=SearchOptions.for_mode("lexical", word_weights=False))
    units = on.analysis.units
    assert any(len(unit) > 1 for unit in units)
    assert {h.doc_id for h in on.hits} == {h.doc_id for h in off.hits}
    df, _ = snapshots.document_frequencies(ids, on.analysis.terms)
    weights = term_weights(units, on.analysis.terms, df)
    assert weights["syn_azubi"] == 0.5
    idf = inverse_document_frequencies(on.analysis.terms, ids)
    stats = TermStats(
        idf={t: v * weights[t] for t, v in idf.items()}, avg_length=snapshots.average_length(ids)
    )
    expected = get_backend().search(
        on.analysis.terms, ids, plain=False, limit=150, title_weight=2.0, stats=stats
    )
    assert [h.doc_id for h in on.hits] == [pk for pk, _ in expected][: len(on.hits)]
