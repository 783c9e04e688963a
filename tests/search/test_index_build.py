"""The index build network by network: same rows as the one-pass build, resumable, one
network's failure leaves the others written; the state table and the corpus words that
app processes read instead of every row (docs/scaling.md, "Many networks")."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from anlaufstelle.search import indexing, snapshots
from anlaufstelle.search.analysis import tokenize
from anlaufstelle.search.engine import SearchOptions, search
from anlaufstelle.search.indexing import (
    FIELDS,
    _fields,
    embed_pending,
    index_object,
    rebuild_index,
    remove_ref,
    upsert_items,
)
from anlaufstelle.search.lexicon import corpus_words, lexicon_words, set_corpus_words
from anlaufstelle.search.models import SearchCorpusWord, SearchDocument, SearchIndexState
from anlaufstelle.search.sources import all_items


def stored_rows() -> dict[tuple[int, str], dict[str, object]]:
    with scopes_disabled():
        return {
            (row["network_id"], row["ref"]): {k: row[k] for k in FIELDS}
            for row in SearchDocument.objects.values("network_id", "ref", *FIELDS)
        }


def states() -> dict[int, tuple[int, int]]:
    return {s.network_id: (s.rows, s.version) for s in SearchIndexState.objects.all()}


def actual_counts() -> dict[int, int]:
    with scopes_disabled():
        counts: dict[int, int] = {}
        for network_id in SearchDocument.objects.values_list("network_id", flat=True):
            counts[network_id] = counts.get(network_id, 0) + 1
        return counts


def corpus_union() -> set[str]:
    """The corpus words as the old code derived them: every stored row's words."""
    with scopes_disabled():
        rows = SearchDocument.objects.values_list("title", "body")
        return lexicon_words(w for title, body in rows for w in [*tokenize(title), *tokenize(body)])


def add_offer(network, slug: str, title: str, summary: str):
    from anlaufstelle.directory.models import Offer, Provider

    with scopes_disabled():
        provider = Provider.objects.filter(network=network).first()
        return Offer.objects.create(
            network=network,
            provider=provider,
            slug=slug,
            title=title,
            summary=summary,
            kind="beratung",
            region=network.region or "bund",
        )


def test_the_network_by_network_build_writes_the_rows_of_the_one_pass_build(search_world):
    built = stored_rows()
    # The former build: every item's words into the lexicon first, then one row per item.
    items = list(all_items())
    with scopes_disabled():
        SearchDocument.objects.all().delete()
        set_corpus_words(w for item in items for w in tokenize(f"{item.title} {item.body}"))
        for item in items:
            SearchDocument.objects.create(network_id=item.network_id, ref=item.ref, **_fields(item))
    assert stored_rows() == built
    assert len(built) == len(items) > 6


def test_a_second_run_skips_every_current_network_and_writes_nothing(search_world):
    before = states()
    stats = rebuild_index(embed=False)
    assert stats["skipped"] == stats["networks"] == 3
    assert stats["created"] == stats["updated"] == stats["removed"] == 0
    assert states() == before  # no row written: no version bumped


def test_a_second_run_reads_the_items_of_a_current_network_only_once(search_world, monkeypatch):
    real = indexing.directory_items
    calls: list[int | None] = []

    def counting(network_id=None):
        calls.append(network_id)
        return real(network_id)

    monkeypatch.setattr(indexing, "directory_items", counting)
    assert rebuild_index(embed=False)["skipped"] == 3
    assert sorted(calls) == sorted(n.pk for n in search_world.__dict__.values())


def test_a_changed_item_makes_only_its_network_due(search_world):
    from anlaufstelle.directory.models import Offer

    with scopes_disabled():
        offer = Offer.objects.get(slug="stuttgart-wohnprojekt")
        # The same words in another order: the lexicon stays as it is.
        offer.summary = (
            "Möblierte Zimmer für Auszubildende von Betrieben, nur in der Region Stuttgart."
        )
        offer.save()
    stats = rebuild_index(embed=False)
    assert stats["skipped"] == 2
    assert stats["updated"] == 1
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:stuttgart-wohnprojekt")
    assert doc.body.startswith("Möblierte Zimmer für Auszubildende von Betrieben, nur")


def test_a_new_word_makes_every_network_due_but_writes_only_changed_rows(search_world):
    from anlaufstelle.directory.models import Offer

    with scopes_disabled():
        offer = Offer.objects.get(slug="stuttgart-wohnprojekt")
        offer.summary = "Möblierte Zimmer mit Fahrradkeller für Auszubildende."
        offer.save()
    stats = rebuild_index(embed=False)
    # A new corpus word may change how other networks' compounds split: all re-analysed.
    assert stats["skipped"] == 0
    assert stats["updated"] == 1
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref="offer:stuttgart-wohnprojekt")
    assert "Fahrradkeller" in doc.body


