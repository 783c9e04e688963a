"""SQLite's full-text query leaves out the network scope when the visible networks
hold every row (one network per installation), and still never returns another
network's row, even when the stamps it decided by are out of date."""

from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.backends import get_backend
from anlaufstelle.search.models import SearchDocument


def networks_of(pks):
    with scopes_disabled():
        return set(SearchDocument.objects.filter(pk__in=pks).values_list("network_id", flat=True))


def test_sees_every_row_only_when_every_network_with_rows_is_visible(search_world):
    snapshots.invalidate()
    everyone = [search_world.feldberg.pk, search_world.stuttgart.pk, search_world.bund.pk]
    assert snapshots.sees_every_row(everyone)
    assert not snapshots.sees_every_row(search_world.ids(search_world.feldberg))
    assert not snapshots.sees_every_row([])


def test_without_the_scope_the_same_rows_and_never_another_networks(search_world):
    backend = get_backend()
    terms = ["betrieb", "ausbild", "kamm", "beratung"]
    everyone = [search_world.feldberg.pk, search_world.stuttgart.pk, search_world.bund.pk]
    scoped = backend.search(terms, everyone, plain=False, limit=50, title_weight=2.0)
    unscoped = backend.search(
        terms, everyone, plain=False, limit=50, title_weight=2.0, everything_visible=True
    )
    assert unscoped == scoped
    assert len(networks_of([pk for pk, _ in scoped])) > 1
    # Out-of-date stamps said "everything visible" for Feldberg's view: Stuttgart's rows
    # still stay out.
    feldberg = search_world.ids(search_world.feldberg)
    with scopes_disabled():
        titles = SearchDocument.objects.filter(network_id__in=everyone).values_list(
            "title", flat=True
        )
        words = sorted({w.lower() for title in titles for w in title.split() if w.isalpha()})
    for plain, query in ((False, terms), (True, words)):
        rows = backend.search(
            query, feldberg, plain=plain, limit=50, title_weight=2.0, everything_visible=True
        )
        assert rows and networks_of([pk for pk, _ in rows]) <= set(feldberg)
        expected = backend.search(query, feldberg, plain=plain, limit=50, title_weight=2.0)
        assert [pk for pk, _ in rows] == [pk for pk, _ in expected]


def test_the_engine_drops_the_scope_only_when_every_row_is_visible(search_world, monkeypatch):
    from anlaufstelle.search import engine
    from anlaufstelle.search.engine import SearchOptions, search

    seen: list[bool] = []
    real = get_backend()

    class Recording:
        def search(self, *args, **kwargs):
            seen.append(kwargs["everything_visible"])
            return real.search(*args, **kwargs)

    monkeypatch.setattr(engine, "get_backend", Recording)
    snapshots.invalidate()
    everyone = [search_world.feldberg.pk, search_world.stuttgart.pk, search_world.bund.pk]
    options = SearchOptions.for_mode("lexical")
    search("Ausbildung Beratung", everyone, options=options)
    search("Ausbildung Beratung", search_world.ids(search_world.feldberg), options=options)
    assert seen == [True, False]
