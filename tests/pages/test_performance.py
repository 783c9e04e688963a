"""Fast on a slow phone, valid HTML, findable: the cheap checks behind docs/performance.md.

Lighthouse and the Nu HTML Checker run in benchmarks/pages.py (minutes, a browser); these
tests guard what they found in seconds: a meta description and a canonical link on every
public page, only `data-hx-*` attributes (valid HTML), /robots.txt, gzip for anonymous pages
only, subset fonts with `font-display: swap`, and the start page's transfer budget.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Offer

SRC_DIR = Path(__file__).resolve().parents[2] / "src" / "anlaufstelle"
# An htmx attribute without the data- prefix: `hx-get="…"`, `hx-swap-oob`, `hx-on:click`.
BARE_HTMX_ATTRIBUTE = re.compile(r"""(?<![\w-])hx-[a-z]+(?:[-:][a-z]+)*\s*=""")
START_PAGE_BUDGET = 150 * 1024
# Link texts Lighthouse's SEO audit calls non-descriptive (its English and German lists).
VAGUE_LINK_TEXTS = {
    "click here", "click this", "go", "here", "information", "learn more", "more",
    "more info", "more information", "right here", "read more", "see more", "start", "this",
    "klicke hier", "hier klicken", "hier", "mehr", "siehe", "dies", "das", "weiterlesen",
}  # fmt: skip


class HeadCollector(HTMLParser):
    """The meta description, canonical link and the resources the first paint loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.description: str | None = None
        self.canonical: str | None = None
        self.resources: list[str] = []  # stylesheets, scripts, preloads
        self.links: list[tuple[str, str]] = []  # (href, text) of <a>
        self.ids: list[str] = []
        self.current: list[str] = []  # hrefs of the links marked aria-current="page"
        self._anchor: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").split()
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and values.get("aria-current") == "page":
            self.current.append(values.get("href", ""))
        if tag == "meta" and values.get("name") == "description":
            self.description = values.get("content", "")
        elif tag == "link" and "canonical" in rel:
            self.canonical = values.get("href", "")
        elif tag == "link" and ("stylesheet" in rel or "preload" in rel):
            self.resources.append(values["href"])
        elif tag == "script" and values.get("src"):
            self.resources.append(values["src"])
        elif tag == "a":
            self._anchor, self._href = [], values.get("href", "")

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._anchor.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            self.links.append((self._href, " ".join("".join(self._anchor).split())))
            self._anchor = None


def collect(html: str) -> HeadCollector:
    collector = HeadCollector()
    collector.feed(html)
    return collector


@pytest.fixture
def public_pages(feldberg) -> list[str]:
    """The public page types of a network, as a visitor reaches them."""
    with scopes_disabled():
        offer = Offer.objects.filter(network=feldberg).select_related("provider").first()
    assert offer is not None
    base = f"/n/{feldberg.slug}/"
    return [
        "/",
        base,
        f"{base}angebote/",
        f"{base}angebote/{offer.slug}/",
        f"{base}anlaufstellen/{offer.provider.slug}/",
        f"{base}suche/?q=Ausbildung",
        f"{base}termine/",
        f"{base}anliegen/",
        f"{base}veranstaltungen/",
        f"{base}mediathek/",
        f"{base}assistent/",
        f"{base}seite/impressum/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_every_public_page_has_a_description_a_canonical_link_and_valid_htmx(
    public_pages, language
):
    client = Client()
    client.cookies["django_language"] = language
    for url in public_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        head = collect(html)
        assert head.description and len(head.description.strip()) >= 40, (url, head.description)
        assert head.canonical == f"http://testserver{urlsplit(url).path}", url
        assert not BARE_HTMX_ATTRIBUTE.search(html), url
        assert sorted({i for i in head.ids if head.ids.count(i) > 1}) == [], url
        vague = [text for _, text in head.links if text.lower() in VAGUE_LINK_TEXTS]
        assert vague == [], url


