"""Events in the browser on the demo data (`load_demo` + `load_events_demo`).

Anja finds the calendar, opens an event and registers by keyboard only; axe-core finds
no WCAG 2.1 A/AA violation on the calendar, the event page, the form (also with
errors), the confirmation and the cancel page.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled
from test_accessibility import describe, run_axe
from test_journeys import tab_to

CALENDAR = "/n/feldberg/veranstaltungen/"


@pytest.fixture
def events_demo(transactional_db: None, settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.SEARCH_AUTO_INDEX = False  # type: ignore[attr-defined]
    settings.SEARCH_EMBEDDER = "none"  # type: ignore[attr-defined]
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_events_demo", stdout=io.StringIO())
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    mail.outbox = []


def assert_no_violations(page: object, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


def enter(page: object) -> None:
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_anja_registers_for_an_event_by_keyboard(page, events_demo, axe_source):
    page.goto(CALENDAR)
    assert page.get_by_role("heading", level=1).inner_text() == "Veranstaltungen"
    assert page.locator(".event-list__item").count() > 0
    assert_no_violations(page, axe_source)

    tab_to(page, ".event-list__item a")
    title = page.evaluate("document.activeElement.textContent.trim()")
    enter(page)
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert_no_violations(page, axe_source)

    tab_to(page, "main a[href$='/anmelden/']")
    enter(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Anmelden"
    assert_no_violations(page, axe_source)

    # Sent without consent: a German error, the input is kept.
    tab_to(page, "#id_name")
    page.keyboard.type("Anja Muster")
    tab_to(page, "#id_email")
    page.keyboard.type("anja@hotel-am-see.example")
    tab_to(page, "main button[type='submit']")
    enter(page)
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in page.locator("main").inner_text()
    assert page.locator("#id_name").input_value() == "Anja Muster"
    assert_no_violations(page, axe_source)

    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "main button[type='submit']")
    enter(page)
    assert re.search(r"/veranstaltungen/anmeldung/[A-Z0-9]+/[^/]+/$", page.url)
    assert "Ihre Anmeldung ist bestätigt." in page.locator("main").inner_text()
    assert_no_violations(page, axe_source)
    [confirmation] = [m for m in mail.outbox if m.to == ["anja@hotel-am-see.example"]]
    assert any(name.endswith(".ics") for name, _content, _type in confirmation.attachments)

    tab_to(page, "main a[href$='/abmelden/']")
    enter(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Anmeldung stornieren"
    assert_no_violations(page, axe_source)
    tab_to(page, "main button[type='submit']")
    enter(page)
    assert "Ihre Anmeldung ist storniert." in page.locator("main").inner_text()
    from anlaufstelle.events.models import Registration

    with scopes_disabled():
        assert Registration.objects.get().status == "cancelled"


def grid_links(page: object) -> int:
    return page.locator(".event-calendar a").count()  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_the_month_grid_by_keyboard_on_a_desk_and_as_a_list_on_a_phone(
    page, events_demo, axe_source
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(CALENDAR)
    tab_to(page, "main a[href*='monat=']")
    enter(page)
    assert page.locator("table.event-calendar caption").count() == 1
    assert page.locator("table.event-calendar thead th abbr[title='Montag']").count() == 1
    assert page.locator("td[aria-current='date']").count() == 1  # today is this month
    # The demo's dates lie in the coming weeks: at most two months on, there are some.
    for _ in range(2):
        if grid_links(page):
            break
        tab_to(page, "main a[rel='next']")
        enter(page)
    assert grid_links(page) > 0
    assert_no_violations(page, axe_source)
    # The grid really is seven columns wide on a desk.
    widths = page.eval_on_selector_all(
        "table.event-calendar tbody tr:first-child td", "cells => cells.map(c => c.offsetWidth)"
    )
    assert len(widths) == 7 and min(widths) > 100

    # On a phone the same month is a list of the days with events, nothing to scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator("table.event-calendar thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    visible_days = page.locator("td.event-calendar__day:visible")
    with_events = page.locator("td.event-calendar__day:has(a)")
    today = page.locator("td[aria-current='date']:visible").count()
    assert (
        visible_days.count()
        == with_events.count() + today - page.locator("td[aria-current='date']:has(a)").count()
    )
    assert page.locator(".event-calendar__long:visible").count() == visible_days.count()
    assert_no_violations(page, axe_source)

    tab_to(page, ".event-calendar a")
    title = page.evaluate(
        "document.activeElement.textContent.replace(/^\\s*\\d\\d:\\d\\d\\s*/, '').trim()"
    )
    enter(page)
    assert page.get_by_role("heading", level=1).inner_text() == title
