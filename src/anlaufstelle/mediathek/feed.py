"""The network's podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 tags.

What podcast apps (Apple, Spotify, the Podcast Index) require of a feed: per channel
title, link, description, language, itunes:image, itunes:category, itunes:explicit and
itunes:author; per episode a stable guid, enclosure with url/length/type, pubDate,
itunes:duration and — Podcasting 2.0 — podcast:transcript.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from anlaufstelle.networks.models import Network

from .models import Episode, Podcast

NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def _tag(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


# Characters XML 1.0 forbids (ElementTree writes them as they are): one \x0b, as Word
# pastes a line break, would make the whole feed unreadable for every podcast app.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = NOT_IN_XML.sub(" ", text).strip()
    return element


def build_feed(
    *,
    network: Network,
    podcast: Podcast | None,
    episodes: Iterable[Episode],
    absolute: Callable[[str], str],
    urls: dict[str, Callable[..., str]],
) -> bytes:
    """The feed document; `absolute` makes a path absolute, `urls` name the pages."""
    title = podcast.title if podcast else f"{network.name} – Podcast"
    description = podcast.description if podcast else f"Der Podcast von {network.name}."
    author = podcast.author if podcast else network.name
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", title)
    _text(channel, "link", absolute(urls["list"]()))
    _text(channel, "description", description)
    _text(channel, "language", "de")
    ET.SubElement(
        channel,
        _tag("atom", "link"),
        {"href": absolute(urls["feed"]()), "rel": "self", "type": "application/rss+xml"},
    )
    _text(channel, _tag("itunes", "author"), author)
    _text(channel, _tag("itunes", "summary"), description)
    _text(channel, _tag("itunes", "explicit"), "false")
    _text(channel, _tag("itunes", "type"), "episodic")
    ET.SubElement(
        channel,
        _tag("itunes", "category"),
        {"text": podcast.category if podcast else "Business"},
    )
    artwork = podcast.artwork if podcast else None
    if artwork is not None:
        ET.SubElement(channel, _tag("itunes", "image"), {"href": absolute(artwork.src())})
        image = ET.SubElement(channel, "image")
        _text(image, "url", absolute(artwork.src()))
        _text(image, "title", title)
        _text(image, "link", absolute(urls["list"]()))
    if podcast and podcast.owner_email:
        owner = ET.SubElement(channel, _tag("itunes", "owner"))
        _text(owner, _tag("itunes", "name"), author)
        _text(owner, _tag("itunes", "email"), podcast.owner_email)
    _text(channel, _tag("podcast", "locked"), "yes" if podcast and podcast.owner_email else "no")
    for episode in episodes:
        channel.append(_item(episode, absolute, urls))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="utf-8")


def _item(
    episode: Episode, absolute: Callable[[str], str], urls: dict[str, Callable[..., str]]
) -> ET.Element:
    item = ET.Element("item")
    title = f"[Demo] {episode.title}" if episode.is_demo else episode.title
    _text(item, "title", title)
    _text(item, "link", absolute(urls["episode"](episode.slug)))
    _text(item, "description", episode.summary or episode.title)
    if episode.show_notes:
        _text(item, _tag("content", "encoded"), episode.show_notes)
    _text(item, "guid", f"urn:uuid:{episode.guid}", isPermaLink="false")
    _text(item, "pubDate", format_datetime(episode.published_at))
    ET.SubElement(
        item,
        "enclosure",
        {
            "url": absolute(urls["audio"](episode.slug)),
            "length": str(episode.audio_size),
            "type": episode.audio_type,
        },
    )
    _text(item, _tag("itunes", "duration"), str(episode.duration_seconds))
    _text(item, _tag("itunes", "explicit"), "false")
    if episode.number:
        _text(item, _tag("itunes", "episode"), str(episode.number))
    ET.SubElement(
        item,
        _tag("podcast", "transcript"),
        {"url": absolute(urls["transcript"](episode.slug)), "type": "text/plain", "language": "de"},
    )
    return item
