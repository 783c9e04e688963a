"""iCalendar of events: the attachment of a confirmation and the network's public feed.

Times in UTC (no VTIMEZONE needed), as in booking/ical.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from django.utils import timezone
from icalendar import Event as VEvent

from anlaufstelle.booking.ical import new_calendar

from .models import Event, EventStatus, Registration

PRODID = "-//Anlaufstelle//Veranstaltungen//DE"


def where(event: Event) -> str:
    return ", ".join(p for p in [event.place, event.address] if p)


def event_vevent(event: Event, *, url: str = "", online_url: str = "") -> VEvent:
    start, end = event.starts_at, event.default_end()
    if start is None or end is None:
        # Only public (dated) events reach a calendar file: an undated one is a draft.
        raise ValueError(f"event {event.pk} has no date")
    vevent = VEvent()
    vevent.add("uid", f"event-{event.network_id}-{event.slug}@anlaufstelle")
    vevent.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    vevent.add("dtstart", start.astimezone(UTC))
    vevent.add("dtend", end.astimezone(UTC))
    vevent.add("summary", event.title)
    if event.summary:
        vevent.add("description", event.summary)
    location = where(event) or online_url
    if location:
        vevent.add("location", location)
    if url or online_url:
        vevent.add("url", online_url or url)
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def registration_ics(registration: Registration, *, url: str = "") -> bytes:
    """The .ics attachment of a confirmation (carries the online link for registrants)."""
    cal = new_calendar(prodid=PRODID)
    event = registration.event
    cal.add_component(event_vevent(event, url=url, online_url=event.online_url))
    return cal.to_ical()


def feed_ics(events: Iterable[tuple[Event, str]], *, name: str) -> bytes:
    """The network's public events (the online link is for registrants only)."""
    cal = new_calendar(name, prodid=PRODID)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for event, url in events:
        cal.add_component(event_vevent(event, url=url))
    return cal.to_ical()
