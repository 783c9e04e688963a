"""`manage.py load_community_demo`: categories, members and threads of the exchange in
both pilot networks (after `load_demo`; can be run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.community.demo import load_all


class Command(BaseCommand):
    help = "Lädt Demo-Themen des Austauschs (Feldberg und Region Stuttgart)."

    def handle(self, *args: Any, **options: Any) -> None:
        for slug, created in load_all().items():
            self.stdout.write(f"Austausch {slug}: {created} neue Themen")
