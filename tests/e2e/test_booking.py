"""Booking in the browser on the demo data (`load_demo` + `load_booking_demo`).

Anja books the employer service's consultation hour from the offer page by keyboard only,
in three activations (button, slot, submit); the expert sees the booking in the calendar
and books for a company that called. axe-core finds no WCAG 2.1 A/AA violation on the
slot picker, the form (also with errors), the confirmation, the cancel page, the
calendar and a room reservation in Stuttgart.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import dateformat, translation
from django_scopes import scopes_disabled
from test_accessibility import describe, run_axe
from test_journeys import tab_to

BERLIN = ZoneInfo("Europe/Berlin")
OFFER_PATH = "/n/feldberg/angebote/aa-nb-arbeitgeber-service/"
WERKRAUM_HOUR = "Arbeitgeber-Sprechstunde im Werkraum"
DEMO_PASSWORD = "demo-anlaufstelle-2026"  # published demo password (directory.demo.loader)


@pytest.fixture
def booking_demo(transactional_db: None, settings: object) -> None:
    """The demo as `make demo` builds it, with confirmations sent at once into mail.outbox."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.SEARCH_AUTO_INDEX = False  # type: ignore[attr-defined]
    settings.SEARCH_EMBEDDER = "none"  # type: ignore[attr-defined]
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_booking_demo", stdout=io.StringIO())
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    mail.outbox = []


def schedule_code(title: str) -> str:
    from anlaufstelle.booking.models import Schedule

    with scopes_disabled():
        return Schedule.objects.get(title=title).code


