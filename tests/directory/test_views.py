"""The public offer list, offer page and provider page of a network."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Audience, Contact, Offer, OfferKind, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The persona fixture creates seven accounts per test; the default hasher is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def directory(personas):
    """The persona networks plus a few offers with different topics, kinds and audiences."""
    with scopes_disabled():
        weiterbildung = Topic.objects.create(
            slug="weiterbildung", label_de="Weiterbildung", label_en="Further training", position=2
        )
        handwerk = Audience.objects.create(slug="handwerk", label_de="Handwerk", label_en="Crafts")
        feldberg = personas.feldberg
        qualifizierung = Offer.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            slug="meisterkurs-feldberg",
            title="Meisterkurs für Betriebe",
            summary="Ihre Leute werden Meister, wir helfen beim Antrag.",
            kind=OfferKind.QUALIFIZIERUNG,
            conditions="Sitz des Betriebs in Mecklenburg-Vorpommern.",
            costs="kostenlos",
            legal_basis="§ 82 SGB III",
            source_urls=["https://example.org/meisterkurs"],
            verified=False,
            valid_until=datetime.date(2099, 12, 31),
            last_checked=datetime.date(2025, 3, 14),
            target_description="Betriebe mit bis zu 50 Beschäftigten.",
        )
        qualifizierung.topics.add(weiterbildung)
        qualifizierung.audiences.add(handwerk)
        Offer.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            slug="abgelaufen-feldberg",
            title="Abgelaufenes Programm",
            summary="Gab es bis gestern.",
            kind=OfferKind.FOERDERUNG,
            valid_until=datetime.date(2000, 1, 1),
        ).topics.add(weiterbildung)
        Contact.objects.create(
            network=feldberg.network,
            provider=feldberg.provider,
            slug="weiterbildungsberatung-feldberg",
            function="Weiterbildungsberatung",
            phone="039831 1234",
            availability="Dienstag 9–12 Uhr",
        )
    return personas


def offers_url(network_slug: str, query: str = "") -> str:
    return f"/n/{network_slug}/angebote/" + (f"?{query}" if query else "")


def switch_to_english(client, next_url: str):
    return client.post("/i18n/setlang/", {"language": "en", "next": next_url}, follow=True)


def test_the_offer_list_shows_own_and_nationwide_offers_in_german(client, directory):
    response = client.get(offers_url("feldberg"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Förderangebote" in html
    assert "Ausbildungsberatung Werkraum Feldberg" in html
    assert "Bundesweiter Zuschuss" in html
    assert "Fachkräfteallianz Region Stuttgart</a>" not in html
    assert "Ausbildungsberatung Fachkräfteallianz" not in html
    assert "Entwurf" not in html
    assert "Abgelaufenes Programm" not in html
    assert "3 Angebote gefunden" in html


def test_the_offer_list_of_the_other_network_shows_the_nationwide_offers_too(client, directory):
    html = client.get(offers_url("stuttgart")).content.decode()

    assert "Bundesweiter Zuschuss" in html
    assert "Ausbildungsberatung Fachkräfteallianz Region Stuttgart" in html
    assert "Meisterkurs" not in html


def test_the_offer_list_is_in_english_after_switching_language(client, directory):
    response = switch_to_english(client, offers_url("feldberg", "thema=ausbildung"))

    assert response.redirect_chain[-1][0] == offers_url("feldberg", "thema=ausbildung")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Support offers" in html
    assert "Förderangebote" not in html
    assert "Kind of offer" in html
    assert "Advice" in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("thema=weiterbildung", ["Meisterkurs für Betriebe"], ["Bundesweiter Zuschuss"]),
        ("art=foerderung", ["Bundesweiter Zuschuss"], ["Meisterkurs für Betriebe"]),
        ("zielgruppe=handwerk", ["Meisterkurs für Betriebe"], ["Ausbildungsberatung Werkraum"]),
        ("anbieter=persona-bundesagentur", ["Bundesweiter Zuschuss"], ["Meisterkurs"]),
        ("q=MEISTER", ["Meisterkurs für Betriebe"], ["Bundesweiter Zuschuss"]),
        ("q=bundesagentur", ["Bundesweiter Zuschuss"], ["Meisterkurs"]),
        ("thema=weiterbildung&thema=ausbildung", ["Meisterkurs", "Bundesweiter"], []),
        ("thema=ausbildung&art=beratung", ["Ausbildungsberatung Werkraum"], ["Bundesweiter"]),
    ],
)
def test_filters_narrow_the_offer_list(client, directory, query, shown, hidden):
    html = client.get(offers_url("feldberg", query)).content.decode()
    results = html[html.index('id="offer-results"') :]

    for title in shown:
        assert title in results
    for title in hidden:
        assert title not in results


def test_the_filter_form_keeps_the_state_of_the_url(client, directory):
    html = client.get(offers_url("feldberg", "thema=weiterbildung&q=kurs")).content.decode()

    assert 'value="weiterbildung" checked' in html
    assert 'value="ausbildung" checked' not in html
    assert 'name="q" type="search" value="kurs"' in html
    assert "1 Angebot gefunden" in html
    assert 'data-hx-push-url="true"' in html


def test_an_active_filter_links_to_the_list_without_it(client, directory):
    html = client.get(offers_url("feldberg", "thema=weiterbildung&art=qualifizierung")).content
    html = html.decode()

    assert 'href="?art=qualifizierung"' in html
    assert 'href="?thema=weiterbildung"' in html
    assert "Filter entfernen: Weiterbildung" in html


def test_unknown_filter_values_match_nothing_and_do_not_fail(client, directory):
    response = client.get(offers_url("feldberg", "thema=gibt-es-nicht&art=quatsch&seite=99"))

    assert response.status_code == 200
    assert "Kein Angebot passt zu diesen Filtern." in response.content.decode()


def test_pagination_keeps_the_filters(client, directory):
    with scopes_disabled():
        feldberg = directory.feldberg
        topic = Topic.objects.get(slug="ausbildung")
        for number in range(25):
            Offer.objects.create(
                network=feldberg.network,
                provider=feldberg.provider,
                slug=f"kurs-{number:02d}",
                title=f"Kurs {number:02d}",
                summary="Ein Kurs.",
                kind=OfferKind.QUALIFIZIERUNG,
            ).topics.add(topic)

    first = client.get(offers_url("feldberg", "thema=ausbildung")).content.decode()
    second = client.get(offers_url("feldberg", "thema=ausbildung&seite=2")).content.decode()

    assert 'href="?thema=ausbildung&amp;seite=2"' in first
    assert "Seite 1 von 2" in first
    assert "Seite 2 von 2" in second
    assert "Kurs 24" in second and "Kurs 24" not in first


def test_an_htmx_request_gets_only_the_results(client, directory):
    response = client.get(offers_url("feldberg", "thema=weiterbildung"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="offer-results"')
    assert "<html" not in html
    assert "Meisterkurs für Betriebe" in html
    assert 'data-hx-swap-oob="innerHTML:#offer-count"' in html
    assert "HX-Request" in response["Vary"]


def test_a_normal_request_gets_the_full_page(client, directory):
    response = client.get(offers_url("feldberg", "thema=weiterbildung"))

    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="offer-filters"' in html
    assert 'id="offer-results"' in html
    assert "data-hx-swap-oob" not in html
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_full_page(client, directory):
    response = client.get(
        offers_url("feldberg"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert response.content.decode().startswith("<!DOCTYPE html>")


def test_the_offer_list_needs_a_fixed_number_of_queries(
    client, directory, django_assert_num_queries
):
    url = offers_url("feldberg", "thema=ausbildung&thema=weiterbildung")
    client.get(url)  # warm up: content types, session, translations
    with django_assert_num_queries(10):
        client.get(url)

    with scopes_disabled():
        feldberg = directory.feldberg
        for number in range(15):
            offer = Offer.objects.create(
                network=feldberg.network,
                provider=feldberg.provider,
                slug=f"mehr-{number}",
                title=f"Mehr {number}",
                summary="Noch ein Angebot.",
                kind=OfferKind.BERATUNG,
            )
            offer.topics.add(*Topic.objects.all())
            offer.audiences.add(*Audience.objects.all())
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) == 10


def test_the_offer_page_shows_what_for_whom_and_whom_to_ask(client, directory):
    response = client.get("/n/feldberg/angebote/meisterkurs-feldberg/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Meisterkurs für Betriebe" in html
    assert "Ihre Leute werden Meister" in html
    assert "Betriebe mit bis zu 50 Beschäftigten." in html
    assert "Handwerk" in html
    assert "Sitz des Betriebs in Mecklenburg-Vorpommern." in html
    assert "kostenlos" in html
    assert "§ 82 SGB III" in html
    assert "Zuletzt geprüft am 14. März 2025" in html
    assert "bis 31. Dezember 2099" in html
    assert "Nicht geprüft" in html
    assert "Weiterbildungsberatung" in html
    assert "Dienstag 9–12 Uhr" in html
    assert 'href="tel:0398311234"' in html
    assert "beratung@feldberg.example" in html
    assert 'href="https://example.org/meisterkurs"' in html
    assert 'href="/n/feldberg/angebote/?thema=weiterbildung"' in html
    assert 'href="/n/feldberg/anlaufstellen/persona-partner-feldberg/"' in html


def test_the_offer_page_is_in_english_after_switching_language(client, directory):
    url = "/n/feldberg/angebote/meisterkurs-feldberg/"
    html = switch_to_english(client, url).content.decode()

    assert "Whom to contact" in html
    # Day before month, no dot after the day (lib/dates.py; was Django's "March 14, 2025").
    assert "Last checked on 14 March 2025" in html
    assert "until 31 December 2099" in html
    assert "Further training" in html


def test_the_outsider_gets_404_for_an_offer_of_the_other_network(client, directory):
    assert client.get("/n/stuttgart/angebote/meisterkurs-feldberg/").status_code == 404
    assert client.get("/n/feldberg/angebote/persona-angebot-stuttgart/").status_code == 404


def test_nationwide_offers_open_on_both_networks(client, directory):
    for network_slug in ("feldberg", "stuttgart"):
        response = client.get(f"/n/{network_slug}/angebote/persona-bundesweites-angebot/")
        assert response.status_code == 200
        assert "Bundesweiter Zuschuss" in response.content.decode()


def test_unpublished_and_expired_offers_give_404(client, directory):
    assert client.get("/n/feldberg/angebote/persona-entwurf-feldberg/").status_code == 404
    assert client.get("/n/feldberg/angebote/abgelaufen-feldberg/").status_code == 404


def test_the_provider_page_shows_contacts_and_offers(client, directory):
    response = client.get("/n/feldberg/anlaufstellen/persona-partner-feldberg/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Partner Werkraum Feldberg" in html
    assert "Kammer (IHK/HWK)" in html
    assert "Weiterbildungsberatung" in html
    assert "Dienstag 9–12 Uhr" in html
    assert "Meisterkurs für Betriebe" in html
    assert "Ausbildungsberatung Werkraum Feldberg" in html
    assert "Entwurf" not in html


def test_the_provider_page_is_in_english_after_switching_language(client, directory):
    url = "/n/feldberg/anlaufstellen/persona-partner-feldberg/"
    html = switch_to_english(client, url).content.decode()

    assert "Offers of this contact point" in html
    assert "Chamber (IHK/HWK)" in html


def test_the_outsider_gets_404_for_a_provider_of_the_other_network(client, directory):
    response = client.get("/n/stuttgart/anlaufstellen/persona-partner-feldberg/")

    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in response.content.decode()


def test_the_nationwide_provider_opens_on_both_networks(client, directory):
    for network_slug in ("feldberg", "stuttgart"):
        url = f"/n/{network_slug}/anlaufstellen/persona-bundesagentur/"
        assert client.get(url).status_code == 200


def test_the_pages_of_an_unknown_network_give_404(client, directory):
    for url in (
        "/n/gibt-es-nicht/angebote/",
        "/n/gibt-es-nicht/angebote/persona-bundesweites-angebot/",
        "/n/bund/angebote/",
        "/n/bund/anlaufstellen/persona-bundesagentur/",
    ):
        assert client.get(url).status_code == 404, url
