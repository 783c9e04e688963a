"""A coordinator brands the network in the back office and sees it in the site header."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
    b'<circle cx="20" cy="20" r="18" fill="#5a1e6e"/></svg>'
)


def staff_context(browser: object, live_server: object, user: object) -> object:
    """A browser context with the user's session (the login page is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    host = live_server.url.split("//", 1)[1].split(":")[0]  # type: ignore[attr-defined]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return context


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_sets_logo_colour_and_tagline_and_sees_them_in_the_header(
    browser, live_server, personas, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    logo_file = tmp_path / "werkraum.svg"
    logo_file.write_bytes(LOGO)
    network = personas.feldberg.network
    context = staff_context(browser, live_server, personas.feldberg.coordinator)
    tab = context.new_page()

    tab.goto(f"/admin/networks/network/{network.pk}/change/")
    tab.set_input_files("input[name='logo']", str(logo_file))
    tab.fill("input[name='logo_alt']", "Werkraum Feldberg: Kreis in Violett")
    tab.fill("input[name='accent_color']", "#5a1e6e")
    tab.fill("input[name='tagline']", "Fachkräfte für die Seenplatte")
    with tab.expect_navigation():
        tab.click("input[name='_save']")
    expect(tab.locator(".messagelist")).to_be_visible()
    assert "/change/" not in tab.url

    tab.goto("/n/feldberg/")
    logo = tab.locator(".site-header img.site-brand__logo")
    expect(logo).to_have_attribute("alt", "Werkraum Feldberg: Kreis in Violett")
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(tab.locator(".site-brand__tagline")).to_have_text("Fachkräfte für die Seenplatte")
    border = tab.locator(".site-header").evaluate("el => getComputedStyle(el).borderBottomColor")
    assert border == "rgb(90, 30, 110)"

    # A colour below KERN's contrast is refused on save with a German message.
    tab.goto(f"/admin/networks/network/{network.pk}/change/")
    tab.fill("input[name='accent_color']", "#ffcc00")
    with tab.expect_navigation():
        tab.click("input[name='_save']")
    expect(tab.locator(".errorlist")).to_contain_text("Diese Farbe ist zu hell")
    context.close()
