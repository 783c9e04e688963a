"""Read helpers of the events pages."""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from anlaufstelle.networks.models import Network, Role, User

from .models import BERLIN, Event, EventStatus, Registration, RegistrationStatus


def public_events(network: Network) -> QuerySet[Event]:
    return (
        Event.objects.filter(network=network, status=EventStatus.PUBLISHED, starts_at__isnull=False)
        .select_related("provider", "event_type")
        .prefetch_related("topics")
    )


def upcoming(network: Network, now: datetime | None = None) -> QuerySet[Event]:
    now = now or timezone.now()
    return public_events(network).filter(starts_at__gte=now).order_by("starts_at")


def in_month(events: QuerySet[Event], month: date) -> QuerySet[Event]:
    """`events` that start in `month` (Berlin time)."""
    start = datetime(month.year, month.month, 1, tzinfo=BERLIN)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=BERLIN)
    return events.filter(starts_at__gte=start, starts_at__lt=end)


def month_links(month: date) -> dict[str, str]:
    """The `monat` values of the month before and after `month`."""
    before = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    after = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return {"previous": f"{before:%Y-%m}", "next": f"{after:%Y-%m}"}


@dataclass
class GridDay:
    day: date
    in_month: bool
    is_today: bool
    events: list[Event]


def month_grid(month: date, events: list[Event], today: date) -> list[list[GridDay]]:
    """The weeks (Monday first) of `month` with each day's `events` (Berlin dates)."""
    by_day: dict[date, list[Event]] = defaultdict(list)
    for event in events:
        if event.starts_at is not None:
            by_day[event.starts_at.astimezone(BERLIN).date()].append(event)
    return [
        [GridDay(d, d.month == month.month, d == today, by_day.get(d, [])) for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]


def public_event_or_404(network: Network, slug: str) -> Event:
    event = public_events(network).filter(slug=slug[:160]).first()
    if event is None:
        raise Http404
    return event


def manageable_events(network: Network, member: User) -> QuerySet[Event]:
    """Navigators and coordinators: every event; a partner expert: their provider's."""
    events = Event.objects.filter(network=network).select_related("provider", "event_type")
    if member.is_superuser or member.role in (Role.COORDINATOR, Role.NAVIGATOR):
        return events
    if member.provider_id is None:
        return events.none()
    return events.filter(provider_id=member.provider_id)


def manageable_event_or_404(network: Network, member: User, slug: str) -> Event:
    event = manageable_events(network, member).filter(slug=slug[:160]).first()
    if event is None:
        raise Http404
    return event


def active_registrations(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)


ATTENDANCE_MODE = {
    "vor_ort": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def json_ld(event: Event, url: str) -> SafeString:
    """schema.org Event as a JSON data block; <, > and & escaped so it cannot end the tag."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary or event.description[:500],
        "eventAttendanceMode": ATTENDANCE_MODE.get(event.format, ATTENDANCE_MODE["vor_ort"]),
        "eventStatus": (
            "https://schema.org/EventCancelled"
            if event.status == EventStatus.CANCELLED
            else "https://schema.org/EventScheduled"
        ),
        "url": url,
        "isAccessibleForFree": True,
        "maximumAttendeeCapacity": event.capacity,
        "remainingAttendeeCapacity": event.places_left,
    }
    start, end = event.starts_at, event.default_end()
    if start is not None and end is not None:  # public events always have a date
        data["startDate"] = start.isoformat()
        data["endDate"] = end.isoformat()
    locations: list[dict[str, object]] = []
    if event.format != "online":
        locations.append(
            {"@type": "Place", "name": event.place or event.address, "address": event.address}
        )
    if event.format != "vor_ort":
        # The join link is for registrants only: the page itself is the virtual location.
        locations.append({"@type": "VirtualLocation", "url": url})
    data["location"] = locations[0] if len(locations) == 1 else locations
    if event.provider:
        data["organizer"] = {"@type": "Organization", "name": event.provider.name}
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308  (JSON with every tag-closing character escaped)


def registrations_for_email(network: Network, email: str, limit: int = 10) -> list[Registration]:
    """A company's registrations (by e-mail), newest event first: the desk's history."""
    if not email:
        return []
    return list(
        Registration.objects.with_scopes_disabled()
        .filter(network=network, email__iexact=email, anonymised_at__isnull=True)
        .select_related("event")
        .order_by("-event__starts_at")[:limit]
    )
