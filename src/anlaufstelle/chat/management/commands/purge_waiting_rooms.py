"""Daily (ops.periodic): delete waiting-room entries 30 days after their hour ended."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.chat import openhours


class Command(BaseCommand):
    help = "Delete waiting-room entries of open consultation hours that ended 30 days ago."

    def handle(self, *args: Any, **options: Any) -> None:
        count = openhours.purge_entries()
        self.stdout.write(f"{count} Einträge aus Warteräumen gelöscht.")
