"""`manage.py requeue_stale_tasks`: tasks whose worker died mid-run run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.ops import stale_tasks


class Command(BaseCommand):
    help = (
        "Stellt Hintergrundaufgaben, deren Prozess während der Ausführung beendet wurde "
        "(länger als die Frist im Zustand RUNNING), wieder in die Warteschlange."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = stale_tasks.requeue_stale_tasks()
        self.stdout.write(" ".join(f"{key}={value}" for key, value in counts.items()))
