"""An English page or e-mail writes dates the English way ("Thursday, 3 December 2026,
14:30"), the German one as always ("Donnerstag, 3. Dezember 2026, 14:30 Uhr"): the
appointment's page of an earlier link, its "you cancelled … on … at …" sentence, and the
confirmation e-mail of a booking made in English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries, services, tokens

from .test_services import book

BERLIN = ZoneInfo("Europe/Berlin")
# Written out here, not with Django's names, so the test does not repeat the code.
GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember"]  # fmt: skip
ENGLISH_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]  # fmt: skip


def berlin(moment: datetime) -> datetime:
    return timezone.localtime(moment, BERLIN)


def german_day(moment: datetime) -> str:
    m = berlin(moment)
    return f"{GERMAN_DAYS[m.weekday()]}, {m.day}. {GERMAN_MONTHS[m.month - 1]} {m.year}"


def english_day(moment: datetime) -> str:
    m = berlin(moment)
    return f"{ENGLISH_DAYS[m.weekday()]}, {m.day} {ENGLISH_MONTHS[m.month - 1]} {m.year}"


def hhmm(moment: datetime) -> str:
    return f"{berlin(moment):%H:%M}"


def in_english(client) -> None:
    """The language switch in the page's header posts here and sets the cookie."""
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.fixture
def cancelled(schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    view = tokens.make_token(booking, "view")
    with scopes_disabled():
        services.cancel_booking(booking=booking, by="company")
        booking.refresh_from_db()
    url = reverse(
        "site:booking:view",
        kwargs={"network_slug": "feldberg", "code": booking.code, "token": view},
    )
    return booking, url


def test_the_cancelled_appointment_page_is_written_in_english_and_in_german(client, cancelled):
    booking, url = cancelled
    starts, ends, at = booking.slot.starts_at, booking.slot.ends_at, booking.cancelled_at
    m = berlin(at)

    german = client.get(url).content.decode()
    assert f"{german_day(starts)}, {hhmm(starts)}–{hhmm(ends)} Uhr</dd>" in german
    said = f"Sie haben diesen Termin am {m.day}. {GERMAN_MONTHS[m.month - 1]} {m.year}"
    assert f"{said} um {hhmm(at)} Uhr abgesagt." in german

    in_english(client)
    response = client.get(url)
    assert response.status_code == 410
    english = response.content.decode()
    assert "This appointment was cancelled" in english  # the page is English at all
    assert f"{english_day(starts)}, {hhmm(starts)}–{hhmm(ends)}</dd>" in english
    said = f"You cancelled this appointment on {m.day} {ENGLISH_MONTHS[m.month - 1]} {m.year}"
    assert f"{said} at {hhmm(at)}." in english
    assert "clock" not in english and " Uhr" not in english


@pytest.fixture
def smtp(smtp, settings):
    """Links point at the test client; the e-mail tasks run at once."""
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return smtp


def test_the_confirmation_mail_writes_the_date_in_the_language_of_the_booking(
    smtp, schedule, free_slot, django_capture_on_commit_callbacks
):
    slots = queries.free_slots([schedule], limit=2)
    with django_capture_on_commit_callbacks(execute=True):
        german = book(schedule, slots[0].starts_at, email="anja@hotel-am-see.example")
        english = book(schedule, slots[1].starts_at, email="ann@lake.example", language="en")

    def mail_of(booking):
        [mail] = smtp.to(booking.email)
        body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
        starts, ends = booking.slot.starts_at, booking.slot.ends_at
        return mail["Subject"], body, berlin(starts), hhmm(starts), hhmm(ends)

    subject, body, m, start, end = mail_of(german)
    assert f"am {m:%d.%m.%Y} {start}: " in subject
    assert f"Wann: {GERMAN_DAYS[m.weekday()]}, {m:%d.%m.%Y}, {start}–{end} Uhr\n" in body

    subject, body, m, start, end = mail_of(english)
    month = ENGLISH_MONTHS[m.month - 1][:3]
    assert f"on {m.day} {month} {m.year}, {start}: " in subject
    assert f"When: {ENGLISH_DAYS[m.weekday()]}, {m.day} {month} {m.year}, {start}–{end}\n" in body
    assert "clock" not in body and "Uhr" not in body
