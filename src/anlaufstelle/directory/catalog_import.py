"""Catalog import: networks, taxonomy, providers, offers and contacts from JSON or CSV.

The format is the one of the shared demo catalog (`catalog.json`, see
docs/catalog-import.md); a directory of CSV files (one per type) carries the same
fields. The import runs in two phases: every row is validated first and every problem
is reported with file, row, field and reason; only a clean source is written, inside one
transaction. Rows are matched by their slug (`id`) within their network, so a second
import of the same source changes nothing and never duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email, validate_slug
from django.db import models, transaction
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Bundesland, Network

from .models import Audience, Contact, Offer, OfferKind, Provider, ProviderKind, Topic

NATIONWIDE = "bund"
NATIONWIDE_DEFAULT_NAME = "Bundesweite Angebote"

# English labels of the shared vocabularies; the catalog itself is German only.
TOPIC_LABELS_EN: dict[str, str] = {
    "ausbildung": "Vocational training",
    "berufsorientierung": "Career orientation and young talent",
    "weiterbildung": "Further training and qualification",
    "recruiting": "Recruiting",
    "internationale-fachkraefte": "International skilled workers",
    "anerkennung": "Recognition of foreign qualifications",
    "arbeitgeberattraktivitaet": "Employer attractiveness",
    "employer-branding": "Employer branding and visibility",
    "fachkraeftebindung": "Retaining skilled workers",
    "gesundheit": "Workplace health",
    "digitalisierung": "Digitalisation and AI",
    "vereinbarkeit": "Work-life balance and family",
    "inklusion": "Inclusion / people with disabilities",
    "foerderung-lohnkosten": "Wage subsidies",
    "nachfolge": "Business succession",
    "frauen-in-mint": "Women in STEM and stereotype-free career choice",
    "aeltere-beschaeftigte": "Older employees",
    "gefluechtete": "Refugees",
    "wohnen-und-mobilitaet": "Housing and mobility",
    "arbeitsorganisation": "Work organisation and HR policy",
    "rueckkehr-und-zuzug": "Returning and moving to the region",
    "langzeitarbeitslose": "Long-term unemployed",
    "netzwerk-und-austausch": "Networks and exchange",
}

# The catalog lists target groups as bare slugs: (German, English) labels.
AUDIENCE_LABELS: dict[str, tuple[str, str]] = {
    "kmu": ("Kleine und mittlere Unternehmen", "Small and medium-sized enterprises"),
    "handwerk": ("Handwerk", "Crafts and trades"),
    "pflege": ("Pflege", "Care"),
    "gastronomie": ("Gastronomie", "Hospitality"),
    "tourismus": ("Tourismus", "Tourism"),
    "industrie": ("Industrie", "Industry"),
    "startup": ("Start-ups", "Start-ups"),
    "sozialwirtschaft": ("Sozialwirtschaft", "Social economy"),
    "ausbildungsbetriebe": ("Ausbildungsbetriebe", "Training companies"),
    "migrantische-unternehmen": ("Migrantische Unternehmen", "Migrant-owned businesses"),
    "alle": ("Alle Unternehmen", "All companies"),
}

# CSV files of a directory import: file name -> (type, allowed columns, required columns).
CSV_FILES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "topics.csv": ("topics", ("id", "label_de", "label_en", "position"), ("id", "label_de")),
    "audiences.csv": (
        "audiences",
        ("id", "label_de", "label_en", "position"),
        ("id", "label_de"),
    ),
    "providers.csv": (
        "providers",
        (
            "id",
            "name",
            "kind",
            "region",
            "description_de",
            "website",
            "address",
            "email",
            "phone",
        ),
        ("id", "name", "kind"),
    ),
    "offers.csv": (
        "offers",
        (
            "id",
            "title_de",
            "anlaufstelle",
            "kind",
            "topics",
            "target_groups",
            "region",
            "summary_de",
            "legal_basis",
            "source_urls",
            "verified",
            "valid_from",
            "valid_until",
            "last_checked",
            "costs",
            "conditions",
            "target_description",
        ),
        ("id", "title_de", "anlaufstelle", "kind", "topics", "summary_de"),
    ),
    "contacts.csv": (
        "contacts",
        (
            "id",
            "anlaufstelle",
            "region",
            "function",
            "description",
            "email",
            "phone",
            "availability",
            "topics",
        ),
        ("id", "anlaufstelle", "function"),
    ),
}

TYPE_LABELS = {
    "networks": "Netzwerke",
    "topics": "Themen",
    "audiences": "Zielgruppen",
    "providers": "Anlaufstellen",
    "offers": "Angebote",
    "contacts": "Ansprechpersonen",
}
TYPES = tuple(TYPE_LABELS)


@dataclass(frozen=True)
class Issue:
    """One problem of the source: where it is (file, row, field) and why (German)."""

    file: str
    location: str
    field: str
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}, {self.location}" if self.location else self.file
        if self.field:
            where += f", Feld »{self.field}«"
        return f"{where}: {self.reason}"


@dataclass
class RawRow:
    """A row as read from the source, with where it came from."""

    data: dict[str, Any]
    file: str
    location: str
    row: int
    from_csv: bool = False

    @property
    def ident(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else ""


@dataclass
class RawCatalog:
    """The rows of a source, not yet validated, grouped by type."""

    rows: dict[str, list[RawRow]] = field(default_factory=lambda: {t: [] for t in TYPES})
    skipped: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)  # raw, for EVENT_IMPORTERS


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), or why it refused."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: {t: Counter() for t in TYPES})
    skipped: Counter[str] = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # German lines of EVENT_IMPORTERS

    @property
    def ok(self) -> bool:
        return not self.issues

    def total(self, status: str) -> int:
        return sum(c[status] for c in self.counts.values())


# --- reading ---------------------------------------------------------------------------


def _decode(raw: bytes, name: str, issues: list[Issue]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        issues.append(
            Issue(
                name,
                f"Zeile {line}",
                "",
                f"Die Datei ist nicht UTF-8-kodiert (ungültiges Byte 0x{raw[exc.start]:02X} "
                f"an Position {exc.start + 1}). Bitte speichern Sie sie als UTF-8.",
                row=line,
            )
        )
        return None


def read_source(path: Path) -> RawCatalog:
    """Read a catalog JSON file, a directory of CSV files, or a single known CSV file."""
    catalog = RawCatalog()
    if path.is_dir():
        found = [name for name in CSV_FILES if (path / name).is_file()]
        if not found:
            catalog.issues.append(
                Issue(
                    str(path),
                    "",
                    "",
                    "Keine CSV-Dateien gefunden (erwartet: " + ", ".join(CSV_FILES) + ").",
                )
            )
        for name in found:
            _read_csv(path / name, catalog)
        return catalog
    if not path.is_file():
        catalog.issues.append(Issue(str(path), "", "", "Datei oder Verzeichnis nicht gefunden."))
        return catalog
    if path.suffix.lower() == ".csv":
        if path.name not in CSV_FILES:
            catalog.issues.append(
                Issue(
                    path.name,
                    "",
                    "",
                    "Unbekannter CSV-Dateiname (erwartet: " + ", ".join(CSV_FILES) + ").",
                )
            )
        else:
            _read_csv(path, catalog)
        return catalog
    read_json_bytes(path.read_bytes(), catalog, name=path.name)
    return catalog


def read_json_text(text: str, name: str, catalog: RawCatalog) -> None:
    """Parse catalog JSON text into `catalog`; syntax errors name line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        catalog.issues.append(
            Issue(
                name,
                f"Zeile {exc.lineno}, Spalte {exc.colno}",
                "",
                f"Ungültiges JSON ({exc.msg}).",
                row=exc.lineno,
            )
        )
        return
    read_json_data(data, name, catalog)