@pytest.mark.django_db
def test_the_main_navigation_marks_the_section_the_visitor_is_in(feldberg):
    """Also for the sections that are apps of their own (namespaced URLs)."""
    client = Client()
    base = f"/n/{feldberg.slug}/"
    for section in ("termine/", "anliegen/", "veranstaltungen/", "mediathek/", "assistent/"):
        assert base + section in collect(client.get(base + section).content.decode()).current


@pytest.mark.django_db
def test_the_network_pages_describe_the_network_and_the_page(feldberg, public_pages):
    client = Client()
    descriptions = {
        url: collect(client.get(url).content.decode()).description for url in public_pages
    }
    offers_page = descriptions[f"/n/{feldberg.slug}/angebote/"]
    assert feldberg.display_name in offers_page
    # Each page type says something of its own, not one text for the whole site.
    assert len(set(descriptions.values())) >= len(public_pages) - 2


def test_no_template_uses_a_bare_htmx_attribute():
    """htmx reads `data-hx-*` as well; the bare `hx-*` attributes are invalid HTML."""
    offenders = [
        f"{path.relative_to(SRC_DIR)}: {match.group(0)}"
        for path in sorted(SRC_DIR.rglob("*.html"))
        for match in BARE_HTMX_ATTRIBUTE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_the_back_office_only(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = response.content.decode().splitlines()
    assert rules[0] == "User-agent: *"
    disallowed = [line.removeprefix("Disallow: ") for line in rules[1:]]
    assert {"/admin/", "/api/", "/n/*/anliegen/lotsen/"} <= set(disallowed)
    # The public pages stay crawlable (Lighthouse's SEO audit checks exactly this).
    assert not [path for path in disallowed if path in {"/", "/n/", "/n/*/", "/n/*/suche/"}]
    assert client.post("/robots.txt").status_code == 405


@pytest.mark.django_db
def test_anonymous_pages_are_gzipped_and_staff_pages_are_not(feldberg, coordinator):
    client = Client()
    url = f"/n/{feldberg.slug}/angebote/"
    plain = client.get(url)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content).decode().count("<main") == 1
    assert len(zipped.content) * 3 < len(plain.content)
    # Logged in, a page shows personal data next to reflected input: no compression (BREACH).
    client.force_login(coordinator)
    staff = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert staff.status_code == 200 and "Content-Encoding" not in staff


def test_the_font_stylesheet_swaps_and_points_at_small_subset_files():
    css_path = finders.find("fonts/fira-sans-subset.css")
    assert css_path
    css = Path(css_path).read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == 10
    for face in faces:
        assert "font-display: swap;" in face
        assert "unicode-range:" in face
        url = re.search(r'url\("\./([^"]+)"\)', face)
        assert url, face
        font = finders.find(f"fonts/{url.group(1)}")
        assert font and Path(font).stat().st_size < 20 * 1024, url.group(1)


def transferred_size(url: str) -> int:
    """Bytes a browser fetches for one static file: fonts as they are, text gzipped."""
    found = finders.find(urlsplit(url).path.removeprefix("/static/"))
    assert found, url
    data = Path(found).read_bytes()
    return len(data) if url.endswith(".woff2") else len(gzip.compress(data, compresslevel=9))


@pytest.mark.django_db
def test_the_start_page_stays_within_its_transfer_budget(feldberg):
    response = Client().get(f"/n/{feldberg.slug}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    head = collect(gzip.decompress(response.content).decode())
    assert any(r.endswith("FiraSans-Regular.woff2") for r in head.resources)
    static = [r for r in head.resources if r.startswith("/static/")]
    # The body text's weights: the preloads plus Medium (KERN's sublines) load on this page.
    fonts = {"/static/fonts/fira-sans-subset/FiraSans-Medium.woff2"} - set(static)
    total = len(response.content) + sum(transferred_size(url) for url in [*static, *fonts])
    assert total <= START_PAGE_BUDGET, f"{total / 1024:.0f} KiB"
