"""E-mail through a real SMTP server (aiosmtpd): confirmation with .ics, working links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from anlaufstelle.booking import tasks
from anlaufstelle.booking.models import BookingStatus

from .test_services import book


@pytest.fixture
def smtp(smtp, settings):
    """The shared SMTP server; links in the mails point at the test client and the
    e-mail tasks run at once."""
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return smtp


def to(inbox, address: str):
    return inbox.to(address)


def test_the_confirmation_arrives_by_smtp_with_the_ics_and_working_links(
    smtp, schedule, free_slot, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(schedule, free_slot.starts_at)
    [mail] = to(smtp, booking.email)
    assert "Ihr Termin am" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Werkraum" in body and booking.code in body
    [attachment] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == free_slot.starts_at
    # Calendar programs want method=PUBLISH; the charset is set once, by Django.
    assert str(attachment["Content-Type"]) == 'text/calendar; method="PUBLISH"; charset="utf-8"'
    # The expert is told too.
    assert to(smtp, schedule.expert.email)

    cancel = re.search(r"http://testserver(\S+/absagen/)", body).group(1)
    assert client.get(cancel).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(cancel).status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert client.post(cancel).status_code == 410  # works once, then says "abgesagt"
    assert any("abgesagt" in m["Subject"] for m in to(smtp, booking.email))


def test_a_video_confirmation_carries_the_meeting_link(
    smtp, feldberg, in_feldberg, django_capture_on_commit_callbacks
):
    from anlaufstelle.booking import queries
    from anlaufstelle.booking.models import Format

    from .conftest import make_schedule

    online = make_schedule(
        feldberg.network, feldberg.provider, fmt=Format.VIDEO, title="Online-Sprechstunde"
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    body = to(smtp, booking.email)[0].get_body(("plain",)).get_content()
    assert booking.video_url and booking.video_url in body


def test_reminders_are_queued_for_24_hours_and_1_hour_before(schedule, feldberg, in_feldberg):
    from anlaufstelle.booking import queries

    later = queries.free_slots(
        [schedule], start=queries.timezone.now() + timedelta(days=3), limit=1
    )[0]
    booking = book(schedule, later.starts_at)
    planned = tasks.schedule_reminders(booking.pk)
    assert planned == [later.starts_at - timedelta(hours=24), later.starts_at - timedelta(hours=1)]
    with scopes_disabled():
        queued = DBTaskResult.objects.filter(task_path__endswith="send_booking_reminder")
        assert sorted(r.run_after for r in queued) == planned


def test_a_reminder_for_a_moved_booking_is_skipped(smtp, schedule, free_slot):
    booking = book(schedule, free_slot.starts_at)
    tasks.send_booking_reminder.call(
        booking.pk, 24, (free_slot.starts_at - timedelta(days=1)).isoformat()
    )
    assert to(smtp, booking.email) == []
    tasks.send_booking_reminder.call(booking.pk, 24, free_slot.starts_at.isoformat())
    assert "Erinnerung" in to(smtp, booking.email)[0]["Subject"]
