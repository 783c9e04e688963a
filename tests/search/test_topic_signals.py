"""The topic and audience signals of the hybrid ranking (topics.py) and the weight
tuning (tuning.py): labels a question names, centroid affinities, the replica of the
engine's scoring that the tuning relies on, and journey 1 on the demo catalog."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots, topics, tuning
from anlaufstelle.search.analysis import analyse
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.evaluation import Case
from anlaufstelle.search.models import SearchDocument

from .test_search import refs


@pytest.fixture
def labels(db):
    from anlaufstelle.directory.models import Audience, Topic

    for slug, label in (
        ("recruiting", "Personalgewinnung"),
        ("fachkraeftebindung", "Fachkräftebindung"),
        ("wohnen-und-mobilitaet", "Wohnen & Mobilität"),
        ("aeltere-beschaeftigte", "Ältere Beschäftigte"),
    ):
        Topic.objects.update_or_create(slug=slug, defaults={"label_de": label})
    for slug, label in (("gastronomie", "Gastronomie"), ("pflege", "Pflege")):
        Audience.objects.update_or_create(slug=slug, defaults={"label_de": label})
    topics.invalidate()
    yield
    topics.invalidate()


def named(field: str, text: str) -> frozenset[str]:
    return topics.named(field, set(analyse(text).terms))


def test_a_question_names_a_topic_in_plain_words(labels):
    # "finde keinen" and "bewirbt sich niemand" are the plain words of Personalgewinnung
    # (a synonym group of data/synonyms_de.txt), "gekündigt" those of Fachkräftebindung.
    assert "recruiting" in named("topics", "finde keinen koch für die saison")
    assert "recruiting" in named("topics", "bei uns bewirbt sich niemand")
    assert "fachkraeftebindung" in named("topics", "Zwei Leute haben gekündigt")
    # One alternative of "Wohnen & Mobilität" is enough ...
    assert "wohnen-und-mobilitaet" in named("topics", "Wohnung für neue Beschäftigte")
    # ... but every word of a label without alternatives is needed.
    assert "aeltere-beschaeftigte" not in named("topics", "14 Beschäftigte, wir suchen")
    assert "aeltere-beschaeftigte" in named("topics", "ältere Beschäftigte halten")
    assert named("topics", "Tischlerei sucht Azubi") & {"fachkraeftebindung"} == frozenset()


def test_a_question_names_a_sector_through_its_trades(labels):
    assert named("audiences", "finde keinen Koch") == {"gastronomie"}
    assert named("audiences", "Pflegedienst mit 14 Leuten") == {"pflege"}
    assert named("audiences", "Wie halten wir unser Team?") == frozenset()


def test_an_item_of_a_named_topic_rises(search_world, labels):
    """ "Wohnraum" names no topic word of the query alone; with the topic named by the
    question, the item carrying it comes first."""
    net = search_world.feldberg
    query = "Wohnung für neue Beschäftigte"
    base = SearchOptions.for_mode("hybrid", semantic=False, topic_named_boost=0.0)
    boosted = replace(base, topic_named_boost=1.0)
    ids = search_world.ids(net)
    plain = refs(search(query, ids, own_network_id=net.pk, options=base))
    lifted = refs(search(query, ids, own_network_id=net.pk, options=boosted))
    assert lifted[0] == "offer:feldberg-geheimtipp"
    assert plain.index("offer:feldberg-geheimtipp") >= lifted.index("offer:feldberg-geheimtipp")


def test_topic_centroids_score_the_topic_of_the_question_highest(embedded_world, monkeypatch):
    """The centroid of a topic is the mean of its items' vectors: a question near those
    items is nearer to that topic than to the others."""
    # The small world has a few rows a topic, and "ausbildung" on most of them.
    monkeypatch.setattr(topics, "MIN_ROWS", 1)
    monkeypatch.setattr(topics, "MAX_SHARE", 1.0)
    net = embedded_world.feldberg
    ids = embedded_world.ids(net)
    topics.invalidate()
    index = topics.label_index(ids, "topics")
    assert set(index.labels) >= {"ausbildung", "wohnen-und-mobilitaet"}
    assert np.allclose(np.linalg.norm(index.centroids, axis=1), 1.0, atol=1e-5)
    from anlaufstelle.search.engine import embed_query

    vector, _ = embed_query("Zimmer und Wohnraum für neue Beschäftigte")
    with scopes_disabled():
        docs = dict(SearchDocument.objects.filter(network_id__in=ids).values_list("ref", "pk"))
    got = topics.affinities(ids, vector, list(docs.values()), "topics")
    housing = got[docs["offer:feldberg-geheimtipp"]]
    training = got[docs["offer:hwk-ausbildungsberatung"]]
    assert housing > training


def test_the_tuning_replica_ranks_like_the_engine(embedded_world):
    """tuning.rank recomputes the engine's order from the kept signals: with the same
    weights it must give the same order, or the tuned weights would mean nothing."""
    from anlaufstelle.directory.models import Offer
    from anlaufstelle.search.indexing import rebuild_index

    net = embedded_world.feldberg
    with scopes_disabled():  # a funding offer, for the advice penalty (t4)
        Offer.objects.filter(slug="eingliederungszuschuss").update(kind="foerderung")
    rebuild_index(embed=False)
    snapshots.invalidate()
    cases = [
        Case("t1", "feldberg", "Wohnraum für Auszubildende", {"offer:stuttgart-wohnprojekt": 2}),
        Case("t2", "feldberg", "EGZ Zuschuss bei Einstellung", {"offer:eingliederungszuschuss": 2}),
        Case("t3", "feldberg", "erster Lehrling im Betrieb", {"offer:hwk-ausbildungsberatung": 2}),
        Case(
            "t4",
            "feldberg",
            "Langzeitarbeitslose einstellen, wer hilft uns?",
            {"offer:eingliederungszuschuss": 2},
        ),
    ]
    options = SearchOptions.for_mode("hybrid")
    data = tuning.collect(cases, options)
    weights = tuning.weights_of(options)
    for case, candidates in zip(cases, data, strict=True):
        engine = refs(
            search(
                case.query,
                embedded_world.ids(net),
                own_network_id=net.pk,
                options=options,
                limit=0,
            )
        )
        assert tuning.rank(candidates, weights) == engine
    assert tuning.options_with(options, weights) == options


def test_journey_1_finds_the_employer_service_in_the_first_five(demo_catalog, settings):
    """Journey 1 (Anja, hotel at Feldberg): "finde keinen koch für die saison" brings the
    Agentur für Arbeit's employer service into the top 5 of the Feldberg site's search
    page — through the topic the question names (Personalgewinnung: "finde keinen") and
    the sector (Gastronomie: "Koch", Tourismus: "Saison"), which the offer's topics and
    audiences carry; no rule for the sentence. Lexical index (embedding the whole demo
    catalog takes minutes); the hybrid ranks are in docs/search.md."""
    from anlaufstelle.networks.models import Network
    from anlaufstelle.networks.scoping import visible_network_ids
    from anlaufstelle.search import engine
    from anlaufstelle.search.indexing import rebuild_index
    from anlaufstelle.search.queries import run_search

    settings.SEARCH_AUTO_INDEX = False
    settings.SEARCH_EMBEDDER = "none"
    snapshots.invalidate()
    topics.invalidate()
    rebuild_index(embed=False)
    with scopes_disabled():
        network = Network.objects.get(slug="feldberg")
        page = run_search(network, "finde keinen koch für die saison", {})
        ranked = [d.ref for d in page.documents]
        assert "offer:aa-nb-arbeitgeber-service" in ranked[:5], ranked[:10]

        # The topic and sector the question names are what lift it.
        def rank(**overrides: float) -> int:
            result = engine.search(
                "finde keinen koch für die saison",
                visible_network_ids(network),
                own_network_id=network.pk,
                options=engine.SearchOptions.for_mode("hybrid", **overrides),
                limit=50,
            )
            docs = SearchDocument.objects.in_bulk([h.doc_id for h in result.hits])
            return [docs[h.doc_id].ref for h in result.hits].index(
                "offer:aa-nb-arbeitgeber-service"
            )

        assert rank() < rank(topic_named_boost=0.0, audience_named_boost=0.0)
    snapshots.invalidate()
