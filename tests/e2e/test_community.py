"""The exchange in a real browser: a member signs in by magic link, starts a thread and
replies, by keyboard only; axe-core finds no WCAG violation on the forum list and the
thread page."""

from __future__ import annotations

import re

import pytest
from test_accessibility import describe, run_axe
from test_journeys import tab_to

from community.conftest import make_forum


@pytest.fixture
def forum(transactional_db: None, personas: object, settings: object) -> object:
    settings.SEARCH_AUTO_INDEX = False  # type: ignore[attr-defined]
    settings.ANLAUFSTELLE_RATE_LIMITS = {}  # type: ignore[attr-defined]
    return make_forum(personas.feldberg.network, "feldberg")  # type: ignore[attr-defined]


def type_into(page: object, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)  # type: ignore[attr-defined]


def assert_accessible(page: object, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


@pytest.mark.django_db(transaction=True)
def test_a_member_signs_in_by_magic_link_starts_a_thread_and_replies(
    page, forum, mailoutbox, axe_source
):
    page.goto("/n/feldberg/austausch/")
    # Not signed in: the forum sends the visitor to sign in.
    page.wait_for_url("**/austausch/anmelden/**")
    type_into(page, "#id_email", forum.anja.email)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Bitte sehen Sie in Ihr E-Mail-Postfach").wait_for()
    link = re.search(r"https?://\S+/austausch/anmelden/\S+/", mailoutbox[-1].body).group(0)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    tab_to(page, "#magic-confirm")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Austausch", exact=True).wait_for()
    assert_accessible(page, axe_source)

    tab_to(page, "a[href='/n/feldberg/austausch/neu/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/austausch/neu/")
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    type_into(page, "#id_title", "Wer kennt eine gute Berufsschule für Köche?")
    type_into(page, "#id_body", "Unser Azubi braucht eine Berufsschule in der Nähe. Tipps?")
    tab_to(page, "button[type=submit].kern-btn--primary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/austausch/thema/**")
    assert page.get_by_role(
        "heading", name="Wer kennt eine gute Berufsschule für Köche?"
    ).is_visible()

    type_into(page, "#id_body", "Nachtrag: gern auch mit Wohnheim, https://www.example.org/azubi")
    tab_to(page, "form[action$='/antworten/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_text("Nachtrag: gern auch mit Wohnheim").wait_for()
    assert page.locator("a[href='https://www.example.org/azubi']").count() == 1
    assert_accessible(page, axe_source)


@pytest.mark.django_db(transaction=True)
def test_a_navigator_blocks_a_member_by_keyboard_and_the_member_is_told(
    browser, live_server, page, forum, personas, axe_source
):
    # The member's browser: signed in (the session the magic link sets).
    from django.test import Client
    from test_branding import staff_context

    from anlaufstelle.community import membership

    client = Client()
    session = client.session
    session[membership.SESSION_KEY] = {str(forum.anja.network_id): forum.anja.pk}
    session.save()
    host = live_server.url.split("//", 1)[1].split(":")[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "domain": host, "path": "/"}]
    )
    page.goto("/n/feldberg/austausch/")
    page.get_by_role("heading", name="Austausch", exact=True).wait_for()

    navigator = staff_context(browser, live_server, personas.feldberg.navigator)
    desk = navigator.new_page()
    desk.goto("/n/feldberg/austausch/verwaltung/mitglieder/")
    assert_accessible(desk, axe_source)
    tab_to(desk, f"form[action$='/{forum.anja.code}/sperren/'] button")
    desk.keyboard.press("Enter")
    desk.get_by_text("Anja Berger ist gesperrt.").wait_for()
    assert desk.get_by_role("button", name="Anja Berger entsperren").is_visible()
    navigator.close()

    page.reload()
    page.get_by_role("heading", name="Ihr Zugang zum Austausch ist gesperrt").wait_for()
    assert_accessible(page, axe_source)
