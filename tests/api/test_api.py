"""The read-only JSON API: typed, paginated, and scoped to the network in the path."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Audience, Contact, Offer, OfferKind, Provider, Topic

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get_json(client: Client, url: str, status: int = 200, **extra: Any) -> Any:
    response = client.get(url, **extra)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def offer_slugs(client: Client, network: str, query: str = "", **extra: Any) -> set[str]:
    data = get_json(client, f"{API}/networks/{network}/offers?limit=100{query}", **extra)
    return {item["slug"] for item in data["items"]}


def staff_clients(personas: Any) -> list[Client]:
    """Anonymous, and logged in as every persona: cookies must never change the answer."""
    clients = [Client()]
    for net in (personas.feldberg, personas.stuttgart):
        for user in (net.coordinator, net.navigator, net.partner_expert):
            client = Client()
            client.force_login(user)
            clients.append(client)
    operator = Client()
    operator.force_login(personas.operator)
    return [*clients, operator]


def test_the_openapi_schema_is_served_at_the_documented_url(client: Client) -> None:
    schema = get_json(client, f"{API}/openapi.json")
    assert schema["info"]["title"] == "Anlaufstelle API"
    for path in (
        "/api/v1/networks",
        "/api/v1/networks/{network}/offers",
        "/api/v1/networks/{network}/offers/{slug}",
        "/api/v1/networks/{network}/providers",
        "/api/v1/networks/{network}/providers/{slug}",
        "/api/v1/topics",
        "/api/v1/audiences",
    ):
        assert set(schema["paths"][path]) == {"get"}, path
    assert "OfferDetailOut" in schema["components"]["schemas"]


def test_the_api_docs_load_nothing_from_other_hosts(client: Client) -> None:
    page = client.get(f"{API}/docs").content.decode()
    assert "swagger" in page.lower()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", page)
    assert external == []


def test_networks_lists_the_public_sites_but_not_the_nationwide_pool(
    client: Client, personas: Any
) -> None:
    data = get_json(client, f"{API}/networks")
    by_slug = {item["slug"]: item for item in data}
    assert set(by_slug) == {"feldberg", "stuttgart"}
    feldberg = by_slug["feldberg"]
    assert feldberg["ref"] == "network:feldberg"
    assert feldberg["bundesland"] == "MV"
    assert feldberg["bundesland_name"] == "Mecklenburg-Vorpommern"
    assert feldberg["url"] == "http://testserver/n/feldberg/"


def test_a_network_lists_its_own_and_the_nationwide_offers(client: Client, personas: Any) -> None:
    assert offer_slugs(client, "feldberg") == {
        personas.feldberg.offer.slug,
        personas.bund_offer.slug,
    }
    assert offer_slugs(client, "stuttgart") == {
        personas.stuttgart.offer.slug,
        personas.bund_offer.slug,
    }


def test_an_offer_carries_reference_urls_and_freshness(client: Client, personas: Any) -> None:
    offer = personas.feldberg.offer
    with scopes_disabled():
        Offer.objects.filter(pk=offer.pk).update(
            last_checked=datetime.date(2025, 3, 1), verified=False
        )
    data = get_json(client, f"{API}/networks/feldberg/offers/{offer.slug}")
    assert data["ref"] == f"offer:{offer.slug}"
    assert data["url"] == f"http://testserver/n/feldberg/angebote/{offer.slug}/"
    assert data["last_checked"] == "2025-03-01"
    assert data["verified"] is False
    assert data["nationwide"] is False
    assert data["topics"] == ["ausbildung"]
    provider = personas.feldberg.provider
    assert data["provider"] == {
        "ref": f"provider:{provider.slug}",
        "slug": provider.slug,
        "name": provider.name,
        "url": f"http://testserver/n/feldberg/anlaufstellen/{provider.slug}/",
    }
    assert [c["ref"] for c in data["contacts"]] == [f"contact:{personas.feldberg.contact.slug}"]


def test_a_nationwide_offer_links_to_the_asking_networks_site(
    client: Client, personas: Any
) -> None:
    slug = personas.bund_offer.slug
    for network in ("feldberg", "stuttgart"):
        data = get_json(client, f"{API}/networks/{network}/offers/{slug}")
        assert data["nationwide"] is True
        assert data["url"] == f"http://testserver/n/{network}/angebote/{slug}/"


@pytest.mark.parametrize("network", ["feldberg", "stuttgart"])
def test_the_other_networks_offer_answers_404_in_german(
    client: Client, personas: Any, network: str
) -> None:
    other = personas.stuttgart if network == "feldberg" else personas.feldberg
    data = get_json(client, f"{API}/networks/{network}/offers/{other.offer.slug}", status=404)
    assert data == {"detail": "Nicht gefunden"}


def test_unknown_networks_and_the_pool_answer_404(client: Client, personas: Any) -> None:
    for url in (
        f"{API}/networks/gibt-es-nicht/offers",
        f"{API}/networks/gibt-es-nicht/providers",
        f"{API}/networks/bund/offers",
        f"{API}/networks/feldberg/offers/gibt-es-nicht",
        f"{API}/networks/feldberg/providers/gibt-es-nicht",
    ):
        assert get_json(client, url, status=404) == {"detail": "Nicht gefunden"}


def test_unpublished_offers_are_invisible_to_everyone(personas: Any) -> None:
    hidden = [personas.feldberg.unpublished_offer, personas.stuttgart.unpublished_offer]
    for client in staff_clients(personas):
        for network in ("feldberg", "stuttgart"):
            listed = offer_slugs(client, network)
            for offer in hidden:
                assert offer.slug not in listed
                get_json(client, f"{API}/networks/{network}/offers/{offer.slug}", status=404)


def test_staff_cookies_never_widen_the_api(personas: Any) -> None:
    for client in staff_clients(personas):
        assert personas.stuttgart.offer.slug not in offer_slugs(client, "feldberg")
        assert personas.feldberg.offer.slug not in offer_slugs(client, "stuttgart")


def test_expired_and_future_offers_are_not_listed(client: Client, personas: Any) -> None:
    today = datetime.date.today()
    with scopes_disabled():
        Offer.objects.filter(pk=personas.feldberg.offer.pk).update(
            valid_until=today - datetime.timedelta(days=2)
        )
        Offer.objects.filter(pk=personas.bund_offer.pk).update(
            valid_from=today + datetime.timedelta(days=30)
        )
    assert offer_slugs(client, "feldberg") == set()


def test_the_api_of_one_network_never_lists_another_regions_catalog(
    client: Client, personas: Any
) -> None:
    with scopes_disabled():
        for i in range(3):
            Offer.objects.create(
                network=personas.stuttgart.network,
                provider=personas.stuttgart.provider,
                slug=f"stuttgart-extra-{i}",
                title=f"Stuttgarter Angebot {i}",
                summary="Nur in Stuttgart.",
                kind=OfferKind.BERATUNG,
                region="region-stuttgart",
            )
    data = get_json(client, f"{API}/networks/feldberg/offers?limit=100")
    assert data["count"] == 2
    assert all(item["region"] != "region-stuttgart" for item in data["items"])
    data = get_json(client, f"{API}/networks/feldberg/offers?limit=100&q=Stuttgarter")
    assert data["items"] == []


def test_the_host_name_or_default_network_does_not_change_the_path_network(
    client: Client, personas: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["stuttgart.example", "testserver"]
    settings.ANLAUFSTELLE_DEFAULT_NETWORK = "stuttgart"
    with scopes_disabled():
        personas.stuttgart.network.hostnames = "stuttgart.example"
        personas.stuttgart.network.save()
    slugs = offer_slugs(client, "feldberg", HTTP_HOST="stuttgart.example")
    assert slugs == {personas.feldberg.offer.slug, personas.bund_offer.slug}
    assert offer_slugs(client, "feldberg") == slugs


@pytest.fixture
def catalog(personas: Any) -> dict[str, Any]:
    """A few more Feldberg offers to filter: two topics, two audiences, two providers."""
    with scopes_disabled():
        net = personas.feldberg.network
        foerderung, _ = Topic.objects.get_or_create(
            slug="foerderung", defaults={"label_de": "Förderung"}
        )
        ausbildung = Topic.objects.get(slug="ausbildung")
        handwerk = Audience.objects.create(slug="handwerk", label_de="Handwerk")
        pflege = Audience.objects.create(slug="pflege", label_de="Pflege")
        second = Provider.objects.create(
            network=net, slug="zweite-anlaufstelle", name="Zweite Anlaufstelle", kind="kommune"
        )
        offers = {}
        for slug, title, kind, provider, topics, audiences in (
            (
                "zuschuss-handwerk",
                "Zuschuss Handwerk",
                OfferKind.FOERDERUNG,
                second,
                [foerderung],
                [handwerk],
            ),
            (
                "pflege-ausbildung",
                "Pflegeausbildung",
                OfferKind.QUALIFIZIERUNG,
                personas.feldberg.provider,
                [ausbildung],
                [pflege],
            ),
            (
                "pflege-zuschuss",
                "Pflegezuschuss",
                OfferKind.FOERDERUNG,
                second,
                [foerderung, ausbildung],
                [pflege, handwerk],
            ),
        ):
            offer = Offer.objects.create(
                network=net,
                slug=slug,
                title=title,
                summary=f"{title} für Betriebe.",
                kind=kind,
                provider=provider,
            )
            offer.topics.set(topics)
            offer.audiences.set(audiences)
            offers[slug] = offer
    return offers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&topic=foerderung", {"zuschuss-handwerk", "pflege-zuschuss"}),
        ("&kind=qualifizierung", {"pflege-ausbildung"}),
        ("&kind=qualifizierung&kind=beratung", {"pflege-ausbildung", "persona-angebot-feldberg"}),
        ("&audience=pflege", {"pflege-ausbildung", "pflege-zuschuss"}),
        ("&provider=zweite-anlaufstelle", {"zuschuss-handwerk", "pflege-zuschuss"}),
        ("&topic=foerderung&audience=pflege", {"pflege-zuschuss"}),
        ("&q=pflege", {"pflege-ausbildung", "pflege-zuschuss"}),
        ("&q=zweite+anlaufstelle", {"zuschuss-handwerk", "pflege-zuschuss"}),
        ("&topic=gibt-es-nicht", set()),
    ],
)
def test_offers_filter_by_topic_kind_audience_provider_and_text(
    client: Client, catalog: dict[str, Any], query: str, expected: set[str]
) -> None:
    assert offer_slugs(client, "feldberg", query) == expected


def test_offers_are_paginated(client: Client, catalog: dict[str, Any]) -> None:
    first = get_json(client, f"{API}/networks/feldberg/offers?limit=2")
    second = get_json(client, f"{API}/networks/feldberg/offers?limit=2&offset=2")
    third = get_json(client, f"{API}/networks/feldberg/offers?limit=2&offset=4")
    assert first["count"] == second["count"] == third["count"] == 5
    assert (first["limit"], first["offset"]) == (2, 0)
    seen = [item["slug"] for page in (first, second, third) for item in page["items"]]
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "kind=gibt-es-nicht"])
def test_invalid_parameters_are_rejected(client: Client, personas: Any, query: str) -> None:
    get_json(client, f"{API}/networks/feldberg/offers?{query}", status=422)


def test_the_offer_list_needs_a_fixed_number_of_queries(
    client: Client, catalog: dict[str, Any], personas: Any, django_assert_max_num_queries: Any
) -> None:
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            get_json(client, f"{API}/networks/feldberg/offers?limit=100")
        return len(ctx)

    before = count_queries()
    with scopes_disabled():
        for i in range(10):
            offer = Offer.objects.create(
                network=personas.feldberg.network,
                provider=personas.feldberg.provider,
                slug=f"mehr-{i}",
                title=f"Mehr {i}",
                summary="x",
                kind=OfferKind.BERATUNG,
            )
            offer.topics.add(Topic.objects.get(slug="ausbildung"))
    assert count_queries() == before
    with django_assert_max_num_queries(before):
        get_json(client, f"{API}/networks/feldberg/offers?limit=100")


def test_providers_list_the_networks_and_nationwide_providers_with_contacts(
    client: Client, personas: Any
) -> None:
    data = get_json(client, f"{API}/networks/feldberg/providers")
    by_slug = {item["slug"]: item for item in data["items"]}
    assert set(by_slug) == {personas.feldberg.provider.slug, personas.bund_provider.slug}
    own = by_slug[personas.feldberg.provider.slug]
    assert own["ref"] == f"provider:{own['slug']}"
    assert own["nationwide"] is False
    assert by_slug[personas.bund_provider.slug]["nationwide"] is True
    assert [c["email"] for c in own["contacts"]] == ["beratung@feldberg.example"]


def test_a_provider_page_shows_its_contacts_and_published_offers(
    client: Client, personas: Any
) -> None:
    provider = personas.feldberg.provider
    data = get_json(client, f"{API}/networks/feldberg/providers/{provider.slug}")
    assert data["url"] == f"http://testserver/n/feldberg/anlaufstellen/{provider.slug}/"
    assert [c["slug"] for c in data["contacts"]] == [personas.feldberg.contact.slug]
    assert [o["ref"] for o in data["offers"]] == [f"offer:{personas.feldberg.offer.slug}"]


def test_the_other_networks_and_unpublished_providers_answer_404(
    client: Client, personas: Any
) -> None:
    get_json(
        client, f"{API}/networks/feldberg/providers/{personas.stuttgart.provider.slug}", status=404
    )
    with scopes_disabled():
        Provider.objects.filter(pk=personas.feldberg.provider.pk).update(is_published=False)
    get_json(
        client, f"{API}/networks/feldberg/providers/{personas.feldberg.provider.slug}", status=404
    )
    listed = get_json(client, f"{API}/networks/feldberg/providers")["items"]
    assert personas.feldberg.provider.slug not in {item["slug"] for item in listed}


def test_contacts_of_another_network_never_appear(client: Client, personas: Any) -> None:
    with scopes_disabled():
        # A contact wrongly attached across networks must still not leak.
        Contact.objects.create(
            network=personas.stuttgart.network,
            provider=personas.feldberg.provider,
            slug="fremder-kontakt",
            function="Fremd",
        )
    data = get_json(client, f"{API}/networks/feldberg/providers/{personas.feldberg.provider.slug}")
    assert "fremder-kontakt" not in {c["slug"] for c in data["contacts"]}


def test_topics_and_audiences_are_listed_with_references(client: Client, personas: Any) -> None:
    with scopes_disabled():
        Audience.objects.create(slug="kmu", label_de="KMU", label_en="SMEs")
    topics = get_json(client, f"{API}/topics")
    assert {"ref": "topic:ausbildung", "slug": "ausbildung"}.items() <= topics[0].items()
    audiences = get_json(client, f"{API}/audiences")
    assert audiences == [
        {"ref": "audience:kmu", "slug": "kmu", "label_de": "KMU", "label_en": "SMEs"}
    ]
