"""The "no good match" answer: one judgement (search.answerability) for the search page,
the JSON API and the assistant; the page then shows the navigators' form and the topic
tiles instead of a list of merely similar items."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from anlaufstelle.assistant.engine.dialogue import retrieve
from anlaufstelle.networks.scoping import network_scope
from anlaufstelle.search.answerability import SIGNAL_DEPTH, judge
from anlaufstelle.search.engine import Hit, SearchOptions, search
from anlaufstelle.search.evaluation import load_cases, offtopic_rejection
from anlaufstelle.search.queries import run_search

SEARCH = "/n/feldberg/suche/"
OFF_TOPIC = ["Wie wird das Wetter am Wochenende", "Lottozahlen vom Samstag", "xyzzy qwertz"]
GENUINE = [
    "Zuschuss wenn wir einen Langzeitarbeitslosen einstellen",
    "Unser Lehrling braucht Hilfe in der Berufsschule",
    "Fachkräfte aus Drittstaaten schneller einstellen",
]


@pytest.mark.parametrize("query", OFF_TOPIC)
def test_an_off_topic_question_gets_no_list_but_the_navigators_and_the_topics(
    client, embedded_world, query
):
    response = client.get(SEARCH, {"q": query})
    page = response.context["page"]
    html = response.content.decode()
    assert page.no_good_match and page.documents == [] and page.found == 0
    assert "Keine passenden Angebote gefunden." in html
    assert 'class="search-hits"' not in html
    form = reverse("site:cases:submit", args=["feldberg"])
    assert f'href="{form}?text=' in html
    assert "topic-tile" in html


@pytest.mark.parametrize("query", GENUINE)
def test_a_genuine_question_gets_its_list(client, embedded_world, query):
    response = client.get(SEARCH, {"q": query})
    page = response.context["page"]
    assert not page.no_good_match and page.documents
    html = response.content.decode()
    assert 'class="search-hits"' in html and "Keine passenden Angebote" not in html


def test_the_page_and_the_assistant_judge_alike(embedded_world):
    network = embedded_world.feldberg
    for query in OFF_TOPIC + GENUINE:
        with network_scope(network):
            page = run_search(network, query, {})
            assistant = retrieve(network, query).verdict
        assert page.verdict is not None
        assert (page.verdict.answerable, page.verdict.reason) == (
            assistant.answerable,
            assistant.reason,
        ), query


def test_the_verdict_does_not_depend_on_how_many_results_were_asked_for(embedded_world):
    network = embedded_world.feldberg
    ids = embedded_world.ids(network)
    for query in OFF_TOPIC + GENUINE:
        verdicts = {
            (v.answerable, v.signals)
            for v in (
                judge(query, search(query, ids, own_network_id=network.pk, limit=n), ids)
                for n in (SIGNAL_DEPTH, 60, 100)
            )
        }
        assert len(verdicts) == 1, query


def test_without_an_embedder_a_domain_question_with_a_lexical_match_lists(client, search_world):
    page = client.get(SEARCH, {"q": "Handwerkskammer Lehrling"}).context["page"]
    assert not page.no_good_match and page.documents
    result = search("Hundeschule", embedded_ids := search_world.ids(search_world.feldberg))
    assert all(h.cosine is None for h in result.hits)
    assert not judge("Hundeschule", result, embedded_ids).answerable


def test_an_out_of_scope_intent_is_never_answerable(embedded_world):
    network = embedded_world.feldberg
    ids = embedded_world.ids(network)
    result = search(GENUINE[0], ids, own_network_id=network.pk)
    assert judge(GENUINE[0], result, ids).answerable
    assert not judge(GENUINE[0], result, ids, intent="out_of_scope").answerable


def test_evaluate_reports_the_offtopic_rejection(embedded_world, tmp_path):
    path = tmp_path / "offtopic.jsonl"
    lines = [
        {"id": f"o{i}", "network": "feldberg", "query": q, "relevant": {}}
        for i, q in enumerate(OFF_TOPIC + GENUINE[:1])
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    report = offtopic_rejection(load_cases(path), SearchOptions.for_mode("hybrid"))
    assert report["offtopic_queries"] == 4
    assert report["offtopic_rejection"] == 0.75
    assert report["offtopic_answered_ids"] == ["o3"]


def test_hits_beyond_the_signal_depth_do_not_count():
    from anlaufstelle.search.answerability import signals
    from anlaufstelle.search.engine import QueryAnalysis, SearchResult

    hits = [Hit(doc_id=i, score=1.0, cosine=0.8) for i in range(SIGNAL_DEPTH)]
    hits += [Hit(doc_id=i, score=0.1, lexical_rank=1, cosine=0.99) for i in range(100, 110)]
    result = SearchResult(hits=hits, analysis=QueryAnalysis(terms=["wett"], words=["wetter"]))
    sig = signals("Wetter", result, {"wett": 0})
    assert sig.lexical_rows == 0 and sig.top_cosine == 0.8


def _result(terms: list[str], words: list[str], hits: list[Hit]):
    from anlaufstelle.search.engine import QueryAnalysis, SearchResult

    return SearchResult(hits=hits, analysis=QueryAnalysis(terms=terms, words=words))


def test_a_synonym_group_of_the_field_counts_as_domain_vocabulary():
    from anlaufstelle.search.answerability import assess

    # Journey 1: no word of the domain list, but "Koch" and "Saison" are the field's
    # occupations and sectors (built-in synonym groups).
    query = "finde keinen koch für die saison, was kann ich machen"
    hits = [Hit(doc_id=i, score=1.0, lexical_rank=i, cosine=0.81) for i in range(1, 6)]
    terms = ["koch", "saison", "syn_gastronomie", "syn_tourismus"]
    verdict = assess(query, _result(terms, ["koch", "saison"], hits), term_df={"koch": 3})
    assert verdict.answerable and verdict.reason == "domain"
    assert "syn_gastronomie" in verdict.signals.domain_words


def test_a_private_errand_does_not_count_the_sector_word():
    from anlaufstelle.search.answerability import assess

    query = "Rezept für schwäbische Küche"
    hits = [Hit(doc_id=i, score=1.0, lexical_rank=i, cosine=0.81) for i in range(1, 6)]
    terms = ["rezept", "schwab", "kuch", "syn_gastronomie"]
    verdict = assess(query, _result(terms, ["rezept", "küche"], hits), term_df={"kuch": 2})
    assert not verdict.answerable and verdict.signals.domain_words == ()


def test_a_compound_the_rows_contain_is_lexical_evidence_though_it_matches_few_rows():
    """ "Bildungszeit" is in the catalog as a whole: the query no longer also matches
    the rows of "Bildung" and "Zeit", so only a few rows match — specific evidence, not
    weak evidence. Without that compound in any row the question stays unanswered."""
    from anlaufstelle.search.analysis import word_terms
    from anlaufstelle.search.answerability import assess

    query = "Muss ich meinem Mitarbieter Bildungszeit geben? Wir sind 15 Leute."
    whole = word_terms("bildungszeit", True, True)[0]
    terms = ["mitarbiet", whole, "15", "leut"]
    words = ["mitarbieter", "bildungszeit", "15", "leute"]
    hits = [Hit(doc_id=i, score=1.0, lexical_rank=i, cosine=0.86) for i in range(1, 4)]
    hits += [Hit(doc_id=i, score=0.5, cosine=0.82) for i in range(4, 30)]
    known = assess(query, _result(terms, words, hits), term_df={whole: 2, "leut": 40})
    assert known.answerable and known.reason == "lexical"
    assert known.signals.known_compounds == 1
    unknown = assess(query, _result(terms, words, hits), term_df={"leut": 40, "15": 3})
    assert not unknown.answerable
