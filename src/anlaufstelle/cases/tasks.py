"""Background tasks (django-tasks); they take primary keys and enter the row's network scope."""

from __future__ import annotations

from django_scopes import scopes_disabled
from django_tasks import task

from anlaufstelle.networks.scoping import network_scope

from . import emails, services
from .models import Concern, Message, Referral


def _concern(concern_id: int) -> Concern | None:
    with scopes_disabled():
        return Concern.objects.select_related("network", "assignee").filter(pk=concern_id).first()


@task()
def send_receipt(concern_id: int) -> None:
    concern = _concern(concern_id)
    if concern is None or concern.is_anonymised:
        return
    with network_scope(concern.network):
        emails.send_receipt(concern)


@task()
def notify_new_concern(concern_id: int) -> None:
    concern = _concern(concern_id)
    if concern is None or concern.is_anonymised:
        return
    with network_scope(concern.network):
        emails.send_new_concern(concern)


@task()
def notify_referral(referral_id: int) -> None:
    with scopes_disabled():
        referral = (
            Referral.objects.select_related("concern__network", "provider", "network")
            .filter(pk=referral_id)
            .first()
        )
    if referral is None or referral.concern.is_anonymised:
        return
    with network_scope(referral.network):
        emails.send_referral(referral)


@task()
def notify_company(concern_id: int, kind: str, message_id: int | None = None) -> None:
    concern = _concern(concern_id)
    if concern is None or concern.is_anonymised:
        return
    with network_scope(concern.network):
        body = ""
        if message_id:
            body = (
                Message.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""
            )
        emails.send_company_update(concern, kind=kind, body=body)


@task()
def notify_staff_of_message(concern_id: int, message_id: int) -> None:
    concern = _concern(concern_id)
    if concern is None or concern.is_anonymised:
        return
    with network_scope(concern.network):
        body = Message.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""
        emails.send_staff_update(concern, body=body)


@task()
def send_untouched_reminders() -> int:
    """Daily: remind navigators of concerns untouched for more than N working days."""
    return services.send_untouched_reminders()


@task()
def apply_retention() -> int:
    """Daily: anonymise closed concerns, appointments and reservations past their
    network's retention periods; returns how many rows in all."""
    return sum(services.apply_all_retention())
