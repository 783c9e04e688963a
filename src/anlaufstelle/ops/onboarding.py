"""Onboarding a network: one call creates (or brings up to date) a network, its partners
from a CSV file, its settings copied from a template network, and its first coordinator.

Idempotent: the network is found by its slug, partners by their slug within it, the
coordinator by e-mail; a second run with the same input changes nothing and invites
nobody again. Transactional: every input is checked first and all rows are written in
one transaction, so a bad CSV row or a taken host name leaves the database untouched.
The invitation goes out after the commit, through the back office's invitation path.

Topics and audiences are one vocabulary for the whole installation (directory.Topic has
no network): a new network has them all at once. What is a network's own and copied
from the template: its synonym groups (search) and its consent texts and retention
settings for concerns (cases).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import EmailValidator, URLValidator, validate_slug
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import NetworkCaseSettings
from anlaufstelle.directory.models import Provider, ProviderKind
from anlaufstelle.networks.models import Bundesland, Network, Role, User
from anlaufstelle.search.models import SynonymEntry

PARTNER_COLUMNS = ("name", "kind", "slug", "website", "email", "phone", "address", "description")
REQUIRED_COLUMNS = ("name", "kind")
MAX_LENGTHS = {"name": 300, "slug": 120, "phone": 60}
CASE_SETTINGS_COPIED = ("consent_text", "share_consent_text", "retention_months", "untouched_days")


class OnboardingError(Exception):
    """The input cannot be used; `errors` lists every problem (in German)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class PartnerRow:
    line: int
    slug: str
    name: str
    kind: str
    website: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    description: str = ""


@dataclass
class NetworkSpec:
    slug: str
    name: str
    bundesland: str
    hostnames: list[str] = field(default_factory=list)
    short_name: str = ""
    tagline: str = ""
    accent_color: str = ""
    logo: Path | None = None
    logo_alt: str = ""
    partners: list[PartnerRow] = field(default_factory=list)
    template: str = ""
    coordinator_email: str = ""
    coordinator_first_name: str = ""
    coordinator_last_name: str = ""


@dataclass
class OnboardingResult:
    network: Network
    network_created: bool
    partners_created: int = 0
    partners_updated: int = 0
    synonyms_copied: int = 0
    case_settings_copied: bool = False
    coordinator: User | None = None
    coordinator_created: bool = False


def _kind(value: str) -> str | None:
    """A provider kind by its key or its German label (case-insensitive)."""
    wanted = value.strip().lower()
    for key, label in ProviderKind.choices:
        if wanted in (key, str(label).lower()):
            return key
    return None


