"""Suggestions come from the search engine with the profile, with a reason each; the company's
status page and the navigator's concern page show the same ones (one code path)."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.cases import links, matching
from anlaufstelle.networks.scoping import network_scope
from anlaufstelle.search import snapshots
from anlaufstelle.search.indexing import rebuild_index

from .conftest import site, submit


@pytest.fixture
def indexed(desk):
    from anlaufstelle.directory.models import Audience, Offer, OfferKind, Topic

    with scopes_disabled():
        recruiting = Topic.objects.get_or_create(
            slug="recruiting", defaults={"label_de": "Recruiting"}
        )[0]
        gastro = Audience.objects.get_or_create(
            slug="gastronomie", defaults={"label_de": "Gastronomie"}
        )[0]
        for slug, title, summary, audience in [
            (
                "saisonkraefte-gastgewerbe",
                "Saisonkräfte für Hotel und Gastronomie finden",
                "Kampagne für Betriebe des Gastgewerbes: Köche und Servicekräfte für die Saison.",
                gastro,
            ),
            (
                "saisonkraefte-allgemein",
                "Saisonkräfte finden",
                "Beratung für Betriebe, die Köche und Helfer für die Saison suchen.",
                None,
            ),
        ]:
            offer = Offer.objects.create(
                network=desk.network,
                provider=desk.partner_a,
                slug=slug,
                title=title,
                summary=summary,
                kind=OfferKind.BERATUNG,
            )
            offer.topics.add(recruiting)
            if audience:
                offer.audiences.add(audience)
    snapshots.invalidate()
    rebuild_index(embed=False)
    yield
    snapshots.invalidate()


def refs(html: str) -> list[str]:
    return re.findall(r'data-ref="([^"]+)"', html)


def test_suggestions_come_from_the_search_with_a_reason(desk, indexed):
    concern = submit(desk.network, text="Wir suchen Köche für die Saison")
    result = matching.suggestions_for_concern(concern)
    assert result.source == "search"
    assert result.items
    top = result.items[0]
    assert top.ref == "offer:saisonkraefte-gastgewerbe"  # the profile (WZ I) lifts it
    assert "Im Text:" in top.reason
    assert "Gastronomie" in top.reason


def test_without_the_profile_the_general_offer_may_rank_differently(desk, indexed):
    with_profile = matching.suggest(
        network=desk.network, text="Wir suchen Köche für die Saison", profile={"wz_section": "I"}
    )
    without = matching.suggest(network=desk.network, text="Wir suchen Köche für die Saison")
    gastro = "offer:saisonkraefte-gastgewerbe"
    rank_with = [s.ref for s in with_profile.items].index(gastro)
    rank_without = [s.ref for s in without.items].index(gastro)
    assert rank_with <= rank_without
    assert with_profile.items[rank_with].score > without.items[rank_without].score


def test_the_company_and_the_navigator_see_the_same_suggestions(client, desk, indexed):
    concern = submit(desk.network, text="Wir suchen Köche für die Saison")
    with network_scope(desk.network):
        status_path = links.status_path(concern)
    company = refs(client.get(status_path).content.decode())
    client.force_login(desk.navigator)
    navigator = refs(client.get(site(f"lotsen/{concern.code}/")).content.decode())
    assert company and company == navigator
    with network_scope(desk.network):
        assert company == [s.ref for s in matching.suggestions_for_concern(concern).items]


def test_an_offer_with_consultation_hours_gets_a_direct_booking_link(client, desk, indexed):
    from anlaufstelle.directory.models import Offer

    from .conftest import make_schedule

    schedule = make_schedule(desk.network, desk.partner_a)
    with scopes_disabled():
        schedule.offers.add(Offer.objects.get(slug="saisonkraefte-gastgewerbe"))
    concern = submit(desk.network, text="Wir suchen Köche für die Saison")
    with network_scope(desk.network):
        page = client.get(links.status_path(concern)).content.decode()
    assert "/n/feldberg/termine/angebot/saisonkraefte-gastgewerbe/" in page


def test_without_an_index_it_degrades_to_the_directory_text_filter(desk):
    snapshots.invalidate()
    concern = submit(desk.network, text="Wir brauchen eine Ausbildungsberatung für Lehrlinge")
    result = matching.suggestions_for_concern(concern)
    assert result.source == "text_filter"
    assert [s.ref for s in result.items] == [desk.personas.feldberg.offer.ref]
    assert "ausbildungsberatung" in result.items[0].reason


def test_the_navigator_reads_the_reason_about_the_company(client, desk, indexed):
    concern = submit(desk.network, text="Wir suchen Köche für die Saison")
    with network_scope(desk.network):
        company = client.get(links.status_path(concern)).content.decode()
    client.force_login(desk.navigator)
    navigator = client.get(site(f"lotsen/{concern.code}/")).content.decode()
    # The offer's own words that answer the company's (its text says "Köche … Saison").
    assert "Im Text: Köche, Saison" in company
    assert "Im Text: Köche, Saison" in navigator
