"""Rows of the Mediathek's admin models for tests/test_admin_roles.py (one per persona)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files.base import ContentFile

from anlaufstelle.mediathek.demo_files import silent_wav, solid_png

KINDS = {
    "mediathek.article": "partner_own",
    "mediathek.episode": "partner_own",
    "mediathek.video": "partner_own",
    "mediathek.image": "partner_own",
    "mediathek.podcast": "network",
}


def mediathek_rows(personas: Any) -> dict[str, dict[str, Any]]:
    """{label: {"partner": own provider's row, "colleague": no provider, "other": Stuttgart}}."""
    from anlaufstelle.mediathek.models import Article, Episode, Image, Podcast, Video

    feldberg, stuttgart = personas.feldberg, personas.stuttgart
    owners = {
        "partner": (feldberg.network, feldberg.provider),
        "colleague": (feldberg.network, None),
        "other": (stuttgart.network, stuttgart.provider),
    }

    def each(make: Any) -> dict[str, Any]:
        return {which: make(which, net, provider) for which, (net, provider) in owners.items()}

    def article(which: str, net: Any, provider: Any) -> Any:
        return Article.objects.create(
            network=net, provider=provider, slug=f"artikel-{which}", title=f"Artikel {which}",
            body="<p>Text</p>",
        )  # fmt: skip

    def episode(which: str, net: Any, provider: Any) -> Any:
        row = Episode(network=net, provider=provider, slug=f"folge-{which}", title=f"Folge {which}")
        row.audio = ContentFile(silent_wav(1), name="a.wav")
        row.save()
        return row

    def video(which: str, net: Any, provider: Any) -> Any:
        return Video.objects.create(
            network=net, provider=provider, slug=f"video-{which}", title=f"Video {which}",
            external_url="https://video.example.net/embed/1",
        )  # fmt: skip

    def image(which: str, net: Any, provider: Any) -> Any:
        row = Image(network=net, provider=provider, title=f"Bild {which}", alt_text="Ein Bild")
        row.file = ContentFile(solid_png(2), name="b.png")
        row.save()
        return row

    return {
        "mediathek.article": each(article),
        "mediathek.episode": each(episode),
        "mediathek.video": each(video),
        "mediathek.image": each(image),
        "mediathek.podcast": {
            which: Podcast.objects.create(
                network=net, title=f"Podcast {which}", description="x", author="x"
            )  # fmt: skip
            for which, (net, _p) in owners.items()
            if which != "colleague"
        },
    }


def hostile_walk_values(personas: Any, settings: Any) -> dict[str, dict[str, str]]:
    """Published rows for tests/test_hostile_input.py, so the walk reaches the real views."""
    from anlaufstelle.mediathek.models import Article, Episode, Image, Video

    # The settings fixture restores MEDIA_ROOT after the test.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="mediathek-walk-")

    network = personas.feldberg.network
    Article.objects.create(
        network=network, slug="walk", title="Walk", body="<p>x</p>", is_published=True
    )
    episode = Episode(network=network, slug="walk", title="Walk", transcript="x", is_published=True)
    episode.audio = ContentFile(silent_wav(1), name="a.wav")
    episode.save()
    Video.objects.create(
        network=network, slug="walk", title="Walk", is_published=True,
        external_url="https://video.example.net/embed/1",
    )  # fmt: skip
    image = Image(network=network, title="Walk", alt_text="Ein Bild")
    image.file = ContentFile(solid_png(2), name="b.png")
    image.save()
    slug = {"slug": "walk"}
    return {
        "site:mediathek:article": slug,
        "site:mediathek:episode": slug,
        "site:mediathek:audio": slug,
        "site:mediathek:transcript": slug,
        "site:mediathek:video": slug,
        "site:mediathek:video_embed": slug,
        "site:mediathek:video_file": slug,
        "site:mediathek:captions": slug,
        "site:mediathek:image": {"code": image.code},
    }
