"""Apps register their own kinds: search indexes and links them without importing them."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import registry, snapshots
from anlaufstelle.search.indexing import index_object, rebuild_index
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.sources import SourceItem

CLICK = "/n/feldberg/suche/klick/"


@pytest.fixture
def media_source(search_world):
    """A registered kind "media" backed by a dict that the test edits."""
    rows: dict[int, SourceItem] = {
        1: SourceItem(
            network_id=search_world.feldberg.pk,
            ref="media:podcast-azubis",
            kind="media",
            slug="podcast-azubis",
            title="Podcast: Azubis finden auf dem Land",
            body="Zwei Betriebe erzählen, wie sie Auszubildende über Social Media gewinnen.",
            embed_text="Podcast Azubis finden",
        )
    }
    with registry.unregistered("media"):
        registry.register_source(
            "media",
            items=lambda: list(rows.values()),
            item_for=rows.get,
            url=lambda network, doc: (
                f"/n/{network.slug}/mediathek/{doc.slug}/"
                if any(i.slug == doc.slug for i in rows.values())
                else ""
            ),
            label="Mediathek",
        )
        rebuild_index(embed=False)
        snapshots.invalidate()
        yield rows
        registry._SOURCES.pop("media", None)


def media_refs() -> list[str]:
    with scopes_disabled():
        return list(SearchDocument.objects.filter(kind="media").values_list("ref", flat=True))


def test_a_registered_kind_is_indexed_by_rebuild_index(media_source):
    assert media_refs() == ["media:podcast-azubis"]


def test_a_registered_kind_opens_its_own_page_from_a_click(client, media_source):
    response = client.get(CLICK, {"ref": "media:podcast-azubis", "rang": "1", "q": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/mediathek/podcast-azubis/"


def test_a_registered_item_that_is_gone_leads_nowhere_and_leaves_the_index(client, media_source):
    media_source.pop(1)
    response = client.get(CLICK, {"ref": "media:podcast-azubis", "rang": "1", "q": "x"})
    assert response.status_code == 404
    with scopes_disabled():
        network_id = SearchDocument.objects.get(ref="media:podcast-azubis").network_id
    index_object("media", 1, network_id, "media:podcast-azubis", embed=False)
    assert media_refs() == []


def test_the_results_page_names_the_registered_type(client, media_source):
    response = client.get("/n/feldberg/suche/", {"q": "Auszubildende Social Media"})
    assert "media:podcast-azubis" in [d.ref for d in response.context["page"].documents]
    assert "Mediathek" in response.content.decode()


def test_a_built_in_kind_cannot_be_taken_over():
    with pytest.raises(ValueError):
        registry.register_source(
            "offer", items=list, item_for=lambda pk: None, url=lambda n, d: "", label="x"
        )
