"""The event page in English writes its date the English way ("Thursday, 3 December 2026,
14:30–16:30"), in German as always ("Donnerstag, 3. Dezember 2026, 14:30–16:30 Uhr")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.booking.test_english_dates import english_day, german_day, hhmm

from .conftest import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(feldberg):
    starts = (timezone.now() + timedelta(days=12)).replace(microsecond=0)
    return make_event(feldberg.network, feldberg.provider, starts_at=starts,
                      ends_at=starts + timedelta(hours=2))  # fmt: skip


def test_the_event_page_writes_its_date_in_german_and_in_english(client, event):
    url = f"/n/feldberg/veranstaltungen/{event.slug}/"
    start, end = hhmm(event.starts_at), hhmm(event.ends_at)
    german = client.get(url).content.decode()
    assert f">{german_day(event.starts_at)}, {start}</time>–{end} Uhr</dd>" in german

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Register" in english  # the page is English at all
    assert f">{english_day(event.starts_at)}, {start}</time>–{end}</dd>" in english
    assert "clock" not in english and " Uhr" not in english


def test_the_events_search_result_writes_its_date_in_the_pages_language(event):
    """The result line under an event in the search ("Termin: 03.12.2026, 14:30 Uhr"), as
    the page's language writes it (it was German on English pages)."""
    from types import SimpleNamespace

    from django.utils import translation

    from anlaufstelle.events.search_source import result_date

    doc = SimpleNamespace(network_id=event.network_id, slug=event.slug)
    local = timezone.localtime(event.starts_at)
    with translation.override("de"):
        german = result_date(doc).text
    with translation.override("en"):
        english = result_date(doc).text
    assert german == f"Termin: {local:%d.%m.%Y}, {local:%H:%M} Uhr"
    assert english == f"Date: {local.day} {local:%b %Y}, {local:%H:%M}"
