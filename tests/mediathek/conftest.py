"""Mediathek fixtures: media files built on the spot (no download) and published items."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django_scopes import scopes_disabled

from anlaufstelle.mediathek.demo_files import silent_wav

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo, no CRC: 417-byte frames of 1152 samples.
MP3_HEADER = b"\xff\xfb\x90\x00"
MP3_FRAME_BYTES = 144 * 128_000 // 44_100
SECONDS_PER_FRAME = 1152 / 44_100


def cbr_mp3(seconds: float, id3: bool = True) -> bytes:
    frames = round(seconds / SECONDS_PER_FRAME)
    frame = MP3_HEADER + b"\x00" * (MP3_FRAME_BYTES - 4)
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 if id3 else b""
    return tag + frame * frames


def xing_mp3(frames: int) -> bytes:
    """A VBR-style file: the first frame carries a Xing header with the frame count."""
    first = bytearray(MP3_HEADER + b"\x00" * (MP3_FRAME_BYTES - 4))
    first[36:48] = b"Xing" + struct.pack(">II", 1, frames)
    # Only a few real frames follow: the duration must come from the header, not the size.
    return bytes(first) + (MP3_HEADER + b"\x00" * (MP3_FRAME_BYTES - 4)) * 3


def ogg_page(granule: int, packet: bytes, sequence: int, flags: int = 0) -> bytes:
    # The checksum is not verified by our reader; players are not involved here.
    header = b"OggS" + bytes([0, flags]) + struct.pack("<qIII", granule, 1, sequence, 0)
    return header + bytes([1, len(packet)]) + packet


def vorbis_ogg(seconds: int, rate: int = 44_100) -> bytes:
    ident = b"\x01vorbis" + struct.pack("<IBI", 0, 2, rate) + b"\x00" * 13
    return ogg_page(0, ident, 0, flags=2) + ogg_page(seconds * rate, b"\x00" * 10, 1, flags=4)


def m4a(seconds: int, timescale: int = 1000) -> bytes:
    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    mvhd = box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">IIII", 0, 0, timescale, seconds * timescale)
        + b"\x00" * 80,
    )
    return (
        box(b"ftyp", b"M4A \x00\x00\x00\x00M4A mp42isom")
        + box(b"moov", mvhd)
        + box(b"mdat", b"\x00" * 64)
    )


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SEARCH_AUTO_INDEX = False


@pytest.fixture
def topic(personas: Any) -> Any:
    from anlaufstelle.directory.models import Topic

    return Topic.objects.get(slug="ausbildung")


def make_episode(network: Any, slug: str = "folge-1", **extra: Any) -> Any:
    from anlaufstelle.mediathek.models import Episode

    with scopes_disabled():
        episode = Episode(
            network=network,
            slug=slug,
            title=extra.pop("title", "Folge 1: Ausbildung im Tourismus"),
            transcript=extra.pop("transcript", "Sprecherin: Willkommen."),
            is_published=extra.pop("is_published", True),
            **extra,
        )
        if not episode.audio:
            episode.audio = ContentFile(silent_wav(3), name="folge.wav")
        episode.full_clean()
        episode.save()
        return episode


@pytest.fixture
def episode(personas: Any) -> Any:
    return make_episode(personas.feldberg.network, provider=personas.feldberg.provider)
