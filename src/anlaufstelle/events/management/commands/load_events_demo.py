"""`manage.py load_events_demo`: the catalog's 18 events with dates in the coming weeks,
and the Feldberg series "Offene Sprechstunde Ausbildung" (every first Wednesday).

Runs after `load_demo` (networks and providers) and can be run again: events are
matched by catalog id, the series by title, occurrences by date.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Provider
from anlaufstelle.events import services
from anlaufstelle.events.catalog import demo_dates, import_file
from anlaufstelle.events.models import Event, EventSeries, EventType
from anlaufstelle.networks.models import Network

# The pitch format: pitching companies and visiting talents register separately.
PITCH_EVENT = "ev-loewenpitch-herbst"
PITCH_TYPE = {
    "name": "Pitch-Veranstaltung",
    "description": "Unternehmen pitchen vor Talenten (z. B. der Löwenpitch).",
    "roles": "Pitchendes Unternehmen\nTalent (Besuch)",
    "questions": (
        "Pitchendes Unternehmen: Ihr Pitch in zwei Sätzen *\n"
        "Pitchendes Unternehmen: Welche Stellen oder Ausbildungsplätze bieten Sie an?\n"
        "Talent (Besuch): Welche Berufe interessieren Sie?"
    ),
}


class Command(BaseCommand):
    help = "Lädt die Demo-Veranstaltungen (mit Terminen in den nächsten Wochen)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        bundled = Path(apps.get_app_config("directory").path) / "demo" / "catalog.json"
        report = import_file(bundled, dates=lambda i: demo_dates(i, now))
        for line in report.lines():
            self.stdout.write(line)
        with scopes_disabled():
            network = Network.objects.filter(slug="feldberg").first()
            if network is None:
                return
            provider = Provider.objects.filter(network=network).order_by("pk").first()
            series, _created = EventSeries.objects.get_or_create(
                network=network,
                title="Offene Sprechstunde Ausbildung",
                defaults={
                    "rule": "jeden ersten Mittwoch",
                    "weekday": 2,
                    "week_of_month": 1,
                    "start_time": time(16),
                    "duration_minutes": 90,
                    "summary": "Ohne Termin: Fragen zu Ausbildung, Azubi-Suche und Förderung.",
                    "provider": provider,
                    "place": "Werkraum Feldberg",
                    "capacity": 15,
                },
            )
            made = services.create_occurrences(series, count=3)
            pitch_type, _created = EventType.objects.update_or_create(
                network=network,
                name=PITCH_TYPE["name"],
                defaults={k: v for k, v in PITCH_TYPE.items() if k != "name"},
            )
            pitched = (
                Event.objects.filter(network=network, catalog_id=PITCH_EVENT)
                .exclude(event_type=pitch_type)  # a rerun sets (and says) nothing
                .update(event_type=pitch_type)
            )
        self.stdout.write(f"Reihe „{series.title}“: {len(made)} Termin(e) angelegt.")
        if pitched:
            self.stdout.write(f"Veranstaltungsart „{pitch_type.name}“ für den Löwenpitch gesetzt.")
