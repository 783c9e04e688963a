"""`manage.py send_community_digest`: mentions and replies by e-mail (daily or weekly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anlaufstelle.community.digest import send_digests


class Command(BaseCommand):
    help = "Sendet Mitgliedern des Austauschs ihre ungelesenen Erwähnungen und Antworten."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"Zusammenfassungen gesendet: {sent}")
