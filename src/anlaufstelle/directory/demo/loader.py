"""Load the demo: catalog, lab presentation, contacts, legal pages and demo logins.

Everything here is idempotent: loading twice leaves the database as loading once.
The catalog rows go through the regular catalog import, so the demo proves the import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django_scopes import scopes_disabled

from anlaufstelle.directory.catalog_import import (
    ImportReport,
    RawCatalog,
    import_raw,
    read_json_data,
)
from anlaufstelle.directory.models import Offer, Provider
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.pages.models import LegalPage

DEMO_DIR = Path(__file__).resolve().parent
CATALOG_FILE = DEMO_DIR / "catalog.json"
EXTRA_FILE = DEMO_DIR / "demo_extra.json"
DEMO_PASSWORD = "demo-anlaufstelle-2026"  # noqa: S105 - published on purpose, demo only


def base_url() -> str:
    """Where the demo is served (`make demo` sets ANLAUFSTELLE_SITE_URL to its address)."""
    return str(getattr(settings, "ANLAUFSTELLE_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def login_url() -> str:
    return f"{base_url()}/accounts/login/"


DEMO_NETWORKS = ("feldberg", "region-stuttgart")
OPERATOR_EMAIL = "betrieb@demo.example"

# Per network: the partner expert works for a real provider of that network
# (journey 4: the employer service of the Agentur für Arbeit).
EXPERT_PROVIDERS = {"feldberg": "aa-neubrandenburg", "region-stuttgart": "aa-stuttgart"}
ROLE_ACCOUNTS = (
    (Role.COORDINATOR, "koordination", "Koordination"),
    (Role.NAVIGATOR, "lotse", "Lotse"),
    (Role.PARTNER_EXPERT, "partner", "Partner"),
)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    network: str
    provider: str = ""


def _extras() -> dict[str, Any]:
    return json.loads(EXTRA_FILE.read_text(encoding="utf-8"))


def demo_raw_catalog() -> RawCatalog:
    """The shipped catalog with the demo's contacts and "last checked" dates merged in."""
    data = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    extras = _extras()
    checked = extras["offer_last_checked"]
    for offer in data["angebote"]:
        offer.setdefault("last_checked", checked["overrides"].get(offer["id"], checked["default"]))
    data["contacts"] = data.get("contacts", []) + extras["contacts"]
    raw = RawCatalog()
    read_json_data(data, "demo/catalog.json + demo/demo_extra.json", raw)
    return raw


def _update(obj: Any, values: dict[str, Any]) -> None:
    """Save only when something differs, so repeated loads leave updated_at alone."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()


def load_demo_content() -> ImportReport:
    """Import the demo catalog and apply the lab presentation and legal pages."""
    report = import_raw(demo_raw_catalog())
    if not report.ok:
        raise ValueError("The demo catalog is invalid: " + "; ".join(map(str, report.issues)))
    extras = _extras()
    with scopes_disabled(), transaction.atomic():
        for slug, presentation in extras["networks"].items():
            network = Network.objects.get(slug=slug)
            values = dict(presentation)
            values["team_functions"] = "\n".join(values["team_functions"])
            _update(network, values)
            for page in extras["legal_pages"]:
                body = page["body"].format(
                    name=network.name,
                    address=network.address,
                    email=network.contact_email,
                )
                existing = LegalPage.objects.filter(network=network, kind=page["kind"]).first()
                if existing is None:
                    LegalPage.objects.create(
                        network=network, kind=page["kind"], title=page["title"], body=body
                    )
                else:
                    _update(existing, {"title": page["title"], "body": body})
    return report


def _ensure_user(email: str, values: dict[str, Any], *, superuser: bool = False) -> None:
    user = User.objects.filter(email=email).first()
    if user is None:
        manager = User.objects.create_superuser if superuser else User.objects.create_user
        user = manager(email=email, password=DEMO_PASSWORD, **values)
    else:
        _update(user, values)
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )


def ensure_demo_users() -> list[DemoLogin]:
    """Three staff logins per demo network plus one operator, all with DEMO_PASSWORD."""
    logins: list[DemoLogin] = []
    with scopes_disabled(), transaction.atomic():
        for slug in DEMO_NETWORKS:
            network = Network.objects.get(slug=slug)
            for role, prefix, label in ROLE_ACCOUNTS:
                email = f"{prefix}.{slug}@demo.example"
                provider = None
                if role == Role.PARTNER_EXPERT:
                    provider = Provider.objects.get(network=network, slug=EXPERT_PROVIDERS[slug])
                _ensure_user(
                    email,
                    {
                        "first_name": label,
                        "last_name": f"{network.display_name} (Demo)",
                        "network": network,
                        "role": role.value,
                        "provider": provider,
                        "is_staff": True,
                        "is_active": True,
                    },
                )
                logins.append(
                    DemoLogin(email, str(role.label), slug, provider.slug if provider else "")
                )
        _ensure_user(
            OPERATOR_EMAIL,
            {"first_name": "Betrieb", "last_name": "(Demo)", "is_staff": True, "is_active": True},
            superuser=True,
        )
        logins.append(DemoLogin(OPERATOR_EMAIL, "Betrieb (Superuser)", "alle"))
    return logins


def reset_demo() -> None:
    """Delete the demo networks, the nationwide pool and their staff (for --reset)."""
    with scopes_disabled(), transaction.atomic():
        networks = Network.objects.filter(slug__in=DEMO_NETWORKS) | Network.objects.filter(
            is_nationwide=True
        )
        User.objects.filter(network__in=networks).delete()
        User.objects.filter(email=OPERATOR_EMAIL).delete()
        # Rows of later apps that PROTECT what is deleted below (slots, resources,
        # providers) go first; looked up by name so the directory stays independent.
        for label in ("booking.Booking", "booking.Reservation", "cases.Referral"):
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            model.objects.filter(network__in=networks).delete()
        # Offers protect their provider, also across networks (pool providers): go first.
        Offer.objects.filter(network__in=networks).delete()
        networks.delete()


def site_urls() -> dict[str, str]:
    return {slug: f"{base_url()}/n/{slug}/" for slug in DEMO_NETWORKS}
