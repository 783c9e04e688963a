"""`manage.py retry_mail`: send the e-mails whose next attempt is due (every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.ops import outbox


class Command(BaseCommand):
    help = (
        "Versendet wartende E-Mails erneut, deren nächster Versuch fällig ist, und gibt "
        "E-Mails frei, deren Versand ein abgebrochener Prozess nicht beendet hat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = outbox.retry_due()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
