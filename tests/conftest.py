"""Shared fixtures: networks and the persona set (coordinator, navigator, expert, outsider)."""


# --- Persona set for tenancy tests (owned by the isolation tests; ORM only, no catalog) ---

import email
import functools
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django_scopes import scopes_disabled

PERSONA_PASSWORD = "Kennwort-fuer-Tests-2024"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Every test starts with an empty cache: rate-limit and login-throttle counters of
    earlier tests (all from 127.0.0.1) must not refuse this test's requests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends with no language activated in its thread, as a fresh
    worker thread has. LocaleMiddleware activates a request's language and leaves it
    active afterwards, so an English page test would otherwise make the next test's
    direct service calls speak English (tests/test_hostile_input.py tests the middleware
    that runs before LocaleMiddleware with a leaked language on purpose)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_search_caches() -> None:
    """A network's own synonym groups and place words are cached per network id for a
    second or a minute; a rolled-back test leaves them behind, and SQLite gives the next
    test's network the same id."""
    from anlaufstelle.search import engine

    engine.forget_network_synonyms()
    engine._place_words.clear()


def _persona_password_hash() -> str:
    """The personas' password hash, made once per hasher setting (some tests pick MD5)."""
    from django.conf import settings

    return _password_hash_for(tuple(settings.PASSWORD_HASHERS))


@functools.cache
def _password_hash_for(hashers: tuple[str, ...]) -> str:
    # Hash once per run: the production hasher is slow on purpose.
    from django.contrib.auth.hashers import make_password

    return make_password(PERSONA_PASSWORD)


@dataclass
class NetworkPersonas:
    """One network with its staff and a small directory of its own."""

    network: object
    coordinator: object
    navigator: object
    partner_expert: object
    provider: object
    contact: object
    offer: object
    unpublished_offer: object
    legal_page: object


@dataclass
class Personas:
    """Feldberg and Stuttgart with their staff, the nationwide pool and an operator."""

    feldberg: NetworkPersonas
    stuttgart: NetworkPersonas
    bund: object
    bund_provider: object
    bund_offer: object
    operator: object
    password: str = PERSONA_PASSWORD


def _network_personas(slug: str, name: str, bundesland: str, region: str) -> NetworkPersonas:
    from anlaufstelle.directory.models import Contact, Offer, OfferKind, Provider, Topic
    from anlaufstelle.networks.models import Network, Role, User
    from anlaufstelle.pages.models import LegalPage

    network, _ = Network.objects.get_or_create(
        slug=slug, defaults={"name": name, "bundesland": bundesland, "region": region}
    )
    topic, _ = Topic.objects.get_or_create(
        slug="ausbildung", defaults={"label_de": "Ausbildung", "label_en": "Apprenticeship"}
    )
    provider = Provider.objects.create(
        network=network,
        slug=f"persona-partner-{slug}",
        name=f"Partner {name}",
        kind="kammer",
        region=region,
    )
    contact = Contact.objects.create(
        network=network,
        provider=provider,
        slug=f"persona-kontakt-{slug}",
        function=f"Ausbildungsberatung {name}",
        email=f"beratung@{slug}.example",
    )
    offer = Offer.objects.create(
        network=network,
        provider=provider,
        slug=f"persona-angebot-{slug}",
        title=f"Ausbildungsberatung {name}",
        summary="Beratung rund um die Ausbildung.",
        kind=OfferKind.BERATUNG,
        region=region,
    )
    offer.topics.add(topic)
    unpublished = Offer.objects.create(
        network=network,
        provider=provider,
        slug=f"persona-entwurf-{slug}",
        title=f"Entwurf {name}",
        summary="Noch nicht veröffentlicht.",
        kind=OfferKind.FOERDERUNG,
        region=region,
        is_published=False,
    )
    unpublished.topics.add(topic)
    legal_page, _ = LegalPage.objects.get_or_create(
        network=network,
        kind="impressum",
        defaults={"title": f"Impressum {name}", "body": "Angaben."},
    )

    def staff(role: str, **extra: object) -> User:
        user = User.objects.create_user(
            f"{role.replace('_', '-')}@{slug}.example",
            None,
            network=network,
            role=role,
            is_staff=True,
            **extra,
        )
        user.password = _persona_password_hash()
        user.save(update_fields=["password"])
        return user

    return NetworkPersonas(
        network=network,
        coordinator=staff(Role.COORDINATOR),
        navigator=staff(Role.NAVIGATOR),
        partner_expert=staff(Role.PARTNER_EXPERT, provider=provider),
        provider=provider,
        contact=contact,
        offer=offer,
        unpublished_offer=unpublished,
        legal_page=legal_page,
    )


