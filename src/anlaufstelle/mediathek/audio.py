"""Audio facts read from the file itself: format and duration, without third-party parsers.

Supported: MP3 (Xing/Info or VBRI header, else constant bit rate from the first frame),
M4A (the `mvhd` box), Ogg Vorbis/Opus (last page's granule position) and WAV (`wave`).
Anything else answers None: the upload is refused with a request for another file.
"""

from __future__ import annotations

import struct
import wave
from dataclasses import dataclass
from typing import BinaryIO

# MPEG version bits -> index into the tables (1 = MPEG-1, 2 = MPEG-2, 25 = MPEG-2.5).
_VERSIONS = {0b11: 1, 0b10: 2, 0b00: 25}
_BITRATES_L3 = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_SAMPLE_RATES = {1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 25: [11025, 12000, 8000]}
# An MP3 frame header must turn up within this many bytes after the ID3 tag.
_MP3_SEARCH = 64 * 1024
MAX_ATOMS = 10_000


@dataclass(frozen=True)
class AudioFacts:
    kind: str  # "mp3", "m4a", "ogg", "wav"
    content_type: str
    duration_seconds: int


CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
}


def sniff_kind(head: bytes) -> str | None:
    """The audio format from the first bytes, never from the file name."""
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    return None


def read_audio_facts(handle: BinaryIO) -> AudioFacts | None:
    """Format and duration of the audio in `handle` (seekable), or None if unreadable."""
    handle.seek(0)
    kind = sniff_kind(handle.read(16))
    if kind is None:
        return None
    reader = {"mp3": mp3_duration, "m4a": m4a_duration, "ogg": ogg_duration, "wav": wav_duration}
    try:
        handle.seek(0)
        seconds = reader[kind](handle)
    except (struct.error, ValueError, EOFError, wave.Error, OverflowError, ZeroDivisionError):
        seconds = None
    finally:
        handle.seek(0)
    if seconds is None or round(seconds) <= 0:
        return None
    return AudioFacts(kind=kind, content_type=CONTENT_TYPES[kind], duration_seconds=round(seconds))


def _file_size(handle: BinaryIO) -> int:
    position = handle.tell()
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(position)
    return size


# -- MP3 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FrameHeader:
    version: int
    bitrate_kbps: int
    sample_rate: int
    channels_mono: bool

    @property
    def samples_per_frame(self) -> int:
        return 1152 if self.version == 1 else 576

    @property
    def frame_length(self) -> int:
        factor = 144 if self.version == 1 else 72
        return factor * self.bitrate_kbps * 1000 // self.sample_rate


def parse_frame_header(data: bytes) -> _FrameHeader | None:
    """An MPEG audio Layer III frame header, or None if these four bytes are not one."""
    if len(data) < 4 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return None
    version = _VERSIONS.get((data[1] >> 3) & 0b11)
    layer = (data[1] >> 1) & 0b11
    bitrate_index = data[2] >> 4
    rate_index = (data[2] >> 2) & 0b11
    if version is None or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    table = _BITRATES_L3[1 if version == 1 else 2]
    return _FrameHeader(
        version=version,
        bitrate_kbps=table[bitrate_index],
        sample_rate=_SAMPLE_RATES[version][rate_index],
        channels_mono=(data[3] >> 6) == 0b11,
    )


def _skip_id3(handle: BinaryIO) -> int:
    head = handle.read(10)
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)  # synchsafe integer
    return 10 + size + (10 if head[5] & 0x10 else 0)


def mp3_duration(handle: BinaryIO) -> float | None:
    start = _skip_id3(handle)
    handle.seek(start)
    window = handle.read(_MP3_SEARCH)
    offset = 0
    header = None
    while offset < len(window) - 4:
        header = parse_frame_header(window[offset : offset + 4])
        # A real frame is followed by another header (or the end): skips false syncs.
        if header is not None and offset + header.frame_length <= len(window):
            following = window[offset + header.frame_length : offset + header.frame_length + 4]
            if len(following) < 4 or parse_frame_header(following) is not None:
                break
        header = None
        offset += 1
    if header is None:
        return None
    frame = window[offset : offset + header.frame_length]
    # Xing/Info header: after the side information (which depends on version and channels).
    side_info = (
        (17 if header.channels_mono else 32)
        if header.version == 1
        else (9 if header.channels_mono else 17)
    )
    xing_at = 4 + side_info
    tag = frame[xing_at : xing_at + 4]
    if tag in (b"Xing", b"Info"):
        flags = struct.unpack(">I", frame[xing_at + 4 : xing_at + 8])[0]
        if flags & 0x1:
            frames = struct.unpack(">I", frame[xing_at + 8 : xing_at + 12])[0]
            return frames * header.samples_per_frame / header.sample_rate
    if frame[36:40] == b"VBRI":
        frames = struct.unpack(">I", frame[36 + 14 : 36 + 18])[0]
        return frames * header.samples_per_frame / header.sample_rate
    # Constant bit rate: the audio bytes divided by the byte rate.
    size = _file_size(handle)
    audio_bytes = size - start - offset
    if size >= 128:
        handle.seek(size - 128)
        if handle.read(3) == b"TAG":  # ID3v1 tag at the end: not audio
            audio_bytes -= 128
    return audio_bytes * 8 / (header.bitrate_kbps * 1000)


# -- M4A (ISO base media) ------------------------------------------------------------------


def _boxes(handle: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between `start` and `end`."""
    found: list[tuple[bytes, int, int]] = []
    position = start
    while position + 8 <= end and len(found) < MAX_ATOMS:
        handle.seek(position)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header:
            raise ValueError("broken box")
        found.append((kind, position + header, min(position + size, end)))
        position += size
    return found


def m4a_duration(handle: BinaryIO) -> float | None:
    size = _file_size(handle)
    for kind, start, end in _boxes(handle, 0, size):
        if kind != b"moov":
            continue
        for inner, inner_start, _inner_end in _boxes(handle, start, end):
            if inner != b"mvhd":
                continue
            handle.seek(inner_start)
            version = handle.read(4)[0]
            if version == 1:
                handle.seek(16, 1)
                timescale, duration = struct.unpack(">IQ", handle.read(12))
            else:
                handle.seek(8, 1)
                timescale, duration = struct.unpack(">II", handle.read(8))
            return duration / timescale if timescale else None
    return None


# -- Ogg -------------------------------------------------------------------------------


def ogg_duration(handle: BinaryIO) -> float | None:
    first_page = handle.read(4096)
    # Identification header of the first logical stream, right after the page header.
    segments = first_page[26]
    packet = first_page[27 + segments :]
    if packet.startswith(b"\x01vorbis"):
        rate = struct.unpack("<I", packet[12:16])[0]
    elif packet.startswith(b"OpusHead"):
        rate = 48000  # Opus granule positions always count 48 kHz samples
    else:
        return None
    size = _file_size(handle)
    tail_start = max(0, size - 65536)
    handle.seek(tail_start)
    tail = handle.read()
    last = tail.rfind(b"OggS")
    if last < 0 or last + 14 > len(tail):
        return None
    granule = struct.unpack("<q", tail[last + 6 : last + 14])[0]
    return granule / rate if granule > 0 and rate else None


# -- WAV -------------------------------------------------------------------------------


def wav_duration(handle: BinaryIO) -> float | None:
    with wave.open(handle, "rb") as wav:
        rate = wav.getframerate()
        return wav.getnframes() / rate if rate else None
