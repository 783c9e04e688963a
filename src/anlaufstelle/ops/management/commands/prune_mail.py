"""`manage.py prune_mail`: retention of the outbox (names and addresses in the rows)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anlaufstelle.ops import outbox


class Command(BaseCommand):
    help = "Löscht gesendete E-Mails nach einigen Tagen und fehlgeschlagene nach 30 Tagen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sent-days", type=int, default=7)
        parser.add_argument("--failed-days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = outbox.prune(sent_days=options["sent_days"], failed_days=options["failed_days"])
        self.stdout.write(f"deleted={deleted}")
