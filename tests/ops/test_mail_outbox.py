"""No e-mail is lost: stored first, retried with back-off while the real SMTP server
(aiosmtpd) is down, failed in the end and sent again from the back office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from anlaufstelle.cases import services
from anlaufstelle.cases.models import Concern
from anlaufstelle.networks.scoping import network_scope
from anlaufstelle.ops import outbox
from anlaufstelle.ops.models import MailDelivery, MailStatus

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COMPANY = "anja@hotel-am-see.example"


def submit(network) -> Concern:
    with network_scope(network):
        return services.submit_concern(
            network=network,
            text="Wir finden keinen Koch für die Saison. Was können wir tun?",
            contact_name="Anja Muster",
            company_name="Hotel am See",
            email=COMPANY,
            consent=True,
        )


def receipt_rows() -> list[MailDelivery]:
    with scopes_disabled():
        return list(MailDelivery.objects.filter(recipients=[COMPANY]))


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def test_a_mail_is_retried_while_the_server_is_down_and_delivered_when_it_is_back(
    personas, smtp_server, immediate_tasks, django_capture_on_commit_callbacks
):
    network = personas.feldberg.network
    with django_capture_on_commit_callbacks(execute=True):
        concern = submit(network)  # the mail server is down: the concern is still taken
    [row] = receipt_rows()
    assert row.status == MailStatus.QUEUED
    assert row.attempts == 1
    assert row.network_id == network.pk
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)  # back-off: 1 min

    # Not due yet: nothing happens, even with the server back.
    smtp_server.start()
    assert outbox.retry_due()["sent"] == 0
    assert smtp_server.inbox.to(COMPANY) == []

    assert outbox.retry_due(row.next_attempt_at)["sent"] >= 1
    [mail] = smtp_server.inbox.to(COMPANY)
    assert concern.code in mail.get_body(("plain",)).get_content()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)
    # Sent once only: the next sweep leaves it alone.
    outbox.retry_due(row.next_attempt_at or timezone.now() + timedelta(hours=1))
    assert len(smtp_server.inbox.to(COMPANY)) == 1


def test_the_back_off_grows_and_the_last_failure_marks_the_mail_failed(
    personas, smtp_server, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5)]
    with django_capture_on_commit_callbacks(execute=True):
        submit(personas.feldberg.network)
    [row] = receipt_rows()
    first_try = row.claimed_at
    assert row.next_attempt_at == first_try + timedelta(minutes=1)

    outbox.retry_due(first_try + timedelta(minutes=1))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 2)
    assert row.next_attempt_at == first_try + timedelta(minutes=6)

    outbox.retry_due(first_try + timedelta(minutes=6))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (MailStatus.FAILED, 3, None)
    # Failed rows are not retried by the scheduler any more.
    assert outbox.retry_due(first_try + timedelta(days=1))["sent"] == 0


def test_with_the_database_queue_the_next_attempt_is_a_deferred_task(
    personas, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from anlaufstelle.cases import emails

    concern = submit(personas.feldberg.network)  # tasks wait in the queue, nothing sent yet
    with network_scope(concern.network), django_capture_on_commit_callbacks(execute=True):
        emails.send_receipt(concern)  # what the worker runs
    [row] = receipt_rows()
    [task] = DBTaskResult.objects.filter(task_path="anlaufstelle.ops.tasks.deliver_mail")
    assert task.args_kwargs["args"] == [row.pk]
    assert task.run_after == row.next_attempt_at

    smtp_server.start()
    assert outbox.attempt(row.pk, now=row.next_attempt_at) == MailStatus.SENT
    # The scheduler's sweep or a second task run do not send it twice.
    assert outbox.attempt(row.pk, now=row.next_attempt_at) is None
    assert len(smtp_server.inbox.to(COMPANY)) == 1


def test_a_mail_left_sending_by_a_dead_worker_is_sent_later(personas, smtp_server):
    smtp_server.start()
    long_ago = timezone.now() - timedelta(hours=1)
    with scopes_disabled():
        row = MailDelivery.objects.create(
            network=personas.feldberg.network,
            recipients=[COMPANY],
            subject="Ihre Anfrage",
            body="Text",
            status=MailStatus.SENDING,
            attempts=1,
            claimed_at=long_ago,
        )
        fresh = MailDelivery.objects.create(
            recipients=["other@example.org"],
            subject="In Arbeit",
            body="Text",
            status=MailStatus.SENDING,
            attempts=1,
            claimed_at=timezone.now(),
        )
    assert outbox.retry_due()["released"] == 1
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert row.status == MailStatus.SENT
    assert fresh.status == MailStatus.SENDING  # another worker may be sending it right now
    assert len(smtp_server.inbox.to(COMPANY)) == 1


def test_an_attachment_survives_the_outbox(personas, smtp_server):
    from anlaufstelle.lib.mail import send_templated

    send_templated(
        "cases/email/receipt_subject.txt",
        "cases/email/receipt.txt",
        {"concern": None, "status_url": "http://testserver/x"},
        [COMPANY],
        "de",
        attach=("termin.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        network_id=personas.feldberg.network.pk,
    )
    smtp_server.start()
    [row] = receipt_rows()
    assert outbox.attempt(row.pk, now=row.next_attempt_at) == MailStatus.SENT
    [mail] = smtp_server.inbox.to(COMPANY)
    [part] = list(mail.iter_attachments())
    assert part.get_filename() == "termin.ics"
    assert "BEGIN:VCALENDAR" in part.get_content()


def test_retention_deletes_sent_mail_after_a_week_and_failed_mail_after_a_month(personas):
    now = timezone.now()

    def row(status: MailStatus, age: timedelta) -> MailDelivery:
        with scopes_disabled():
            made = MailDelivery.objects.create(
                recipients=[COMPANY], subject="s", body="b", status=status
            )
            MailDelivery.objects.filter(pk=made.pk).update(
                created_at=now - age, sent_at=now - age if status == MailStatus.SENT else None
            )
        return made

    old_sent = row(MailStatus.SENT, timedelta(days=8))
    new_sent = row(MailStatus.SENT, timedelta(days=6))
    old_failed = row(MailStatus.FAILED, timedelta(days=31))
    new_failed = row(MailStatus.FAILED, timedelta(days=8))
    waiting = row(MailStatus.QUEUED, timedelta(days=40))
    assert outbox.prune(sent_days=7, failed_days=30, now=now) == 2
    with scopes_disabled():
        left = set(MailDelivery.objects.values_list("pk", flat=True))
    assert left == {new_sent.pk, new_failed.pk, waiting.pk}
    assert old_sent.pk not in left and old_failed.pk not in left


def test_erasure_forgets_the_mail_to_and_about_an_address_in_that_network_only(personas):
    feldberg, stuttgart = personas.feldberg.network, personas.stuttgart.network

    def row(network, to: str, body: str = "Text") -> MailDelivery:
        with scopes_disabled():
            return MailDelivery.objects.create(
                network=network, recipients=[to], subject="s", body=body, status=MailStatus.SENT
            )

    to_her = row(feldberg, "Anja@Hotel-am-See.example")
    about_her = row(feldberg, "navigator@feldberg.example", f"Neue Anfrage von {COMPANY}")
    other = row(feldberg, "b@firma.example")
    elsewhere = row(stuttgart, COMPANY)
    assert outbox.forget_address(network_id=feldberg.pk, address=COMPANY) == 2
    with scopes_disabled():
        left = set(MailDelivery.objects.values_list("pk", flat=True))
    assert left == {other.pk, elsewhere.pk}
    assert to_her.pk not in left and about_her.pk not in left


def test_erasing_a_concern_deletes_the_stored_mails_to_and_about_the_company(
    personas, immediate_tasks, django_capture_on_commit_callbacks
):
    network = personas.feldberg.network
    with django_capture_on_commit_callbacks(execute=True):
        concern = submit(network)
    assert receipt_rows() != []
    with network_scope(network):
        services.erase(concern=concern)
    assert receipt_rows() == []
    with scopes_disabled():
        assert not MailDelivery.objects.filter(body__icontains=COMPANY).exists()


def test_erasing_a_booking_deletes_the_stored_mails_to_the_booker(personas):
    from anlaufstelle.booking import privacy
    from anlaufstelle.booking.models import Booking, Format, Schedule, Slot

    network = personas.feldberg.network
    with network_scope(network):
        schedule = Schedule.objects.create(
            network=network,
            provider=personas.feldberg.provider,
            title="Sprechstunde",
            format=Format.PHONE,
        )
        start = timezone.now() + timedelta(days=3)
        slot = Slot.objects.create(
            network=network,
            schedule=schedule,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            capacity=1,
            booked_count=1,
        )
        booking = Booking.objects.create(
            network=network,
            slot=slot,
            name="Anja Muster",
            email=COMPANY,
            phone="0395 1",
            consent_at=timezone.now(),
        )
    with scopes_disabled():
        MailDelivery.objects.create(
            network=network,
            recipients=[COMPANY],
            subject="Termin",
            body="Ihr Termin",
            status=MailStatus.SENT,
        )
    with network_scope(network):
        assert privacy.erase_booking(booking=booking)
    assert receipt_rows() == []
