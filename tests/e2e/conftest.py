"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Needs /usr/bin/chromium (apt) and `npm ci` for node_modules/axe-core. Playwright never
downloads a browser here: it launches the system chromium by path.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test body (fixtures, look-ups) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ANLAUFSTELLE_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail(f"chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class AsgiLiveServer:
    """pytest-django's `live_server`, served the way production serves the site: uvicorn
    running the ASGI application (HTTP through Django, WebSockets through Channels).

    It runs in a thread of the test process (the test database is a file, so the server's
    own connections see what the test writes). `stop()` and `start()` restart it on the
    same port, for the tests that prove a page reconnects after a restart.
    """

    def __init__(self, host: str = "localhost") -> None:
        import socket

        from django.test.utils import modify_settings

        self.host = host
        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        # Enabled and disabled per test by pytest-django's _live_server_helper.
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        self.server: object = None
        self.thread: threading.Thread | None = None
        self.start()

    def start(self) -> None:
        import uvicorn
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from anlaufstelle.asgi import build_application, django_application

        # Static files from the app directories, as the WSGI live server served them.
        app = build_application(http=ASGIStaticFilesHandler(django_application))
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            lifespan="off",
            ws="websockets-sansio",
            access_log=False,
            log_level="warning",
            log_config=None,
        )
        server = uvicorn.Server(config)
        self.server = server
        self.thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        from asgiref.sync import SyncToAsync
        from django.db import connections

        if self.server is None or self.thread is None:
            return
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=15)
        self.server = None
        # The views ran on asgiref's one thread for sync code: close its connections there
        # (PostgreSQL refuses to drop a test database that still has a session).
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=15)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return f"{self}{other}"


@pytest.fixture(scope="session")
def live_server() -> Iterator[AsgiLiveServer]:
    """The browser tests' server: uvicorn with the ASGI application (see AsgiLiveServer)."""
    server = AsgiLiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"))
    yield server
    server.stop()


@pytest.fixture
def page(browser: object, live_server: object) -> Iterator[object]:
    """A fresh German browser tab on a phone-sized screen, like Anja's."""
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,  # type: ignore[attr-defined]
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in {PROJECT_DIR}")
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class SiteSample:
    """What the browser tests visit on one network, taken from the database."""

    slug: str
    topic_slug: str
    topic_label: str
    offer_slug: str
    offer_title: str
    provider_slug: str
    outbound_urls: set[str]


