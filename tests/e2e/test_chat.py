"""The direct chat and the waiting room in two real browsers, through the ASGI server.

A company (its status link, no account) and a navigator (signed in) write to each other;
each message must appear on the other screen well before the 5-second polling fallback
could bring it, so it travelled over the WebSocket and the channel layer: once through
the in-memory layer, once through Redis (127.0.0.1:6379; in CI a missing Redis fails).
After the server restarts, both pages reconnect and nothing written meanwhile is lost.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect
from test_accessibility import describe, run_axe
from test_cases import log_in

from anlaufstelle.cases import links
from anlaufstelle.cases import services as case_services
from anlaufstelle.networks.scoping import network_scope

# Well below the 5 s polling interval: a message this fast came over the socket.
LIVE_MS = 2500


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def use_layer(settings: object, layer: str) -> None:
    if layer == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}  # type: ignore[attr-defined]
        return
    if not redis_reachable():
        # In CI a skip would hide the Redis test for good: .ci/run starts Redis, so fail.
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CHANNEL_LAYERS = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": ["redis://127.0.0.1:6379/0"],
                "prefix": f"anl-chat-test-{uuid.uuid4().hex[:8]}",
            },
        }
    }


def new_concern(network: object) -> object:
    with network_scope(network):
        return case_services.submit_concern(
            network=network,
            text="Wir suchen zwei Köche für die Saison und brauchen schnell Rat.",
            contact_name="Anja Muster",
            company_name="Hotel am See",
            email="anja@hotel-am-see.example",
            consent=True,
        )


def company_tab(browser: object, live_server: object, concern: object):
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        base_url=live_server.url,  # type: ignore[attr-defined]
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    token = links.make_token(concern)
    tab.goto(f"/n/feldberg/anliegen/status/{concern.code}/{token}/chat/")  # type: ignore[attr-defined]
    return context, tab


def wait_live(tab: object) -> None:
    expect(tab.locator("html[data-chat-live='1']")).to_have_count(1, timeout=10_000)  # type: ignore[attr-defined]


def send(tab: object, text: str) -> None:
    tab.fill("#id_body", text)  # type: ignore[attr-defined]
    tab.get_by_role("button", name="Senden").click()  # type: ignore[attr-defined]


def thread(tab: object):
    return tab.locator("#chat-thread")  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layer", ["memory", "redis"])
def test_company_and_navigator_chat_in_real_time(
    browser, live_server, personas, settings, axe_source, layer
):
    use_layer(settings, layer)
    network = personas.feldberg.network
    with scopes_disabled():
        concern = new_concern(network)
    staff_path = f"/n/feldberg/anliegen/lotsen/{concern.code}/chat/"
    nav_context, nav = log_in(
        browser, live_server, personas.feldberg.navigator, personas.password, staff_path
    )
    company_context, company = company_tab(browser, live_server, concern)
    try:
        wait_live(company)
        wait_live(nav)
        send(company, "Guten Morgen, haben Sie heute Zeit für eine kurze Frage?")
        expect(thread(nav)).to_contain_text("haben Sie heute Zeit", timeout=LIVE_MS)
        send(nav, "Ja, gern. Worum geht es? <b>kein HTML</b> & so")
        # Refused with a clear message (tags), shown on the sender's page only.
        expect(nav.locator("#chat-alert")).to_contain_text("ohne HTML")
        send(nav, "Ja, gern. Worum geht es? 5 < 7 & so")
        expect(thread(company)).to_contain_text("Worum geht es? 5 < 7 & so", timeout=LIVE_MS)
        # The navigator's page read the company's message: the company sees "gelesen".
        expect(company.locator("[data-mine] .chat-read").first).to_have_text(
            "gelesen", timeout=LIVE_MS
        )
        # One thread: the company's status page lists the same messages.
        company.goto(f"/n/feldberg/anliegen/status/{concern.code}/{links.make_token(concern)}/")
        expect(company.locator("body")).to_contain_text("Worum geht es?")
        company.go_back()
        wait_live(company)
        violations = run_axe(company, axe_source)
        assert violations == [], "axe found violations:\n" + describe(violations)
        violations = run_axe(nav, axe_source)
        assert violations == [], "axe found violations:\n" + describe(violations)
    finally:
        company_context.close()
        nav_context.close()


@pytest.mark.django_db(transaction=True)
def test_both_pages_reconnect_after_a_server_restart_and_lose_no_message(
    browser, live_server, personas, settings
):
    use_layer(settings, "memory")
    network = personas.feldberg.network
    with scopes_disabled():
        concern = new_concern(network)
    staff_path = f"/n/feldberg/anliegen/lotsen/{concern.code}/chat/"
    nav_context, nav = log_in(
        browser, live_server, personas.feldberg.navigator, personas.password, staff_path
    )
    company_context, company = company_tab(browser, live_server, concern)
    try:
        wait_live(company)
        wait_live(nav)
        send(company, "Vor dem Neustart")
        expect(thread(nav)).to_contain_text("Vor dem Neustart", timeout=LIVE_MS)
        live_server.stop()
        expect(company.locator("html[data-chat-live='0']")).to_have_count(1)
        expect(nav.locator("html[data-chat-live='0']")).to_have_count(1)
        # Written while the server is down (as by the form on another app server).
        with scopes_disabled():
            case_services.add_message(
                concern=concern, body="Während des Neustarts", sender="navigator",
                by=personas.feldberg.navigator, notify=False,
            )  # fmt: skip
        live_server.start()
        wait_live(company)
        wait_live(nav)
        expect(thread(company)).to_contain_text("Während des Neustarts")
        send(nav, "Nach dem Neustart")
        expect(thread(company)).to_contain_text("Nach dem Neustart", timeout=LIVE_MS)
        send(company, "Angekommen")
        expect(thread(nav)).to_contain_text("Angekommen", timeout=LIVE_MS)
        # Every message once, in order, on both sides.
        for tab in (company, nav):
            bodies = tab.locator("#chat-thread .chat-body").all_inner_texts()
            assert bodies == [
                "Vor dem Neustart",
                "Während des Neustarts",
                "Nach dem Neustart",
                "Angekommen",
            ]
    finally:
        company_context.close()
        nav_context.close()


@pytest.mark.django_db(transaction=True)
def test_without_a_socket_the_chat_polls(browser, live_server, personas, settings):
    network = personas.feldberg.network
    with scopes_disabled():
        concern = new_concern(network)
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    # A browser (or proxy) without WebSockets: the page falls back to htmx polling.
    context.add_init_script("delete window.WebSocket;")
    tab = context.new_page()
    try:
        token = links.make_token(concern)
        tab.goto(f"/n/feldberg/anliegen/status/{concern.code}/{token}/chat/")
        with scopes_disabled():
            case_services.add_message(
                concern=concern, body="Per Abfrage angekommen", sender="navigator",
                by=personas.feldberg.navigator, notify=False,
            )  # fmt: skip
        expect(thread(tab)).to_contain_text("Per Abfrage angekommen", timeout=8000)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_expert_calls_the_next_company_which_gets_the_link_at_once(
    browser, live_server, personas, settings, axe_source
):
    from anlaufstelle.chat import openhours

    use_layer(settings, "memory")
    network = personas.feldberg.network
    now = timezone.now()
    with scopes_disabled():
        hour = openhours.create_open_hour(
            network=network,
            host=personas.feldberg.partner_expert,
            title="Offene Sprechstunde Fachkräfte aus dem Ausland",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        )
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    context.set_default_timeout(10_000)
    company = context.new_page()
    host_path = f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/"
    host_context, host = log_in(
        browser, live_server, personas.feldberg.partner_expert, personas.password, host_path
    )
    try:
        company.goto(f"/n/feldberg/sprechstunde/{hour.code}/")
        violations = run_axe(company, axe_source)
        assert violations == [], "axe found violations:\n" + describe(violations)
        company.fill("#id_name", "Murat Yilmaz")
        company.fill("#id_company_name", "Metallbau Yilmaz")
        company.get_by_role("button", name="In den Warteraum eintreten").click()
        expect(company.locator("#live-state")).to_contain_text("Ihr Platz in der Warteschlange: 1")
        expect(company.locator("#live-state[data-live='1']")).to_have_count(1)
        # The host's queue updates live too.
        expect(host.locator("#live-state")).to_contain_text("Murat Yilmaz", timeout=8000)
        host.get_by_role("button", name="Nächste Person aufrufen").click()
        expect(company.locator("#live-state")).to_contain_text(
            "Sie sind an der Reihe", timeout=LIVE_MS
        )
        link = company.get_by_role("link", name="Zur Videobesprechung")
        assert link.get_attribute("href") == hour.video_url
        violations = run_axe(company, axe_source)
        assert violations == [], "axe found violations:\n" + describe(violations)
    finally:
        context.close()
        host_context.close()
