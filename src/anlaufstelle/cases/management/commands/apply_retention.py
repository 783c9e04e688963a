"""`manage.py apply_retention`: anonymise closed concerns past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.cases import services


class Command(BaseCommand):
    help = (
        "Anonymisiert abgeschlossene Anliegen, deren Aufbewahrungsfrist (je Netzwerk, "
        "Standard 12 Monate) abgelaufen ist. Für den täglichen Aufruf (cron, Timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.apply_retention()
        self.stdout.write(f"{count} Anliegen anonymisiert.")
