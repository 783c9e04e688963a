"""Lexical backends, modes and tenant scoping on the configured database."""

from __future__ import annotations

from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.search.backends import get_backend
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.models import SearchDocument, SynonymEntry


def refs(result) -> list[str]:
    with scopes_disabled():
        by_id = dict(SearchDocument.objects.values_list("pk", "ref"))
    return [by_id[h.doc_id] for h in result.hits]


def lexical(world, query, network=None, **overrides):
    network = network or world.feldberg
    options = SearchOptions.for_mode("lexical", **overrides)
    return refs(search(query, world.ids(network), own_network_id=network.pk, options=options))


def test_the_backend_matches_the_database_vendor(search_world):
    expected = {"sqlite": "sqlite-fts5", "postgresql": "postgresql-fts"}[connection.vendor]
    assert get_backend().name == expected


def test_lexical_search_ranks_the_exact_offer_first_on_every_backend(search_world):
    # The same assertions run on SQLite (FTS5) and PostgreSQL (tsvector): the top
    # results of both backends are fixed by the data, not by the engine.
    assert lexical(search_world, "Eingliederungszuschuss")[0] == "offer:eingliederungszuschuss"
    assert lexical(search_world, "Einstiegsqualifizierung")[0] == "offer:einstiegsqualifizierung"
    assert lexical(search_world, "Ausbildungsberatung Handwerkskammer")[0] == (
        "offer:hwk-ausbildungsberatung"
    )


def test_plain_search_ranks_the_same_way_on_every_backend(search_world):
    options = SearchOptions.for_mode("plain")
    net = search_world.feldberg
    result = search("Langzeitpraktikum", search_world.ids(net), options=options)
    assert refs(result) == ["offer:einstiegsqualifizierung"]


def test_abbreviations_and_colloquial_words_find_the_offer_only_with_analysis(search_world):
    plain = SearchOptions.for_mode("plain")
    ids = search_world.ids(search_world.feldberg)
    assert refs(search("HWK", ids, options=plain)) == []
    assert lexical(search_world, "HWK")[0] == "offer:hwk-ausbildungsberatung"
    assert "offer:hwk-ausbildungsberatung" not in refs(search("Lehrling HWK", ids, options=plain))
    assert lexical(search_world, "Lehrling HWK")[0] == "offer:hwk-ausbildungsberatung"


def test_a_compound_query_finds_the_offer_that_uses_its_parts(search_world):
    found = lexical(search_world, "Fachkräfteeinwanderung")
    assert found[0] == "offer:fachkraefteverfahren"


def test_typos_are_tolerated_and_suggested(search_world):
    net = search_world.feldberg
    result = search(
        "Einstiegsqualifizirung", search_world.ids(net), options=SearchOptions.for_mode("lexical")
    )
    assert refs(result)[0] == "offer:einstiegsqualifizierung"
    assert result.analysis.suggestion == "einstiegsqualifizierung"


def test_switching_typos_off_switches_the_correction_off(search_world):
    net = search_world.feldberg
    options = SearchOptions.for_mode("lexical")
    from dataclasses import replace

    options = replace(options, analysis=replace(options.analysis, typos=False))
    result = search("Einstiegsqualifizirung", search_world.ids(net), options=options)
    assert result.analysis.suggestion == ""
    assert "offer:einstiegsqualifizierung" not in refs(result)


def test_a_networks_private_items_never_appear_in_another_networks_results(search_world):
    for query in ("Mitarbeiterwohnungen Haussee Werkraum Feldberg", "Wohnraum Beschäftigte"):
        assert "offer:feldberg-geheimtipp" in lexical(search_world, query)
        assert "offer:feldberg-geheimtipp" not in lexical(
            search_world, query, network=search_world.stuttgart
        )
    assert "offer:stuttgart-wohnprojekt" not in lexical(search_world, "Azubi-Wohnheim Neckarblick")


def test_nationwide_items_appear_in_every_network(search_world):
    for network in (search_world.feldberg, search_world.stuttgart):
        assert lexical(search_world, "Eingliederungszuschuss", network=network)[0] == (
            "offer:eingliederungszuschuss"
        )


def seeblick_group(search_world) -> SynonymEntry:
    """Feldberg's own group "Haussee, Seeblick", shown to work."""
    with scopes_disabled():
        entry = SynonymEntry.objects.create(
            network=search_world.feldberg, terms="Haussee, Seeblick"
        )
    assert "offer:feldberg-geheimtipp" in lexical(search_world, "Seeblick")
    return entry


def test_a_networks_own_synonyms_apply_to_its_queries_only(search_world):
    seeblick_group(search_world)
    with scopes_disabled():
        SynonymEntry.objects.create(network=search_world.stuttgart, terms="Neckarblick, Seeblick")
    found = lexical(search_world, "Seeblick", network=search_world.stuttgart)
    assert found[0] == "offer:stuttgart-wohnprojekt"
    assert "offer:feldberg-geheimtipp" not in found


def test_an_inactive_synonym_group_does_not_apply(search_world):
    entry = seeblick_group(search_world)
    with scopes_disabled():
        entry.is_active = False
        entry.save()
    assert "offer:feldberg-geheimtipp" not in lexical(search_world, "Seeblick")


def test_semantic_mode_finds_offers_without_shared_words(embedded_world):
    net = embedded_world.feldberg
    options = SearchOptions.for_mode("semantic")
    result = search(
        "Wir wollen Köche aus Indien einstellen, wie geht das mit dem Visum schnell?",
        embedded_world.ids(net),
        own_network_id=net.pk,
        options=options,
    )
    assert refs(result)[0] == "offer:fachkraefteverfahren"
    assert all(h.lexical_rank is None for h in result.hits)


def test_semantic_and_hybrid_results_respect_the_network_scope(embedded_world):
    query = "Wohnungen für neue Mitarbeiter"
    for mode in ("semantic", "hybrid"):
        options = SearchOptions.for_mode(mode)
        net = embedded_world.stuttgart
        found = refs(search(query, embedded_world.ids(net), own_network_id=net.pk, options=options))
        assert "offer:stuttgart-wohnprojekt" in found
        assert "offer:feldberg-geheimtipp" not in found


def test_modes_switch_the_signals(embedded_world):
    net = embedded_world.feldberg
    ids = embedded_world.ids(net)
    hybrid = search("EGZ", ids, own_network_id=net.pk, options=SearchOptions.for_mode("hybrid"))
    assert refs(hybrid)[0] == "offer:eingliederungszuschuss"
    assert any(h.lexical_rank and h.semantic_rank for h in hybrid.hits)
    lexical_only = search("EGZ", ids, options=SearchOptions.for_mode("lexical"))
    assert all(h.semantic_rank is None for h in lexical_only.hits)


def test_a_search_reads_the_networks_synonyms_at_most_once_a_second(search_world):
    """No query per search for them: on PostgreSQL one waited for the server's process
    while the model's passes held both cores."""
    from django.test.utils import CaptureQueriesContext

    table = SynonymEntry._meta.db_table
    lexical(search_world, "Seeblick")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            lexical(search_world, "Seeblick")
    assert not [q for q in queries.captured_queries if table in q["sql"]]


def test_a_group_changed_without_a_signal_applies_within_a_second(search_world):
    import time

    entry = seeblick_group(search_world)
    with scopes_disabled():
        SynonymEntry.objects.filter(pk=entry.pk).update(is_active=False)  # no signal
    time.sleep(1.05)
    assert "offer:feldberg-geheimtipp" not in lexical(search_world, "Seeblick")
