"""The search page: full page and live fragment, facets, suggestions, no-result help, logs."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.search import registry
from anlaufstelle.search.models import SearchDocument, SearchQueryLog
from anlaufstelle.search.queries import result_url
from anlaufstelle.search.services import scrub

SEARCH = "/n/feldberg/suche/"
CLICK = "/n/feldberg/suche/klick/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def logs() -> list[SearchQueryLog]:
    with scopes_disabled():
        return list(SearchQueryLog.objects.order_by("created_at", "pk"))


def refs(response) -> list[str]:
    return [d.ref for d in response.context["page"].documents]


def test_the_search_page_shows_results_with_highlighted_words(client, search_world):
    response = client.get(SEARCH, {"q": "Lehrling Handwerkskammer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Ausbildungsberatung der <mark>Handwerkskammer</mark>" in html  # title
    # The snippet marks synonyms too: "Lehrling" finds "Auszubildende".
    assert "berät Betriebe, die zum ersten Mal <mark>Auszubildende</mark> einstellen" in html
    # Type label, provider and region of each result.
    assert "Angebot</span> · Anlaufstelle Werkraum Feldberg · Werkraum Feldberg" in html
    # The live region announces the count; the search box keeps the question.
    assert 'role="status" aria-live="polite"' in html
    assert 'value="Lehrling Handwerkskammer"' in html


def test_an_htmx_request_gets_only_the_results_fragment(client, search_world):
    response = client.get(SEARCH, {"q": "Handwerkskammer"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "site-header" not in html
    assert "Ausbildungsberatung der <mark>Handwerkskammer</mark>" in html
    # The count is swapped into the live region outside the fragment.
    assert 'data-hx-swap-oob="innerHTML:#search-count"' in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, search_world):
    response = client.get(
        SEARCH, {"q": "Handwerkskammer"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()
    assert logs() == []  # replaying a search is not a new one


def test_the_search_page_works_as_a_plain_get_form_without_javascript(client, search_world):
    html = client.get(SEARCH).content.decode()
    assert 'method="get"' in html and 'action="/n/feldberg/suche/"' in html
    assert 'name="q"' in html and 'type="submit"' in html
    # With no question yet, the topics are offered to browse.
    assert "topic-tile" in html
    assert logs() == []


def test_facets_narrow_the_results_and_show_counts(client, search_world):
    query = "Ausbildung Zuschuss Wohnraum"
    page = client.get(SEARCH, {"q": query}).context["page"]
    assert page.total >= 2
    topics = {option.value: option.count for option in page.facets["thema"]}
    assert topics["ausbildung"] >= 1 and len(topics) >= 2

    narrowed = client.get(SEARCH, {"q": query, "thema": "ausbildung"}).context["page"]
    assert 0 < narrowed.total < page.total
    assert narrowed.total == topics["ausbildung"]
    assert all("ausbildung" in d.topics for d in narrowed.documents)
    # The other topics keep their counts, so a second topic can be added.
    assert {o.value: o.count for o in narrowed.facets["thema"]} == topics


def test_two_values_of_one_facet_add_up_and_two_facets_intersect(client, search_world):
    query = "Ausbildung Zuschuss Wohnraum"
    both = client.get(SEARCH, {"q": query, "thema": ["ausbildung", "foerderung"]}).context["page"]
    one = client.get(SEARCH, {"q": query, "thema": "ausbildung"}).context["page"]
    assert both.total > one.total
    crossed = client.get(SEARCH, {"q": query, "thema": "ausbildung", "typ": "contact"})
    assert crossed.context["page"].total == 0


def test_the_url_keeps_the_facet_state_and_never_the_log_code(client, search_world):
    full = client.get(SEARCH, {"q": "Ausbildung", "thema": "ausbildung"})
    assert 'id="f-thema-ausbildung" name="thema" type="checkbox" value="ausbildung" checked' in (
        full.content.decode()
    )
    code = full.context["log"].code
    live = client.get(
        SEARCH, {"q": "Ausbildung Betrieb", "thema": "ausbildung", "suchlauf": code}, **HTMX
    )
    pushed = urlsplit(live["HX-Push-Url"])
    assert pushed.path == SEARCH
    assert parse_qs(pushed.query) == {"q": ["Ausbildung Betrieb"], "thema": ["ausbildung"]}
    # The shared URL renders the same state as a full page.
    again = client.get(live["HX-Push-Url"])
    assert refs(again) == refs(live)


def test_a_misspelt_query_offers_the_better_spelling(client, search_world):
    response = client.get(SEARCH, {"q": "Einstiegsqualifizirung"})
    assert response.context["page"].suggestion == "einstiegsqualifizierung"
    html = response.content.decode()
    assert "Meinten Sie" in html
    assert '?q=einstiegsqualifizierung" lang="de">einstiegsqualifizierung</a>?' in html


def test_a_well_spelt_query_gets_no_suggestion(client, search_world):
    response = client.get(SEARCH, {"q": "Einstiegsqualifizierung"})
    assert response.context["page"].suggestion == ""
    assert "Meinten Sie" not in response.content.decode()


def test_a_question_without_results_offers_the_navigators_and_the_topics(client, search_world):
    response = client.get(SEARCH, {"q": "Quantenchromodynamik"})
    html = response.content.decode()
    assert response.context["page"].total == 0
    assert "search-empty" in html
    # The question goes along to the navigators' form: nobody types it twice.
    form = reverse("site:cases:submit", args=["feldberg"])
    assert f'href="{form}?text=Quantenchromodynamik"' in html
    assert client.get(f"{form}?text=Quantenchromodynamik").context["form"]["text"].value() == (
        "Quantenchromodynamik"
    )
    assert "topic-tile" in html and "?thema=ausbildung" in html
    # The assistant is reachable from every page, and the link is not a dead one.
    assistant = reverse("site:assistant:chat", args=["feldberg"])
    assert f'href="{assistant}"' in html
    assert client.get(assistant).status_code == 200
    assert "0 Ergebnisse" in html


def test_the_live_fragment_without_results_offers_the_same_help(client, search_world):
    html = client.get(SEARCH, {"q": "Quantenchromodynamik"}, **HTMX).content.decode()
    assert "search-empty" in html and "topic-tile" in html and "/anliegen/" in html


def test_a_search_is_logged_without_personal_data(client, search_world):
    client.get(SEARCH, {"q": "HWK Beratung, ruf an: 0170 1234567 oder anja@hotel-see.de"})
    (log,) = logs()
    assert "0170" not in log.query and "1234567" not in log.query
    assert "anja" not in log.query and "hotel-see" not in log.query
    assert log.query.startswith("HWK Beratung")
    assert log.network_id == search_world.feldberg.pk
    assert log.result_count >= 1 and log.clicked_rank is None
    # Nothing that names the visitor is stored (no IP, session or user field exists).
    fields = {f.name for f in SearchQueryLog._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user", "session", "user_agent"}


def test_one_typing_run_is_one_log_entry_and_a_new_question_another(client, search_world):
    first = client.get(SEARCH, {"q": "Azu"}, **HTMX)
    code = first.context["log"].code
    client.get(SEARCH, {"q": "Azubi Beruf", "suchlauf": code}, **HTMX)
    last = client.get(SEARCH, {"q": "Azubi Berufsschule", "suchlauf": code}, **HTMX)
    assert last.context["log"].code == code
    assert [(log.query, log.code) for log in logs()] == [("Azubi Berufsschule", code)]

    other = client.get(SEARCH, {"q": "Visum Pflegekräfte", "suchlauf": code}, **HTMX)
    assert other.context["log"].code != code
    assert [log.query for log in logs()] == ["Azubi Berufsschule", "Visum Pflegekräfte"]
    # Zero results are logged too: the insights need the unanswered questions.
    client.get(SEARCH, {"q": "Quantenchromodynamik"})
    assert logs()[-1].result_count == 0


def test_another_networks_log_code_does_not_continue_its_entry(client, search_world):
    code = client.get(SEARCH, {"q": "Azubi"}).context["log"].code
    client.get("/n/region-stuttgart/suche/", {"q": "Azubi Wohnheim", "suchlauf": code}, **HTMX)
    assert sorted(log.query for log in logs()) == ["Azubi", "Azubi Wohnheim"]


def test_a_click_is_logged_with_its_rank_and_leads_to_the_result(client, search_world):
    response = client.get(SEARCH, {"q": "Lehrling Handwerkskammer"})
    code = response.context["log"].code
    first = response.context["results"][0]
    html = response.content.decode()
    link = f"{CLICK}?ref={first['doc'].ref.replace(':', '%3A')}&amp;rang=1&amp;q={code}"
    assert link in html

    clicked = client.get(CLICK, {"ref": "offer:hwk-ausbildungsberatung", "rang": "2", "q": code})
    assert clicked.status_code == 302
    assert clicked["Location"] == "/n/feldberg/angebote/hwk-ausbildungsberatung/"
    (log,) = logs()
    assert log.clicked_rank == 2 and log.clicked_ref == "offer:hwk-ausbildungsberatung"
    # The first click counts; a later one changes nothing.
    client.get(CLICK, {"ref": "offer:eingliederungszuschuss", "rang": "5", "q": code})
    assert logs()[0].clicked_rank == 2


def test_a_click_with_a_broken_rank_or_code_still_leads_to_the_result(client, search_world):
    response = client.get(CLICK, {"ref": "offer:eingliederungszuschuss", "rang": "x", "q": "nope"})
    assert response.status_code == 302
    assert response["Location"] == "/n/feldberg/angebote/eingliederungszuschuss/"


@pytest.mark.parametrize(
    "ref",
    [
        "https://evil.example/",
        "//evil.example/",
        "/n/feldberg/angebote/",
        "offer:does-not-exist",
        "offer:stuttgart-wohnprojekt",  # another network's private offer
        "",
    ],
)
def test_the_click_endpoint_is_no_open_redirect(client, search_world, ref):
    response = client.get(
        CLICK, {"ref": ref, "rang": "1", "q": "x", "next": "https://evil.example"}
    )
    assert response.status_code == 404


def test_results_link_to_their_pages(search_world, settings):
    net = search_world.feldberg
    doc = SearchDocument(network=net, ref="x", slug="lotsin", provider_slug="werkraum")
    doc.kind = "contact"
    assert result_url(net, doc) == "/n/feldberg/anlaufstellen/werkraum/#kontakt-lotsin"
    doc.kind = "provider"
    assert result_url(net, doc) == "/n/feldberg/anlaufstellen/lotsin/"
    # Catalog file events (only while no app registers the kind "event"): the organiser.
    with registry.unregistered("event"):
        doc.kind = "event"
        assert result_url(net, doc) == "/n/feldberg/anlaufstellen/werkraum/"
        doc.kind, doc.provider_slug, doc.title = "event", "", "Tag & Nacht"
        assert result_url(net, doc) == "/n/feldberg/suche/?q=Tag+%26+Nacht"
    # A registered source's item that is gone: a search for its title.
    assert result_url(net, doc) == "/n/feldberg/suche/?q=Tag+%26+Nacht"


def test_a_contact_result_leads_to_its_anchor_on_the_provider_page(
    client, search_world, lotsin_contact
):
    response = client.get(SEARCH, {"q": "Lotsin Saisonkräfte"})
    assert "contact:lotsin-feldberg" in refs(response)
    assert "Ansprechperson" in response.content.decode()
    clicked = client.get(CLICK, {"ref": "contact:lotsin-feldberg"})
    assert (
        clicked["Location"]
        == "/n/feldberg/anlaufstellen/anbieter-feldberg/#kontakt-lotsin-feldberg"
    )
    provider_page = client.get(clicked["Location"].split("#")[0]).content.decode()
    assert 'id="kontakt-lotsin-feldberg"' in provider_page


def test_the_outsider_network_does_not_see_private_results(client, search_world):
    response = client.get("/n/region-stuttgart/suche/", {"q": "Mitarbeiterwohnungen Haussee"})
    assert "offer:feldberg-geheimtipp" not in refs(response)
    assert "Mitarbeiterwohnungen am Haussee" not in response.content.decode()
    providers = {o.value for o in response.context["page"].facets.get("anbieter", [])}
    assert "anbieter-feldberg" not in providers
    # ... while Feldberg finds its own offer, and both see the nationwide pool.
    assert "offer:feldberg-geheimtipp" in refs(client.get(SEARCH, {"q": "Mitarbeiterwohnungen"}))
    stuttgart = client.get("/n/region-stuttgart/suche/", {"q": "Eingliederungszuschuss"})
    assert "offer:eingliederungszuschuss" in refs(stuttgart)


def test_the_outsider_cannot_open_a_private_result_through_the_click_link(client, search_world):
    response = client.get(
        "/n/region-stuttgart/suche/klick/", {"ref": "offer:feldberg-geheimtipp", "rang": "1"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/n/unbekannt/suche/", "/n/unbekannt/suche/klick/"])
def test_an_unknown_network_answers_404(client, search_world, path):
    response = client.get(path, {"q": "Azubi", "ref": "offer:eingliederungszuschuss"})
    assert response.status_code == 404
    assert logs() == []


def test_the_header_search_box_is_on_network_pages_but_not_on_start_and_search(
    client, search_world
):
    offers = client.get("/n/feldberg/angebote/").content.decode()
    assert 'class="site-search"' in offers and 'action="/n/feldberg/suche/"' in offers
    assert 'class="site-search"' not in client.get("/n/feldberg/").content.decode()
    assert 'class="site-search"' not in client.get(SEARCH).content.decode()


def test_the_start_page_question_box_submits_to_the_search_page(client, search_world):
    html = client.get("/n/feldberg/").content.decode()
    assert 'class="question-box" action="/n/feldberg/suche/" method="get"' in html


def test_scrub_removes_emails_and_phone_numbers_but_keeps_postcodes():
    assert scrub("Mail an max@firma.de, Tel. +49 170 1234567, PLZ 17258") == (
        "Mail an [E-Mail] Tel. [Nummer], PLZ 17258"
    )