def read_partners(text: str) -> list[PartnerRow]:
    """Parse the partners' CSV (comma or semicolon, header line first); every row and
    field error is collected, with its line number, before anything is raised."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise OnboardingError([_("The partner file is empty.")])
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    errors: list[str] = []
    unknown = [h for h in header if h not in PARTNER_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown:
        errors.append(
            _("Line 1: unknown columns %(columns)s. Allowed: %(allowed)s.")
            % {"columns": ", ".join(unknown), "allowed": ", ".join(PARTNER_COLUMNS)}
        )
    if missing:
        errors.append(
            _("Line 1: required columns missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    if errors:
        raise OnboardingError(errors)
    reader.fieldnames = header
    rows: list[PartnerRow] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:  # more fields than the header names
            errors.append(_("Line %(line)d: more fields than columns.") % {"line": number})
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue  # an empty line
        row_errors = _row_errors(number, values)
        slug = values.get("slug") or slugify(values.get("name", ""))[:120]
        if not row_errors and slug in seen:
            row_errors.append(
                _("Line %(line)d, field “slug”: “%(slug)s” is already used in line %(first)d.")
                % {"line": number, "slug": slug, "first": seen[slug]}
            )
        if row_errors:
            errors += row_errors
            continue
        seen[slug] = number
        rows.append(
            PartnerRow(
                line=number,
                slug=slug,
                name=values["name"],
                kind=_kind(values["kind"]) or "",
                website=values.get("website", ""),
                email=values.get("email", "").lower(),
                phone=values.get("phone", ""),
                address=values.get("address", ""),
                description=values.get("description", ""),
            )
        )
    if errors:
        raise OnboardingError(errors)
    return rows


def _row_errors(number: int, values: dict[str, str]) -> list[str]:
    errors = []

    def problem(column: str, message: str) -> None:
        errors.append(
            _("Line %(line)d, field “%(field)s”: %(problem)s")
            % {"line": number, "field": column, "problem": message}
        )

    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            problem(column, _("this field is required."))
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            problem(column, _("at most %(limit)d characters.") % {"limit": limit})
    if values.get("kind") and _kind(values["kind"]) is None:
        problem(
            "kind",
            _("unknown kind “%(value)s”. Allowed: %(allowed)s.")
            % {"value": values["kind"][:60], "allowed": ", ".join(ProviderKind.values)},
        )
    slug = values.get("slug") or slugify(values.get("name", ""))
    if values.get("name") and not slug:
        problem("slug", _("please give a short name of letters, digits and hyphens."))
    elif values.get("slug"):
        try:
            validate_slug(values["slug"])
        except ValidationError:
            problem("slug", _("only letters, digits, hyphens and underscores."))
    if values.get("email"):
        try:
            EmailValidator()(values["email"])
        except ValidationError:
            problem("email", _("not a valid e-mail address."))
    if values.get("website"):
        try:
            URLValidator(schemes=["http", "https"])(values["website"])
        except ValidationError:
            problem("website", _("not a valid web address (https://…)."))
    return errors


def _check_spec(spec: NetworkSpec) -> tuple[Network | None, list[str]]:
    """The template network and every problem of the input that needs the database."""
    errors = []
    try:
        validate_slug(spec.slug)
    except ValidationError:
        errors.append(_("The slug may contain only letters, digits and hyphens."))
    if spec.bundesland not in Bundesland.values:
        errors.append(
            _("Unknown federal state “%(value)s”. Allowed: %(allowed)s.")
            % {"value": spec.bundesland[:10], "allowed": ", ".join(Bundesland.values)}
        )
    taken = {}
    for other in Network.objects.exclude(slug=spec.slug).exclude(hostnames=""):
        for host in other.hostname_list():
            taken[host] = other.slug
    for host in spec.hostnames:
        if host in taken:
            errors.append(
                _("The host name %(host)s already belongs to the network “%(other)s”.")
                % {"host": host, "other": taken[host]}
            )
    template = None
    if spec.template:
        template = Network.objects.filter(slug=spec.template).first()
        if template is None:
            errors.append(_("No template network “%(slug)s”.") % {"slug": spec.template[:60]})
        elif spec.template == spec.slug:
            errors.append(_("A network cannot be its own template."))
    if spec.coordinator_email:
        try:
            EmailValidator()(spec.coordinator_email)
        except ValidationError:
            errors.append(_("The coordinator's e-mail address is not valid."))
        else:
            user = User.objects.filter(email=spec.coordinator_email.lower()).first()
            if user is not None and (
                user.is_superuser or user.network is None or user.network.slug != spec.slug
            ):
                errors.append(
                    _("The address %(email)s already belongs to another account.")
                    % {"email": spec.coordinator_email}
                )
    if spec.logo is not None and not spec.logo.is_file():
        errors.append(_("The logo file %(path)s does not exist.") % {"path": spec.logo})
    return template, errors


def _apply_branding(network: Network, spec: NetworkSpec) -> None:
    network.name = spec.name
    network.bundesland = spec.bundesland
    network.hostnames = ", ".join(spec.hostnames)
    network.short_name = spec.short_name
    network.tagline = spec.tagline
    network.accent_color = spec.accent_color
    network.logo_alt = spec.logo_alt
    if network.region == "":
        network.region = spec.slug[:60]
    if spec.logo is not None:
        data = spec.logo.read_bytes()
        current = b""
        if network.logo:
            with network.logo.open("rb") as stored:
                current = stored.read()
        if data != current:
            network.logo = File(io.BytesIO(data), name=spec.logo.name)


def _validation_errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]
    return list(error.messages)


def create_network(spec: NetworkSpec) -> OnboardingResult:
    """Create or update the network of `spec` with partners, template and coordinator.

    Raises OnboardingError (nothing written) when any input is unusable."""
    with scopes_disabled(), transaction.atomic():
        template, errors = _check_spec(spec)
        if errors:
            raise OnboardingError(errors)
        network = Network.objects.select_for_update().filter(slug=spec.slug).first()
        created = network is None
        if network is None:
            network = Network(slug=spec.slug)
        _apply_branding(network, spec)
        try:
            network.full_clean(validate_unique=False)
        except ValidationError as error:
            raise OnboardingError(_validation_errors(error)) from error
        network.save()
        result = OnboardingResult(network=network, network_created=created)
        _upsert_partners(network, spec.partners, result)
        if template is not None:
            _copy_template(template, network, result)
        if spec.coordinator_email:
            _ensure_coordinator(network, spec, result)
    return result


def _upsert_partners(network: Network, rows: list[PartnerRow], result: OnboardingResult) -> None:
    for row in rows:
        values = {
            "name": row.name,
            "kind": row.kind,
            "website": row.website,
            "email": row.email,
            "phone": row.phone,
            "address": row.address,
            "description": row.description,
            "region": network.region,
        }
        provider = Provider.objects.filter(network=network, slug=row.slug).first()
        if provider is None:
            Provider.objects.create(network=network, slug=row.slug, **values)
            result.partners_created += 1
        elif any(getattr(provider, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(provider, key, value)
            provider.save()
            result.partners_updated += 1


def _copy_template(template: Network, network: Network, result: OnboardingResult) -> None:
    def key(terms: str) -> str:
        return ",".join(sorted(t.strip().lower() for t in terms.split(",") if t.strip()))

    present = {
        key(t) for t in SynonymEntry.objects.filter(network=network).values_list("terms", flat=True)
    }
    for entry in SynonymEntry.objects.filter(network=template).order_by("pk"):
        if key(entry.terms) not in present:
            SynonymEntry.objects.create(
                network=network, terms=entry.terms, is_active=entry.is_active
            )
            present.add(key(entry.terms))
            result.synonyms_copied += 1
    source = NetworkCaseSettings.objects.filter(network=template).first()
    if source is not None:
        target, _created = NetworkCaseSettings.objects.get_or_create(network=network)
        changed = [f for f in CASE_SETTINGS_COPIED if getattr(target, f) != getattr(source, f)]
        for name in changed:
            setattr(target, name, getattr(source, name))
        if changed or _created:
            target.save()
            result.case_settings_copied = True


def _ensure_coordinator(network: Network, spec: NetworkSpec, result: OnboardingResult) -> None:
    email = spec.coordinator_email.lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            first_name=spec.coordinator_first_name,
            last_name=spec.coordinator_last_name,
            network=network,
            role=Role.COORDINATOR,
            is_staff=True,
        )
        # Invited: nobody knows a password until the person sets one via the link.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        result.coordinator_created = True
    elif user.role != Role.COORDINATOR:
        user.role = Role.COORDINATOR
        user.is_staff = True
        user.save(update_fields=["role", "is_staff"])
    result.coordinator = user