def test_a_failing_network_leaves_the_others_written_and_the_next_run_resumes(
    search_world, monkeypatch
):
    with scopes_disabled():
        SearchDocument.objects.all().delete()
    real = indexing.directory_items
    broken = search_world.stuttgart.pk

    def failing(network_id=None):
        if network_id == broken:
            raise RuntimeError("database went away")
        return real(network_id)

    monkeypatch.setattr(indexing, "directory_items", failing)
    stats = rebuild_index(embed=False, force=True)
    assert stats["failed"] == ["region-stuttgart"]
    counts = actual_counts()
    assert counts.get(search_world.feldberg.pk, 0) > 0 and counts.get(search_world.bund.pk, 0) > 0
    assert broken not in counts

    monkeypatch.setattr(indexing, "directory_items", real)
    again = rebuild_index(embed=False)
    assert again["failed"] == []
    assert actual_counts().get(broken, 0) > 0


def test_an_interrupted_build_resumes_with_the_networks_not_yet_written(search_world, monkeypatch):
    with scopes_disabled():
        SearchDocument.objects.all().delete()
    real = indexing._write_rows
    broken = search_world.stuttgart.pk

    def interrupted(items, *, track_words):
        if items and items[0].network_id == broken:
            raise KeyboardInterrupt
        return real(items, track_words=track_words)

    monkeypatch.setattr(indexing, "_write_rows", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rebuild_index(embed=False, force=True)
    assert broken not in actual_counts()
    monkeypatch.setattr(indexing, "_write_rows", real)
    again = rebuild_index(embed=False)
    # Networks before the interruption are current; the rest is written now.
    assert again["skipped"] == sum(
        1 for n in (search_world.bund.pk, search_world.feldberg.pk) if n < broken
    )
    assert again["failed"] == [] and actual_counts().get(broken, 0) > 0


def test_a_failure_inside_a_network_rolls_back_only_that_network(search_world, monkeypatch):
    real = indexing._write_rows
    before = stored_rows()

    def failing(items, *, track_words):
        if items and items[0].network_id == search_world.feldberg.pk:
            real(items, track_words=track_words)
            raise RuntimeError("disk full")
        return real(items, track_words=track_words)

    monkeypatch.setattr(indexing, "_write_rows", failing)
    stats = rebuild_index(embed=False, force=True)
    assert stats["failed"] == ["feldberg"]
    assert stored_rows() == before


def test_the_command_rebuilds_one_network_and_refuses_an_unknown_one(search_world, capsys):
    from anlaufstelle.directory.models import Offer

    with scopes_disabled():
        Offer.objects.filter(slug="feldberg-geheimtipp").update(title="Wohnungen am Haussee")
        Offer.objects.filter(slug="stuttgart-wohnprojekt").update(title="Azubi-Wohnheim Nord")
    call_command("rebuild_index", "--no-embed", "--network", "feldberg")
    out = capsys.readouterr()
    assert "[1/1] feldberg:" in out.err
    assert "Einträge/s" in out.out
    rows = {ref: row for (_n, ref), row in stored_rows().items()}
    assert rows["offer:feldberg-geheimtipp"]["title"] == "Wohnungen am Haussee"
    assert rows["offer:stuttgart-wohnprojekt"]["title"] == "Azubi-Wohnheim Neckarblick"
    with pytest.raises(CommandError, match="nowhere"):
        call_command("rebuild_index", "--no-embed", "--network", "nowhere")


def test_one_network_rebuild_adds_its_words_to_the_stored_corpus_words(search_world):
    add_offer(search_world.stuttgart, "zahnrad", "Zahnradwerkstatt", "Lehrgang Zahnradfertigung")
    version = SearchIndexState.objects.get(network_id=SearchIndexState.LEXICON).version
    rebuild_index(embed=False, networks=["region-stuttgart"])
    words = set(SearchCorpusWord.objects.values_list("word", flat=True))
    assert {"zahnradwerkstatt", "zahnradfertigung"} <= words
    assert words == corpus_union()
    assert SearchIndexState.objects.get(network_id=SearchIndexState.LEXICON).version > version


def test_the_state_rows_follow_every_write_of_the_index(search_world):
    assert {n: rows for n, (rows, _v) in states().items() if n} == actual_counts()
    feldberg = search_world.feldberg.pk
    rows, version = states()[feldberg]
    with scopes_disabled():
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(network_id=feldberg, ref=f"x:{i}", kind="offer", slug=f"x{i}")
                for i in range(3)
            ]
        )
        assert states()[feldberg][0] == rows + 3
        SearchDocument.objects.filter(network_id=feldberg, ref="x:1").update(title="neu")
        assert states()[feldberg][1] > version
        SearchDocument.objects.filter(ref__startswith="x:").delete()
    assert states()[feldberg][0] == rows
    assert {n: r for n, (r, _v) in states().items() if n} == actual_counts()


