"""What the embedding of an offer and of a provider is computed from (sources.py).

The embedded text names an offer's topics and audiences and a provider's offers'
topics: the topic centroids are means of these vectors, and the cross-validated
figures rose with them (docs/search.md, "Topics and audiences in the embedded text").
"""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search.sources import offer_item, provider_item

pytestmark = pytest.mark.django_db


def _offer(provider, slug: str, title: str, **extra):
    from anlaufstelle.directory.models import Offer

    fields = {"summary": "Ein Satz.", "kind": "beratung"} | extra
    return Offer.objects.create(
        network=provider.network, provider=provider, slug=slug, title=title, **fields
    )


@pytest.fixture
def provider_with_offers():
    from anlaufstelle.directory.models import Audience, Provider, Topic
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        provider = Provider.objects.create(
            network=Network.objects.create(slug="feldberg", name="Werkraum Feldberg"),
            slug="aa-arbeitgeber-service",
            name="Agentur für Arbeit – Arbeitgeber-Service",
            kind="arbeitsagentur",
        )
        label = {
            "recruiting": "Personalgewinnung",
            "internationale-fachkraefte": "Internationale Fachkräfte",
            "nachfolge": "Unternehmensnachfolge",
        }
        topic = {
            slug: Topic.objects.create(slug=slug, label_de=text) for slug, text in label.items()
        }
        care = Audience.objects.create(slug="pflege", label_de="Pflegeeinrichtungen")
        small = Audience.objects.create(slug="kmu", label_de="Kleine und mittlere Unternehmen")
        service = _offer(provider, "arbeitgeber-service", "Arbeitgeber-Service", kind="service")
        service.topics.add(topic["recruiting"], topic["internationale-fachkraefte"])
        service.audiences.add(care, small)
        draft = _offer(provider, "entwurf", "Noch nicht veröffentlicht", is_published=False)
        draft.topics.add(topic["nachfolge"])
        return provider, service


def test_an_offers_embedded_text_names_its_topics_and_audiences(provider_with_offers):
    _, service = provider_with_offers
    with scopes_disabled():
        item = offer_item(service)
    lines = item.embed_text.splitlines()
    assert lines[:2] == ["Arbeitgeber-Service", "Ein Satz."]
    assert "Themen: Internationale Fachkräfte, Personalgewinnung" in lines
    assert "Zielgruppen: Kleine und mittlere Unternehmen, Pflegeeinrichtungen" in lines
    assert lines[-1] == "Anbieter: Agentur für Arbeit – Arbeitgeber-Service"


def test_a_providers_embedded_text_names_the_topics_of_its_published_offers(
    provider_with_offers,
):
    provider, _ = provider_with_offers
    with scopes_disabled():
        item = provider_item(provider)
    assert "Themen: Internationale Fachkräfte, Personalgewinnung" in item.embed_text.splitlines()
    assert "Unternehmensnachfolge" not in item.embed_text  # only a draft offer has it
    assert item.topics == ["internationale-fachkraefte", "recruiting"]


def test_an_offer_without_topics_or_audiences_has_no_empty_label_lines(provider_with_offers):
    provider, _ = provider_with_offers
    with scopes_disabled():
        item = offer_item(_offer(provider, "ohne", "Ohne Themen", summary="Nur ein Satz."))
    assert item.embed_text.splitlines() == [
        "Ohne Themen",
        "Nur ein Satz.",
        "Anbieter: Agentur für Arbeit – Arbeitgeber-Service",
    ]