def _build_minimal_catalog() -> None:
    """Two networks and the nationwide pool, for when the shared demo catalog is absent."""
    from anlaufstelle.directory.models import Audience, Contact, Offer, Provider, Topic
    from anlaufstelle.networks.models import Network
    from anlaufstelle.pages.models import LegalPage

    topics = {
        slug: Topic.objects.get_or_create(
            slug=slug, defaults={"label_de": de, "label_en": en, "position": pos}
        )[0]
        for pos, (slug, de, en) in enumerate(
            [
                ("ausbildung", "Ausbildung", "Apprenticeship"),
                ("weiterbildung", "Weiterbildung", "Further training"),
                (
                    "internationale-fachkraefte",
                    "Internationale Fachkräfte",
                    "Skilled workers from abroad",
                ),
                ("foerderung-lohnkosten", "Förderung von Lohnkosten", "Wage subsidies"),
            ]
        )
    }
    kmu = Audience.objects.get_or_create(
        slug="kmu", defaults={"label_de": "Kleine und mittlere Unternehmen", "label_en": "SMEs"}
    )[0]
    bund = Network.objects.create(slug="bund", name="Bundesweit", is_nationwide=True, region="bund")
    ba = Provider.objects.create(
        network=bund,
        slug="ba-arbeitgeber-service",
        name="Bundesagentur für Arbeit – Arbeitgeber-Service",
        kind="arbeitsagentur",
        region="bund",
        website="https://www.arbeitsagentur.de",
        description="Zentrale Anlaufstelle für Stellenmeldungen und Förderung.",
    )
    Contact.objects.create(
        network=bund,
        provider=ba,
        slug="ba-ag-s",
        function="Arbeitgeber-Service",
        phone="0800 4 5555 20",
        availability="Mo–Fr 8–18 Uhr",
    )
    egz = Offer.objects.create(
        network=bund,
        provider=ba,
        slug="eingliederungszuschuss",
        title="Eingliederungszuschuss bei Neueinstellungen",
        kind="foerderung",
        region="bund",
        summary="Zuschuss zum Arbeitsentgelt, wenn Sie Arbeitsuchende einstellen.",
        legal_basis="§§ 88–92 SGB III",
        source_urls=["https://www.arbeitsagentur.de/egz"],
    )
    egz.topics.add(topics["foerderung-lohnkosten"])
    egz.audiences.add(kmu)
    for slug, name, state, region, host in [
        ("feldberg", "Werkraum Feldberg", "MV", "mv-seenplatte", "werkraum-feldberg"),
        (
            "region-stuttgart",
            "Fachkräfteallianz Region Stuttgart",
            "BW",
            "region-stuttgart",
            "fachkraefteallianz-region-stuttgart",
        ),
    ]:
        network = Network.objects.create(
            slug=slug,
            name=name,
            bundesland=state,
            region=region,
            host_provider_slug=host,
            place=f"{name}, Hauptstraße 1",
            opening_hours="Di–Do 9–16 Uhr",
            team_functions="Lotsin für Betriebe\nKoordination",
            contact_email=f"info@{slug}.example",
            description="Neutrale Anlaufstelle für kleine und mittlere Unternehmen.",
        )
        host_provider = Provider.objects.create(
            network=network,
            slug=host,
            name=name,
            kind="netzwerk",
            region=region,
            address="Hauptstraße 1",
            email=f"info@{slug}.example",
        )
        Contact.objects.create(
            network=network,
            provider=host_provider,
            slug=f"{slug}-lotsin",
            function="Lotsin für Betriebe",
            availability="Di–Do 9–16 Uhr",
        )
        for index, (topic, kind, verified) in enumerate(
            [
                ("ausbildung", "beratung", True),
                ("weiterbildung", "qualifizierung", True),
                ("internationale-fachkraefte", "beratung", False),
            ]
        ):
            offer = Offer.objects.create(
                network=network,
                provider=host_provider,
                slug=f"{slug}-angebot-{index}",
                title=f"{topics[topic].label_de} in {name}",
                kind=kind,
                region=region,
                summary="Wir beraten Sie persönlich und vermitteln den passenden Kontakt.",
                verified=verified,
            )
            offer.topics.add(topics[topic])
            offer.audiences.add(kmu)
        LegalPage.objects.create(
            network=network, kind="impressum", title="Impressum", body=f"{name}\n\nHauptstraße 1"
        )


def sample_for(slug: str) -> SiteSample:
    """A topic, an offer and a provider that network `slug` shows, read through its scope."""
    from anlaufstelle.directory import queries
    from anlaufstelle.networks.models import Network
    from anlaufstelle.networks.scoping import network_scope

    network = Network.objects.get(slug=slug)
    with network_scope(network):
        offer = queries.public_offers().filter(network=network).first() or (
            queries.public_offers().first()
        )
        assert offer is not None, f"network {slug} shows no offers"
        topic = offer.topics.all()[0]
        outbound = {url for o in queries.published_offers() for url in o.source_urls}
        outbound |= {p.website for p in queries.public_providers() if p.website}
        return SiteSample(
            slug=slug,
            topic_slug=topic.slug,
            topic_label=topic.label_de,
            offer_slug=offer.slug,
            offer_title=offer.title,
            provider_slug=offer.provider.slug,
            outbound_urls=outbound,
        )


@pytest.fixture
def sites(request: pytest.FixtureRequest, transactional_db: None) -> dict[str, SiteSample]:
    """Both pilot networks with data: the shared demo catalog when it exists, else a small one."""
    try:
        request.getfixturevalue("demo_catalog")
    except pytest.FixtureLookupError:
        with scopes_disabled():
            _build_minimal_catalog()
    with scopes_disabled():
        from anlaufstelle.networks.models import Network

        slugs = list(Network.objects.public().values_list("slug", flat=True))
        return {slug: sample_for(slug) for slug in slugs}
