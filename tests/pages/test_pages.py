"""Start page, network chooser, legal pages, error pages and the health endpoint."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django_scopes import scopes_disabled

from anlaufstelle.pages.models import LegalPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def labs(personas):
    """The persona networks with the presentation of their lab filled in."""
    with scopes_disabled():
        feldberg = personas.feldberg.network
        feldberg.place = "Werkraum, Strelitzer Straße 42, Feldberg"
        feldberg.address = "Strelitzer Straße 42\n17258 Feldberger Seenlandschaft"
        feldberg.opening_hours = "Dienstag bis Donnerstag 9–16 Uhr"
        feldberg.team_functions = "Lotsin für Betriebe\nCoworking und Räume"
        feldberg.description = "Innovationslabor im ländlichen Raum."
        feldberg.host_provider_slug = personas.feldberg.provider.slug
        feldberg.contact_email = "hallo@werkraum.example"
        feldberg.save()
    return personas


def switch_to_english(client, next_url: str):
    return client.post("/i18n/setlang/", {"language": "en", "next": next_url}, follow=True)


@pytest.mark.parametrize("network_slug", ["feldberg", "stuttgart"])
def test_the_start_page_of_each_network_asks_for_the_concern_in_german(client, labs, network_slug):
    response = client.get(f"/n/{network_slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Was ist Ihr Anliegen?" in html
    assert f'action="/n/{network_slug}/suche/"' in html
    assert 'name="q" type="search"' in html
    # Ausbildung: the network's own persona offer plus the nationwide one.
    assert f'href="/n/{network_slug}/angebote/?thema=ausbildung"' in html
    assert "2 Angebote" in html


def test_the_start_page_presents_the_lab(client, labs):
    html = client.get("/n/feldberg/").content.decode()

    assert "Werkraum, Strelitzer Straße 42, Feldberg" in html
    assert "17258 Feldberger Seenlandschaft" in html
    assert "Dienstag bis Donnerstag 9–16 Uhr" in html
    assert "<li>Lotsin für Betriebe</li>" in html
    assert "<li>Coworking und Räume</li>" in html
    assert "Innovationslabor im ländlichen Raum." in html
    assert 'href="/n/feldberg/anlaufstellen/persona-partner-feldberg/"' in html
    assert "hallo@werkraum.example" in html


def test_the_start_page_does_not_count_the_other_networks_offers(client, labs):
    html = client.get("/n/stuttgart/").content.decode()

    assert "Strelitzer Straße" not in html
    assert "2 Angebote" in html
    assert "3 Angebote" not in html


def test_the_start_page_is_in_english_after_switching_language(client, labs):
    response = switch_to_english(client, "/n/feldberg/")

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/n/feldberg/"
    assert '<html lang="en">' in html
    assert "What is your concern?" in html
    assert "Opening hours" in html
    assert "Deutsch" in html


def test_every_page_has_skip_link_landmarks_and_language_switch(client, labs):
    html = client.get("/n/feldberg/angebote/?thema=ausbildung").content.decode()

    assert '<a class="skip-link" href="#main">Zum Inhalt springen</a>' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert 'aria-label="Hauptnavigation"' in html
    assert 'action="/i18n/setlang/" method="post"' in html
    assert 'name="next" type="hidden" value="/n/feldberg/angebote/?thema=ausbildung"' in html
    assert 'value="en" lang="en"' in html
    assert 'aria-current="page"' in html
    for kind in ("impressum", "datenschutz", "barrierefreiheit"):
        assert f'href="/n/feldberg/seite/{kind}/"' in html
    assert 'htmx.min.js" defer' in html


def test_the_network_chooser_lists_the_public_networks(client, labs):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Wählen Sie Ihre Region" in html
    assert 'href="/n/feldberg/"' in html
    assert 'href="/n/stuttgart/"' in html
    assert 'href="/n/bund/"' not in html


def test_the_chooser_is_in_english_after_switching_language(client, labs):
    html = switch_to_english(client, "/").content.decode()

    assert "Choose your region" in html


def test_a_legal_page_shows_the_text_the_coordinator_wrote(client, labs):
    with scopes_disabled():
        LegalPage.objects.filter(pk=labs.feldberg.legal_page.pk).update(
            body="Werkraum Feldberg e. V.\n\nVertreten durch den Vorstand."
        )

    html = client.get("/n/feldberg/seite/impressum/").content.decode()

    assert "<p>Werkraum Feldberg e. V.</p>" in html
    assert "<p>Vertreten durch den Vorstand.</p>" in html


def test_a_legal_page_shows_its_own_networks_text_only(client, labs):
    html = client.get("/n/stuttgart/seite/impressum/").content.decode()

    assert "Impressum Fachkräfteallianz Region Stuttgart" in html
    assert "Impressum Werkraum Feldberg" not in html


def test_a_missing_legal_page_says_so(client, labs):
    response = client.get("/n/feldberg/seite/barrierefreiheit/")

    assert response.status_code == 200
    assert "Diese Seite ist noch nicht geschrieben." in response.content.decode()


def test_an_unknown_legal_page_gives_404(client, labs):
    assert client.get("/n/feldberg/seite/agb/").status_code == 404


def test_an_unknown_network_gives_a_friendly_german_404(client, labs):
    response = client.get("/n/gibt-es-nicht/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht" in html
    assert 'href="/"' in html


def test_the_nationwide_pool_has_no_site_of_its_own(client, labs):
    assert client.get("/n/bund/").status_code == 404


def test_the_500_page_is_friendly_and_standalone():
    with translation.override("de"):
        html = render_to_string("500.html")

    assert "Etwas ist schiefgelaufen" in html
    assert "Der Fehler liegt bei uns" in html or "der Fehler liegt bei uns" in html
    assert "/static/css/site.css" in html


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
