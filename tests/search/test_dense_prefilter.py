"""The dense prefilter of large networks (search/dense.py): exact statistics, exact
scores for the rows that are ranked, and the same best rows as the full product on data
shaped like sentence embeddings (a few strong directions plus noise)."""

import threading

import numpy as np
import pytest

from anlaufstelle.search import dense, engine, snapshots
from anlaufstelle.search.dense import DenseIndex
from anlaufstelle.search.engine import SearchOptions


def embedding_like(rows: int, dim: int = 384, seed: int = 7) -> np.ndarray:
    """Unit rows around a common direction with topic clusters, like e5's vectors
    (which are far from isotropic: unrelated texts still have cosine ~0.8)."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(dim)
    topics = rng.standard_normal((40, dim))
    members = rng.integers(0, len(topics), size=rows)
    matrix = 3.0 * common + 1.5 * topics[members] + rng.standard_normal((rows, dim))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix.astype(np.float32)


def test_small_networks_are_scored_exactly():
    matrix = embedding_like(500)
    index = DenseIndex.build(matrix)
    assert not index.prefiltered
    query = matrix[3]
    scores = index.scores(query)
    assert not scores.approximate
    np.testing.assert_allclose(scores.cosines, matrix @ query, rtol=1e-6)
    assert scores.mean == pytest.approx(float((matrix @ query).mean()), abs=1e-6)


def test_prefiltered_statistics_are_exact_and_refined_rows_exact():
    matrix = embedding_like(3000)
    index = DenseIndex.build(matrix, min_rows=1000)
    assert index.prefiltered
    query = embedding_like(1, seed=99)[0]
    exact = (matrix @ query).astype(np.float64)
    scores = index.scores(query)
    assert scores.approximate
    assert scores.mean == pytest.approx(exact.mean(), abs=1e-6)
    assert scores.std == pytest.approx(exact.std(), rel=1e-4)
    # The narrow pass is close but not equal; refined rows are exact.
    assert np.abs(scores.cosines - exact).max() < 0.1
    assert not np.allclose(scores.cosines, exact, atol=1e-6)
    rows = np.array([0, 17, 2999])
    np.testing.assert_allclose(index.exact(query, rows), exact[rows], rtol=1e-5)


def test_ranking_with_the_prefilter_finds_the_same_best_rows(monkeypatch, db, settings):
    """Through the engine: a network scored with the prefilter ranks the same best rows
    as the full product, with exact cosines."""
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network
    from anlaufstelle.search.embedders import get_embedder
    from anlaufstelle.search.models import SearchDocument

    settings.SEARCH_AUTO_INDEX = False
    model_id = get_embedder().model_id
    matrix = embedding_like(400)
    with scopes_disabled():
        network = Network.objects.create(slug="gross", name="Großes Netzwerk")
        SearchDocument.objects.bulk_create(
            SearchDocument(
                network=network,
                ref=f"offer:row-{i}",
                kind="offer",
                slug=f"row-{i}",
                title=f"Angebot {i}",
                body="",
                title_terms="angebot",
                body_terms="",
                vector=row.astype("<f4").tobytes(),
                model_id=model_id,
            )
            for i, row in enumerate(matrix)
        )
    query = embedding_like(1, seed=5)[0]
    options = SearchOptions(sparse=False)
    snapshots.invalidate()
    exact_ranked, exact_cosines, _ = engine.semantic_ranking(
        [network.pk], query, None, options, pool=10
    )
    monkeypatch.setattr(dense, "PREFILTER_MIN_ROWS", 100)
    monkeypatch.setattr(engine, "REFINE_MIN", 50)
    monkeypatch.setattr(engine, "REFINE_FACTOR", 2)
    snapshots.invalidate()
    assert snapshots.snapshot(network.pk).dense_index().prefiltered
    ranked, cosines, _ = engine.semantic_ranking([network.pk], query, None, options, pool=10)
    assert [doc_id for doc_id, _ in ranked] == [doc_id for doc_id, _ in exact_ranked]
    assert cosines == pytest.approx(exact_cosines, abs=1e-5)
    snapshots.invalidate()


def test_the_best_rows_are_taken_from_the_refined_ones_only_when_no_other_can_beat_them():
    """After the refinement the pool is chosen among the refined rows, not again among
    all rows, when every other row's (approximate) score is below the pool's worst."""
    rng = np.random.default_rng(3)
    scores = rng.standard_normal(20_000)
    refined = np.argpartition(-scores, 999)[:1000]
    others_at_most = float(scores[refined[-1]])
    top = engine._best_of(scores, refined, 50, others_at_most)
    assert top is not None
    assert set(top.tolist()) == set(np.argsort(-scores)[:50].tolist())

    # Refining lowered the refined rows below a row outside them: the full pass decides.
    lowered = scores.copy()
    lowered[refined] -= 10.0
    assert engine._best_of(lowered, refined, 50, others_at_most) is None
    # Too few refined rows for the pool.
    assert engine._best_of(scores, refined[:40], 50, others_at_most) is None


@pytest.fixture
def product_threads(monkeypatch) -> list[str]:
    """The names of the threads that compute `exact`'s products, in call order."""
    threads: list[str] = []
    real_product = dense._product

    def product(*args):
        threads.append(threading.current_thread().name)
        return real_product(*args)

    monkeypatch.setattr(dense, "_product", product)
    return threads


@pytest.fixture(scope="module")
def large() -> tuple[np.ndarray, DenseIndex]:
    """30,000 rows: the index of a network scored with the prefilter (built once)."""
    matrix = embedding_like(30_000)
    return matrix, DenseIndex.build(matrix)


def test_many_exact_cosines_are_computed_in_two_threads(large, product_threads):
    matrix, index = large
    query = embedding_like(1, seed=11)[0]
    rows = np.sort(np.random.default_rng(2).choice(len(matrix), 5_000, replace=False))

    cosines = index.exact(query, rows)

    np.testing.assert_allclose(cosines, matrix[rows] @ query, rtol=1e-6)
    assert len(product_threads) == 2
    assert product_threads[0] != product_threads[1]
    # A few rows: one product, in the caller's thread.
    product_threads.clear()
    np.testing.assert_allclose(index.exact(query, rows[:10]), matrix[rows[:10]] @ query, rtol=1e-6)
    assert product_threads == [threading.current_thread().name]


def test_while_the_helper_is_taken_the_exact_cosines_are_computed_without_it(
    large, product_threads
):
    matrix, index = large
    query = embedding_like(1, seed=12)[0]
    rows = np.arange(0, len(matrix), 6)

    assert dense._helper_free.acquire(blocking=False)  # another search has it
    try:
        cosines = index.exact(query, rows)
    finally:
        dense._helper_free.release()

    np.testing.assert_allclose(cosines, matrix[rows] @ query, rtol=1e-6)
    assert product_threads == [threading.current_thread().name]


def test_a_forked_child_gets_its_own_helper_thread():
    import os

    pool = dense._helper()
    assert dense._helper() is pool
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            ok = dense._helper() is not pool and dense._helper().submit(lambda: 7).result(5) == 7
        except Exception:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    import select
    import signal

    ready, _, _ = select.select([read], [], [], 20)  # a hanging child fails, not stalls
    answer = os.read(read, 1) if ready else b""
    if not ready:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os.close(read)
    assert answer == b"1"
