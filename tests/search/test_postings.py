"""The lexical ranking from the snapshots' term postings (postings.py; both databases).

BM25 over every matching row, the same on SQLite and PostgreSQL, where the database's
pool of 2 × the candidates by its own ranking (PostgreSQL's ts_rank has no IDF; FTS5's
bm25() counts every network's rows) could leave out the row BM25 ranks first.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.search import postings, snapshots
from anlaufstelle.search.backends import TermStats, bm25_scores, get_backend
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.indexing import index_items, remove_ref
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.postings import PostingsBuilder
from anlaufstelle.search.sources import SourceItem

VOCABULARY = ["azubi", "syn_azubi", "betrieb", "kamm", "hwk", "zuschuss", "wohn", "pfleg"]


def network(slug: str):
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        return Network.objects.create(slug=slug, name=slug.title(), region=slug)


def stored_rows(network_id: int) -> list[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title_terms, body_terms FROM search_searchdocument WHERE network_id = %s",
            [network_id],
        )
        return [(int(pk), t, b) for pk, t, b in cursor.fetchall()]


def stats_of(rows: list[tuple[int, str, str]], terms: list[str]) -> TermStats:
    """Any statistics will do for comparing two computations; these are the rows' own."""
    df = {t: sum(t in f"{a} {b}".split() for _, a, b in rows) for t in terms}
    return TermStats(
        idf={t: 1.0 + 1.0 / (1 + df[t]) for t in terms},
        avg_length=sum(len(a.split()) + len(b.split()) for _, a, b in rows) / len(rows),
    )


@pytest.fixture
def random_rows(db) -> tuple[int, list[tuple[int, str, str]]]:
    """A network of 120 rows of a small vocabulary: repeated terms, ties, empty titles."""
    generator = random.Random(7)
    target, other = network("postings"), network("andere")
    with scopes_disabled():
        for i in range(120):
            title = " ".join(generator.choices(VOCABULARY, k=generator.randint(0, 3)))
            body = " ".join(generator.choices(VOCABULARY, k=generator.randint(1, 12)))
            SearchDocument.objects.create(
                network=target if i % 4 else other,
                ref=f"offer:r{i}",
                kind="offer",
                slug=f"r{i}",
                title=f"r{i}",
                title_terms=title,
                body_terms=body,
            )
    snapshots.invalidate()
    return target.pk, stored_rows(target.pk)


@pytest.mark.parametrize(
    ("terms", "common"),
    [
        (["azubi"], []),
        (["azubi", "kamm", "wohn"], []),
        (["syn_azubi", "hwk", "zuschuss", "pfleg"], []),
        (["hwk", "betrieb", "kamm"], ["betrieb", "kamm"]),  # both common: together only
        (["hwk", "betrieb"], ["betrieb"]),  # one common term only scores
        (["betrieb", "kamm"], ["betrieb", "kamm"]),  # common terms only: OR'ed
        (["unbekannt"], []),
    ],
)
def test_the_ranking_is_bm25_of_every_matching_row_of_the_visible_network(
    random_rows, terms, common
):
    network_id, rows = random_rows
    stats = stats_of(rows, terms)
    rare = [t for t in terms if t not in common] or terms
    together = [t for t in terms if t in common] if len(rare) < len(terms) else []
    together = together if len(together) > 1 else []

    def matches(title: str, body: str) -> bool:
        present = set(f"{title} {body}".split())
        return bool(present & set(rare)) or (bool(together) and set(together) <= present)

    expected = bm25_scores(
        [row for row in rows if matches(row[1], row[2])], [*rare, *together], stats, 2.0
    )[:20]
    ranked = postings.rank(
        snapshots.term_postings([network_id]),
        terms,
        common=common,
        stats=stats,
        title_weight=2.0,
        limit=20,
    )
    assert [pk for pk, _ in ranked] == [pk for pk, _ in expected]
    assert [score for _, score in ranked] == pytest.approx([s for _, s in expected], rel=1e-12)
    if terms != ["unbekannt"]:
        assert ranked, "the fixture's terms match some rows"
        # Equal scores are ordered by id, as bm25_scores orders them.
        ties = [(s, pk) for pk, s in ranked]
        assert ties == sorted(ties, key=lambda item: (-item[0], item[1]))


@pytest.mark.parametrize(
    "terms", [["azubi"], ["syn_azubi", "kamm"], ["hwk", "wohn", "pfleg", "zuschuss"]]
)
def test_memory_and_database_agree_when_every_match_fits_the_database_pool(random_rows, terms):
    """The postings match what the database's full-text index matches (synonym tokens,
    whole terms), so below the pool's size both give the same list."""
    network_id, rows = random_rows
    stats = stats_of(rows, terms)
    from_database = get_backend().search(
        terms, [network_id], plain=False, limit=150, title_weight=2.0, stats=stats
    )
    from_memory = postings.rank(
        snapshots.term_postings([network_id]),
        terms,
        common=[],
        stats=stats,
        title_weight=2.0,
        limit=150,
    )
    assert from_memory and len(from_memory) < 150
    assert [pk for pk, _ in from_memory] == [pk for pk, _ in from_database]
    assert [s for _, s in from_memory] == pytest.approx([s for _, s in from_database])


