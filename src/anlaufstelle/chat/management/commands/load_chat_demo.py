"""Demo content of the chat app: one open online consultation hour per demo network,
hosted by the network's demo partner expert, today or on the next weekday 10–12 (Berlin).
Idempotent: a network that already has an upcoming hour gets no second one."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.chat import openhours
from anlaufstelle.networks.models import Network, Role, User

BERLIN = ZoneInfo("Europe/Berlin")
TITLE = "Offene Online-Sprechstunde: Fachkräfte aus dem Ausland"
DESCRIPTION = (
    "Ohne Termin: Stellen Sie Ihre Frage zu Visum, Anerkennung und Einstellung "
    "ausländischer Fachkräfte. Treten Sie in den Warteraum ein; wir rufen Sie nacheinander "
    "in die Videobesprechung."
)


def next_session(now: datetime) -> tuple[datetime, datetime]:
    """Today 10–12 if that is not over yet, else the next weekday (always in the future)."""
    day = timezone.localtime(now, BERLIN).date()
    while True:
        start = datetime.combine(day, time(10), tzinfo=BERLIN)
        end = start + timedelta(hours=2)
        if day.weekday() < 5 and end > now:
            return start, end
        day += timedelta(days=1)


class Command(BaseCommand):
    help = "Schedule one open online consultation hour per demo network (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        created = 0
        with scopes_disabled():
            for network in Network.objects.filter(is_nationwide=False, is_active=True):
                host = (
                    User.objects.filter(network=network, role=Role.PARTNER_EXPERT, is_active=True)
                    .order_by("pk")
                    .first()
                )
                if host is None or openhours.upcoming(network, now).exists():
                    continue
                start, end = next_session(now)
                openhours.create_open_hour(
                    network=network,
                    host=host,
                    title=TITLE,
                    description=DESCRIPTION,
                    starts_at=start,
                    ends_at=end,
                )
                created += 1
        self.stdout.write(f"{created} offene Online-Sprechstunde(n) angelegt.")
