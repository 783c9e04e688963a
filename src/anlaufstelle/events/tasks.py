"""Background tasks (django-tasks) of the events app; they take primary keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks import task

from anlaufstelle.networks.scoping import network_scope

from . import emails
from .models import BERLIN, EventStatus, Registration, RegistrationStatus


def _registration(registration_id: int) -> Registration | None:
    with scopes_disabled():
        return (
            Registration.objects.select_related("event__provider", "network")
            .filter(pk=registration_id)
            .first()
        )


@task()
def send_registration_mail(registration_id: int) -> None:
    """The confirmation (with .ics) or the waiting-list notice."""
    registration = _registration(registration_id)
    if registration is None:
        return
    with network_scope(registration.network):
        if registration.status == RegistrationStatus.CONFIRMED:
            emails.send_confirmation(registration)
        elif registration.status == RegistrationStatus.WAITING:
            emails.send_waiting(registration)


@task()
def send_moved_up_mail(registration_id: int) -> None:
    registration = _registration(registration_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return
    with network_scope(registration.network):
        emails.send_moved_up(registration)


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind everyone confirmed for an event that starts tomorrow (Berlin); once each."""
    now = now or timezone.now()
    tomorrow = now.astimezone(BERLIN).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=BERLIN)
    sent = 0
    with scopes_disabled():
        due = Registration.objects.select_related("event", "network").filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gte=start,
            event__starts_at__lt=start + timedelta(days=1),
        )
        for registration in due:
            # Claim first: two schedulers never send the same reminder twice.
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            with network_scope(registration.network):
                emails.send_reminder(registration)
            sent += 1
    return sent
