"""Data protection for registrations: export, erasure, retention — the rules of bookings.

Erasing keeps the row (event, status: the statistics) and blanks everything about the
person: name, company, e-mail, answers, and the stored e-mails to them (outbox). Signed
links stop working. A registration for an
event that still lies ahead is cancelled first (its place goes to the waiting list).
Retention: registrations are kept for the network's `BookingSettings.retention_days`
(default 90) after the event ended; `manage.py apply_event_retention` (daily job) erases
older ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import ERASED
from anlaufstelle.booking.privacy import forget_mail, retention_days
from anlaufstelle.networks.models import Network

from . import services
from .models import Registration, RegistrationStatus


def export_registration(r: Registration) -> dict[str, Any]:
    """One registration as stored (data access request)."""
    return {
        "veranstaltung": r.event.title,
        "beginn": r.event.starts_at.isoformat() if r.event.starts_at else "",
        "status": r.status,
        "name": r.name,
        "firma": r.company,
        "e_mail": r.email,
        "antworten": r.answers,
        "einwilligung": r.consent_at.isoformat(),
        "angemeldet": r.created_at.isoformat(),
    }


def export_registrations(network: Network, email: str) -> list[dict[str, Any]]:
    """Everything stored about the person with `email` in `network` (data access request)."""
    with scopes_disabled():
        rows = Registration.objects.select_related("event").filter(
            network=network, email__iexact=email.strip(), anonymised_at__isnull=True
        )
        return [export_registration(r) for r in rows]


def erase_registration(registration: Registration, *, now: datetime | None = None) -> bool:
    """Anonymise one registration (cancelling it first if the event lies ahead)."""
    now = now or timezone.now()
    if registration.anonymised_at is not None:
        return False
    starts_at = registration.event.starts_at
    if registration.status != RegistrationStatus.CANCELLED and starts_at and starts_at > now:
        services.cancel_registration(registration=registration)
    with transaction.atomic(), scopes_disabled():
        current = Registration.objects.filter(
            pk=registration.pk, anonymised_at__isnull=True
        ).first()
        if current is None:
            return False
        # The e-mails to the registrant (confirmation, reminder, messages) go with them,
        # as a booking's do.
        forget_mail(network_id=current.network_id, address=current.email)
        changed = Registration.objects.filter(
            pk=registration.pk, anonymised_at__isnull=True
        ).update(
            name=ERASED,
            company="",
            email="",
            answers={},
            idempotency_key=None,
            token_version=F("token_version") + 1,
            anonymised_at=now,
        )
    return bool(changed)


def erase_selected(registrations: Iterable[Registration]) -> int:
    """Erase the registrations staff selected in the back office (a request for erasure)."""
    return sum(erase_registration(r) for r in registrations)


def erase_registrations(network: Network, email: str) -> int:
    with scopes_disabled():
        rows = list(
            Registration.objects.select_related("event").filter(
                network=network, email__iexact=email.strip(), anonymised_at__isnull=True
            )
        )
    return sum(erase_registration(r) for r in rows)


def apply_retention(now: datetime | None = None) -> int:
    """Erase registrations of events that ended longer ago than the network keeps them."""
    now = now or timezone.now()
    erased = 0
    with scopes_disabled():
        for network in Network.objects.all():
            cutoff = now - timedelta(days=retention_days(network))
            old = Registration.objects.select_related("event").filter(
                Q(event__ends_at__lt=cutoff)
                | Q(event__ends_at__isnull=True, event__starts_at__lt=cutoff),
                network=network,
                anonymised_at__isnull=True,
            )
            erased += sum(erase_registration(r, now=now) for r in old)
    return erased