def read_json_data(data: Any, name: str, catalog: RawCatalog) -> None:
    """Collect the rows of an already parsed catalog object."""
    if not isinstance(data, dict):
        catalog.issues.append(Issue(name, "", "", "Ein JSON-Objekt wird erwartet."))
        return

    def rows(key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            catalog.issues.append(Issue(name, key, "", "Eine Liste wird erwartet."))
            return []
        return value

    def label_map(key: str) -> dict[str, Any]:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            catalog.issues.append(Issue(name, key, "", "Ein Objekt wird erwartet."))
            return {}
        return value

    topic_labels = label_map("topic_labels")
    audience_labels = label_map("target_group_labels")
    for key, kind, labels in (
        ("topics", "topics", topic_labels),
        ("target_groups", "audiences", audience_labels),
    ):
        for index, item in enumerate(rows(key), start=1):
            # The shared catalog lists bare slugs; objects with labels are accepted too.
            if isinstance(item, str):
                item = {"id": item, "label_de": labels.get(item)}
            if isinstance(item, dict):
                item = {**item, "position": index}
            catalog.rows[kind].append(RawRow(item, name, f"{key} Nr. {index}", index))

    for key, kind in (
        ("networks", "networks"),
        ("anlaufstellen", "providers"),
        ("angebote", "offers"),
        ("contacts", "contacts"),
    ):
        for index, item in enumerate(rows(key), start=1):
            catalog.rows[kind].append(RawRow(item, name, f"{key} Nr. {index}", index))
    # Events are imported by the events app when it is installed (EVENT_IMPORTERS);
    # without it they are counted, not imported.
    catalog.skipped["events"] += len(rows("events"))
    catalog.events.extend(rows("events"))


def _read_csv(path: Path, catalog: RawCatalog) -> None:
    read_csv_bytes(path.read_bytes(), catalog, name=path.name, csv_file=path.name)


def read_json_bytes(raw: bytes, catalog: RawCatalog, *, name: str) -> None:
    """Parse an uploaded catalog JSON file (UTF-8) into `catalog`."""
    text = _decode(raw, name, catalog.issues)
    if text is not None:
        read_json_text(text, name, catalog)


def read_csv_bytes(raw: bytes, catalog: RawCatalog, *, name: str, csv_file: str) -> None:
    """Parse one CSV file whose columns are those of `csv_file` (a key of CSV_FILES).

    `name` is how issues name the file (an upload keeps the name it had on the user's disk).
    """
    kind, allowed, required = CSV_FILES[csv_file]
    text = _decode(raw, name, catalog.issues)
    if text is None:
        return
    first_line = text.split("\n", 1)[0]
    # Spreadsheets with German locale save with ";"; both separators are accepted.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        catalog.issues.append(Issue(name, "Zeile 1", "", "Die Datei ist leer.", row=1))
        return
    except csv.Error as exc:
        catalog.issues.append(Issue(name, "Zeile 1", "", f"Ungültiges CSV ({exc}).", row=1))
        return
    header_ok = True
    for column in header:
        if column not in allowed:
            catalog.issues.append(
                Issue(
                    name,
                    "Zeile 1",
                    column,
                    "Unbekannte Spalte (erlaubt: " + ", ".join(allowed) + ").",
                    row=1,
                )
            )
            header_ok = False
    for column in required:
        if column not in header:
            catalog.issues.append(Issue(name, "Zeile 1", column, "Pflichtspalte fehlt.", row=1))
            header_ok = False
    if not header_ok:
        return
    line = reader.line_num
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                catalog.issues.append(
                    Issue(
                        name,
                        f"Zeile {start}",
                        "",
                        f"{len(values)} Spalten statt {len(header)}.",
                        row=start,
                    )
                )
                continue
            data = {column: value.strip() for column, value in zip(header, values, strict=True)}
            catalog.rows[kind].append(RawRow(data, name, f"Zeile {start}", start, from_csv=True))
    except csv.Error as exc:
        catalog.issues.append(
            Issue(name, f"Zeile {reader.line_num}", "", f"Ungültiges CSV ({exc}).")
        )


# --- validating ------------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])
_MISSING = "Pflichtfeld fehlt."


def _max_length(model: type[models.Model], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


class _Row:
    """Typed access to one raw row; every bad value becomes an Issue."""

    def __init__(self, raw: RawRow, issues: list[Issue]) -> None:
        self.raw = raw
        self.issues = issues
        self.ok = isinstance(raw.data, dict)
        if not self.ok:
            self.error("", "Ein Objekt wird erwartet.")

    def error(self, name: str, reason: str) -> None:
        self.ok = False
        location = self.raw.location
        if self.raw.ident:
            location += f" (id »{self.raw.ident}«)"
        self.issues.append(Issue(self.raw.file, location, name, reason, row=self.raw.row))

    def _get(self, name: str) -> Any:
        if not isinstance(self.raw.data, dict):
            return None
        value = self.raw.data.get(name)
        return None if value == "" else value

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self._get(name)
        if value is None:
            if required:
                self.error(name, _MISSING)
            return ""
        if not isinstance(value, str):
            self.error(name, "Text erwartet.")
            return ""
        value = value.strip()
        if required and not value:
            self.error(name, _MISSING)
        if max_length is not None and len(value) > max_length:
            self.error(name, f"Zu lang ({len(value)} Zeichen, höchstens {max_length}).")
        return value

    def slug(self, name: str, *, required: bool = True) -> str:
        value = self.text(name, required=required, max_length=120)
        if value:
            try:
                validate_slug(value)
            except ValidationError:
                self.error(
                    name,
                    f"»{value}« ist kein gültiges Kürzel (nur Buchstaben, Ziffern, - und _).",
                )
        return value

    def items(self, name: str, *, required: bool = False) -> list[str]:
        value = self._get(name)
        if value is None:
            if required:
                self.error(name, _MISSING)
            return []
        if self.raw.from_csv and isinstance(value, str):
            value = [v.strip() for v in value.replace(";", "|").split("|") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, "Liste von Texten erwartet.")
            return []
        if required and not value:
            self.error(name, "Mindestens ein Eintrag ist nötig.")
        return [v.strip() for v in value]

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if self.raw.from_csv and isinstance(value, str):
            lowered = value.lower()
            if lowered in {"true", "ja", "yes", "1", "wahr"}:
                return True
            if lowered in {"false", "nein", "no", "0", "falsch"}:
                return False
        self.error(name, "Wahrheitswert erwartet (true/false).")
        return default

    def date(self, name: str) -> dt.date | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(name, f"Datum im Format JJJJ-MM-TT erwartet, gefunden »{value}«.")
        return None

    def url(self, name: str) -> str:
        value = self.text(name, max_length=200)
        if value:
            try:
                _url_validator(value)
            except ValidationError:
                self.error(name, f"»{value}« ist keine gültige http(s)-Adresse.")
        return value

    def urls(self, name: str) -> list[str]:
        values = self.items(name)
        for value in values:
            try:
                _url_validator(value)
            except ValidationError:
                self.error(name, f"»{value}« ist keine gültige http(s)-Adresse.")
        return values

    def email(self, name: str) -> str:
        value = self.text(name, max_length=254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.error(name, f"»{value}« ist keine gültige E-Mail-Adresse.")
        return value

    def choice(self, name: str, choices: Iterable[str], what: str) -> str:
        value = self.text(name, required=True)
        choices = list(choices)
        if value and value not in choices:
            self.error(name, f"Unbekannte {what} »{value}« (erlaubt: {', '.join(choices)}).")
        return value


@dataclass
class Plan:
    """The validated desired state: values per type, keyed by (network key, slug)."""

    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    audiences: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    offers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    contacts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def _foreign_region(region: str) -> str:
    if region == NATIONWIDE:
        return "Bundesweite Einträge pflegt der Betreiber; lassen Sie die Spalte leer."
    return (
        f"Die Region »{region}« gehört zu einem anderen Netzwerk; lassen Sie die Spalte "
        "leer, dann gilt Ihr Netzwerk."
    )


def _network_key(network: Network) -> str:
    return NATIONWIDE if network.is_nationwide else network.slug


def validate(
    raw: RawCatalog, *, default_network: str | None = None, only_default_network: bool = False
) -> tuple[Plan, list[Issue]]:
    """Check every row against the vocabularies, references and the database.

    `default_network` is the slug of the network that receives rows without a region.
    With `only_default_network` (the back-office import of one network's coordinator)
    every row must land in that network: networks, the shared vocabularies and the
    nationwide pool are refused.
    """
    issues = list(raw.issues)
    plan = Plan()
    if only_default_network:
        if default_network is None:
            raise ValueError("only_default_network needs a default_network")
        refused = ("networks", "topics", "audiences")
        for kind in refused:
            for file in dict.fromkeys(r.file for r in raw.rows[kind]):
                issues.append(
                    Issue(
                        file,
                        "",
                        "",
                        f"{TYPE_LABELS[kind]} können hier nicht importiert werden, nur "
                        "Anlaufstellen, Ansprechpersonen und Angebote Ihres Netzwerks.",
                    )
                )
        raw = RawCatalog(
            rows={k: [] if k in refused else v for k, v in raw.rows.items()},
            skipped=raw.skipped,
            issues=raw.issues,
        )
    with scopes_disabled():
        db_networks = list(Network.objects.all())
        db_topics = set(Topic.objects.values_list("slug", flat=True))
        db_audiences = set(Audience.objects.values_list("slug", flat=True))
        db_providers = {
            (_network_key(p.network), p.slug) for p in Provider.objects.select_related("network")
        }
        db_offers = {
            (_network_key(o.network), o.slug) for o in Offer.objects.select_related("network")
        }

    region_to_network = {NATIONWIDE: NATIONWIDE}
    region_to_network.update(
        {n.region: n.slug for n in db_networks if n.region and not n.is_nationwide}
    )
    known_networks = {n.slug for n in db_networks if not n.is_nationwide}

    seen: dict[str, set[str]] = {t: set() for t in TYPES}
    values: dict[str, Any]

    def unique(row: _Row, kind: str, slug: str) -> None:
        if not slug:
            return
        if slug in seen[kind]:
            row.error("id", f"Das Kürzel »{slug}« kommt in der Datei mehrfach vor.")
        seen[kind].add(slug)

    for raw_row in raw.rows["networks"]:
        row = _Row(raw_row, issues)
        slug = row.slug("id")
        unique(row, "networks", slug)
        if slug == NATIONWIDE:
            row.error("id", f"»{NATIONWIDE}« ist für den bundesweiten Pool reserviert.")
        values = {
            "name": row.text("name", required=True, max_length=_max_length(Network, "name")),
            "bundesland": row.choice("bundesland", Bundesland.values, "Bundesland"),
            "host_provider_slug": row.slug("host_anlaufstelle", required=False),
            "description": row.text("description_de"),
        }
        regions = [r for r in row.items("regions") if r != NATIONWIDE]
        if len(regions) > 1:
            row.error("regions", "Höchstens eine Region außer »bund« ist möglich.")
        values["region"] = regions[0] if regions else ""
        if row.ok:
            plan.networks[slug] = values
            known_networks.add(slug)
            if values["region"]:
                region_to_network[values["region"]] = slug

    if default_network is not None and default_network not in known_networks:
        issues.append(
            Issue("--network", "", "", f"Es gibt kein Netzwerk mit dem Kürzel »{default_network}«.")
        )

    for kind, labels_en, db_known in (
        ("topics", TOPIC_LABELS_EN, db_topics),
        ("audiences", {k: v[1] for k, v in AUDIENCE_LABELS.items()}, db_audiences),
    ):
        model = Topic if kind == "topics" else Audience
        for raw_row in raw.rows[kind]:
            row = _Row(raw_row, issues)
            slug = row.slug("id")
            unique(row, kind, slug)
            label_de = row.text("label_de", max_length=_max_length(model, "label_de"))
            if not label_de:
                if kind == "audiences" and slug in AUDIENCE_LABELS:
                    label_de = AUDIENCE_LABELS[slug][0]
                else:
                    row.error("label_de", _MISSING)
            values = {"label_de": label_de}
            label_en = row.text("label_en", max_length=_max_length(model, "label_en"))
            if label_en or slug in labels_en:
                values["label_en"] = label_en or labels_en[slug]
            position = row._get("position")
            if position is not None:
                try:
                    values["position"] = int(position)
                except (TypeError, ValueError):
                    row.error("position", "Ganze Zahl erwartet.")
            if row.ok:
                getattr(plan, kind)[slug] = values
        db_known |= set(getattr(plan, kind))

    def network_for(row: _Row) -> str | None:
        region = row.text("region", max_length=60)
        if not region:
            if default_network is None:
                row.error("region", "Pflichtfeld fehlt (oder beim Import --network angeben).")
                return None
            return default_network
        if default_network is not None and region != NATIONWIDE:
            # A network's own spreadsheet may name its region; other regions are a typo.
            own_region = next(
                (r for r, n in region_to_network.items() if n == default_network), None
            )
            if region == own_region:
                return default_network
        network = region_to_network.get(region)
        if network is None:
            row.error("region", f"Unbekannte Region »{region}«: kein Netzwerk zeigt sie.")
        elif only_default_network and network != default_network:
            row.error("region", _foreign_region(region))
            return None
        return network

    def region_of(network: str, region: str) -> str:
        if region:
            return region
        return next((r for r, n in region_to_network.items() if n == network), "")

    file_providers: set[tuple[str, str]] = set()
    for raw_row in raw.rows["providers"]:
        row = _Row(raw_row, issues)
        slug = row.slug("id")
        unique(row, "providers", slug)
        network = network_for(row)
        values = {
            "name": row.text("name", required=True, max_length=_max_length(Provider, "name")),
            "kind": row.choice("kind", ProviderKind.values, "Art der Anlaufstelle"),
            "region": row.text("region", max_length=60),
            "description": row.text("description_de"),
            "website": row.url("website"),
            "address": row.text("address"),
            "email": row.email("email"),
            "phone": row.text("phone", max_length=_max_length(Provider, "phone")),
        }
        if row.ok and network is not None:
            values["region"] = region_of(network, values["region"])
            plan.providers[(network, slug)] = values
            file_providers.add((network, slug))
    all_providers = db_providers | file_providers

    def provider_for(row: _Row, network: str | None, name: str = "anlaufstelle") -> str | None:
        slug = row.slug(name)
        if not slug or network is None:
            return None
        if (network, slug) in all_providers:
            return network
        if (NATIONWIDE, slug) in all_providers:
            return NATIONWIDE
        where = (
            "bundesweit" if network == NATIONWIDE else f"im Netzwerk »{network}« oder bundesweit"
        )
        row.error(name, f"Unbekannte Anlaufstelle »{slug}« (weder in der Datei noch {where}).")
        return None

    def known(row: _Row, name: str, values: list[str], vocabulary: set[str], what: str) -> None:
        for value in values:
            if value not in vocabulary:
                row.error(name, f"Unbekannte{what} »{value}«.")

    all_offers = db_offers | set()
    for raw_row in raw.rows["offers"]:
        row = _Row(raw_row, issues)
        slug = row.slug("id")
        unique(row, "offers", slug)
        network = network_for(row)
        provider_network = provider_for(row, network)
        topics = row.items("topics", required=True)
        known(row, "topics", topics, db_topics, "s Thema")
        audiences = row.items("target_groups")
        known(row, "target_groups", audiences, db_audiences, " Zielgruppe")
        values = {
            "title": row.text("title_de", required=True, max_length=_max_length(Offer, "title")),
            "summary": row.text("summary_de", required=True),
            "provider": (provider_network, row.text("anlaufstelle")),
            "kind": row.choice("kind", OfferKind.values, "Art des Angebots"),
            "region": row.text("region", max_length=60),
            "legal_basis": row.text("legal_basis", max_length=_max_length(Offer, "legal_basis")),
            "source_urls": row.urls("source_urls"),
            "verified": row.boolean("verified", default=True),
            "valid_from": row.date("valid_from"),
            "valid_until": row.date("valid_until"),
            "last_checked": row.date("last_checked"),
            "costs": row.text("costs", max_length=_max_length(Offer, "costs")),
            "conditions": row.text("conditions"),
            "target_description": row.text("target_description"),
            "topics": topics,
            "audiences": audiences,
        }
        start, end = values["valid_from"], values["valid_until"]
        if start and end and end < start:
            row.error("valid_until", "Das Ende liegt vor dem Beginn (valid_from).")
        if row.ok and network is not None:
            values["region"] = region_of(network, values["region"])
            plan.offers[(network, slug)] = values
            all_offers.add((network, slug))

    # A network reads its own rows and the pool's: a slug in both would be ambiguous.
    for kind, keys in (("providers", plan.providers), ("offers", plan.offers)):
        existing = all_providers if kind == "providers" else all_offers
        for network, slug in keys:
            clash = (
                (NATIONWIDE, slug) in existing
                if network != NATIONWIDE
                else any(n != NATIONWIDE and s == slug for n, s in existing)
            )
            if clash:
                raw_row = next(r for r in raw.rows[kind] if r.ident == slug)
                _Row(raw_row, issues).error(
                    "id",
                    f"Das Kürzel »{slug}« gibt es schon "
                    + ("bundesweit." if network != NATIONWIDE else "in einem Netzwerk."),
                )

    for raw_row in raw.rows["contacts"]:
        row = _Row(raw_row, issues)
        slug = row.slug("id")
        unique(row, "contacts", slug)
        provider_slug = row.slug("anlaufstelle")
        contact_network: str | None = None
        if row.text("region") or default_network is not None:
            contact_network = provider_for(row, network_for(row))
        elif provider_slug:
            candidates = {n for n, s in all_providers if s == provider_slug}
            if len(candidates) == 1:
                contact_network = candidates.pop()
            elif candidates:
                row.error(
                    "anlaufstelle", f"»{provider_slug}« ist mehrdeutig; bitte region angeben."
                )
            else:
                row.error("anlaufstelle", f"Unbekannte Anlaufstelle »{provider_slug}«.")
        topics = row.items("topics")
        known(row, "topics", topics, db_topics, "s Thema")
        values = {
            "provider": (contact_network, provider_slug),
            "function": row.text(
                "function", required=True, max_length=_max_length(Contact, "function")
            ),
            "description": row.text("description"),
            "email": row.email("email"),
            "phone": row.text("phone", max_length=_max_length(Contact, "phone")),
            "availability": row.text(
                "availability", max_length=_max_length(Contact, "availability")
            ),
            "topics": topics,
        }
        if only_default_network and contact_network not in (None, default_network):
            row.error(
                "anlaufstelle",
                f"»{provider_slug}« ist eine bundesweite Anlaufstelle; Ansprechpersonen "
                "können Sie nur für Anlaufstellen Ihres Netzwerks anlegen.",
            )
        if row.ok and contact_network is not None:
            plan.contacts[(contact_network, slug)] = values

    return plan, issues


# --- writing ---------------------------------------------------------------------------


def _sync(
    obj: models.Model | None,
    model: type[models.Model],
    create: dict[str, Any],
    values: dict[str, Any],
    m2m: dict[str, list[models.Model]] | None = None,
) -> tuple[str, models.Model]:
    """Create or update one row; an unchanged row is not saved (its updated_at stays)."""
    m2m = m2m or {}
    if obj is None:
        obj = model(**create, **values)
        obj.save()
        for name, targets in m2m.items():
            getattr(obj, name).set(targets)
        return "created", obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    changed_m2m = [
        name
        for name, targets in m2m.items()
        # Reads the prefetch cache when the caller prefetched the relation.
        if {t.pk for t in getattr(obj, name).all()} != {t.pk for t in targets}
    ]
    if not changed and not changed_m2m:
        return "unchanged", obj
    obj.save()
    for name in changed_m2m:
        getattr(obj, name).set(m2m[name])
    return "updated", obj


def _write(plan: Plan, report: ImportReport) -> None:
    counts = report.counts
    networks: dict[str, Network] = {}
    nationwide = Network.objects.filter(is_nationwide=True).first()
    if nationwide is None:
        nationwide = Network.objects.create(
            slug=NATIONWIDE, name=NATIONWIDE_DEFAULT_NAME, is_nationwide=True, region=NATIONWIDE
        )
        counts["networks"]["created"] += 1
    else:
        counts["networks"]["unchanged"] += 1
    networks[NATIONWIDE] = nationwide
    existing_networks = {n.slug: n for n in Network.objects.filter(is_nationwide=False)}
    networks.update(existing_networks)
    for slug, values in plan.networks.items():
        status, obj = _sync(existing_networks.get(slug), Network, {"slug": slug}, values)
        counts["networks"][status] += 1
        networks[slug] = obj  # type: ignore[assignment]

    vocabularies: dict[str, dict[str, Any]] = {}
    for kind, model in (("topics", Topic), ("audiences", Audience)):
        existing: dict[str, Any] = {t.slug: t for t in model.objects.all()}
        next_position = max((t.position for t in existing.values()), default=0) + 1
        for slug, values in getattr(plan, kind).items():
            values = dict(values)
            if "position" not in values and slug not in existing:
                values["position"] = next_position
                next_position += 1
            status, obj = _sync(existing.get(slug), model, {"slug": slug}, values)
            counts[kind][status] += 1
            existing[slug] = obj
        vocabularies[kind] = existing

    providers = {
        (_network_key(p.network), p.slug): p for p in Provider.objects.select_related("network")
    }
    for (network, slug), values in plan.providers.items():
        status, obj = _sync(
            providers.get((network, slug)),
            Provider,
            {"slug": slug, "network": networks[network]},
            values,
        )
        counts["providers"][status] += 1
        providers[(network, slug)] = obj  # type: ignore[assignment]

    offers = {
        (_network_key(o.network), o.slug): o
        for o in Offer.objects.select_related("network").prefetch_related("topics", "audiences")
    }
    for (network, slug), planned in plan.offers.items():
        values = dict(planned)
        provider = providers[values.pop("provider")]
        m2m = {
            "topics": [vocabularies["topics"][t] for t in values.pop("topics")],
            "audiences": [vocabularies["audiences"][a] for a in values.pop("audiences")],
        }
        values["provider_id"] = provider.pk
        status, _ = _sync(
            offers.get((network, slug)),
            Offer,
            {"slug": slug, "network": networks[network]},
            values,
            m2m,
        )
        counts["offers"][status] += 1

    contacts = {
        (_network_key(c.network), c.slug): c
        for c in Contact.objects.select_related("network").prefetch_related("topics")
    }
    for (network, slug), planned in plan.contacts.items():
        values = dict(planned)
        provider = providers[values.pop("provider")]
        m2m = {"topics": [vocabularies["topics"][t] for t in values.pop("topics")]}
        values["provider_id"] = provider.pk
        status, _ = _sync(
            contacts.get((network, slug)),
            Contact,
            {"slug": slug, "network": networks[network]},
            values,
            m2m,
        )
        counts["contacts"][status] += 1


# Importers of the catalog's events, registered by the events app (the directory never
# imports it): each takes the raw event objects and returns German report lines. They run
# inside the import's transaction, so a dry run rolls them back as well.
EVENT_IMPORTERS: list[Callable[[list[Any]], list[str]]] = []


def import_raw(
    raw: RawCatalog,
    *,
    dry_run: bool = False,
    network: str | None = None,
    only_network: bool = False,
) -> ImportReport:
    """Validate `raw` and, if every row is valid, write it in one transaction.

    With `dry_run` the writes run and are rolled back, so the report says exactly
    what a real import would create, update or leave unchanged. With `only_network`
    every row must belong to `network` (see `validate`).
    """
    report = ImportReport(dry_run=dry_run, skipped=Counter(raw.skipped))
    plan, issues = validate(raw, default_network=network, only_default_network=only_network)
    if issues:
        report.issues = issues
        return report
    # The import spans every network and the shared pool on purpose.
    with scopes_disabled(), transaction.atomic():
        _write(plan, report)
        if EVENT_IMPORTERS and raw.events:
            for importer in EVENT_IMPORTERS:
                report.notes += importer(raw.events)
            report.skipped["events"] = 0
        if dry_run:
            transaction.set_rollback(True)
    return report


def import_catalog(
    *, path: Path, dry_run: bool = False, network: str | None = None
) -> ImportReport:
    """Import a catalog JSON file or a directory of CSV files (see docs/catalog-import.md)."""
    return import_raw(read_source(Path(path)), dry_run=dry_run, network=network)