def item(network_id: int, slug: str, title: str, body: str) -> SourceItem:
    return SourceItem(
        network_id=network_id,
        ref=f"offer:{slug}",
        kind="offer",
        slug=slug,
        title=title,
        body=body,
        embed_text=f"{title}\n{body}",
    )


@pytest.fixture
def crowded_network(db, settings):
    """One row holds the rare word once in its body; 30 rows repeat a frequent word in
    the title; another network's 200 rows all hold the rare word."""
    settings.SEARCH_AUTO_INDEX = False
    target, other = network("werkstatt"), network("schweissen")
    items = [item(target.pk, "schweisser", "Offene Stelle", "Wir suchen einen Schweißer.")]
    items += [
        item(target.pk, f"werkstatt-{i}", "Werkstatt Werkstatt Werkstatt", f"Werkstatt Nummer {i}")
        for i in range(30)
    ]
    items += [
        item(other.pk, f"schweisser-{i}", "Schweißer", f"Schweißer Nummer {i}") for i in range(200)
    ]
    index_items(items, embed=False)
    snapshots.invalidate()
    yield target
    snapshots.invalidate()


def lexical_refs(target, **overrides) -> list[str]:
    options = SearchOptions.for_mode("lexical", candidates=2, **overrides)
    with scopes_disabled():
        hits = search(
            "Schweißer Werkstatt", [target.pk], own_network_id=target.pk, options=options, limit=2
        ).hits
        refs = dict(
            SearchDocument.objects.filter(pk__in=[h.doc_id for h in hits]).values_list("pk", "ref")
        )
    return [refs[h.doc_id] for h in hits]


def test_the_row_bm25_ranks_first_is_found_even_outside_the_databases_own_pool(crowded_network):
    """ "Schweißer" is in one of the network's 31 rows (high IDF among the visible rows),
    "Werkstatt" in 30. PostgreSQL's ts_rank (no IDF) and FTS5's bm25() (whose IDF counts
    the other network's 200 "Schweißer" rows) put the Werkstatt rows into their pool of 4
    and left the Schweißer row out: it came nowhere before the ranking moved to the postings."""
    refs = lexical_refs(crowded_network)
    assert refs[0] == "offer:schweisser"
    assert all(ref.startswith("offer:werkstatt") for ref in refs[1:])


def test_a_row_written_by_this_process_is_found_by_its_next_search(crowded_network):
    assert lexical_refs(crowded_network)[0] == "offer:schweisser"  # stamps just read
    index_items(
        [item(crowded_network.pk, "schweisser-2", "Schweißer gesucht", "Schweißer, Schweißer")],
        embed=False,
    )
    assert lexical_refs(crowded_network)[0] == "offer:schweisser-2"
    remove_ref(crowded_network.pk, "offer:schweisser-2")
    assert "offer:schweisser-2" not in lexical_refs(crowded_network)


def test_an_empty_builder_gives_empty_postings_and_no_hits():
    empty = PostingsBuilder().build()
    assert len(empty.ids) == 0 and empty.nbytes() >= 0
    stats = TermStats(idf={"azubi": 1.0}, avg_length=1.0)
    assert (
        postings.rank([empty], ["azubi"], common=[], stats=stats, title_weight=2.0, limit=5) == []
    )


def test_a_row_without_title_or_body_terms_still_counts_its_other_field():
    builder = PostingsBuilder()
    builder.add(10, [], ["azubi", "azubi", "kamm"])
    builder.add(11, ["azubi"], [])
    builder.add(12, [], [])
    built = builder.build()
    stats = TermStats(idf={"azubi": 1.0, "kamm": 1.0}, avg_length=2.0)
    expected = bm25_scores([(10, "", "azubi azubi kamm"), (11, "azubi", "")], ["azubi"], stats, 2.0)
    ranked = postings.rank([built], ["azubi"], common=[], stats=stats, title_weight=2.0, limit=5)
    assert [pk for pk, _ in ranked] == [pk for pk, _ in expected] == [11, 10]
    assert [s for _, s in ranked] == pytest.approx([s for _, s in expected])
    assert list(built.lengths) == [3.0, 1.0, 0.0]


def test_the_snapshot_counts_its_postings_in_its_memory(random_rows):
    network_id, _ = random_rows
    snap = snapshots.snapshot(network_id)
    assert snap.postings is not None and len(snap.postings.ids) == 90
    assert snap.nbytes() >= snap.postings.nbytes() > 0


def test_the_plain_baseline_ranks_raw_words_with_bm25_on_both_databases(crowded_network):
    """`plain` scores the raw words from memory too (the same on both databases): folded
    as FTS5's tokenizer folds them, stop words left out of the question."""
    options = SearchOptions.for_mode("plain", candidates=3)
    with scopes_disabled():
        for query in ("Schweißer", "schweisser", "der Schweißer"):
            hits = search(query, [crowded_network.pk], options=options, limit=3).hits
            refs = dict(
                SearchDocument.objects.filter(pk__in=[h.doc_id for h in hits]).values_list(
                    "pk", "ref"
                )
            )
            assert [refs[h.doc_id] for h in hits] == ["offer:schweisser"], query
    words = snapshots.plain_postings(crowded_network.pk)
    assert words.document_frequency("schweisser") == 1
    assert words.document_frequency("werkstatt") == 30
    assert snapshots.document_frequencies([crowded_network.pk], ["Schweißer"], plain=True) == (
        {"Schweißer": 1},
        31,
    )
