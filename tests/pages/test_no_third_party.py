"""No page of the site makes the browser talk to another host.

Rendered HTML of every page type and every stylesheet it links (with their @import and
url() references) are scanned. Allowed: links (<a href>) to the content's own outbound
targets (provider websites, offer sources), mailto:/tel:, and XML namespace names.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Offer

pytestmark = pytest.mark.django_db

OWN_HOSTS = {"", "testserver"}
NAMESPACE_URIS = ("http://www.w3.org/",)
URL_IN_TEXT = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s'")<>]*""")
CSS_REFERENCE = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
RESOURCE_ATTRIBUTES = {
    "src",
    "href",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "data-hx-get",
    "data-hx-post",
    "background",
    "manifest",
    "ping",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def is_foreign(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme in {"mailto", "tel", "data"}:
        return False
    return parts.netloc not in OWN_HOSTS


class ReferenceCollector(HTMLParser):
    """Collects every URL a browser would load or follow, with the tag that holds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.stylesheets: list[str] = []
        self.inline_text: list[str] = []
        self._in_raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in RESOURCE_ATTRIBUTES:
                urls = (
                    [part.split()[0] for part in value.split(",")] if name == "srcset" else [value]
                )
                self.references += [(tag, name, url) for url in urls if url]
            elif name == "style":
                self.inline_text.append(value)
        if tag == "link" and "stylesheet" in values.get("rel", ""):
            self.stylesheets.append(values.get("href", ""))
        if tag in {"script", "style"}:
            self._in_raw = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in_raw:
            self._in_raw = None

    def handle_data(self, data: str) -> None:
        if self._in_raw:
            self.inline_text.append(data)


def foreign_references(html: str, allowed_links: set[str]) -> list[str]:
    """Every reference in `html` to another host, except allowed outbound <a> links."""
    collector = ReferenceCollector()
    collector.feed(html)
    problems = []
    for tag, attribute, url in collector.references:
        if not is_foreign(url):
            continue
        if tag == "a" and attribute == "href" and url in allowed_links:
            continue
        problems.append(f"<{tag} {attribute}={url!r}>")
    for text in collector.inline_text:
        problems += [
            f"inline: {url!r}"
            for url in URL_IN_TEXT.findall(text)
            if not url.startswith(NAMESPACE_URIS)
        ]
    return problems


def foreign_css_references(css: str) -> list[str]:
    problems = [
        f"css: {url!r}" for url in URL_IN_TEXT.findall(css) if not url.startswith(NAMESPACE_URIS)
    ]
    for match in CSS_REFERENCE.finditer(css):
        url = match.group(1) or match.group(2)
        if is_foreign(url) and not url.startswith("data:"):
            problems.append(f"css reference: {url!r}")
    return sorted(set(problems))


def read_static(url: str) -> str:
    path = urlsplit(url).path
    assert path.startswith("/static/"), f"stylesheet outside /static/: {url}"
    found = finders.find(path.removeprefix("/static/"))
    assert found, f"stylesheet {url} is not a static file of the project"
    with open(found, encoding="utf-8") as css_file:
        return css_file.read()


def check_stylesheet(url: str, seen: set[str]) -> list[str]:
    """Scan a stylesheet and, recursively, what it imports; referenced files must exist."""
    if url in seen:
        return []
    seen.add(url)
    css = read_static(url)
    problems = foreign_css_references(css)
    for match in CSS_REFERENCE.finditer(css):
        reference = match.group(1) or match.group(2)
        if reference.startswith(("data:", "#")) or is_foreign(reference):
            continue
        target = urljoin(url, reference)
        if match.group(2) or target.endswith(".css"):
            problems += check_stylesheet(target, seen)
        else:
            found = finders.find(urlsplit(target).path.removeprefix("/static/"))
            assert found, f"{url} references the missing file {target}"
    return problems


@pytest.fixture
def site(personas):
    """Persona networks whose offers and providers link to outbound content."""
    with scopes_disabled():
        offer = personas.feldberg.offer
        offer.source_urls = ["https://www.arbeitsagentur.de/unternehmen/finanziell"]
        offer.save()
        provider = personas.feldberg.provider
        provider.website = "https://www.ihk.de/neubrandenburg"
        provider.save()
        allowed = {url for o in Offer.objects.all() for url in o.source_urls}
        allowed |= {personas.feldberg.provider.website}
    return personas, allowed


def page_urls(personas) -> list[tuple[str, dict[str, str]]]:
    urls: list[tuple[str, dict[str, str]]] = [("/", {}), ("/n/unbekannt/", {})]
    for slug, own in (("feldberg", personas.feldberg), ("stuttgart", personas.stuttgart)):
        urls += [
            (f"/n/{slug}/", {}),
            (f"/n/{slug}/angebote/", {}),
            (f"/n/{slug}/angebote/?thema=ausbildung&q=beratung", {}),
            (f"/n/{slug}/angebote/?thema=ausbildung", {"HTTP_HX_REQUEST": "true"}),
            (f"/n/{slug}/angebote/{own.offer.slug}/", {}),
            (f"/n/{slug}/angebote/{personas.bund_offer.slug}/", {}),
            (f"/n/{slug}/anlaufstellen/{own.provider.slug}/", {}),
            (f"/n/{slug}/anlaufstellen/{personas.bund_provider.slug}/", {}),
            (f"/n/{slug}/angebote/gibt-es-nicht/", {}),
        ]
        urls += [
            (f"/n/{slug}/seite/{kind}/", {})
            for kind in ("impressum", "datenschutz", "barrierefreiheit")
        ]
    return urls


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_page_references_another_host(site, language):
    personas, allowed = site
    client = Client()
    client.cookies["django_language"] = language
    problems: list[str] = []
    stylesheets: set[str] = set()
    outbound_seen: set[str] = set()

    for url, headers in page_urls(personas):
        response = client.get(url, **headers)
        assert response.status_code in {200, 404}, url
        html = response.content.decode()
        problems += [f"{url}: {problem}" for problem in foreign_references(html, allowed)]
        collector = ReferenceCollector()
        collector.feed(html)
        stylesheets |= set(collector.stylesheets)
        outbound_seen |= {ref[2] for ref in collector.references if ref[2] in allowed}

    seen: set[str] = set()
    for stylesheet in sorted(stylesheets):
        problems += [f"{stylesheet}: {p}" for p in check_stylesheet(stylesheet, seen)]

    assert problems == [], "references to other hosts:\n" + "\n".join(problems)
    # The scan saw the pages it is meant to see: our CSS, KERN's CSS and its fonts...
    assert {"/static/css/site.css"} <= stylesheets
    assert any(PurePosixPath(s).name == "fira-sans-subset.css" for s in seen)
    # ...and the outbound content links, which are allowed.
    assert outbound_seen == allowed - {""}


def test_every_stylesheet_in_the_project_stays_on_this_host():
    problems = []
    for path, storage in finders.get_finder(
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ).list([]):
        if path.endswith(".css"):
            with storage.open(path) as css_file:
                css = css_file.read().decode("utf-8")
            problems += [f"{path}: {p}" for p in foreign_css_references(css)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.com/htmx.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css?family=Fira">',
        '<img src="https://tracker.example.net/pixel.gif" alt="">',
        '<img srcset="/a.png 1x, https://cdn.example.org/a@2x.png 2x" alt="">',
        '<a href="https://not-an-offer-source.example.org/">Werbung</a>',
        '<div style="background: url(https://cdn.example.com/bg.png)"></div>',
        "<style>@import 'https://fonts.example.com/x.css';</style>",
        '<form action="https://collect.example.com/"></form>',
    ],
)
def test_the_scanner_catches_foreign_references(html):
    assert foreign_references(html, allowed_links={"https://www.ihk.de/"}) != []


@pytest.mark.parametrize(
    "css",
    [
        "@import url('https://fonts.googleapis.com/css2?family=Fira+Sans');",
        "@font-face { src: url(https://cdn.example.com/font.woff2); }",
        ".x { background: url(//cdn.example.com/x.png); }",
    ],
)
def test_the_css_scanner_catches_foreign_references(css):
    assert foreign_css_references(css) != []


def test_the_scanners_allow_own_paths_outbound_links_and_namespaces():
    html = (
        '<a href="https://www.ihk.de/">IHK</a><a href="mailto:a@b.example">Mail</a>'
        '<script src="/static/vendor/htmx-2.0.10/htmx.min.js"></script>'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
    )
    css = "a { background: url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>\"); }"

    assert foreign_references(html, allowed_links={"https://www.ihk.de/"}) == []
    assert foreign_css_references(css) == []
