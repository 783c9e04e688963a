"""The direct chat inside a booking, in two real browsers through the ASGI server.

A company opens its booking's page (the signed link from its confirmation e-mail),
follows the link to the chat and writes; the expert who holds the consultation hour
(signed in) sees the unread count in the calendar, opens the chat from there and
answers. Each message must appear on the other screen well before the 5-second polling
fallback could bring it, so it travelled over the WebSocket and the channel layer. axe-core
finds no violations on the booking page with its chat link and on both chat pages.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from test_accessibility import describe, run_axe
from test_cases import log_in
from test_chat import LIVE_MS, send, thread, use_layer, wait_live

from anlaufstelle.booking import queries, services, tokens
from anlaufstelle.networks.scoping import network_scope
from booking.conftest import booking_data, make_schedule


def new_booking(feldberg: object) -> object:
    """A video appointment in the hour held by Feldberg's partner expert."""
    network = feldberg.network  # type: ignore[attr-defined]
    schedule = make_schedule(
        network,
        feldberg.provider,  # type: ignore[attr-defined]
        expert=feldberg.partner_expert,  # type: ignore[attr-defined]
        fmt="video",
    )
    with network_scope(network):
        slot = queries.free_slots([schedule], limit=1)[0]
        return services.book_slot(schedule=schedule, starts_at=slot.starts_at, **booking_data())


def assert_no_violations(tab: object, axe_source: str) -> None:
    violations = run_axe(tab, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


@pytest.mark.django_db(transaction=True)
def test_company_and_expert_chat_in_a_booking_in_real_time(
    browser, live_server, personas, settings, axe_source
):
    use_layer(settings, "memory")
    feldberg = personas.feldberg
    booking = new_booking(feldberg)
    token = tokens.make_token(booking, "view")
    company_context = browser.new_context(
        locale="de-DE", viewport={"width": 390, "height": 844}, base_url=live_server.url
    )
    company_context.set_default_timeout(10_000)
    company = company_context.new_page()
    expert_context, expert = log_in(
        browser,
        live_server,
        feldberg.partner_expert,
        personas.password,
        "/n/feldberg/termine/kalender/",
    )
    day = timezone.localtime(booking.slot.starts_at).date().isoformat()
    calendar = f"/n/feldberg/termine/kalender/?tag={day}&ansicht=tag"
    try:
        # The company: from its booking page to the chat.
        company.goto(f"/n/feldberg/termine/termin/{booking.code}/{token}/")
        assert_no_violations(company, axe_source)
        company.get_by_role("link", name="Der Expertin oder dem Experten schreiben").click()
        expect(company.get_by_role("heading", level=1)).to_contain_text("Direkt-Chat")
        wait_live(company)
        send(company, "Guten Tag, soll ich zum Termin Unterlagen vorbereiten?")
        expect(thread(company)).to_contain_text("Unterlagen vorbereiten")

        # The expert: the calendar shows the unread message and leads to the chat.
        expert.goto(calendar)
        expect(expert.locator("main")).to_contain_text("1 ungelesene Nachricht")
        expert.get_by_role("link", name="Mit dem Betrieb chatten").click()
        wait_live(expert)
        expect(thread(expert)).to_contain_text("Unterlagen vorbereiten")
        # The expert's page read it: the company sees "gelesen" without reloading.
        expect(company.locator("[data-mine] .chat-read").first).to_have_text(
            "gelesen", timeout=LIVE_MS
        )
        send(expert, "Ja, bitte die Stellenbeschreibung. 5 < 7 & so")
        expect(thread(company)).to_contain_text(
            "Ja, bitte die Stellenbeschreibung. 5 < 7 & so", timeout=LIVE_MS
        )
        expect(thread(company)).to_contain_text("Partner: Partner Werkraum Feldberg")
        send(company, "Mache ich, bis dann!")
        expect(thread(expert)).to_contain_text("Mache ich, bis dann!", timeout=LIVE_MS)
        # HTML is refused with a clear message on the sender's page only.
        send(company, "<b>fett</b>")
        expect(company.locator("#chat-alert")).to_contain_text("ohne HTML")
        for tab in (company, expert):
            bodies = tab.locator("#chat-thread .chat-body").all_inner_texts()
            assert bodies == [
                "Guten Tag, soll ich zum Termin Unterlagen vorbereiten?",
                "Ja, bitte die Stellenbeschreibung. 5 < 7 & so",
                "Mache ich, bis dann!",
            ]
        assert_no_violations(company, axe_source)
        assert_no_violations(expert, axe_source)
        # Back on the calendar nothing is unread any more.
        expert.goto(calendar)
        expect(expert.locator("main")).not_to_contain_text("ungelesene Nachricht")
    finally:
        company_context.close()
        expert_context.close()
