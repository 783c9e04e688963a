"""`manage.py backup`: the database and the uploads in one archive with a manifest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Writes the database (pg_dump on PostgreSQL, SQLite's online backup on SQLite) and "
        "MEDIA_ROOT into one .tar.gz with a manifest of row counts and sample rows. The site "
        "may keep running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="the archive to write (default: <var>/backups/anlaufstelle-<time>.tar.gz)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or (
            Path(settings.VAR_DIR)
            / "backups"
            / f"anlaufstelle-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz"
        )
        try:
            result = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            f"backup: {result.path} ({result.path.stat().st_size} bytes): "
            f"{manifest['engine']}, {len(manifest['counts'])} tables, "
            f"{sum(manifest['counts'].values())} rows, {manifest['media']['files']} uploaded files"
        )
