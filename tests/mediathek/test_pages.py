"""Public Mediathek pages: list with filters, article, episode, video; other networks' 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.demo_files import solid_png
from anlaufstelle.mediathek.models import Article, Image, Video

from .conftest import make_episode


def make_article(network: Any, slug: str = "azubis-finden", **extra: Any) -> Article:
    with scopes_disabled():
        article = Article(
            network=network,
            slug=slug,
            title=extra.pop("title", "Azubis finden"),
            body=extra.pop("body", "<p>Text</p>"),
            is_published=extra.pop("is_published", True),
            **extra,
        )
        article.full_clean()
        article.save()
        return article


def make_video(network: Any, slug: str = "webinar", **extra: Any) -> Video:
    with scopes_disabled():
        video = Video(
            network=network,
            slug=slug,
            title=extra.pop("title", "Webinar Ausbildung"),
            external_url=extra.pop("external_url", "https://video.example.net/embed/123"),
            is_published=extra.pop("is_published", True),
            **extra,
        )
        video.full_clean()
        video.save()
        return video


def test_the_list_shows_published_items_of_the_network_and_filters(personas, topic):
    feldberg, stuttgart = personas.feldberg.network, personas.stuttgart.network
    article = make_article(feldberg)
    article.topics.add(topic)
    make_episode(feldberg, slug="folge")
    make_video(feldberg)
    make_article(feldberg, slug="entwurf", title="Geheimer Entwurf", is_published=False)
    make_article(feldberg, slug="spaeter", title="Kommt später",
                 published_at=timezone.now() + timezone.timedelta(days=3))  # fmt: skip
    make_article(stuttgart, slug="stuttgart", title="Stuttgarter Artikel")
    page = Client().get("/n/feldberg/mediathek/").content.decode()
    assert "Azubis finden" in page and "Folge 1" in page and "Webinar Ausbildung" in page
    assert "Geheimer Entwurf" not in page and "Kommt später" not in page
    assert "Stuttgarter Artikel" not in page
    only_podcast = Client().get("/n/feldberg/mediathek/?art=podcast").content.decode()
    assert "Folge 1" in only_podcast and "Azubis finden" not in only_podcast
    by_topic = Client().get("/n/feldberg/mediathek/?thema=ausbildung").content.decode()
    assert "Azubis finden" in by_topic and "Webinar Ausbildung" not in by_topic


def test_the_list_needs_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    for number in range(6):
        make_article(
            personas.feldberg.network, slug=f"a{number}", provider=personas.feldberg.provider
        )
    with django_assert_max_num_queries(20):
        assert Client().get("/n/feldberg/mediathek/").status_code == 200


def test_pages_of_another_network_are_404(personas):
    make_article(personas.stuttgart.network, slug="stuttgart")
    make_episode(personas.stuttgart.network, slug="stuttgart")
    make_video(personas.stuttgart.network, slug="stuttgart")
    client = Client()
    paths = [
        "artikel/stuttgart/",
        "podcast/stuttgart/",
        "podcast/stuttgart/audio",
        "podcast/stuttgart/transkript.txt",
        "video/stuttgart/",
        "video/stuttgart/laden/",
    ]
    for path in paths:
        assert client.get(f"/n/feldberg/mediathek/{path}").status_code == 404, path
        assert client.get(f"/n/stuttgart/mediathek/{path}").status_code == 200, path


def test_an_unpublished_episode_and_its_audio_are_404(personas):
    make_episode(personas.feldberg.network, slug="entwurf", is_published=False)
    assert Client().get("/n/feldberg/mediathek/podcast/entwurf/").status_code == 404
    assert Client().get("/n/feldberg/mediathek/podcast/entwurf/audio").status_code == 404


def test_the_episode_page_has_a_player_and_the_transcript(episode):
    page = Client().get(f"/n/feldberg/mediathek/podcast/{episode.slug}/").content.decode()
    assert (
        '<audio id="episode-audio" controls preload="none" '
        f'src="/n/feldberg/mediathek/podcast/{episode.slug}/audio"' in page
    )
    assert "Sprecherin: Willkommen." in page
    text = Client().get(f"/n/feldberg/mediathek/podcast/{episode.slug}/transkript.txt")
    assert text["Content-Type"] == "text/plain; charset=utf-8"


def test_the_article_page_shows_sanitised_text_and_our_images(personas):
    network = personas.feldberg.network
    with scopes_disabled():
        image = Image(network=network, title="Werkstatt", alt_text="Eine Werkstatt")
        image.file = ContentFile(solid_png(4), name="w.png")
        image.full_clean()
        image.save()
    make_article(
        network, body=f'<p onclick="x()">Hallo</p><img src="{image.src()}" alt="Werkstatt">'
    )
    page = Client().get("/n/feldberg/mediathek/artikel/azubis-finden/").content.decode()
    assert f'<p>Hallo</p><img src="{image.src()}" alt="Werkstatt">' in page
    served = Client().get(image.src())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_an_article_image_without_alt_text_is_refused(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_article(personas.feldberg.network, body='<img src="/n/feldberg/mediathek/bild/X/">')
    assert "Alternativtext" in error.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as error:
        make_article(
            personas.feldberg.network, body='<img src="https://evil.example/x.png" alt="x">'
        )
    assert "evil.example" in error.value.message_dict["body"][0]


def test_an_svg_or_other_file_is_no_image(personas):
    from django.core.exceptions import ValidationError

    with scopes_disabled():
        image = Image(network=personas.feldberg.network, title="x", alt_text="x")
        image.file = ContentFile(b"<svg onload='alert(1)'/>", name="x.svg")
        with pytest.raises(ValidationError) as error:
            image.full_clean()
    assert "PNG, JPEG oder WebP" in error.value.message_dict["file"][0]


def test_demo_items_are_labelled_on_their_page(personas):
    make_article(personas.feldberg.network, is_demo=True)
    page = Client().get("/n/feldberg/mediathek/artikel/azubis-finden/").content.decode()
    assert "Demo-Inhalt" in page


def test_text_stored_around_save_is_sanitised_when_shown(personas):
    article = make_article(personas.feldberg.network)
    with scopes_disabled():
        Article.objects.filter(pk=article.pk).update(body="<p>ok</p><script>alert(1)</script>")
    page = Client().get("/n/feldberg/mediathek/artikel/azubis-finden/").content.decode()
    assert "<p>ok</p>" in page and "alert(1)" not in page
