"""`manage.py load_demo [--reset]`: demo catalog, lab details and demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anlaufstelle.directory.demo import loader
from anlaufstelle.directory.management.commands.import_catalog import write_report


class Command(BaseCommand):
    help = (
        "Lädt die Demo-Daten (Katalog, Innovationslabore, Ansprechpersonen, Rechtstexte) "
        "und legt Demo-Zugänge an. Setzt eine migrierte Datenbank voraus; mehrfach ausführbar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Löscht vorher die Demo-Netzwerke, den bundesweiten Pool und ihre Zugänge.",
        )
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help="Lädt nichts; stellt nur die Demo-Zugänge sicher und gibt sie aus.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins_only"]:
            self._write_logins(loader.ensure_demo_users())
            return
        if options["reset"]:
            loader.reset_demo()
            self.stdout.write("Demo-Daten gelöscht; lade neu.")
        report = loader.load_demo_content()
        logins = loader.ensure_demo_users()
        if options["verbosity"] == 0:
            # `make db` before `make demo`: the demo prints the logins once, when it starts.
            return
        write_report(self, report)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo bereit."))
        self._write_logins(logins)
        self.stdout.write("")
        self.stdout.write("Seiten der Netzwerke:")
        for slug, url in loader.site_urls().items():
            self.stdout.write(f"  {slug:<18}{url}")

    def _write_logins(self, logins: list[loader.DemoLogin]) -> None:
        self.stdout.write(f"Anmeldung: {loader.login_url()}")
        self.stdout.write(f"Passwort für alle Demo-Zugänge: {loader.DEMO_PASSWORD}")
        self.stdout.write("Hinweis: In der Demo ist der zweite Faktor (TOTP) nicht verpflichtend.")
        rows = [("E-Mail", "Passwort", "Rolle", "Netzwerk", "Anlaufstelle")]
        rows += [
            (login.email, loader.DEMO_PASSWORD, login.role, login.network, login.provider)
            for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) + 2 for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            line = "".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("-" * sum(widths))
