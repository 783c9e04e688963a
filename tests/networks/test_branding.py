"""Coordinators edit their network's settings and branding; the site header shows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anlaufstelle.networks.branding import contrast_with_white, svg_problem

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
CLEAN_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
    b'<rect width="10" height="10" fill="url(#g)"/><use href="#g"/></svg>'
)
UNSAFE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "foreign": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>'
    ),
    "external-href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href="https://evil.example/"><rect/></a></svg>'
    ),
    "javascript-href": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>'
    ),
    "external-image": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/t.png"/></svg>'
    ),
    "css-url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(https://x.example/a)}'
        b"</style><rect/></svg>"
    ),
    "entity": (
        b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    ),
    "not-xml": b"<svg><rect></svg",
    "html": b"<html><body>hi</body></html>",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def change_url(network: Any) -> str:
    return f"/admin/networks/network/{network.pk}/change/"


def coordinator_form(network: Any, **changes: Any) -> dict[str, Any]:
    """What a coordinator's browser sends: only the fields that are not read-only."""
    data = {
        "name": network.name,
        "short_name": network.short_name,
        "bundesland": network.bundesland,
        "description": network.description,
        "place": network.place,
        "address": network.address,
        "opening_hours": network.opening_hours,
        "team_functions": network.team_functions,
        "contact_email": network.contact_email,
        "contact_phone": network.contact_phone,
        "host_provider_slug": network.host_provider_slug,
        "logo_alt": network.logo_alt,
        "accent_color": network.accent_color,
        "tagline": network.tagline,
    }
    data.update(changes)
    return data


def test_coordinators_open_their_network_settings(client, personas):
    client.force_login(personas.feldberg.coordinator)
    response = client.get(change_url(personas.feldberg.network))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="accent_color"' in page
    assert 'name="slug"' not in page


def test_operators_open_every_network_settings_page(client, personas):
    client.force_login(personas.operator)
    response = client.get(change_url(personas.feldberg.network))
    assert response.status_code == 200
    assert 'name="slug"' in response.content.decode()


def test_coordinators_cannot_open_another_networks_settings(client, personas):
    client.force_login(personas.stuttgart.coordinator)
    response = client.get(change_url(personas.feldberg.network))
    assert response.status_code == 302  # Django's admin: "does not exist" back to the index
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize("role", ["navigator", "partner_expert"])
def test_other_staff_cannot_open_the_network_settings(client, personas, role):
    client.force_login(getattr(personas.feldberg, role))
    assert client.get(change_url(personas.feldberg.network)).status_code == 403


def test_coordinators_brand_their_network(client, personas, media):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    data = coordinator_form(
        network,
        accent_color="#5a1e6e",
        tagline="Fachkräfte für die Seenplatte",
        logo_alt="Werkraum-Logo: ein Haus am See",
        logo=SimpleUploadedFile("logo.svg", CLEAN_SVG, content_type="image/svg+xml"),
    )
    response = client.post(change_url(network), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    network.refresh_from_db()
    assert network.slug == "feldberg"
    assert network.accent_color == "#5a1e6e"
    assert network.logo.name.startswith("branding/")

    client.logout()
    page = client.get("/n/feldberg/").content.decode()
    assert 'alt="Werkraum-Logo: ein Haus am See"' in page
    assert "Fachkräfte für die Seenplatte" in page
    assert 'href="/n/feldberg/branding.css?v=5a1e6e"' in page
    assert "style=" not in page

    css = client.get("/n/feldberg/branding.css")
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    assert "--site-action: #5a1e6e;" in css.content.decode()

    logo = client.get("/n/feldberg/logo")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/svg+xml"
    assert "sandbox" in logo["Content-Security-Policy"]
    assert logo.content == CLEAN_SVG


def test_a_png_logo_is_accepted(client, personas, media):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    data = coordinator_form(
        network, logo_alt="Logo", logo=SimpleUploadedFile("logo.png", PNG, "image/png")
    )
    assert client.post(change_url(network), data).status_code == 302
    logo = client.get("/n/feldberg/logo")
    assert logo["Content-Type"] == "image/png"
    assert logo.content == PNG


def test_the_other_network_keeps_its_own_look(client, personas, media):
    network = personas.feldberg.network
    network.accent_color = "#5a1e6e"
    network.save()
    page = client.get("/n/stuttgart/").content.decode()
    assert "branding.css" not in page
    assert client.get("/n/stuttgart/logo").status_code == 404


def test_a_too_light_colour_is_refused_with_a_german_message(client, personas):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    response = client.post(change_url(network), coordinator_form(network, accent_color="#ffcc00"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Diese Farbe ist zu hell" in page
    assert "4,5:1" in page
    network.refresh_from_db()
    assert network.accent_color == ""


def test_a_colour_that_is_not_a_hex_code_is_refused(client, personas):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    data = coordinator_form(network, accent_color="red;}body{")
    response = client.post(change_url(network), data)
    assert response.status_code == 200
    assert "Hex-Code" in response.content.decode()


def test_a_logo_needs_an_alternative_text(client, personas, media):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    data = coordinator_form(network, logo=SimpleUploadedFile("logo.png", PNG, "image/png"))
    response = client.post(change_url(network), data)
    assert response.status_code == 200
    assert "Bitte beschreiben Sie das Logo" in response.content.decode()


@pytest.mark.parametrize("kind", sorted(UNSAFE_SVGS))
def test_unsafe_svg_logos_are_refused(client, personas, media, kind):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    upload = SimpleUploadedFile("logo.svg", UNSAFE_SVGS[kind], "image/svg+xml")
    response = client.post(
        change_url(network), coordinator_form(network, logo_alt="x", logo=upload)
    )
    assert response.status_code == 200
    assert "Dieses SVG kann nicht verwendet werden" in response.content.decode()
    network.refresh_from_db()
    assert not network.logo


def test_other_files_and_large_logos_are_refused(client, personas, media):
    network = personas.feldberg.network
    client.force_login(personas.feldberg.coordinator)
    fake_png = SimpleUploadedFile("logo.png", b"GIF89a...", "image/png")
    page = client.post(change_url(network), coordinator_form(network, logo_alt="x", logo=fake_png))
    assert "keine PNG-Datei" in page.content.decode()
    big = SimpleUploadedFile("logo.png", PNG + b"\0" * 210_000, "image/png")
    page = client.post(change_url(network), coordinator_form(network, logo_alt="x", logo=big))
    assert "höchstens 200 KB" in page.content.decode()
    gif = SimpleUploadedFile("logo.gif", b"GIF89a", "image/gif")
    page = client.post(change_url(network), coordinator_form(network, logo_alt="x", logo=gif))
    assert "als SVG- oder PNG-Datei" in page.content.decode()


def test_contrast_follows_wcag():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#767676"), 2) == 4.54
    assert contrast_with_white("#777777") < 4.5


def test_the_clean_svg_passes_the_check():
    assert svg_problem(CLEAN_SVG) is None
