"""The catalog's events (`catalog.json` → `events`) as Event rows.

Each catalog event goes to the network that shows its region (`bund`: the nationwide
pool) and is matched again on a later run by its catalog id, so an import can be
repeated. A catalog event without a start date cannot be registered for and must not
show up undated: it is imported as a **draft**, and the report says so. The demo gives
the bundled events (fictional, undated) dates in the coming weeks instead (`dates`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import holidays
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Offer, Provider, Topic
from anlaufstelle.networks.models import Network

from .models import BERLIN, RESERVED_SLUGS, Event, EventFormat, EventStatus

FORMATS = {
    "vor-ort": EventFormat.ON_SITE,
    "online": EventFormat.ONLINE,
    "hybrid": EventFormat.HYBRID,
}


@dataclass
class EventImportReport:
    created: int = 0
    updated: int = 0
    published: int = 0  # drafts without a date that got one (the demo's dates) and went live
    unchanged: int = 0
    drafts: list[str] = field(default_factory=list)  # titles imported as drafts (no date)
    skipped: list[str] = field(default_factory=list)  # no network for the region

    def lines(self) -> list[str]:
        counts = [f"{self.created} neu", f"{self.updated} geändert"]
        if self.published:
            counts.append(f"{self.published} Entwürfe mit Datum veröffentlicht")
        if self.unchanged:
            counts.append(f"{self.unchanged} unverändert")
        out = [f"Veranstaltungen: {', '.join(counts)}."]
        if self.drafts:
            out.append(
                f"{len(self.drafts)} Veranstaltung(en) ohne Datum als Entwurf importiert "
                "(nicht öffentlich, keine Anmeldung): bitte Datum eintragen und veröffentlichen."
            )
            out += [f"  Entwurf: {title}" for title in self.drafts]
        out += [f"  Übersprungen (keine passende Region): {t}" for t in self.skipped]
        return out


def _start(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)


def demo_dates(index: int, now: datetime) -> datetime:
    """The demo's date of the index-th undated event: spread over the coming weeks, on
    working days (a consultation hour on a Saturday or on Boxing Day looks wrong)."""
    day = now.astimezone(BERLIN).date() + timedelta(days=5 + 3 * index)
    closed = holidays.country_holidays("DE", years=range(day.year, day.year + 2))
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    hour = 10 if index % 2 == 0 else 16
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def _differs(event: Event, fields: Mapping[str, object], topics: AbstractSet[Topic]) -> bool:
    """Whether writing `fields` and `topics` would change the stored `event`."""
    for name, value in fields.items():
        if name == "provider":  # by id: no query for the stored provider
            if event.provider_id != getattr(value, "pk", None):
                return True
        elif getattr(event, name) != value:
            return True
    return set(event.topics.all()) != topics


def import_events(
    data: dict[str, object],
    *,
    dates: Callable[[int], datetime] | None = None,
) -> EventImportReport:
    """Create or update an Event per catalog event (see module docstring)."""
    report = EventImportReport()
    with scopes_disabled(), transaction.atomic():
        networks = {n.region: n for n in Network.objects.exclude(region="")}
        for nationwide in Network.objects.filter(is_nationwide=True):
            networks["bund"] = nationwide
        events = data.get("events") or []
        for index, raw in enumerate(events if isinstance(events, list) else []):
            if not isinstance(raw, dict) or not raw.get("id"):
                continue
            network = networks.get(str(raw.get("region", "")))
            title = str(raw.get("title_de", raw["id"]))[:200]
            if network is None:
                report.skipped.append(title)
                continue
            start = _start(raw.get("start"))
            event = Event.objects.filter(network=network, catalog_id=raw["id"]).first()
            if start is None and dates is not None:
                # A demo date still ahead stays (registrations keep their date).
                kept = event.starts_at if event else None
                start = kept if kept and kept > timezone.now() else dates(index)
            provider = (
                Provider.objects.filter(network=network, slug=raw.get("anlaufstelle")).first()
                or Provider.objects.filter(slug=raw.get("anlaufstelle")).first()
            )
            fields = {
                "title": title,
                "summary": str(raw.get("description_de", ""))[:400],
                "description": str(raw.get("description_de", "")),
                "provider": provider,
                "format": FORMATS.get(str(raw.get("format", "")), EventFormat.ON_SITE),
                "starts_at": start,
                "ends_at": start + timedelta(hours=2) if start else None,
                "place": provider.name if provider and raw.get("format") != "online" else "",
            }
            related = raw.get("related_angebote") or []
            topics = {
                t
                for offer in Offer.objects.filter(slug__in=related).prefetch_related("topics")
                for t in offer.topics.all()
            }
            if event is None:
                slug = slugify(str(raw["id"]).removeprefix("ev-"))[:160]
                if slug in RESERVED_SLUGS:
                    slug = f"{slug}-veranstaltung"
                event = Event(network=network, catalog_id=raw["id"], slug=slug)
                event.status = EventStatus.PUBLISHED if start else EventStatus.DRAFT
                report.created += 1
            else:
                status = event.status
                if start is None:
                    status = EventStatus.DRAFT
                elif event.status == EventStatus.DRAFT and event.starts_at is None:
                    status = EventStatus.PUBLISHED  # an undated draft got its date
                if status == event.status and not _differs(event, fields, topics):
                    # Counted (and written) only when something changes: a rerun says so.
                    report.unchanged += 1
                    if start is None:
                        report.drafts.append(title)
                    continue
                if status == EventStatus.PUBLISHED and event.status == EventStatus.DRAFT:
                    report.published += 1
                else:
                    report.updated += 1
                event.status = status
            for name, value in fields.items():
                setattr(event, name, value)
            event.save()
            event.topics.set(topics)
            if start is None:
                report.drafts.append(title)
    return report


def import_file(path: Path, *, dates: Callable[[int], datetime] | None = None) -> EventImportReport:
    return import_events(json.loads(path.read_text(encoding="utf-8")), dates=dates)


def import_raw_events(events: list[object]) -> list[str]:
    """The directory's catalog import hands its raw events here (registered in apps.py)."""
    return import_events({"events": events}).lines()
