"""Query understanding: a question that asks for advice, not for money (intent.py),
and what it does to the ranking (SearchOptions.advice_funding_penalty); the compound
parts a query keeps (SearchOptions.known_compound_parts)."""

from __future__ import annotations

from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.intent import asks_for_advice, asks_for_money, wants_advice

from .test_search import refs


def test_questions_that_ask_for_advice_or_help():
    for question in (
        "finde keinen koch für die saison, was kann ich machen",
        "Was können wir noch tun?",
        "Wer hilft uns bei der Anerkennung?",
        "Wie läuft das ab mit dem Visum?",
        "An wen können wir uns wenden?",
        "Ansprechpartner für Betriebe in der Region",
        "Where do we even start?",
        "Who can help us hire a welder?",
    ):
        assert asks_for_advice(question), question
    for question in (
        "Eingliederungszuschuss für Ältere",
        "Azubi-Wohnheim Stuttgart",
        "Was kostet die Anerkennung?",
        "Welche Förderung gibt es für Weiterbildung?",
        "kochen lernen",
    ):
        assert not asks_for_advice(question), question


def test_a_question_about_money_is_not_only_a_request_for_advice():
    assert asks_for_money("Wer hilft uns, gibt es einen Zuschuss?")
    assert asks_for_money("Wer bezahlt die Nachhilfe?")
    assert asks_for_money("Who can help us with funding?")
    assert not wants_advice("Wer hilft uns, gibt es einen Zuschuss?")
    assert wants_advice("Wer hilft uns bei der Ausbildung?")
    assert not asks_for_money("Wer hilft uns bei der Ausbildung?")


def test_an_advice_question_puts_a_subsidy_below_the_advice(search_world):
    """The same question with and without the penalty: the funding offer (EGZ) loses
    its place to advice offers only when the question asks for help, not for money."""
    from anlaufstelle.directory.models import Offer

    with scopes_disabled():
        Offer.objects.filter(slug="eingliederungszuschuss").update(kind="foerderung")
    rebuild_index(embed=False)
    snapshots.invalidate()
    net = search_world.feldberg

    def scores(query: str, penalty: float) -> dict[str, float]:
        options = SearchOptions.for_mode("hybrid", advice_funding_penalty=penalty)
        result = search(query, search_world.ids(net), own_network_id=net.pk, options=options)
        return dict(zip(refs(result), (h.score for h in result.hits), strict=True))

    egz = "offer:eingliederungszuschuss"
    advice = "Wir wollen Langzeitarbeitslose einstellen und Betriebe beraten – wer hilft uns?"
    with_penalty, without = scores(advice, 0.3), scores(advice, 0.0)
    assert egz in without
    assert with_penalty[egz] < without[egz]
    others = [ref for ref in without if ref != egz]
    assert others and all(abs(with_penalty[r] - without[r]) < 1e-9 for r in others)
    money = "Wir wollen Langzeitarbeitslose einstellen – wer hilft uns mit einem Zuschuss?"
    assert scores(money, 0.3) == scores(money, 0.0)


def test_a_compound_the_index_knows_is_not_also_matched_by_its_parts(search_world):
    """ "Berufsschule" is in the catalog as a whole: the query term is its stem, not
    also "beruf" and "schul" (each would count as a match of its own). A compound no
    row contains keeps its parts, so it still meets rows that use them."""
    from anlaufstelle.search.analysis import word_terms
    from anlaufstelle.search.engine import analyse_query

    net = search_world.feldberg
    ids = search_world.ids(net)
    known = analyse_query("Berufsschule", ids, net.pk, SearchOptions()).terms
    assert "berufsschul" in known
    assert "schul" not in known and "beruf" not in known
    both = SearchOptions(known_compound_parts=True)
    assert {"schul", "beruf"} <= set(analyse_query("Berufsschule", ids, net.pk, both).terms)

    whole, *parts = word_terms("ausbildungsvertragsmuster", True, True)
    assert parts
    unknown = analyse_query("Ausbildungsvertragsmuster", ids, net.pk, SearchOptions()).terms
    assert whole in unknown and set(parts) <= set(unknown)


def test_a_lone_contact_is_still_a_result(client, search_world, lotsin_contact):
    """A query only one row matches, a contact: its kind prior makes the best (and
    only) score negative, and the page's relative cut-off must still keep the best hit
    (it dropped it once the query no longer also matched the parts of "Saisonkräfte")."""
    net = search_world.feldberg
    result = search("Lotsin Saisonkräfte", search_world.ids(net), own_network_id=net.pk)
    assert refs(result) == ["contact:lotsin-feldberg"]
    response = client.get("/n/feldberg/suche/", {"q": "Lotsin Saisonkräfte"})
    assert [d.ref for d in response.context["page"].documents] == ["contact:lotsin-feldberg"]
