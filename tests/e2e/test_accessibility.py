"""axe-core finds no WCAG 2.1 A/AA violation on the public pages of both networks,
and the browser loads nothing from another host."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NETWORKS = ["feldberg", "region-stuttgart"]
PAGE_KINDS = ["start", "offer-list", "offer-list-filtered", "offer", "provider"]


def path_for(kind: str, sample: object) -> str:
    slug = sample.slug  # type: ignore[attr-defined]
    return {
        "start": f"/n/{slug}/",
        "offer-list": f"/n/{slug}/angebote/",
        "offer-list-filtered": f"/n/{slug}/angebote/?thema={sample.topic_slug}",  # type: ignore[attr-defined]
        "offer": f"/n/{slug}/angebote/{sample.offer_slug}/",  # type: ignore[attr-defined]
        "provider": f"/n/{slug}/anlaufstellen/{sample.provider_slug}/",  # type: ignore[attr-defined]
    }[kind]


def run_axe(page: object, axe_source: str) -> list[dict]:
    # Evaluated through the DevTools protocol: an inline <script> tag would be refused by
    # the site's Content-Security-Policy (script-src 'self').
    page.evaluate(axe_source)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']!r}")
            lines.append(f"    {node['html'][:200]}")
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_has_no_wcag_violations(page, sites, axe_source, live_server, network, kind):
    sample = sites[network]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(path_for(kind, sample))
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)
    own_host = urlsplit(live_server.url).netloc
    foreign = [url for url in requested if urlsplit(url).netloc not in {own_host, ""}]
    assert foreign == [], f"the page loaded from other hosts: {json.dumps(foreign)}"
    assert any("/static/css/site.css" in url for url in requested)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["start", "offer-list-filtered", "offer"])
def test_page_has_no_wcag_violations_in_english_on_a_wide_screen(page, sites, axe_source, kind):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path_for(kind, sites["feldberg"]))
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "en"
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


@pytest.mark.django_db(transaction=True)
def test_axe_finds_violations_when_there_are_some(page, sites, axe_source):
    """Guards the guard: a page with known faults must not pass."""
    page.goto("/n/feldberg/")
    page.evaluate(
        """() => {
            const main = document.getElementById('main');
            main.insertAdjacentHTML('beforeend',
                '<img src="/static/css/site.css"><p id="pale">blass</p><input type="text">');
            // Through the CSSOM: the CSP refuses style="" attributes in markup.
            const pale = document.getElementById('pale');
            pale.style.color = '#bbb';
            pale.style.background = '#fff';
        }"""
    )

    found = {violation["id"] for violation in run_axe(page, axe_source)}

    assert {"image-alt", "color-contrast", "label"} <= found
