"""`manage.py import_catalog_events PATH`: the catalog's events as Event rows.

Events without a date become drafts (reported); see events/catalog.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.events.catalog import import_file


class Command(BaseCommand):
    help = "Importiert die Veranstaltungen eines Katalogs (catalog.json); ohne Datum als Entwurf."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="catalog.json")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        for line in import_file(path).lines():
            self.stdout.write(line)
