"""Events in search: the events app's source, results open the event page with its date."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.events.models import Event
from anlaufstelle.search import registry, snapshots
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchDocument

from .conftest import make_event

pytestmark = pytest.mark.django_db

CLICK = "/n/feldberg/suche/klick/"


@pytest.fixture
def indexed(settings, feldberg):
    settings.SEARCH_EMBEDDER = "none"
    event = make_event(feldberg.network, summary="Fachleute beraten Betriebe zur Ausbildung.")
    make_event(feldberg.network, slug="entwurf", title="Entwurf", status="draft")
    rebuild_index(embed=False)
    snapshots.invalidate()
    return event


def event_docs() -> list[SearchDocument]:
    with scopes_disabled():
        return list(SearchDocument.objects.filter(kind="event"))


def test_the_events_app_registers_the_event_kind():
    assert registry.is_registered("event")


def test_published_dated_events_are_indexed_with_their_date_in_the_title(indexed):
    [doc] = event_docs()
    assert doc.ref == "event:sprechtag-ausbildung"
    local = indexed.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert doc.title == f"Sprechtag Ausbildung ({local:%d.%m.%Y}, {local:%H:%M} Uhr)"


def test_a_click_on_an_event_result_opens_the_event_page(client, indexed):
    response = client.get(CLICK, {"ref": "event:sprechtag-ausbildung", "rang": "1", "q": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/veranstaltungen/sprechtag-ausbildung/"


def test_an_event_that_left_the_public_leads_nowhere_and_leaves_the_index(
    client, indexed, settings, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        Event.objects.filter(pk=indexed.pk).update(status="draft")
    response = client.get(CLICK, {"ref": "event:sprechtag-ausbildung", "rang": "1", "q": "x"})
    assert response.status_code == 404
    settings.SEARCH_AUTO_INDEX = True
    indexed.status = "draft"
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        indexed.save()
    assert event_docs() == []


def hit_link(page: str, ref: str) -> str:
    """The href of the search hit for `ref` on a result page."""
    from html import unescape
    from urllib.parse import quote

    found = re.search(r'href="([^"]*ref=' + re.escape(quote(ref, safe="")) + r'[^"]*)"', page)
    assert found, f"no hit for {ref}"
    return unescape(found.group(1))


def test_the_search_page_shows_the_events_date_and_opens_its_page(client, indexed):
    local = indexed.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    page = client.get("/n/feldberg/suche/", {"q": "Sprechtag Ausbildung"}).content.decode()
    expected = (
        f'<time class="search-hit__date" datetime="{local.isoformat()}">'
        f"Termin: {local:%d.%m.%Y}, {local:%H:%M} Uhr</time>"
    )
    assert expected in page
    response = client.get(hit_link(page, "event:sprechtag-ausbildung"))
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/veranstaltungen/sprechtag-ausbildung/"
    assert client.get(response["Location"]).status_code == 200
