"""Daily: delete assistant conversations past their network's retention (ops.periodic)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.assistant import services


class Command(BaseCommand):
    help = "Delete assistant conversations past the retention period and those of erased concerns."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.apply_retention()
        self.stdout.write(f"{deleted} conversations deleted")
