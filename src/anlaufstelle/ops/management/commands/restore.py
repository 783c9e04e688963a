"""`manage.py restore ARCHIVE`: into an empty database and MEDIA_ROOT, then the data check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.ops.backup import BackupError, read_manifest, restore, verify


class Command(BaseCommand):
    help = (
        "Restores an archive of `manage.py backup` into the configured database, which must "
        "be empty (same engine), and MEDIA_ROOT, then compares row counts and one sample row "
        "per app with the archive's manifest. --check-only compares without restoring."
    )
    # The database may still be empty: no checks that read it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--check-only",
            action="store_true",
            help="only compare the configured database with the archive's manifest",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            report = verify(read_manifest(archive)) if options["check_only"] else restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["check_only"]:
            self.stdout.write(f"restore: {archive} restored")
        for problem in report["problems"]:
            self.stdout.write(self.style.ERROR(f"  {problem}"))
        summary = (
            f"{report['tables']} tables, {report['rows']} rows, {report['samples']} sample rows, "
            f"{report['media_files']} uploaded files"
        )
        if not report["ok"]:
            raise CommandError(f"data check failed ({len(report['problems'])} differences)")
        self.stdout.write(f"data check passed: {summary} as in the backup")
