"""`manage.py run_periodic_jobs [--once]`: the scheduler of the daily jobs."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anlaufstelle.ops import periodic


class Command(BaseCommand):
    help = (
        "Führt die fälligen täglichen Aufgaben aus (Aufbewahrungsfristen, Erinnerungen, "
        "Aufräumen) und die minütlichen (E-Mails erneut senden, liegengebliebene "
        "Hintergrundaufgaben neu starten). Ohne --once läuft der Befehl dauerhaft und "
        "prüft jede Minute; mit --once prüft er einmal (für cron oder einen systemd-Timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Einmal prüfen und beenden.")
        parser.add_argument(
            "--interval", type=int, default=60, help="Sekunden zwischen zwei Prüfungen."
        )
        parser.add_argument("--list", action="store_true", help="Nur die Aufgaben auflisten.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in periodic.JOBS:
                if isinstance(job, periodic.IntervalJob):
                    minutes = int(job.every.total_seconds() // 60)
                    when = f"{'alle':<8} {minutes:>2} min"
                else:
                    days = "Mo–Fr" if job.weekdays == periodic.WORKDAYS else "täglich"
                    when = f"{days:<8} {job.at:%H:%M} "
                self.stdout.write(f"{job.name:<20} {when}  {job.command}")
            return
        if options["once"]:
            self._tick()
            return
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            self._tick()
            for _ in range(options["interval"]):
                if stopping:
                    break
                time.sleep(1)

    def _tick(self) -> None:
        every_minute = {job.name for job in periodic.JOBS if isinstance(job, periodic.IntervalJob)}
        for name, status in periodic.run_due_jobs().items():
            if name in every_minute and status == periodic.JobStatus.SUCCEEDED:
                continue  # one line a minute would bury the daily jobs' lines
            self.stdout.write(f"{name}: {status.label}")