@pytest.fixture
def personas(db: None) -> Personas:
    """Two networks with coordinator, navigator and partner expert each, plus the pool.

    Built directly through the ORM so it works with or without the demo catalog.
    """
    from anlaufstelle.directory.models import Offer, OfferKind, Provider, Topic
    from anlaufstelle.networks.models import Network, User

    with scopes_disabled():
        bund, _ = Network.objects.get_or_create(
            slug="bund", defaults={"name": "Bundesweit", "is_nationwide": True, "region": "bund"}
        )
        bund_provider = Provider.objects.create(
            network=bund,
            slug="persona-bundesagentur",
            name="Bundesagentur (Test)",
            kind="arbeitsagentur",
        )
        bund_offer = Offer.objects.create(
            network=bund,
            provider=bund_provider,
            slug="persona-bundesweites-angebot",
            title="Bundesweiter Zuschuss",
            summary="Gilt in allen Regionen.",
            kind=OfferKind.FOERDERUNG,
            region="bund",
        )
        bund_offer.topics.add(
            Topic.objects.get_or_create(slug="ausbildung", defaults={"label_de": "Ausbildung"})[0]
        )
        personas = Personas(
            feldberg=_network_personas("feldberg", "Werkraum Feldberg", "MV", "mv-seenplatte"),
            stuttgart=_network_personas(
                "stuttgart", "Fachkräfteallianz Region Stuttgart", "BW", "region-stuttgart"
            ),
            bund=bund,
            bund_provider=bund_provider,
            bund_offer=bund_offer,
            operator=User.objects.create_superuser("operator@anlaufstelle.example", None),
        )
        personas.operator.password = _persona_password_hash()
        personas.operator.save(update_fields=["password"])
        return personas


@pytest.fixture
def coordinator(personas: Personas) -> object:
    """Coordinator of Werkraum Feldberg."""
    return personas.feldberg.coordinator


@pytest.fixture
def navigator(personas: Personas) -> object:
    return personas.feldberg.navigator


@pytest.fixture
def partner_expert(personas: Personas) -> object:
    return personas.feldberg.partner_expert


@pytest.fixture
def outsider(personas: Personas) -> object:
    """Coordinator of the other network (Stuttgart): must never see Feldberg's private rows."""
    return personas.stuttgart.coordinator


# --- The shipped demo catalog (owned by the catalog import) ---


@pytest.fixture
def demo_catalog(db: None) -> object:
    """The demo catalog with its extras (contacts, lab details, legal pages), no logins.

    Imported through the real catalog import; returns its ImportReport.
    """
    from anlaufstelle.directory.demo.loader import load_demo_content

    return load_demo_content()


@pytest.fixture
def feldberg(demo_catalog: object) -> object:
    """The Werkraum Feldberg network of the demo catalog."""
    from anlaufstelle.networks.models import Network

    return Network.objects.get(slug="feldberg")


@pytest.fixture
def stuttgart(demo_catalog: object) -> object:
    """The Fachkräfteallianz Region Stuttgart network of the demo catalog."""
    from anlaufstelle.networks.models import Network

    return Network.objects.get(slug="region-stuttgart")


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpInbox:
    """What a real SMTP server on localhost (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def closed_port() -> int:
    """A port with no mail server behind it (for "the mail server is down")."""
    return free_port()


@pytest.fixture
def smtp(settings):
    """A real SMTP server for the test; Django sends through it (no locmem outbox)."""
    port = free_port()
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()
