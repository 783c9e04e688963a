"""iCalendar: the .ics of a booking and the expert feed parse, and survive a real CalDAV server."""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import time
from datetime import UTC

import pytest
from icalendar import Calendar

from anlaufstelle.booking import ical, queries

from .test_services import book


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def caldav(tmp_path):
    """A real Radicale CalDAV server on 127.0.0.1 (no auth), with a calendar for 'jens'."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--auth-type",
            "none",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        client = CalDAV(port)
        status, _body = client.request("MKCALENDAR", "/jens/termine/")
        assert status == 201, status
        yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class CalDAV:
    def __init__(self, port: int) -> None:
        self.port = port
        self.auth = "Basic " + base64.b64encode(b"jens:x").decode()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Authorization": self.auth}
        if body is not None:
            headers["Content-Type"] = "text/calendar; charset=utf-8"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data


def only_event(data: bytes):
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_the_booking_ics_parses_with_utc_times(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    event = only_event(ical.booking_ics(booking))
    assert event.decoded("dtstart") == free_slot.starts_at.astimezone(UTC)
    assert event.decoded("dtend") == free_slot.ends_at.astimezone(UTC)
    assert str(event["uid"]) == f"booking-{booking.code}@anlaufstelle"
    assert "Werkraum" in str(event["location"])
    # The company's copy does not repeat its personal data.
    assert booking.email not in ical.booking_ics(booking).decode()


def test_a_real_caldav_server_accepts_the_booking_and_keeps_the_times(schedule, free_slot, caldav):
    booking = book(schedule, free_slot.starts_at)
    path = f"/jens/termine/{booking.code}.ics"
    status, _ = caldav.request("PUT", path, ical.booking_ics(booking))
    assert status == 201
    status, body = caldav.request("GET", path)
    assert status == 200
    event = only_event(body)
    assert event.decoded("dtstart") == free_slot.starts_at
    assert event.decoded("dtend") == free_slot.ends_at
    assert str(event["summary"]).startswith("Arbeitgeber-Sprechstunde")


def test_every_feed_event_survives_the_caldav_round_trip(schedule, in_feldberg, caldav):
    bookings = [
        book(schedule, s.starts_at, email=f"f{i}@example.org")
        for i, s in enumerate(queries.free_slots([schedule], limit=3))
    ]
    feed = Calendar.from_ical(ical.feed_ics(bookings, name="Termine"))
    events = feed.walk("VEVENT")
    assert len(events) == 3
    for event in events:
        single = Calendar()
        single.add("prodid", ical.PRODID)
        single.add("version", "2.0")
        single.add_component(event)
        uid = str(event["uid"]).split("@")[0]
        status, _ = caldav.request("PUT", f"/jens/termine/{uid}.ics", single.to_ical())
        assert status == 201
        status, body = caldav.request("GET", f"/jens/termine/{uid}.ics")
        back = only_event(body)
        assert back.decoded("dtstart") == event.decoded("dtstart")
        assert "Anja Muster" in str(back["summary"])
