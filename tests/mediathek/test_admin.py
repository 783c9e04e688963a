"""The back office: partner experts publish for their own provider; uploads are checked."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.models import Article, Episode

from .conftest import cbr_mp3


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_partner_expert_adds_an_article_for_their_own_provider(personas, topic):
    client = client_for(personas.feldberg.partner_expert)
    page = client.get("/admin/mediathek/article/add/").content.decode()
    assert 'name="provider"' not in page  # set for them, not chosen
    response = client.post(
        "/admin/mediathek/article/add/",
        {
            "slug": "partner-artikel",
            "title": "Partner-Artikel",
            "body": '<p onmouseover="x()">Hallo <script>alert(1)</script></p>',
            "topics": [topic.pk],
            "published_at_0": "01.12.2026",
            "published_at_1": "10:00:00",
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        article = Article.objects.get(slug="partner-artikel")
    assert article.provider == personas.feldberg.provider
    assert article.network == personas.feldberg.network
    assert article.body == "<p>Hallo </p>"


def test_an_episode_upload_reads_the_duration_and_needs_a_transcript(personas):
    client = client_for(personas.feldberg.navigator)
    data = {
        "slug": "folge-admin",
        "title": "Folge aus dem Backoffice",
        "published_at_0": "01.12.2026",
        "published_at_1": "10:00:00",
        "is_published": "on",
        "transcript": "",
        "audio": SimpleUploadedFile("folge.mp3", cbr_mp3(125), content_type="audio/mpeg"),
    }
    response = client.post("/admin/mediathek/episode/add/", data)
    assert response.status_code == 200
    assert (
        "Eine Folge braucht ein Transkript, bevor sie veröffentlicht wird."
        in response.content.decode()
    )
    data["transcript"] = "Moderator: Guten Tag."
    data["audio"] = SimpleUploadedFile("folge.mp3", cbr_mp3(125), content_type="audio/mpeg")
    response = client.post("/admin/mediathek/episode/add/", data)
    assert response.status_code == 302
    with scopes_disabled():
        episode = Episode.objects.get(slug="folge-admin")
    assert (episode.duration_seconds, episode.audio_type) == (125, "audio/mpeg")


def test_an_unreadable_upload_gets_a_german_error_in_the_form(personas):
    client = client_for(personas.feldberg.navigator)
    response = client.post(
        "/admin/mediathek/episode/add/",
        {
            "slug": "kaputt",
            "title": "Kaputt",
            "published_at_0": "01.12.2026",
            "published_at_1": "10:00:00",
            "audio": SimpleUploadedFile("x.mp3", b"<?php echo 1; ?>", content_type="audio/mpeg"),
        },
    )
    assert response.status_code == 200
    assert "Bitte laden Sie MP3, M4A, OGG oder WAV hoch." in response.content.decode()


def test_a_partner_expert_without_provider_cannot_add(personas):
    expert = personas.feldberg.partner_expert
    expert.provider = None
    expert.save(update_fields=["provider"])
    assert client_for(expert).get("/admin/mediathek/article/add/").status_code == 403
