"""Small valid media files made on the spot: demo content and tests need no download."""

from __future__ import annotations

import io
import struct
import wave
import zlib


def silent_wav(seconds: int = 5, rate: int = 8000) -> bytes:
    """A mono 8-bit WAV of silence (8-bit PCM is unsigned: 128 is the zero line)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(rate)
        wav.writeframes(b"\x80" * (seconds * rate))
    return buffer.getvalue()


def solid_png(size: int = 1400, rgb: tuple[int, int, int] = (0, 84, 122)) -> bytes:
    """A square PNG of one colour (podcast apps ask for 1400 to 3000 pixels artwork)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * size  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size, 9))
        + chunk(b"IEND", b"")
    )
