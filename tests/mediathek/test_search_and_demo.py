"""The demo content loads twice without duplicates; search indexes and links Mediathek items."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.models import Article, Episode, Video
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchDocument

from .test_pages import make_article


@pytest.mark.django_db
def test_the_demo_loads_twice_and_every_item_is_labelled_demo(settings):
    settings.SEARCH_EMBEDDER = "none"
    call_command("load_demo", verbosity=0)
    call_command("load_mediathek_demo")
    call_command("load_mediathek_demo")
    with scopes_disabled():
        for model in (Article, Episode, Video):
            rows = model.objects.filter(network__slug="feldberg")
            assert rows.count() == 1, model
            assert all(row.is_demo and row.is_published for row in rows)
        episode = Episode.objects.get(network__slug="feldberg")
    assert (episode.audio_type, episode.duration_seconds) == ("audio/wav", 5)
    assert episode.transcript.startswith("[Demo-Inhalt")
    client = Client()
    for path in ("", "artikel/demo-auszubildende-finden/", "podcast/demo-folge-1/",
                 "video/demo-webinar/", "podcast.xml"):  # fmt: skip
        response = client.get(f"/n/feldberg/mediathek/{path}")
        assert response.status_code == 200, path
    assert "[Demo]" in client.get("/n/feldberg/mediathek/podcast.xml").content.decode()
    audio = client.get("/n/feldberg/mediathek/podcast/demo-folge-1/audio", HTTP_RANGE="bytes=0-3")
    assert b"".join(audio.streaming_content) == b"RIFF"


def test_published_items_are_indexed_and_open_their_page(personas, settings):
    settings.SEARCH_EMBEDDER = "none"
    make_article(
        personas.feldberg.network, slug="lehrstellen", title="Lehrstellen: Ausbildung im Tourismus"
    )
    make_article(personas.feldberg.network, slug="entwurf", title="Entwurf", is_published=False)
    rebuild_index(embed=False)
    with scopes_disabled():
        refs = set(SearchDocument.objects.filter(kind="article").values_list("ref", flat=True))
    assert refs == {"article:lehrstellen"}
    client = Client()
    # Without an embedder the search answers only questions with domain words (docs/search.md).
    page = client.get("/n/feldberg/suche/", {"q": "Ausbildung Tourismus"})
    assert "article:lehrstellen" in [d.ref for d in page.context["page"].documents]
    click = client.get(
        "/n/feldberg/suche/klick/", {"ref": "article:lehrstellen", "rang": "1", "q": "x"}
    )
    assert click["Location"] == "/n/feldberg/mediathek/artikel/lehrstellen/"


def test_saving_and_unpublishing_updates_the_index(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(personas.feldberg.network, slug="neu", title="Neuer Artikel")
    with scopes_disabled():
        assert SearchDocument.objects.filter(ref="article:neu").exists()
        with django_capture_on_commit_callbacks(execute=True):
            article.is_published = False
            article.save()
        assert not SearchDocument.objects.filter(ref="article:neu").exists()


def test_media_results_show_their_publication_date_and_open_their_page(personas, settings):
    from datetime import datetime
    from html import unescape
    from zoneinfo import ZoneInfo

    from .conftest import make_episode
    from .test_pages import make_video

    settings.SEARCH_EMBEDDER = "none"
    berlin = ZoneInfo("Europe/Berlin")
    network = personas.feldberg.network
    make_article(network, slug="lehrstellen", title="Ausbildung im Tourismus",
                 published_at=datetime(2026, 3, 2, 23, 30, tzinfo=berlin))  # fmt: skip
    make_episode(network, slug="folge-tourismus", title="Folge: Ausbildung im Tourismus",
                 published_at=datetime(2026, 4, 5, 8, tzinfo=berlin))  # fmt: skip
    make_video(network, slug="webinar-tourismus", title="Webinar: Ausbildung im Tourismus",
               published_at=datetime(2026, 5, 6, 8, tzinfo=berlin))  # fmt: skip
    rebuild_index(embed=False)
    client = Client()
    page = client.get("/n/feldberg/suche/", {"q": "Ausbildung Tourismus"}).content.decode()
    for ref, iso, shown, target in (
        ("article:lehrstellen", "2026-03-02", "02.03.2026", "artikel/lehrstellen/"),
        ("episode:folge-tourismus", "2026-04-05", "05.04.2026", "podcast/folge-tourismus/"),
        ("video:webinar-tourismus", "2026-05-06", "06.05.2026", "video/webinar-tourismus/"),
    ):
        hit = re.search(
            r'<li class="search-hit">(?:(?!</li>).)*?ref=' + ref.replace(":", "%3A") + r"[^\"]*\"",
            page,
            re.S,
        )
        assert hit, ref
        assert (
            f'<time class="search-hit__date" datetime="{iso}">Veröffentlicht am {shown}</time>'
            in hit.group(0)
        )
        link = unescape(re.search(r'href="([^"]*ref=[^"]*)"', hit.group(0)).group(1))
        response = client.get(link)
        assert response["Location"] == f"/n/feldberg/mediathek/{target}"
        assert client.get(response["Location"]).status_code == 200
