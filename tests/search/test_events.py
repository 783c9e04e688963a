"""Events in search: no bundled demo data outside the demo, no result without its date."""

from __future__ import annotations

import json

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import registry, snapshots
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.sources import bundled_catalog_path

CLICK = "/n/feldberg/suche/klick/"


@pytest.fixture(autouse=True)
def catalog_file_source():
    """These tests are about the catalog file source, which only runs while no app
    registers events (the events app does: see tests/events for its source)."""
    with registry.unregistered("event"):
        yield


def event_docs() -> list[SearchDocument]:
    with scopes_disabled():
        return list(SearchDocument.objects.filter(kind="event").order_by("ref"))


def reindex() -> None:
    rebuild_index(embed=False)
    snapshots.invalidate()


@pytest.fixture
def own_catalog(tmp_path, settings, search_world):
    """An installation's own events file: one dated event, one without a date."""
    path = tmp_path / "events.json"
    event = {
        "anlaufstelle": "anbieter-feldberg",
        "format": "vor-ort",
        "region": "mv-seenplatte",
        "description_de": "Fachleute beraten Betriebe zur Ausbildung.",
    }
    path.write_text(
        json.dumps(
            {
                "events": [
                    event
                    | {
                        "id": "ev-sprechtag",
                        "title_de": "Sprechtag Ausbildung",
                        "start": "2027-01-14T10:00:00",
                    },
                    event | {"id": "ev-ohne-datum", "title_de": "Sprechtag ohne Datum"},
                ]
            }
        ),
        encoding="utf-8",
    )
    settings.SEARCH_EVENTS_CATALOG = str(path)
    reindex()
    return path


def test_the_bundled_demo_events_are_not_indexed_outside_the_demo(settings, search_world):
    del settings.SEARCH_EVENTS_CATALOG  # the default: the bundled file, demo data
    assert bundled_catalog_path().exists()
    assert json.loads(bundled_catalog_path().read_text(encoding="utf-8"))["events"]
    reindex()
    assert event_docs() == []


def test_even_the_demo_indexes_no_bundled_event_without_a_date(settings, search_world):
    del settings.SEARCH_EVENTS_CATALOG
    settings.SEARCH_DEMO_EVENTS = True  # the demo's opt-in
    reindex()
    # The bundled events are fictional formats without a date (`fictional: true`).
    assert event_docs() == []


def test_an_installations_own_dated_events_are_indexed_with_their_date(own_catalog):
    [doc] = event_docs()
    assert doc.ref == "event:ev-sprechtag"
    assert doc.title == "Sprechtag Ausbildung (14.01.2027, 10:00 Uhr)"
    assert doc.body.startswith("Termin: 14.01.2027, 10:00 Uhr")


def test_the_results_page_shows_the_events_date(client, own_catalog):
    response = client.get("/n/feldberg/suche/", {"q": "Fachleute beraten Betriebe"})
    # The event first; the Kammer's advice for Betriebe may follow (on PostgreSQL it
    # does since the query no longer also matches the parts of "Fachleute").
    refs = [d.ref for d in response.context["page"].documents]
    assert refs[0] == "event:ev-sprechtag"
    assert set(refs) <= {"event:ev-sprechtag", "offer:hwk-ausbildungsberatung"}
    page = response.content.decode()
    assert "Ausbildung (14.01.2027, 10:00 Uhr)</a>" in page
    assert "ohne Datum" not in page


def test_a_click_on_a_dated_event_leads_to_its_organiser(client, own_catalog):
    response = client.get(CLICK, {"ref": "event:ev-sprechtag", "rang": "1", "q": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/anlaufstellen/anbieter-feldberg/"


def test_an_undated_event_left_in_an_old_index_leads_nowhere(client, search_world):
    with scopes_disabled():
        SearchDocument.objects.create(
            network=search_world.feldberg,
            ref="event:ev-werkraum-sprechstunde-fachkraefte",
            kind="event",
            slug="ev-werkraum-sprechstunde-fachkraefte",
            title="Sprechstunde Fachkräftesicherung im Werkraum Feldberg",
            provider_slug="anbieter-feldberg",
        )
    response = client.get(
        CLICK, {"ref": "event:ev-werkraum-sprechstunde-fachkraefte", "rang": "1", "q": "x"}
    )
    assert response.status_code == 404


def test_the_migration_drops_the_event_rows_of_earlier_indexes(search_world):
    from importlib import import_module

    from django.apps import apps

    with scopes_disabled():
        SearchDocument.objects.create(
            network=search_world.feldberg, ref="event:alt", kind="event", slug="alt", title="Alt"
        )
        offers = SearchDocument.objects.filter(kind="offer").count()
    migration = import_module("anlaufstelle.search.migrations.0006_drop_bundled_events")
    migration.drop_events(apps, None)
    assert event_docs() == []
    with scopes_disabled():
        assert SearchDocument.objects.filter(kind="offer").count() == offers > 0
