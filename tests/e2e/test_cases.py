"""The navigators' desk in the browser, keyboard only: a company sends a concern, the
navigator refers it, the partner answers, the company reads the answer. axe-core finds no
WCAG 2.1 A/AA violation on the form, the status page and the inbox."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect
from test_accessibility import describe, run_axe
from test_journeys import tab_to

TEXT = "Wir suchen eine Ausbildungsberatung für unseren ersten Lehrling im Handwerk."


def type_into(page: object, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)  # type: ignore[attr-defined]


def submit_with_enter(page: object) -> None:
    """Press Enter on the focused button and wait for the page that answers."""
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_load_state("load")  # type: ignore[attr-defined]


def assert_shows(page: object, text: str) -> None:
    """The page shows `text`; waits (up to the timeout) instead of reading the DOM while a
    redirect is still under way, which made `page.content()` fail now and then."""
    expect(page.locator("body")).to_contain_text(text)  # type: ignore[attr-defined]


def assert_no_violations(page: object, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


def log_in(browser: object, live_server: object, user: object, password: str, next_path: str):
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(f"/accounts/login/?next={next_path}")
    type_into(tab, "input[name='login']", user.email)  # type: ignore[attr-defined]
    type_into(tab, "input[name='password']", password)
    tab.keyboard.press("Enter")
    # Match the path, not the end of the URL: the login page's own URL ends with ?next=…
    tab.wait_for_url(lambda url: urlsplit(url).path == next_path)
    tab.wait_for_load_state("networkidle")
    return context, tab


@pytest.mark.django_db(transaction=True)
def test_a_concern_is_sent_referred_and_answered_by_keyboard(
    page, browser, live_server, personas, axe_source, settings
):
    settings.SEARCH_EMBEDDER = "none"
    feldberg = personas.feldberg

    # The company: the form has no violations, and it is filled in with the keyboard only.
    page.goto("/n/feldberg/anliegen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Anliegen schildern"
    assert_no_violations(page, axe_source)
    # A first try without e-mail address: a clear message, and the text is kept.
    type_into(page, "#id_text", TEXT)
    type_into(page, "#id_contact_name", "Holger Kranz")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "form button[type='submit']")
    submit_with_enter(page)
    assert_shows(page, "Bitte geben Sie Ihre E-Mail-Adresse an")
    assert page.locator("#id_text").input_value() == TEXT
    assert_no_violations(page, axe_source)
    type_into(page, "#id_email", "kranz@tischlerei.example")
    tab_to(page, "form button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/anliegen/status/[A-Z0-9]+/[^/]+/\?neu=1$"))
    status_url = page.url
    assert_shows(page, "Vielen Dank, Ihr Anliegen ist eingegangen.")
    assert page.locator("[data-ref]").count() >= 1
    assert_no_violations(page, axe_source)

    from anlaufstelle.cases.models import Concern

    with scopes_disabled():
        concern = Concern.objects.get()

    # The navigator: inbox without violations, then refers the concern to the partner.
    context, desk = log_in(
        browser, live_server, feldberg.navigator, personas.password, "/n/feldberg/anliegen/lotsen/"
    )
    expect(desk.locator(f"a[href$='/lotsen/{concern.code}/']")).to_have_count(1)
    assert_no_violations(desk, axe_source)
    tab_to(desk, f"a[href$='/lotsen/{concern.code}/']")
    desk.keyboard.press("Enter")
    desk.wait_for_url(re.compile(rf"/lotsen/{concern.code}/$"))
    desk.wait_for_load_state("networkidle")
    assert_no_violations(desk, axe_source)
    checkbox = f"#partner-{feldberg.provider.pk}"
    if not desk.locator(checkbox).is_visible():
        tab_to(desk, "summary")
        desk.keyboard.press("Enter")
    tab_to(desk, checkbox)
    desk.keyboard.press("Space")
    type_into(desk, "#id_note", "Bitte Ausbildungsberatung anbieten.")
    if desk.locator("#id_consent_confirmed").count():
        tab_to(desk, "#id_consent_confirmed")
        desk.keyboard.press("Space")
    tab_to(desk, "form:has(input[value='weiterleiten']) button[type='submit']")
    submit_with_enter(desk)
    assert_shows(desk, "Das Anliegen wurde weitergeleitet.")
    context.close()

    # The partner expert accepts and answers the company.
    context, partner = log_in(
        browser,
        live_server,
        feldberg.partner_expert,
        personas.password,
        "/n/feldberg/anliegen/partner/",
    )
    tab_to(partner, f"a[href$='/partner/{concern.code}/']")
    partner.keyboard.press("Enter")
    partner.wait_for_url(re.compile(rf"/partner/{concern.code}/$"))
    partner.wait_for_load_state("networkidle")
    assert_no_violations(partner, axe_source)
    tab_to(partner, "form:has(input[value='annehmen']) button[type='submit']")
    submit_with_enter(partner)
    assert_shows(partner, "Sie haben das Anliegen angenommen.")
    type_into(
        partner,
        "form:has(input[value='antworten']) textarea",
        "Gern beraten wir Sie am Donnerstag im Werkraum.",
    )
    tab_to(partner, "form:has(input[value='antworten']) button[type='submit']")
    submit_with_enter(partner)
    assert_shows(partner, "Ihre Antwort wurde an den Betrieb gesendet.")
    context.close()

    # The company sees the answer and the steps on its status page.
    page.goto(status_url.split("?")[0])
    assert_shows(page, "Gern beraten wir Sie am Donnerstag im Werkraum.")
    assert_shows(page, "Partner hat angenommen")
    assert_no_violations(page, axe_source)
