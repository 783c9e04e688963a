"""The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 tags podcast apps require.

The structure is checked with xml.etree (every element and attribute an app needs, in
the right namespace) and read back with feedparser, the parser many podcast tools use.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import feedparser
from django.core.files.base import ContentFile
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.demo_files import solid_png
from anlaufstelle.mediathek.models import Image, Podcast

from .conftest import make_episode

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch() -> ET.Element:
    response = Client().get("/n/feldberg/mediathek/podcast.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 (our own feed)


def test_the_feed_has_every_required_channel_and_item_field(personas, episode):
    network = personas.feldberg.network
    with scopes_disabled():
        image = Image(network=network, title="Cover", alt_text="Logo des Podcasts")
        image.file = ContentFile(solid_png(1400), name="c.png")
        image.full_clean()
        image.save()
        Podcast.objects.create(
            network=network, title="Werkraum-Podcast", description="Über Fachkräfte.",
            author="Werkraum Feldberg", owner_email="podcast@feldberg.example", artwork=image,
        )  # fmt: skip
    make_episode(network, slug="entwurf", is_published=False, transcript="")
    make_episode(personas.stuttgart.network, slug="stuttgart")
    rss = fetch()
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    for tag in ("title", "link", "description", "language"):
        assert channel.findtext(tag), tag
    assert channel.findtext("title") == "Werkraum-Podcast"
    assert channel.find(f"{ATOM}link").get("rel") == "self"
    assert channel.find(f"{ITUNES}image").get("href") == f"http://testserver{image.src()}"
    assert channel.find(f"{ITUNES}category").get("text") == "Business"
    assert channel.findtext(f"{ITUNES}explicit") == "false"
    assert channel.findtext(f"{ITUNES}author") == "Werkraum Feldberg"
    assert channel.find(f"{ITUNES}owner").findtext(f"{ITUNES}email") == "podcast@feldberg.example"
    items = channel.findall("item")
    assert len(items) == 1  # no draft, nothing of Stuttgart
    item = items[0]
    assert item.findtext("title") == episode.title
    guid = item.find("guid")
    assert guid.text == f"urn:uuid:{episode.guid}" and guid.get("isPermaLink") == "false"
    assert parsedate_to_datetime(item.findtext("pubDate")) == episode.published_at.replace(
        microsecond=0
    )
    enclosure = item.find("enclosure")
    audio_url = f"http://testserver/n/feldberg/mediathek/podcast/{episode.slug}/audio"
    assert enclosure.attrib == {
        "url": audio_url,
        "length": str(episode.audio_size),
        "type": "audio/wav",
    }
    assert item.findtext(f"{ITUNES}duration") == str(episode.duration_seconds) == "3"
    transcript = item.find(f"{PODCAST}transcript")
    assert transcript.get("url").endswith(f"/podcast/{episode.slug}/transkript.txt")
    assert transcript.get("type") == "text/plain"
    # The enclosure answers as the feed says: same length and type, seekable.
    audio = Client().get(audio_url.removeprefix("http://testserver"), HTTP_RANGE="bytes=0-1")
    assert audio.status_code == 206
    assert audio["Content-Range"].endswith(f"/{episode.audio_size}")
    assert audio["Content-Type"] == "audio/wav"


def test_the_feed_of_a_network_without_podcast_settings_is_still_valid(personas, episode):
    channel = fetch().find("channel")
    assert channel.findtext("title") == "Werkraum Feldberg – Podcast"
    assert len(channel.findall("item")) == 1


def test_text_with_markup_is_escaped_in_the_feed(personas):
    make_episode(personas.feldberg.network, slug="x", title="<script>&amp; ]]>")
    item = fetch().find("channel").find("item")
    assert item.findtext("title") == "<script>&amp; ]]>"


def test_feedparser_reads_the_feed_without_complaint(personas, episode):
    response = Client().get("/n/feldberg/mediathek/podcast.xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Werkraum Feldberg – Podcast"
    [entry] = feed.entries
    assert entry.title == episode.title
    assert entry.id == f"urn:uuid:{episode.guid}"
    assert entry.itunes_duration == str(episode.duration_seconds)
    [enclosure] = entry.enclosures
    assert enclosure.type == "audio/wav"
    assert int(enclosure.length) == episode.audio_size
    assert enclosure.href.endswith(f"/podcast/{episode.slug}/audio")


def test_feedparser_finds_artwork_transcript_and_a_seekable_enclosure(personas, episode):
    """What a podcast app reads: cover, transcript tag (its address works), enclosure whose
    length is the file's and which answers a range request with 206."""
    network = personas.feldberg.network
    with scopes_disabled():
        image = Image(network=network, title="Cover", alt_text="Logo des Podcasts")
        image.file = ContentFile(solid_png(1400), name="c.png")
        image.full_clean()
        image.save()
        Podcast.objects.create(network=network, title="Werkraum-Podcast", artwork=image)
    client = Client()
    feed = feedparser.parse(client.get("/n/feldberg/mediathek/podcast.xml").content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.image.href == f"http://testserver{image.src()}"
    assert client.get(feed.feed.image.href).status_code == 200
    [entry] = feed.entries
    transcript = entry.podcast_transcript
    assert transcript["type"] == "text/plain"
    assert transcript["url"].endswith(f"/podcast/{episode.slug}/transkript.txt")
    text = client.get(transcript["url"])
    assert text.status_code == 200
    assert text.content.decode().strip() == episode.transcript.strip()
    assert entry.published_parsed is not None and entry.link.endswith(f"/podcast/{episode.slug}/")
    [enclosure] = entry.enclosures
    whole = client.get(enclosure.href)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Length"] == enclosure.length == str(episode.audio_size)
    part = client.get(enclosure.href, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert part["Content-Length"] == "10"
    assert part["Content-Range"] == f"bytes 10-19/{episode.audio_size}"
    assert len(b"".join(part.streaming_content)) == 10


def test_control_characters_pasted_into_a_text_do_not_break_the_feed(personas):
    # Word pastes a line break inside a paragraph as \x0b; XML 1.0 forbids it, and one such
    # character made the whole feed unreadable for every podcast app.
    make_episode(
        personas.feldberg.network,
        slug="x",
        title="Folge\x0b1",
        summary="Teil\x0c2\x1f",
        show_notes="<p>Notizen\x08</p>",
    )
    item = fetch().find("channel").find("item")
    assert item.findtext("title") == "Folge 1"
    assert item.findtext("description") == "Teil 2"
    assert feedparser.parse(Client().get("/n/feldberg/mediathek/podcast.xml").content).bozo == 0
