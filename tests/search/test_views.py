from __future__ import annotations

from django_scopes import scopes_disabled

from anlaufstelle.search.models import SearchQueryLog
from anlaufstelle.search.services import scrub


def test_the_search_page_shows_results_with_highlighted_words(client, search_world):
    response = client.get("/n/feldberg/suche/", {"q": "Lehrling Handwerkskammer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ausbildungsberatung der Handwerkskammer" in html
    assert "<mark>" in html
    assert "<html" in html


def test_an_htmx_request_gets_only_the_results_fragment(client, search_world):
    response = client.get("/n/feldberg/suche/", {"q": "Handwerkskammer"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-results"' in html and "<html" not in html


def test_facets_narrow_the_results_and_show_counts(client, search_world):
    response = client.get("/n/feldberg/suche/", {"q": "Ausbildung Zuschuss Wohnraum"})
    page = response.context["page"]
    assert page.total >= 2
    assert any(option.value == "ausbildung" for option in page.facets["thema"])
    narrowed = client.get(
        "/n/feldberg/suche/", {"q": "Ausbildung Zuschuss Wohnraum", "thema": "ausbildung"}
    ).context["page"]
    assert 0 < narrowed.total < page.total
    assert all("ausbildung" in d.topics for d in narrowed.documents)


def test_a_question_without_results_offers_other_ways(client, search_world):
    response = client.get("/n/feldberg/suche/", {"q": "Quantenchromodynamik"})
    html = response.content.decode()
    assert response.context["page"].total == 0
    assert "search-empty" in html


def test_a_misspelt_query_offers_the_better_spelling(client, search_world):
    response = client.get("/n/feldberg/suche/", {"q": "Einstiegsqualifizirung"})
    assert response.context["page"].suggestion == "einstiegsqualifizierung"
    assert "einstiegsqualifizierung</a>?" in response.content.decode()


def test_a_submitted_query_is_logged_without_personal_data_and_the_click_too(client, search_world):
    client.get("/n/feldberg/suche/", {"q": "HWK Beratung, ruf an: 0170 1234567 oder a@b.de"})
    client.get("/n/feldberg/suche/", {"q": "HWK"}, HTTP_HX_REQUEST="true")  # live: not logged
    with scopes_disabled():
        logs = list(SearchQueryLog.objects.all())
    assert len(logs) == 1
    log = logs[0]
    assert "0170" not in log.query and "a@b.de" not in log.query
    assert log.network_id == search_world.feldberg.pk and log.result_count >= 1
    response = client.get(
        f"/n/feldberg/suche/treffer/{log.code}/1/", {"ref": "offer:hwk-ausbildungsberatung"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/angebote/hwk-ausbildungsberatung/"
    log.refresh_from_db()
    assert log.clicked_rank == 1


def test_the_click_link_only_leads_to_results_the_network_may_show(client, search_world):
    response = client.get(
        "/n/region-stuttgart/suche/treffer/x/1/", {"ref": "offer:feldberg-geheimtipp"}
    )
    assert response.status_code == 404


def test_the_outsider_network_does_not_see_private_results(client, search_world):
    response = client.get("/n/region-stuttgart/suche/", {"q": "Mitarbeiterwohnungen Haussee"})
    refs = [d.ref for d in response.context["page"].documents]
    assert "offer:feldberg-geheimtipp" not in refs


def test_scrub_removes_emails_and_phone_numbers_but_keeps_postcodes():
    assert scrub("Mail an max@firma.de, Tel. +49 170 1234567, PLZ 17258") == (
        "Mail an [E-Mail] Tel. [Nummer], PLZ 17258"
    )
