"""The calendar's month view: a real table (caption, weekday headers with abbreviations,
days as cells, events linked, today marked, neighbours linked) that keeps the filters."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Topic
from anlaufstelle.events.queries import month_grid

from .conftest import make_event

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/"
BERLIN = ZoneInfo("Europe/Berlin")


class Table(HTMLParser):
    """Reads the calendar table: caption, header cells, and per cell its text and links."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = ""
        self.headers: list[tuple[str, str]] = []  # (abbr title, text)
        self.cells: list[dict] = []
        self.rows = 0
        self._in: list[str] = []
        self._abbr = ""
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "event-calendar" in (a.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        self._in.append(tag)
        if tag == "tr" and "tbody" in self._in:
            self.rows += 1
        if tag == "abbr":
            self._abbr = a.get("title", "")
        if tag == "td":
            self.cells.append({"text": "", "links": [], "attrs": a})
        if tag == "a" and self.cells and "td" in self._in:
            self.cells[-1]["links"].append(a["href"])

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if not self._in_table:
            return
        if "caption" in self._in:
            self.caption += data.strip()
        elif "abbr" in self._in and "th" in self._in:
            self.headers.append((self._abbr, data.strip()))
        elif "td" in self._in and self.cells:
            self.cells[-1]["text"] += data


def read(html: str) -> Table:
    table = Table()
    table.feed(html)
    return table


@pytest.fixture
def january(feldberg):
    with scopes_disabled():
        topic = Topic.objects.order_by("pk").first()
    first = make_event(
        feldberg.network,
        feldberg.provider,
        slug="sprechtag",
        title="Sprechtag Ausbildung",
        starts_at=datetime(2027, 1, 14, 10, tzinfo=BERLIN),
    )
    first.topics.add(topic)
    make_event(
        feldberg.network,
        slug="webinar",
        title="Webinar Förderung",
        format="online",
        starts_at=datetime(2027, 1, 14, 16, 30, tzinfo=BERLIN),
    )
    make_event(
        feldberg.network,
        slug="spaet",
        title="Spät im Januar",
        starts_at=datetime(2027, 1, 31, 23, 30, tzinfo=BERLIN),  # 22:30 UTC, still 31st
    )
    return topic


@time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=BERLIN))
def test_the_month_is_a_table_with_caption_weekdays_and_linked_events(client, january):
    page = client.get(BASE, {"monat": "2027-01"}).content.decode()
    table = read(page)
    assert table.caption == "Januar 2027"
    assert table.headers == [
        ("Montag", "Mo"),
        ("Dienstag", "Di"),
        ("Mittwoch", "Mi"),
        ("Donnerstag", "Do"),
        ("Freitag", "Fr"),
        ("Samstag", "Sa"),
        ("Sonntag", "So"),
    ]
    # January 2027 starts on a Friday and ends on a Sunday: five weeks.
    assert table.rows == 5 and len(table.cells) == 35
    outside = [c for c in table.cells if "--outside" in c["attrs"]["class"]]
    assert len(outside) == 4  # Monday 28 December to Thursday 31 December
    day_14 = table.cells[4 + 13]
    assert "Donnerstag, 14. Januar" in day_14["text"]
    assert day_14["links"] == [f"{BASE}sprechtag/", f"{BASE}webinar/"]
    assert "10:00" in day_14["text"] and "16:30" in day_14["text"]
    assert table.cells[4 + 30]["links"] == [f"{BASE}spaet/"]
    today = [c for c in table.cells if c["attrs"].get("aria-current") == "date"]
    assert len(today) == 1 and "Dienstag, 5. Januar" in today[0]["text"]
    assert "Heute" in today[0]["text"]


@time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=BERLIN))
def test_the_neighbouring_months_and_the_filters_are_kept(client, january):
    page = client.get(BASE, {"monat": "2027-01", "format": "online"}).content.decode()
    table = read(page)
    linked = [link for c in table.cells for link in c["links"]]
    assert linked == [f"{BASE}webinar/"]
    assert 'href="?format=online&amp;monat=2026-12"' in page
    assert 'href="?format=online&amp;monat=2027-02"' in page
    assert 'href="?format=online"' in page  # back to the list, filter kept
    assert '<input type="hidden" name="monat" value="2027-01">' in page
    page = client.get(BASE, {"monat": "2027-01", "thema": january.slug}).content.decode()
    assert [link for c in read(page).cells for link in c["links"]] == [f"{BASE}sprechtag/"]


@time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=BERLIN))
def test_the_list_links_the_month_view_of_this_month(client, january):
    page = client.get(BASE, {"anbieter": "x"}).content.decode()
    assert 'href="?anbieter=x&amp;monat=2027-01"' in page
    assert "Monatsansicht" in page
    assert read(page).cells == []  # the list view has no grid


def test_a_month_without_events_says_so_in_german(client, feldberg):
    page = client.get(BASE, {"monat": "2027-02"}).content.decode()
    table = read(page)
    assert table.caption == "Februar 2027"
    assert table.rows == 4  # February 2027: Monday the 1st to Sunday the 28th
    assert "In diesem Monat gibt es keine passenden Veranstaltungen." in page


def test_the_grid_knows_weeks_days_and_today():
    weeks = month_grid(date(2027, 2, 1), [], today=date(2027, 2, 10))
    assert [len(w) for w in weeks] == [7, 7, 7, 7]  # February 2027: Monday 1st to Sunday 28th
    assert [d.day for d in weeks[0]][0] == date(2027, 2, 1)
    [today] = [d for w in weeks for d in w if d.is_today]
    assert today.day == date(2027, 2, 10)
