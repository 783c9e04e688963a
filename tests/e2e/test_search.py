"""The search in the browser: header box, live results, facets, a result — keyboard only;
axe-core on the results page in each state."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.search import snapshots
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchQueryLog

COOK = "finde keinen koch für die saison"
APPRENTICE = "Azubi Berufsschule"
NOTHING = "Xylophonreparatur Quantenchromodynamik"
OFF_TOPIC = "Wie wird das Wetter am Wochenende"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_TABS = 150


# The same helpers as test_journeys.py and test_accessibility.py (e2e is no package).
def tab_to(page: object, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("s => document.activeElement.matches(s)", selector):  # type: ignore[attr-defined]
            return
    raise AssertionError(f"Tab never reached {selector}")


def run_axe(page: object, axe_source: str) -> list[dict]:
    # Evaluated through the DevTools protocol: an inline <script> tag would be refused by
    # the site's Content-Security-Policy (script-src 'self').
    page.evaluate(axe_source)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']!r}")
            lines.append(f"    {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def indexed(sites: dict) -> Iterator[dict]:
    """The browser tests' catalog in the search index (lexical: embedding takes minutes)."""
    snapshots.invalidate()
    rebuild_index(embed=False)
    snapshots.invalidate()
    yield sites
    snapshots.invalidate()


def count_text(page: object) -> str:
    return page.locator("#search-count").inner_text().strip()  # type: ignore[attr-defined]


def result_titles(page: object) -> list[str]:
    return page.locator(".search-hit__title a").all_inner_texts()  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_company_searches_live_picks_a_facet_and_opens_a_result_by_keyboard(page, indexed):
    page.goto("/n/feldberg/angebote/")
    tab_to(page, "#site-search-q")
    page.keyboard.type(COOK)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/n/feldberg/suche/\?q=finde\+keinen\+koch"))
    assert page.locator("#search-q").input_value() == COOK
    assert re.fullmatch(r"\d+ Ergebnisse?", count_text(page))
    assert any("Gastro" in title or "Gastgewerbe" in title for title in result_titles(page))
    assert page.locator(".search-hit mark").count() > 0

    # From here on the page never reloads: a marker on the window survives.
    page.evaluate("window.__samePage = true")
    tab_to(page, "#search-q")
    page.keyboard.press("Control+A")
    page.keyboard.type("Azubi")
    page.wait_for_url(re.compile(r"q=Azubi$"))
    page.keyboard.type(" Berufsschule")
    page.wait_for_url(re.compile(r"q=Azubi\+Berufsschule"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.search-hit__title a')]"
        ".some(a => a.textContent.includes('Azubi'))"
    )
    assert page.evaluate("window.__samePage") is True
    live_total = int(count_text(page).split()[0])
    assert live_total > 1

    # A facet, by keyboard: open the topic group, tick "Ausbildung".
    tab_to(page, ".search-facets summary")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Thema"
    page.keyboard.press("Enter")
    tab_to(page, "input[name='thema'][value='ausbildung']")
    label = page.locator("label[for='f-thema-ausbildung']").inner_text()
    expected = int(re.search(r"\((\d+)\)", label).group(1))
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"thema=ausbildung"))
    page.wait_for_function(
        "n => document.getElementById('search-count').textContent.trim().startsWith(n + ' ')",
        arg=str(expected),
    )
    assert expected < live_total
    assert page.evaluate("window.__samePage") is True
    # htmx put the focus back on the ticked box after the swap.
    assert page.evaluate("document.activeElement.id") == "f-thema-ausbildung"
    assert page.locator("#f-thema-ausbildung").is_checked()
    facet_url = page.url

    tab_to(page, ".search-hit__title a")
    title = page.evaluate("document.activeElement.textContent").strip()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/n/feldberg/(angebote|anlaufstellen)/[-a-z0-9]+/"))
    assert page.get_by_role("heading", level=1).inner_text() in title

    # One log entry per question, not per pause in typing; the click is on the second.
    with scopes_disabled():
        logged = list(
            SearchQueryLog.objects.order_by("created_at").values_list("query", "clicked_rank")
        )
    assert logged == [(COOK, None), (APPRENTICE, 1)]

    # The back button returns to the narrowed results.
    page.go_back()
    page.wait_for_url(facet_url)
    assert page.locator("#f-thema-ausbildung").is_checked()
    assert page.locator("#search-q").input_value() == APPRENTICE