def test_the_corpus_words_follow_the_index_tasks(search_world):
    assert set(SearchCorpusWord.objects.values_list("word", flat=True)) == corpus_union()
    offer = add_offer(search_world.feldberg, "quantenkurs", "Quantenkurs", "Für Quantenbetriebe")
    index_object("offer", offer.pk, search_world.feldberg.pk, "offer:quantenkurs", embed=False)
    assert {"quantenkurs", "quantenbetriebe"} <= set(
        SearchCorpusWord.objects.values_list("word", flat=True)
    )
    assert set(SearchCorpusWord.objects.values_list("word", flat=True)) == corpus_union()
    remove_ref(search_world.feldberg.pk, "offer:quantenkurs")
    words = set(SearchCorpusWord.objects.values_list("word", flat=True))
    assert "quantenkurs" not in words
    assert words == corpus_union()


def test_an_upsert_of_unchanged_items_changes_nothing(search_world):
    before, rows = states(), stored_rows()
    upsert_items([i for i in all_items() if i.network_id == search_world.feldberg.pk])
    assert stored_rows() == rows
    assert {n: v for n, v in states().items() if n} == {n: v for n, v in before.items() if n}


def test_a_search_loads_only_the_visible_networks_and_the_lexicon_from_the_table(search_world):
    snapshots.invalidate()
    set_corpus_words([])
    snapshots.ensure_lexicon()
    assert snapshots.memory()["snapshots"] == 0  # the lexicon needs no snapshot
    assert "einstiegsqualifizierung" in corpus_words()
    ids = search_world.ids(search_world.feldberg)
    result = search("Einstiegsqualifizierung", ids, options=SearchOptions.for_mode("lexical"))
    assert result.hits
    loaded = set(snapshots._snapshots)
    assert loaded <= set(ids) and search_world.stuttgart.pk not in loaded


def test_the_snapshot_budget_drops_the_least_recently_used_network(search_world, settings):
    snapshots.invalidate()
    feldberg, stuttgart, bund = (n.pk for n in search_world.__dict__.values())
    snapshots.snapshot(feldberg)
    one = snapshots.memory()["snapshot_bytes"]
    settings.SEARCH_SNAPSHOT_BUDGET_MB = (one * 1.5) / (1024 * 1024)
    snapshots.snapshot(stuttgart)
    assert list(snapshots._snapshots) == [stuttgart]
    snapshots.snapshot(bund)
    assert list(snapshots._snapshots) == [bund]
    settings.SEARCH_SNAPSHOT_BUDGET_MB = 0
    for network_id in (feldberg, stuttgart, bund):
        snapshots.snapshot(network_id)
    assert set(snapshots._snapshots) == {feldberg, stuttgart, bund}


def test_a_write_changes_the_stamp_that_processes_compare(search_world):
    feldberg = search_world.feldberg.pk
    before = snapshots.current_stamps(force=True)[feldberg]
    with scopes_disabled():
        SearchDocument.objects.filter(network_id=feldberg).update(region="neu")
    after = snapshots.current_stamps(force=True)[feldberg]
    assert after[0] == before[0] and after != before


class FakeEmbedder:
    model_id = "fake:4"
    dimension = 4

    def embed_passages(self, texts):
        import numpy as np

        return np.ones((len(texts), 4), dtype=np.float32) / 2

    embed_queries = embed_passages


def test_embed_pending_embeds_one_network_in_batches_and_then_nothing(search_world):
    feldberg = search_world.feldberg.pk
    seen: list[tuple[int, int]] = []
    done = embed_pending(
        FakeEmbedder(), network_ids=[feldberg], batch=2, progress=lambda d, t: seen.append((d, t))
    )
    with scopes_disabled():
        embedded = set(
            SearchDocument.objects.filter(model_id="fake:4").values_list("network_id", flat=True)
        )
        rows = SearchDocument.objects.filter(network_id=feldberg).count()
    assert done == rows and embedded == {feldberg}
    assert seen[0] == (2, rows) and seen[-1] == (rows, rows)
    assert embed_pending(FakeEmbedder(), network_ids=[feldberg]) == 0


def test_the_typo_vocabularies_drop_the_least_recently_used_set(search_world, monkeypatch):
    snapshots.invalidate()
    monkeypatch.setattr(snapshots, "VOCABULARIES", 2)
    feldberg, stuttgart, bund = (n.pk for n in search_world.__dict__.values())
    first = snapshots.vocabulary([feldberg, bund])
    snapshots.vocabulary([stuttgart, bund])
    assert snapshots.vocabulary([feldberg, bund]) is first  # used again: now the newest
    snapshots.vocabulary([bund])
    assert snapshots.memory()["vocabularies"] == 2
    assert snapshots.vocabulary([feldberg, bund]) is first  # kept, the Stuttgart set went
