"""The Mediathek in a real browser: play an episode by keyboard, load a video only on request,
and axe-core finds no WCAG violation on the list, episode, article and video pages."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django_scopes import scopes_disabled
from test_accessibility import describe, run_axe
from test_journeys import tab_to

from anlaufstelle.mediathek.demo_files import silent_wav
from anlaufstelle.mediathek.models import Article, Episode, Video

EXTERNAL_HOST = "video.example.net"


@pytest.fixture
def mediathek(transactional_db: None, personas: object, settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    settings.SEARCH_AUTO_INDEX = False  # type: ignore[attr-defined]
    network = personas.feldberg.network  # type: ignore[attr-defined]
    with scopes_disabled():
        episode = Episode(
            network=network,
            slug="folge-1",
            title="Folge 1: Ausbildung im Tourismus",
            summary="Zwei Betriebe erzählen.",
            show_notes='<p>Mehr bei der <a href="https://www.arbeitsagentur.de">Agentur</a>.</p>',
            transcript="Sprecherin: Willkommen zur ersten Folge.",
            is_published=True,
        )
        episode.audio = ContentFile(silent_wav(3), name="folge.wav")
        episode.full_clean()
        episode.save()
        Article.objects.create(
            network=network, slug="azubis", title="Azubis finden", is_published=True,
            body="<h2>Erste Schritte</h2><p>Früh ausschreiben.</p>",
        )  # fmt: skip
        Video.objects.create(
            network=network, slug="webinar", title="Webinar Ausbildung", is_published=True,
            external_url=f"https://{EXTERNAL_HOST}/embed/1",
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_episode_plays_by_keyboard(page, mediathek):
    page.goto("/n/feldberg/mediathek/")
    tab_to(page, "a[href='/n/feldberg/mediathek/podcast/folge-1/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/podcast/folge-1/")
    # Nothing of the file loads before the visitor asks for it (preload="none": slow phones)...
    assert page.evaluate("document.getElementById('episode-audio').readyState") == 0
    tab_to(page, "#episode-audio")
    page.keyboard.press("Space")
    # Polled through page.evaluate: wait_for_function compiles its string in the page,
    # which the site's CSP (no 'unsafe-eval') refuses.
    wait_until(page, "!document.getElementById('episode-audio').paused")
    # ...then the browser reads the file's length through our ranged responses.
    wait_until(page, "document.getElementById('episode-audio').readyState >= 1")
    assert round(page.evaluate("document.getElementById('episode-audio').duration")) == 3
    assert page.get_by_text("Sprecherin: Willkommen zur ersten Folge.").is_visible()


@pytest.mark.django_db(transaction=True)
def test_an_external_video_loads_only_after_the_click(page, mediathek):
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/n/feldberg/mediathek/video/webinar/")
    assert page.locator("iframe").count() == 0
    assert not [url for url in requested if EXTERNAL_HOST in url]
    tab_to(page, "a[href$='/video/webinar/laden/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/video/webinar/laden/")
    assert page.locator(f"iframe[src^='https://{EXTERNAL_HOST}/']").count() == 1
    page.wait_for_timeout(500)
    # This page's policy names the platform: the browser tried the frame, the CSP let it.
    assert [url for url in requested if EXTERNAL_HOST in url]
    assert refused == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["", "podcast/folge-1/", "artikel/azubis/", "video/webinar/", "?art=podcast"]
)
def test_mediathek_pages_have_no_wcag_violations(page, mediathek, axe_source, path):
    page.goto(f"/n/feldberg/mediathek/{path}")
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)
