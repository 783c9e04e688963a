"""Rows of the events' admin models for tests/test_admin_roles.py (one per persona)."""

from __future__ import annotations

from datetime import time
from typing import Any

KINDS = {
    "events.event": "partner_own",
    "events.eventseries": "network",
    "events.eventtype": "network",
    "events.registration": "partner_own",
}


def events_rows(personas: Any) -> dict[str, dict[str, Any]]:
    """{label: {"partner": own provider's row, "colleague": no provider, "other": Stuttgart}}."""
    from django.utils import timezone

    from anlaufstelle.events.models import (
        Event,
        EventSeries,
        EventType,
        Registration,
        RegistrationStatus,
    )

    feldberg, stuttgart = personas.feldberg, personas.stuttgart
    owners = {
        "partner": (feldberg.network, feldberg.provider),
        "colleague": (feldberg.network, None),
        "other": (stuttgart.network, stuttgart.provider),
    }
    events = {
        which: Event.objects.create(
            network=net, provider=provider, slug=f"veranstaltung-{which}", title=f"Treffen {which}"
        )
        for which, (net, provider) in owners.items()
    }
    series = {
        which: EventSeries.objects.create(
            network=net,
            title=f"Reihe {which}",
            rule="jeden ersten Mittwoch",
            weekday=2,
            week_of_month=1,
            start_time=time(16),
        )  # fmt: skip
        for which, (net, _provider) in owners.items()
        if which != "colleague"
    }
    types = {
        which: EventType.objects.create(network=net, name=f"Pitch {which}", roles="Firma\nTalent")
        for which, (net, _provider) in owners.items()
        if which != "colleague"
    }
    registrations = {
        which: Registration.objects.create(
            network=event.network,
            event=event,
            status=RegistrationStatus.CONFIRMED,
            name=f"Teilnehmerin {which}",
            email=f"{which}@firma.example",
            consent_at=timezone.now(),
        )
        for which, event in events.items()
    }
    return {
        "events.event": events,
        "events.eventseries": series,
        "events.eventtype": types,
        "events.registration": registrations,
    }
