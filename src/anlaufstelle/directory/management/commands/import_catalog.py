"""`manage.py import_catalog PATH [--dry-run] [--network SLUG]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.directory.catalog_import import TYPE_LABELS, ImportReport, import_catalog


def write_report(command: BaseCommand, report: ImportReport) -> None:
    """Print the per-type counts of an import (shared with load_demo)."""
    out = command.stdout
    out.write(f"{'Art':<20}{'neu':>8}{'geändert':>10}{'unverändert':>13}")
    for kind, label in TYPE_LABELS.items():
        counts = report.counts[kind]
        out.write(
            f"{label:<20}{counts['created']:>8}{counts['updated']:>10}{counts['unchanged']:>13}"
        )
    for note in report.notes:
        out.write(note)
    if report.skipped["events"]:
        out.write(
            f"Veranstaltungen übersprungen: {report.skipped['events']} "
            "(werden von diesem Import noch nicht übernommen)"
        )


class Command(BaseCommand):
    help = (
        "Importiert einen Katalog (JSON-Datei oder Verzeichnis mit CSV-Dateien). "
        "Prüft zuerst jede Zeile; bei einem Fehler wird nichts geschrieben."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="catalog.json oder ein Verzeichnis mit CSV-Dateien")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur prüfen und berichten, was sich ändern würde; nichts schreiben.",
        )
        parser.add_argument(
            "--network",
            metavar="SLUG",
            help="Netzwerk für alle Zeilen ohne Region (z. B. die Tabelle eines neuen Netzwerks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_catalog(
            path=Path(options["path"]), dry_run=options["dry_run"], network=options["network"]
        )
        if not report.ok:
            for issue in report.issues:
                self.stderr.write(f"FEHLER {issue}")
            raise CommandError(
                f"Import abgebrochen: {len(report.issues)} Fehler gefunden. "
                "Es wurde nichts geschrieben."
            )
        if report.dry_run:
            self.stdout.write("Probelauf (--dry-run): Es wurde nichts geschrieben.")
        write_report(self, report)
        verb = "zu ändern" if report.dry_run else "geändert"
        self.stdout.write(
            self.style.SUCCESS(
                f"Katalog geprüft: {report.total('created')} neu, "
                f"{report.total('updated')} {verb}, {report.total('unchanged')} unverändert."
            )
        )
