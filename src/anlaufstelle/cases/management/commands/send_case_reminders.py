"""`manage.py send_case_reminders`: remind navigators of concerns untouched for too long."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.cases import tasks


class Command(BaseCommand):
    help = (
        "Erinnert Lotsinnen und Lotsen per E-Mail an offene Anliegen, die länger als die "
        "eingestellte Zahl von Arbeitstagen unbearbeitet sind. Mit --enqueue als Aufgabe "
        "für den Task-Worker."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Als Hintergrundaufgabe.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            tasks.send_untouched_reminders.enqueue()
            self.stdout.write("Erinnerungen eingeplant.")
            return
        count = tasks.send_untouched_reminders.call()
        self.stdout.write(f"{count} Anliegen in Erinnerungen.")
