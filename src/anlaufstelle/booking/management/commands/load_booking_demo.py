"""`manage.py load_booking_demo`: consultation hours, rooms and desks for the demo networks.

Runs after `load_demo` (providers and offers are looked up by their catalog slugs) and
can be run again: it updates the demo rows by title instead of adding new ones.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import (
    ClosingDay,
    Format,
    OpeningHours,
    Resource,
    ResourceKind,
    Schedule,
    WeeklyRule,
)
from anlaufstelle.directory.models import Offer, Provider
from anlaufstelle.networks.models import Network, User

WERKRAUM_ADDRESS = "Werkraum Feldberg, Feldberger Seenlandschaft"


def _next_weekday(weekday: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7)


SCHEDULES: list[dict[str, Any]] = [
    {
        "network": "feldberg",
        "title": "Arbeitgeber-Sprechstunde im Werkraum",
        "provider": "aa-neubrandenburg",
        "expert": "partner.feldberg@demo.example",
        "format": Format.ON_SITE,
        "room": "Besprechungsraum",
        "location": WERKRAUM_ADDRESS,
        "description": "Jens vom Arbeitgeber-Service der Agentur für Arbeit Neubrandenburg berät "
        "zu Stellenbesetzung, Förderung und Ausbildung – jeden zweiten Donnerstag im Werkraum.",
        "slot_minutes": 30,
        "offers": ["aa-nb-arbeitgeber-service", "werkraum-sprechstunden"],
        "rules": [
            {
                "weekday": 3,
                "start": time(9),
                "end": time(12),
                "interval_weeks": 2,
                "anchor": _next_weekday(3),
            }
        ],
    },
    {
        "network": "feldberg",
        "title": "Online-Sprechstunde Arbeitgeber-Service",
        "provider": "aa-neubrandenburg",
        "expert": "partner.feldberg@demo.example",
        "format": Format.VIDEO,
        "description": "Einmal im Monat per Video: Fragen zu Stellenbesetzung und Förderung.",
        "slot_minutes": 30,
        "offers": ["aa-nb-arbeitgeber-service"],
        "rules": [{"weekday": 1, "start": time(14), "end": time(15), "month_weeks": "1"}],
    },
    {
        "network": "feldberg",
        "title": "Telefonsprechstunde Arbeitgeber-Service",
        "provider": "aa-neubrandenburg",
        "expert": "partner.feldberg@demo.example",
        "format": Format.PHONE,
        "phone_note": "Wir rufen Sie unter der angegebenen Nummer an.",
        "description": "Kurze Fragen am Telefon, jeden Dienstagvormittag.",
        "slot_minutes": 20,
        "buffer_minutes": 10,
        "offers": ["aa-nb-arbeitgeber-service"],
        "rules": [{"weekday": 1, "start": time(9), "end": time(11)}],
    },
    {
        "network": "region-stuttgart",
        "title": "Arbeitgeber-Sprechstunde der Agentur für Arbeit Stuttgart",
        "provider": "aa-stuttgart",
        "expert": "partner.region-stuttgart@demo.example",
        "format": Format.ON_SITE,
        "location": "Agentur für Arbeit Stuttgart",
        "slot_minutes": 30,
        "offers": ["aa-s-arbeitgeber-service"],
        "rules": [{"weekday": 3, "start": time(9), "end": time(12)}],
    },
    {
        "network": "region-stuttgart",
        "title": "Sprechstunde internationale Fachkräfte (Welcome Center)",
        "provider": "welcome-center-stuttgart",
        "format": Format.VIDEO,
        "description": "Für Betriebe, die Fachkräfte aus dem Ausland einstellen wollen: Visum, "
        "Anerkennung, Ankommen. Am 2. und 4. Dienstag im Monat.",
        "slot_minutes": 45,
        "buffer_minutes": 15,
        "offers": ["wc-stuttgart-beratung", "wc-stuttgart-unternehmen"],
        "rules": [{"weekday": 1, "start": time(9), "end": time(12), "month_weeks": "2,4"}],
    },
    {
        "network": "region-stuttgart",
        "title": "IHK-Sprechstunde Ausbildung",
        "provider": "ihk-region-stuttgart",
        "format": Format.PHONE,
        "phone_note": "Die IHK ruft Sie an.",
        "slot_minutes": 30,
        "capacity": 1,
        "offers": ["ihk-rs-azubi-gesucht", "ihk-rs-lehrstellenboerse"],
        "rules": [{"weekday": 2, "start": time(14), "end": time(16)}],
    },
]

# Per network: the host provider (the lab) and its rooms and desks.
HOSTS = {"feldberg": "werkraum-feldberg", "region-stuttgart": "fachkraefteallianz-region-stuttgart"}
ADDRESSES = {
    "feldberg": WERKRAUM_ADDRESS,
    "region-stuttgart": "Koordinierungsstelle der Fachkräfteallianz, Stuttgart-Mitte",
}

FELDBERG_RESOURCES: list[dict[str, Any]] = [
    {
        "name": f"Coworking-Arbeitsplatz {n}",
        "kind": ResourceKind.DESK,
        "capacity": 1,
        "min_minutes": 120,
    }
    for n in range(1, 6)
] + [
    {
        "name": "Besprechungsraum",
        "kind": ResourceKind.MEETING_ROOM,
        "capacity": 8,
        "min_minutes": 60,
        "requires_approval": True,
        "description": "Raum für Gespräche und kleine Workshops, mit Bildschirm.",
    },
]

STUTTGART_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "Seminarraum der Koordinierungsstelle",
        "kind": ResourceKind.SEMINAR_ROOM,
        "capacity": 20,
        "min_minutes": 120,
        "requires_approval": True,
        "description": "Für Workshops und Informationsveranstaltungen der Allianzpartner.",
    },
    {
        "name": "Besprechungsraum Stuttgart-Mitte",
        "kind": ResourceKind.MEETING_ROOM,
        "capacity": 6,
        "min_minutes": 60,
        "description": "Für Beratungsgespräche mit Betrieben, barrierefrei erreichbar.",
    },
]

# Rooms can be used while the lab is open: the same hours as the network's opening
# hours in directory/demo/demo_extra.json (Feldberg: Tue–Thu 9–17, Fri 9–13;
# Stuttgart: Mon–Fri 9–16). Weekday 0 is Monday.
ROOM_HOURS: dict[str, dict[int, tuple[time, time]]] = {
    "feldberg": {
        1: (time(9), time(17)),
        2: (time(9), time(17)),
        3: (time(9), time(17)),
        4: (time(9), time(13)),
    },
    "region-stuttgart": {weekday: (time(9), time(16)) for weekday in range(5)},
}

RESOURCES: dict[str, list[dict[str, Any]]] = {
    "feldberg": FELDBERG_RESOURCES,
    "region-stuttgart": STUTTGART_RESOURCES,
}


class Command(BaseCommand):
    help = "Legt Sprechstunden, Räume und Arbeitsplätze für die Demo-Netzwerke an (nach load_demo)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            networks = {
                n.slug: n for n in Network.objects.filter(slug__in=["feldberg", "region-stuttgart"])
            }
            if "feldberg" not in networks:
                raise CommandError(
                    "Netzwerk 'feldberg' fehlt. Bitte zuerst `manage.py load_demo` ausführen."
                )
            rooms: dict[str, dict[str, Resource]] = {
                slug: self._resources(network, RESOURCES[slug])
                for slug, network in networks.items()
            }
            for spec in SCHEDULES:
                network = networks.get(spec["network"])
                if network is None:
                    self.stderr.write(f"Netzwerk {spec['network']} fehlt; übersprungen.")
                    continue
                self._schedule(network, spec, rooms.get(network.slug, {}))
            year = timezone.localdate().year
            for day, name in [
                (date(year, 12, 24), "Heiligabend"),
                (date(year, 12, 31), "Silvester"),
            ]:
                ClosingDay.objects.update_or_create(
                    network=networks["feldberg"], date=day, defaults={"name": name}
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(SCHEDULES)} Sprechstunden und "
                f"{sum(len(r) for r in RESOURCES.values())} Räume/Arbeitsplätze bereit."
            )
        )

    def _resources(self, network: Network, specs: list[dict[str, Any]]) -> dict[str, Resource]:
        host = Provider.objects.filter(network=network, slug=HOSTS[network.slug]).first()
        rooms = {}
        for spec in specs:
            fields = {k: v for k, v in spec.items() if k != "name"}
            resource, _ = Resource.objects.update_or_create(
                network=network,
                name=spec["name"],
                defaults={**fields, "provider": host, "location": ADDRESSES[network.slug]},
            )
            resource.opening_hours.all().delete()
            for weekday, (opens, closes) in ROOM_HOURS[network.slug].items():
                OpeningHours.objects.create(
                    network=network,
                    resource=resource,
                    weekday=weekday,
                    opens=opens,
                    closes=closes,
                )
            rooms[resource.name] = resource
        return rooms

    def _schedule(self, network: Network, spec: dict[str, Any], rooms: dict[str, Resource]) -> None:
        provider = Provider.objects.filter(network=network, slug=spec["provider"]).first()
        if provider is None:
            self.stderr.write(
                f"Anlaufstelle {spec['provider']} fehlt in {network.slug}; übersprungen."
            )
            return
        expert = User.objects.filter(email=spec.get("expert", "")).first()
        schedule, _ = Schedule.objects.update_or_create(
            network=network,
            title=spec["title"],
            defaults={
                "provider": provider,
                "expert": expert,
                "format": spec["format"],
                "room": rooms.get(spec.get("room", "")),
                "location": spec.get("location", ""),
                "phone_note": spec.get("phone_note", ""),
                "description": spec.get("description", ""),
                "slot_minutes": spec["slot_minutes"],
                "buffer_minutes": spec.get("buffer_minutes", 0),
                "capacity": spec.get("capacity", 1),
                "min_notice_minutes": 12 * 60,
                "horizon_days": 90,
                "notify_email": "" if expert else (provider.email or ""),
            },
        )
        offers = list(
            Offer.objects.filter(slug__in=spec["offers"], network__in=[network])
            | Offer.objects.filter(slug__in=spec["offers"], network__is_nationwide=True)
        )
        schedule.offers.set(offers)
        schedule.topics.set({t for o in offers for t in o.topics.all()})
        schedule.rules.all().delete()
        for rule in spec["rules"]:
            WeeklyRule.objects.create(
                network=network,
                schedule=schedule,
                weekday=rule["weekday"],
                start_time=rule["start"],
                end_time=rule["end"],
                interval_weeks=rule.get("interval_weeks", 1),
                anchor_date=rule.get("anchor"),
                month_weeks=rule.get("month_weeks", ""),
            )
