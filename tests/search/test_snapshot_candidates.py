"""The candidates' rows the ranking reads come from the snapshot (both databases)."""

from __future__ import annotations

from django_scopes import scopes_disabled

from anlaufstelle.search import candidates, snapshots
from anlaufstelle.search.models import SearchDocument


def test_the_snapshot_holds_every_row_as_the_database_reads_it(search_world):
    world = search_world
    scope = world.ids(world.feldberg)
    with scopes_disabled():
        ids = list(SearchDocument.objects.filter(network_id__in=scope).values_list("pk", flat=True))
    from_snapshot = snapshots.candidate_rows(scope, ids)
    assert from_snapshot == candidates.load(ids)
    assert len(from_snapshot) == len(ids) > 0
    # The label lists are decoded on both databases (text on SQLite, lists on PostgreSQL).
    assert any(row.topics for row in from_snapshot.values())
    assert all(isinstance(row.topics, tuple) for row in from_snapshot.values())


def test_rows_of_networks_out_of_scope_are_not_returned(search_world):
    world = search_world
    with scopes_disabled():
        stuttgart = list(
            SearchDocument.objects.filter(network=world.stuttgart).values_list("pk", flat=True)
        )
    assert stuttgart
    assert snapshots.candidate_rows([world.feldberg.pk], stuttgart) == {}
