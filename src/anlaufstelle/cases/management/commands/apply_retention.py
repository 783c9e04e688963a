"""`manage.py apply_retention`: anonymise what is past its retention period (daily job).

Closed concerns (per network, default 12 months after closing) and appointments and room
reservations (per network, default 90 days after they ended).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.cases import services


class Command(BaseCommand):
    help = (
        "Anonymisiert abgeschlossene Anliegen, deren Aufbewahrungsfrist (je Netzwerk, "
        "Standard 12 Monate) abgelaufen ist, sowie Termine und Raumreservierungen "
        "(Standard 90 Tage nach dem Termin). Für den täglichen Aufruf (cron, Timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count, bookings, reservations = services.apply_all_retention()
        self.stdout.write(
            f"{count} Anliegen, {bookings} Termine und {reservations} Reservierungen anonymisiert."
        )
