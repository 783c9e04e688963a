"""iCalendar: the .ics of one appointment and an expert's private subscription feed.

Times are written in UTC (DTSTART:...Z), which every calendar program accepts and which
needs no VTIMEZONE; the calendar shows them in the user's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Booking, BookingStatus, Format

PRODID = "-//Anlaufstelle//Termine//DE"


def new_calendar(name: str | None = None, prodid: str = PRODID) -> Calendar:
    """An empty iCalendar to publish (also used by the events app)."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    return cal


def where(booking: Booking) -> str:
    schedule = booking.slot.schedule
    if schedule.format == Format.VIDEO:
        return booking.video_link
    if schedule.format == Format.PHONE:
        return schedule.phone_note or "Telefon"
    room = schedule.room.name if schedule.room else ""
    return ", ".join(p for p in [room, schedule.location.replace("\n", ", ")] if p)


def booking_event(booking: Booking, *, for_expert: bool = False) -> Event:
    """The VEVENT of one appointment; the expert's version includes the company's details."""
    schedule = booking.slot.schedule
    event = Event()
    event.add("uid", f"booking-{booking.code}@anlaufstelle")
    event.add("dtstamp", timezone.now().astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", booking.slot.starts_at.astimezone(UTC))
    event.add("dtend", booking.slot.ends_at.astimezone(UTC))
    event.add("sequence", booking.token_version)
    if for_expert:
        who = ", ".join(p for p in [booking.name, booking.company] if p)
        event.add("summary", f"{schedule.title}: {who}")
        lines = [
            f"Name: {booking.name}",
            f"Firma: {booking.company}",
            f"E-Mail: {booking.email}",
            f"Telefon: {booking.phone}",
            "",
            booking.concern,
        ]
        event.add("description", "\n".join(lines).strip())
    else:
        event.add("summary", f"{schedule.title} ({schedule.provider.name})")
        event.add("description", f"Buchungscode: {booking.code}")
    location = where(booking)
    if location:
        event.add("location", location)
    if booking.video_link:
        event.add("url", booking.video_link)
    if booking.status == BookingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def booking_ics(booking: Booking) -> bytes:
    """The .ics attachment for the company."""
    cal = new_calendar()
    cal.add_component(booking_event(booking))
    return cal.to_ical()


def feed_ics(bookings: Iterable[Booking], *, name: str) -> bytes:
    """The expert's feed: every appointment, cancelled ones marked so calendars drop them."""
    cal = new_calendar(name)
    cal.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    for booking in bookings:
        cal.add_component(booking_event(booking, for_expert=True))
    return cal.to_ical()
