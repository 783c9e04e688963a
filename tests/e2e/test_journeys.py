"""A company visitor's way through each network's site, by keyboard, on a phone-sized screen."""

from __future__ import annotations

import re

import pytest

NETWORKS = ["feldberg", "region-stuttgart"]
MAX_TABS = 120


def tab_to(page: object, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("s => document.activeElement.matches(s)", selector):  # type: ignore[attr-defined]
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("network", NETWORKS)
def test_a_company_filters_by_topic_opens_an_offer_and_switches_to_english(page, sites, network):
    sample = sites[network]
    page.goto(f"/n/{network}/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_label("Was ist Ihr Anliegen?").is_visible()

    tab_to(page, "nav a[href$='/angebote/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/angebote/$"))
    total = int(page.locator("#offer-count").inner_text().split()[0])

    tab_to(page, f"input[name='thema'][value='{sample.topic_slug}']")
    page.keyboard.press("Space")
    # htmx swaps the results in place and writes the filter into the address bar.
    page.wait_for_url(re.compile(rf"thema={re.escape(sample.topic_slug)}"))
    page.wait_for_function(
        "label => [...document.querySelectorAll('.active-filter')]"
        ".some(a => a.textContent.includes(label))",
        arg=sample.topic_label,
    )
    filtered = int(page.locator("#offer-count").inner_text().split()[0])
    assert 0 < filtered <= total
    cards = page.locator("#offer-results .offer-card")
    assert cards.count() == min(filtered, 20)
    for index in range(cards.count()):
        assert sample.topic_label in cards.nth(index).locator(".tag-list").inner_text()

    tab_to(page, "#offer-results .offer-card__title a")
    title = page.evaluate("document.activeElement.textContent").strip()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/n/{network}/angebote/[-a-z0-9]+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.get_by_role("heading", name="Wen können Sie ansprechen?").is_visible()
    offer_url = page.url

    tab_to(page, "button[name='language'][value='en']")
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url == offer_url
    assert page.get_by_role("heading", name="Whom to contact").is_visible()
    assert page.get_by_role("navigation", name="Main navigation").is_visible()
    assert page.get_by_role("link", name="Support offers").first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_question_box_leads_to_matching_offers(page, sites):
    from anlaufstelle.search import snapshots
    from anlaufstelle.search.indexing import rebuild_index

    snapshots.invalidate()
    rebuild_index(embed=False)
    snapshots.invalidate()
    sample = sites["feldberg"]
    # A company's own words: the offer's title, lower-case, as typed in a hurry.
    words = sample.offer_title.lower()
    page.goto("/n/feldberg/")

    page.get_by_label("Was ist Ihr Anliegen?").fill(words)
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/n/feldberg/suche/\?q="))
    assert page.locator("#search-q").input_value() == words
    hit = page.locator(".search-hit__title a", has_text=sample.offer_title).first
    assert hit.is_visible()
    hit.click()
    page.wait_for_url(re.compile(rf"/angebote/{re.escape(sample.offer_slug)}/$"))
    snapshots.invalidate()


@pytest.mark.django_db(transaction=True)
def test_filters_work_without_javascript(browser, live_server, sites):
    sample = sites["region-stuttgart"]
    context = browser.new_context(
        java_script_enabled=False, locale="de-DE", base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto("/n/region-stuttgart/angebote/")
        page.locator(f"label[for='thema-{sample.topic_slug}']").click()
        page.get_by_role("button", name="Angebote anzeigen").click()

        page.wait_for_url(re.compile(rf"thema={re.escape(sample.topic_slug)}"))
        assert page.locator(f"input[value='{sample.topic_slug}']").is_checked()
        page.get_by_role("link", name=re.compile("Filter entfernen")).first.click()
        page.wait_for_url(re.compile(r"/angebote/\?$|/angebote/$"))
        assert not page.locator(f"input[value='{sample.topic_slug}']").is_checked()
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_skip_link_moves_focus_to_the_main_content(page, sites):
    page.goto("/n/feldberg/angebote/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
