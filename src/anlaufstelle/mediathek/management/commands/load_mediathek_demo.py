"""Demo content for the Mediathek: an article, a podcast episode and a video per network.

Every item is marked as demo content (shown to visitors as such). The episode's audio is
a few seconds of silence written with the `wave` module, the podcast artwork a plain
PNG: nothing is downloaded. Idempotent: existing demo rows are updated, files kept.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Provider, Topic
from anlaufstelle.mediathek.demo_files import silent_wav, solid_png
from anlaufstelle.mediathek.models import Article, Episode, Image, Podcast, Video
from anlaufstelle.networks.models import Network

TRANSCRIPT = (
    "[Demo-Inhalt: Diese Folge enthält fünf Sekunden Stille.]\n\n"
    "Sprecherin: Willkommen zum Podcast unserer Anlaufstelle. In echten Folgen sprechen "
    "wir mit Betrieben darüber, wie sie Auszubildende und Fachkräfte finden und halten."
)
ARTICLE_BODY = (
    "<p>Dieser Artikel ist <strong>Demo-Inhalt</strong>. Er zeigt, wie ein Beitrag in "
    "der Mediathek aussieht.</p>"
    "<h2>Was Betriebe tun können</h2>"
    "<ul><li>Ausbildungsplätze früh ausschreiben</li>"
    "<li>Praktika für Schülerinnen und Schüler anbieten</li>"
    "<li>Mit der Anlaufstelle über Förderung sprechen</li></ul>"
    '<p>Mehr dazu im <a href="https://www.arbeitsagentur.de/unternehmen">Angebot der '
    "Bundesagentur für Arbeit</a>.</p>"
)


class Command(BaseCommand):
    help = "Load demo articles, podcast episodes and videos for every network."

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled(), transaction.atomic():
            networks = list(Network.objects.public())
            for network in networks:
                self._load(network)
        self.stdout.write(f"Mediathek demo: {len(networks)} network(s).")

    def _load(self, network: Network) -> None:
        provider = Provider.objects.filter(network=network, slug=network.host_provider_slug).first()
        topics = list(Topic.objects.filter(slug__in=["ausbildung", "recruiting"]))
        artwork = self._image(network, provider)
        Podcast.objects.update_or_create(
            network=network,
            defaults={
                "title": f"Podcast {network.name} (Demo)",
                "description": (
                    "Demo-Podcast: zeigt, wie Folgen im Feed und in der Mediathek erscheinen."
                ),
                "author": network.name,
                "artwork": artwork,
            },
        )
        article, _created = Article.objects.update_or_create(
            network=network,
            slug="demo-auszubildende-finden",
            defaults={
                "title": "Demo: Auszubildende finden – fünf erste Schritte",
                "summary": "Demo-Inhalt: ein kurzer Artikel als Beispiel.",
                "body": ARTICLE_BODY
                + f'<p><img src="{artwork.src()}" alt="Demo-Bild: eine einfarbige Fläche"></p>',
                "provider": provider,
                "is_published": True,
                "is_demo": True,
            },
        )
        article.topics.set(topics)
        episode = Episode.objects.filter(network=network, slug="demo-folge-1").first()
        if episode is None:
            episode = Episode(network=network, slug="demo-folge-1")
            episode.audio = ContentFile(silent_wav(), name="demo.wav")
        episode.title = "Demo-Folge 1: Willkommen"
        episode.summary = "Demo-Inhalt: fünf Sekunden Stille mit Transkript."
        episode.show_notes = "<p>Demo-Folge ohne echten Inhalt.</p>"
        episode.transcript = TRANSCRIPT
        episode.number = 1
        episode.provider = provider
        episode.is_published = True
        episode.is_demo = True
        episode.full_clean()
        episode.save()
        episode.topics.set(topics)
        video, _created = Video.objects.update_or_create(
            network=network,
            slug="demo-webinar",
            defaults={
                "title": "Demo: Aufzeichnung eines Webinars",
                "summary": "Demo-Inhalt: zeigt, wie ein Video einer anderen Plattform erst "
                "nach einem Klick geladen wird.",
                # example.org is reserved for examples: the demo shows the consent step only.
                "external_url": "https://video.example.org/embed/demo-webinar",
                "is_recording": True,
                "provider": provider,
                "is_published": True,
                "is_demo": True,
            },
        )
        video.topics.set(topics)

    def _image(self, network: Network, provider: Provider | None) -> Image:
        image = Image.objects.filter(network=network, title="Demo-Podcast-Bild").first()
        if image is None:
            image = Image(network=network, title="Demo-Podcast-Bild", provider=provider)
            image.alt_text = "Demo-Bild: eine einfarbige Fläche"
            image.file = ContentFile(solid_png(), name="demo.png")
            image.full_clean()
            image.save()
        return image