@pytest.mark.django_db(transaction=True)
def test_a_question_without_a_good_result_offers_the_navigators_and_topics(page, indexed):
    page.goto("/n/region-stuttgart/suche/")
    page.locator("#search-q").fill(NOTHING)
    page.wait_for_selector(".search-empty")
    assert count_text(page) == "0 Ergebnisse"
    assert page.get_by_role("link", name="Ihr Anliegen an das Lotsenteam senden").is_visible()
    assert page.locator(".search-empty .topic-tile").count() > 0


@pytest.mark.django_db(transaction=True)
def test_an_off_topic_question_gets_no_list_but_the_navigators_and_topics(page, indexed):
    page.goto("/n/feldberg/suche/")
    page.locator("#search-q").fill(OFF_TOPIC)
    page.wait_for_selector(".search-empty")
    assert page.get_by_role("heading", name="Keine passenden Angebote gefunden.").is_visible()
    assert count_text(page) == "0 Ergebnisse"
    assert page.locator(".search-hit").count() == 0
    assert page.locator(".search-empty .topic-tile").count() > 0
    page.get_by_role("link", name="Ihr Anliegen an das Lotsenteam senden").click()
    page.wait_for_url(re.compile(r"/n/feldberg/anliegen/\?text=Wie"))
    assert page.locator("textarea").first.input_value() == OFF_TOPIC


@pytest.mark.django_db(transaction=True)
def test_the_search_works_without_javascript(browser, live_server, indexed):
    context = browser.new_context(
        java_script_enabled=False, locale="de-DE", base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto("/n/feldberg/suche/")
        page.locator("#search-q").fill(APPRENTICE)
        page.locator("button.search-form__submit").click()
        page.wait_for_url(re.compile(r"q=Azubi\+Berufsschule"))
        total = int(count_text(page).split()[0])
        page.locator(".search-facets summary").first.click()
        page.locator("label[for='f-thema-ausbildung']").click()
        page.get_by_role("button", name="Filter anwenden").click()
        page.wait_for_url(re.compile(r"thema=ausbildung"))
        assert 0 < int(count_text(page).split()[0]) < total
        page.locator(".search-hit__title a").first.click()
        page.wait_for_url(re.compile(r"/n/feldberg/(angebote|anlaufstellen)/"))
    finally:
        context.close()


STATES = {
    "results": "/n/{slug}/suche/?q=Azubi+Berufsschule",
    "facets": "/n/{slug}/suche/?q=Azubi+Berufsschule&thema=ausbildung&typ=offer",
    "no-result": "/n/{slug}/suche/?q=Xylophonreparatur+Quantenchromodynamik",
    "no-good-match": "/n/{slug}/suche/?q=Wie+wird+das+Wetter+am+Wochenende",
    "empty": "/n/{slug}/suche/",
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("network", ["feldberg", "region-stuttgart"])
@pytest.mark.parametrize("state", list(STATES))
def test_the_results_page_has_no_wcag_violations(page, indexed, axe_source, network, state):
    response = page.goto(STATES[state].format(slug=network))
    assert response.status == 200
    # Open every facet group, so axe checks the checkboxes too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


@pytest.mark.django_db(transaction=True)
def test_live_results_have_no_wcag_violations_on_a_wide_screen(page, indexed, axe_source):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/n/feldberg/suche/")
    page.locator("#search-q").fill(COOK)
    page.wait_for_selector(".search-hit")
    page.locator("summary", has_text="Art des Treffers").click()
    page.locator("label[for='f-typ-offer']").click()
    page.wait_for_url(re.compile(r"typ=offer"))
    page.wait_for_load_state("networkidle")
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)
