"""The assistant in chromium: a keyboard-only conversation in the panel, axe with the
panel open, and the widget on another site (a tiny http.server on another port)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect
from test_accessibility import describe, run_axe


@pytest.fixture(autouse=True)
def offline(settings):
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_RATE_LIMITS = {}


@pytest.fixture
def wide(browser, live_server) -> Iterator[object]:
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus (keyboard only, as a visitor would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus")


def open_panel_by_keyboard(page) -> None:
    tab_to(page, "#assistant-open")
    page.keyboard.press("Enter")
    page.wait_for_selector("#assistant-dock #assistant-panel")
    expect(page.locator("#assistant-message")).to_be_focused()


@pytest.mark.django_db(transaction=True)
def test_a_keyboard_only_conversation_in_the_panel(wide, sites):
    page = wide
    page.goto("/n/feldberg/angebote/")
    open_panel_by_keyboard(page)
    page.keyboard.type("Guten Tag")
    tab_to(page, "#assistant-panel .assistant-compose button[type=submit]", limit=3)
    page.keyboard.press("Enter")
    page.wait_for_selector(".assistant-turn--assistant")
    # Focus is back in the message box, and the answer was put into the live region.
    expect(page.locator("#assistant-message")).to_be_focused()
    announced = page.text_content("#assistant-announce")
    answer = page.text_content(".assistant-turn--assistant .assistant-turn__text")
    assert announced.strip() and announced.strip() == answer.strip()
    assert page.get_attribute("#assistant-announce", "aria-live") == "polite"
    page.keyboard.type("Wir suchen einen Azubi als Koch")
    tab_to(page, "#assistant-panel .assistant-compose button[type=submit]", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator(".assistant-turn--assistant")).to_have_count(2)
    # Escape closes the panel and gives the focus back to the opener.
    page.focus("#assistant-message")
    page.keyboard.press("Escape")
    expect(page.locator("#assistant-open")).to_be_focused()
    expect(page.locator("#assistant-panel")).to_have_count(0)


ASSISTANT_SCRIPT_LOADED = """() => performance.getEntriesByType("resource").some(
    entry => /\\/assistant\\/assistant[.]([0-9a-f]+[.])?js$/.test(entry.name))"""


@pytest.mark.django_db(transaction=True)
def test_the_dock_script_is_loaded_only_when_the_assistant_is_used(wide, sites):
    page = wide
    page.goto("/n/feldberg/angebote/")
    page.wait_for_load_state("load")
    # A visitor who never goes near the assistant evaluates only the small loader.
    assert page.locator("script[data-assistant-src]").count() == 1
    assert not page.evaluate(ASSISTANT_SCRIPT_LOADED)
    open_panel_by_keyboard(page)
    assert page.evaluate(ASSISTANT_SCRIPT_LOADED)
    expect(page.locator("#assistant-open")).to_have_attribute("aria-expanded", "true")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["panel", "page"])
def test_axe_finds_no_violation_with_the_assistant_open(page, sites, axe_source, where):
    if where == "panel":
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/n/feldberg/angebote/")
        page.click("#assistant-open")
        page.wait_for_selector("#assistant-dock #assistant-panel")
    else:
        page.goto("/n/feldberg/assistent/")
    page.fill("#assistant-message", "Wir suchen einen Azubi")
    page.click(".assistant-compose button[type=submit]")
    page.wait_for_selector(".assistant-turn--assistant")
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_site(tmp_path: Path, live_server) -> Iterator[str]:
    """A network's own website on another port, with the widget's script tag."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Portal</title>'
        f'<script src="{live_server.url}/n/feldberg/assistent/widget.js" defer></script>'
        "</head><body><main><h1>Fachkräfte-Portal</h1></main></body></html>",
        encoding="utf-8",
    )
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def allow_origin(origin: str) -> None:
    from anlaufstelle.assistant.models import AssistantSettings
    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        network = Network.objects.get(slug="feldberg")
        AssistantSettings.objects.update_or_create(
            network=network, defaults={"allowed_origins": origin}
        )


@pytest.mark.django_db(transaction=True)
def test_the_widget_on_another_site_whose_origin_is_allowed(wide, sites, other_site, axe_source):
    allow_origin(other_site)
    page = wide
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None)
    page.goto(other_site + "/")
    page.get_by_role("button", name="Fragen Sie den Assistenten").focus()
    page.keyboard.press("Enter")
    button = page.locator("button[aria-controls=anlaufstelle-assistant-frame]")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(button).to_have_text("Assistenten schließen")
    frame = page.frame_locator("#anlaufstelle-assistant-frame")
    frame.locator("#assistant-message").fill("Guten Tag")
    frame.locator(".assistant-compose button[type=submit]").click()
    frame.locator(".assistant-turn--assistant").wait_for()
    assert "Gespräch lesen" in frame.locator(".assistant-privacy").text_content()
    assert blocked == []
    # The embedded page itself has no accessibility violation either.
    embedded = page.frame(url=lambda u: "eingebettet=1" in u)
    violations = run_axe(embedded, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


@pytest.mark.django_db(transaction=True)
def test_the_widget_is_refused_on_a_site_that_is_not_allowed(wide, sites, other_site):
    allow_origin("https://www.anderes-portal.example")
    page = wide
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text))
    page.goto(other_site + "/")
    page.get_by_role("button", name="Fragen Sie den Assistenten").click()
    page.wait_for_timeout(1500)
    frame = page.frame(url=lambda u: "/assistent/" in u)
    assert frame is None or frame.query_selector("#assistant-message") is None
    assert any("frame-ancestors" in text for text in blocked)
