"""Serving uploaded files: byte ranges for players that seek, and nothing executable.

Podcast apps and the <audio> element ask for `Range: bytes=a-b`; we answer 206 with
Content-Range, the whole file with 200 when no (or a non-byte) range is asked for, and
416 with `Content-Range: bytes */size` for a range we cannot satisfy or cannot read —
never a 500. Several ranges at once are answered with the whole file (allowed by
RFC 9110 § 14.2; no player needs multipart answers).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single range; None: serve everything; False: unsatisfiable."""
    header = header.strip()
    if not header.lower().startswith("bytes="):
        return None  # another unit: ignore the header
    if "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        return False
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return False
    if not first_text:  # suffix: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        return False
    return first, min(last, size - 1)


def _chunks(field: Any, first: int, length: int) -> Iterator[bytes]:
    with field.open("rb") as handle:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


async def _async_chunks(field: Any, first: int, length: int) -> AsyncIterator[bytes]:
    """The same chunks for the ASGI server (uvicorn): read in a worker thread, one at a
    time, so a 200 MB episode is never held in memory (Django would read a synchronous
    iterator whole before sending it over ASGI)."""

    def run(fn: Any) -> Any:
        return sync_to_async(fn, thread_sensitive=False)

    handle = await run(field.storage.open)(field.name, "rb")
    try:
        await run(handle.seek)(first)
        remaining = length
        while remaining > 0:
            data = await run(handle.read)(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        await run(handle.close)()


def _stream(request: HttpRequest, field: Any, first: int, length: int) -> Any:
    if isinstance(request, ASGIRequest):
        return _async_chunks(field, first, length)
    return _chunks(field, first, length)


def file_response(request: HttpRequest, field: Any, content_type: str) -> HttpResponseBase:
    """The stored file of `field` with Range support and headers that forbid any sniffing."""
    if not field:
        raise Http404
    try:
        size = field.size
    except (FileNotFoundError, OSError):
        raise Http404 from None
    wanted = (
        parse_range(request.headers.get("Range", ""), size) if "Range" in request.headers else None
    )
    response: HttpResponseBase
    if wanted is False:
        response = HttpResponse(
            gettext("The requested part of the file does not exist."),
            status=416,
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = StreamingHttpResponse(
            _stream(request, field, 0, size), content_type=content_type
        )
        response["Content-Length"] = str(size)
    else:
        first, last = wanted  # type: ignore[misc]
        length = last - first + 1
        response = StreamingHttpResponse(
            _stream(request, field, first, length), status=206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, an uploaded file is never a document that could run script.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response
