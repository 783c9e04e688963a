"""The candidates' rows for the re-ranking (search/candidates.py) and the providers'
share of their best offer's score (engine.propagate_to_providers)."""

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import candidates
from anlaufstelle.search.engine import propagate_to_providers
from anlaufstelle.search.models import SearchDocument


def an_offer_and_its_provider(network_ids):
    with scopes_disabled():
        for offer in SearchDocument.objects.filter(network_id__in=network_ids, kind="offer"):
            provider = SearchDocument.objects.filter(
                network_id=offer.network_id, kind="provider", slug=offer.provider_slug
            ).first()
            if offer.provider_slug and provider is not None:
                return offer, provider
    raise AssertionError("the small world has an offer with its provider")


def test_rows_are_read_with_their_label_lists(search_world):
    ids = search_world.ids(search_world.feldberg)
    offer, provider = an_offer_and_its_provider(ids)
    with scopes_disabled():
        SearchDocument.objects.filter(pk=offer.pk).update(
            topics=["Ausbildung", "Fachkräfte"], audiences=["Handwerk"]
        )
    rows = candidates.load([offer.pk, provider.pk, 10**9])
    assert set(rows) == {offer.pk, provider.pk}
    row = rows[offer.pk]
    assert (row.kind, row.network_id, row.provider_slug) == (
        "offer",
        offer.network_id,
        provider.slug,
    )
    assert row.topics == ("Ausbildung", "Fachkräfte") and row.audiences == ("Handwerk",)
    assert row.title_terms == offer.title_terms
    assert rows[provider.pk].kind == "provider" and rows[provider.pk].slug == provider.slug


def test_a_provider_gets_a_share_of_its_best_offer(search_world):
    ids = search_world.ids(search_world.feldberg)
    offer, provider = an_offer_and_its_provider(ids)
    scored = {offer.pk: 2.0}
    out = propagate_to_providers(scored, ids, 0.5)
    assert out[provider.pk] == pytest.approx(1.0)
    assert out[offer.pk] == 2.0
    # A provider that already scores higher keeps its own score.
    assert propagate_to_providers({offer.pk: 2.0, provider.pk: 1.5}, ids, 0.5)[provider.pk] == 1.5
    # With the rows given, the providers' rows are added to them.
    rows = candidates.load(scored)
    propagate_to_providers(scored, ids, 0.5, rows=rows)
    assert provider.pk in rows