def assert_no_violations(page: object, axe_source: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


class Activations:
    """Counts what Anja activates (Enter/Space on a link or button that moves her on)."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.count = 0

    def enter(self) -> None:
        self.count += 1
        with self.page.expect_navigation():  # type: ignore[attr-defined]
            self.page.keyboard.press("Enter")  # type: ignore[attr-defined]


def type_into(page: object, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)  # type: ignore[attr-defined]


def described_error(page: object, selector: str) -> str:
    """The error message a field points to with aria-invalid and aria-describedby."""
    field = page.locator(selector)  # type: ignore[attr-defined]
    assert field.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + field.get_attribute("aria-describedby"))  # type: ignore[attr-defined]
    assert message.count() == 1, f"{selector} points to no message"
    return message.inner_text().strip()


def local_start(slot_href: str) -> datetime:
    key = re.search(r"termin=(\d{8}T\d{4}Z)", slot_href).group(1)  # type: ignore[union-attr]
    return datetime.strptime(key, "%Y%m%dT%H%MZ").replace(tzinfo=ZoneInfo("UTC")).astimezone(BERLIN)


def german(moment: datetime, fmt: str) -> str:
    with translation.override("de"):
        return dateformat.format(moment, fmt)


def focus_a_slot(page: object) -> str:
    """Tab to the first on-site slot in the Werkraum (else the first slot); its href."""
    werkraum = f"a.slot-list__slot[href*='/sprechstunde/{schedule_code(WERKRAUM_HOUR)}/']"
    selector = werkraum if page.locator(werkraum).count() else "a.slot-list__slot"  # type: ignore[attr-defined]
    tab_to(page, selector)
    return page.evaluate("document.activeElement.getAttribute('href')")  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_anja_books_from_the_offer_page_by_keyboard_in_three_activations(
    page, booking_demo, axe_source
):
    page.goto(OFFER_PATH)
    clicks = Activations(page)

    tab_to(page, ".booking-cta a")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Termin buchen"
    clicks.enter()
    assert re.search(r"/n/feldberg/termine/angebot/aa-nb-arbeitgeber-service/$", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Termin buchen"
    assert page.locator("a.slot-list__slot").count() > 0
    assert_no_violations(page, axe_source)

    href = focus_a_slot(page)
    starts = local_start(href)
    clicks.enter()
    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Angaben"
    assert german(starts, "j. F Y, H:i") in page.locator("main").inner_text()
    assert_no_violations(page, axe_source)

    type_into(page, "#id_name", "Anja Muster")
    type_into(page, "#id_company", "Hotel am See")
    type_into(page, "#id_email", "anja@hotel-am-see.example")
    type_into(page, "#id_phone", "039831 12345")
    type_into(page, "#id_concern", "Unser Koch hört vor der Saison auf.")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    tab_to(page, "main button[type='submit']")
    clicks.enter()

    assert clicks.count == 3
    assert re.search(r"/n/feldberg/termine/termin/[A-Z0-9]+/[^/]+/$", page.url)
    main = page.locator("main").inner_text()
    assert "Ihr Termin ist gebucht." in main
    # The time as the slot was offered, in German time: e.g. "Donnerstag, 3. Dezember 2026, 09:00"
    assert german(starts, "l, j. F Y, H:i") in main
    assert "Uhr" in main
    from anlaufstelle.booking.models import Booking

    with scopes_disabled():
        booking = Booking.objects.select_related("slot__schedule__room").get()
        schedule = booking.slot.schedule
    assert booking.slot.starts_at == starts
    if schedule.format == "vor_ort":
        assert "Werkraum Feldberg" in main
        assert "Besprechungsraum" in main
    elif schedule.format == "telefon":
        assert schedule.phone_note in main
    else:
        assert booking.video_url and booking.video_url in main
    assert_no_violations(page, axe_source)

    # The confirmation e-mail with the appointment for her calendar.
    [confirmation] = [m for m in mail.outbox if m.to == ["anja@hotel-am-see.example"]]
    assert german(starts, "d.m.Y, H:i") in confirmation.body
    assert any(name.endswith(".ics") for name, _content, _type in confirmation.attachments)

    # The cancel page from the confirmation: reached and used by keyboard, no violations.
    tab_to(page, "main a[href*='/absagen/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/absagen/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Termin absagen"
    assert german(starts, "l, j. F Y, H:i") in page.locator("main").inner_text()
    assert_no_violations(page, axe_source)
    tab_to(page, "main button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Termin abgesagt"
    assert_no_violations(page, axe_source)
    with scopes_disabled():
        booking.refresh_from_db()
    assert booking.status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_the_form_says_what_is_wrong_in_german_and_keeps_the_input(page, booking_demo, axe_source):
    page.goto(OFFER_PATH)
    tab_to(page, ".booking-cta a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focus_a_slot(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    type_into(page, "#id_name", "Anja Muster")
    type_into(page, "#id_company", "Hotel am See")
    type_into(page, "#id_email", "anja-at-hotel-am-see")
    type_into(page, "#id_concern", "Koch gesucht")
    tab_to(page, "main button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    main = page.locator("main").inner_text()
    assert "Bitte prüfen Sie Ihre Angaben." in main
    assert "Bitte gültige E-Mail-Adresse eingeben." in main
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in main
    assert page.locator("#id_name").input_value() == "Anja Muster"
    assert page.locator("#id_company").input_value() == "Hotel am See"
    assert page.locator("#id_email").input_value() == "anja-at-hotel-am-see"
    assert page.locator("#id_concern").input_value() == "Koch gesucht"
    # Each message is tied to its field, so a screen reader reads it with the field.
    assert described_error(page, "#id_email") == "Bitte gültige E-Mail-Adresse eingeben."
    assert described_error(page, "#id_consent") == (
        "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu."
    )
    assert_no_violations(page, axe_source)

    # Corrected by keyboard: the fourth activation books.
    tab_to(page, "#id_email")
    page.keyboard.press("Control+A")
    page.keyboard.type("anja@hotel-am-see.example")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "main button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ihr Termin ist gebucht." in page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_expert_sees_the_booking_in_the_calendar_and_books_for_a_caller(
    page, browser, live_server, booking_demo, axe_source
):
    from anlaufstelle.booking import queries, services
    from anlaufstelle.booking.models import Booking, Schedule
    from anlaufstelle.networks.models import Network
    from anlaufstelle.networks.scoping import network_scope

    with scopes_disabled():
        feldberg = Network.objects.get(slug="feldberg")
        werkraum = Schedule.objects.get(title=WERKRAUM_HOUR)
    with network_scope(feldberg):
        first, second = queries.free_slots([werkraum], limit=2)
        services.book_slot(
            schedule=werkraum,
            starts_at=first.starts_at,
            name="Anja Muster",
            company="Hotel am See",
            email="anja@hotel-am-see.example",
            concern="Koch für die Saison",
            consent=True,
        )
    local = first.starts_at.astimezone(BERLIN)

    # Jens logs in (allauth; no second factor in the demo) by keyboard.
    page.set_viewport_size({"width": 1280, "height": 900})
    calendar = f"/n/feldberg/termine/kalender/?tag={local.date().isoformat()}&ansicht=woche"
    page.goto("/accounts/login/?next=" + calendar.replace("&", "%26"))
    type_into(page, "input[name='login']", "partner.feldberg@demo.example")
    type_into(page, "input[name='password']", DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/termine/kalender/"))

    assert page.get_by_role("heading", level=1).inner_text() == "Meine Termine"
    week = page.locator("main").inner_text()
    assert german(local, "l, j. F Y") in week
    assert "Anja Muster, Hotel am See" in week
    assert f"{local:%H:%M}–" in week
    assert_no_violations(page, axe_source)

    page.goto(f"/n/feldberg/termine/kalender/?tag={local.date().isoformat()}&ansicht=tag")
    assert "Anja Muster, Hotel am See" in page.locator("main").inner_text()
    assert_no_violations(page, axe_source)

    # A company calls: Jens books the next slot for it with the staff form, by keyboard.
    tab_to(page, "#id_slot")
    page.locator("#id_slot").select_option(f"{werkraum.code}:{second.key}")
    type_into(page, "#id_name", "Murat Yilmaz")
    type_into(page, "#id_company", "Metallbau Yilmaz")
    type_into(page, "#id_email", "murat@metallbau.example")
    type_into(page, "#id_concern", "CNC-Fachkräfte aus der Türkei")
    tab_to(page, ".staff-book-form button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Without the company's consent nothing is booked; the form says why, in German.
    assert described_error(page, "#id_consent") == (
        "Bitte bestätigen Sie, dass der Betrieb eingewilligt hat."
    )
    assert page.locator("#id_name").input_value() == "Murat Yilmaz"
    assert_no_violations(page, axe_source)
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, ".staff-book-form button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    second_local = second.starts_at.astimezone(BERLIN)
    assert "gebucht=" in page.url
    main = page.locator("main").inner_text()
    assert f"Termin für Murat Yilmaz am {german(second_local, 'l, j. F Y, H:i')}" in main
    assert "Murat Yilmaz, Metallbau Yilmaz" in main
    assert "Gebucht von Partner Werkraum Feldberg (Demo)" in main
    assert_no_violations(page, axe_source)
    with scopes_disabled():
        murat = Booking.objects.get(email="murat@metallbau.example")
    assert murat.booked_by.email == "partner.feldberg@demo.example"
    assert murat.consent_note.startswith("Telefonisch erteilt gegenüber ")
    assert any(m.to == ["murat@metallbau.example"] for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_a_company_reserves_a_room_in_stuttgart_without_violations(page, booking_demo, axe_source):
    from anlaufstelle.booking.models import Reservation

    page.goto("/n/region-stuttgart/termine/")
    assert_no_violations(page, axe_source)
    tab_to(page, "main a[href*='/termine/raeume/']")
    name = page.evaluate("document.activeElement.textContent.trim()")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert name in page.get_by_role("heading", level=1).inner_text()
    assert_no_violations(page, axe_source)

    # A working day with the room open: the first day the page does not call closed.
    from anlaufstelle.booking import slots as slot_rules

    day = datetime.now(BERLIN).date()
    holidays = slot_rules.public_holidays("BW", [day.year, day.year + 1])
    while True:
        day = day.fromordinal(day.toordinal() + 1)
        if day.weekday() < 5 and day not in holidays:
            break
    page.locator("#id_day").fill(day.isoformat())
    page.locator("#id_start").fill("10:00")
    page.locator("#id_end").fill("12:00")
    type_into(page, "#id_name", "Murat Yilmaz")
    type_into(page, "#id_company", "Metallbau Yilmaz")
    type_into(page, "#id_email", "murat@metallbau.example")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "main button[type='submit']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Reservierung"
    main = page.locator("main").inner_text()
    assert "10:00" in main and "12:00" in main
    assert_no_violations(page, axe_source)
    with scopes_disabled():
        reservation = Reservation.objects.get()
    assert reservation.network.slug == "region-stuttgart"
    assert reservation.starts_at.astimezone(BERLIN).hour == 10
