"""Audio is served with byte ranges (players seek); hostile Range headers give 416, not 500."""

from __future__ import annotations

import pytest
from django.test import Client

from anlaufstelle.mediathek.serving import parse_range


def audio_url(episode):
    return f"/n/feldberg/mediathek/podcast/{episode.slug}/audio"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_whole_file_says_it_accepts_ranges(episode):
    response = Client().get(audio_url(episode))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(episode.audio_size)
    assert response["Content-Type"] == "audio/wav"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    with episode.audio.open("rb") as handle:
        assert body(response) == handle.read()


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-10", None, None),
        ("bytes=5-5", 5, 5),
    ],
)
def test_a_range_request_gets_206_with_content_range(episode, header, first, last):
    size = episode.audio_size
    first = size - 10 if first is None else first
    last = size - 1 if last is None else last
    response = Client().get(audio_url(episode), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    with episode.audio.open("rb") as handle:
        assert body(response) == handle.read()[first : last + 1]


def test_a_range_past_the_end_is_cut_to_the_file(episode):
    size = episode.audio_size
    response = Client().get(audio_url(episode), HTTP_RANGE=f"bytes={size - 4}-{size * 10}")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {size - 4}-{size - 1}/{size}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=999999999-",
        "bytes=10-5",
        "bytes=-0",
        "bytes=-",
        "bytes=abc-def",
        "bytes=-1-2",
        "bytes=99999999999999999999999999-",
        "bytes=0x10-",
        "bytes=\u0661-\u0662",  # Arabic-Indic digits: not ASCII digits
        "bytes= 1 - 2 - 3",
    ],
)
def test_hostile_ranges_get_416_not_500(episode, header):
    response = Client(raise_request_exception=False).get(audio_url(episode), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{episode.audio_size}"
    assert response.content.decode() == "Diesen Teil der Datei gibt es nicht."


@pytest.mark.parametrize("header", ["items=0-5", "", "bytes=0-1,5-6", "x" * 5000])
def test_other_units_and_multiple_ranges_get_the_whole_file(episode, header):
    response = Client(raise_request_exception=False).get(audio_url(episode), HTTP_RANGE=header)
    assert response.status_code == 200
    assert response["Content-Length"] == str(episode.audio_size)


def test_head_gives_length_without_body(episode):
    response = Client().head(audio_url(episode))
    assert response.status_code == 200
    assert response["Content-Length"] == str(episode.audio_size)
    assert body(response) == b""


def test_a_missing_file_is_404_not_500(episode):
    episode.audio.storage.delete(episode.audio.name)
    response = Client(raise_request_exception=False).get(audio_url(episode))
    assert response.status_code == 404


def test_parse_range_edges():
    assert parse_range("bytes=0-0", 1) == (0, 0)
    assert parse_range("bytes=0-", 0) is False
    assert parse_range("bytes=-5", 3) == (0, 2)


def asgi_get(path: str, **headers: str) -> tuple[object, bytes]:
    """One GET as an ASGI request (what uvicorn hands Django), the body read asynchronously."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    async def run() -> tuple[object, bytes]:
        response = await AsyncClient().get(path, headers=headers)
        body = b"".join([chunk async for chunk in response.streaming_content])
        return response, body

    return async_to_sync(run)()


def test_over_asgi_the_audio_streams_asynchronously_with_ranges(episode):
    """Under uvicorn Django reads a synchronous iterator whole before sending it (and
    warns; the warning is an error in the tests): ASGI requests get an asynchronous one."""
    path = f"/n/feldberg/mediathek/podcast/{episode.slug}/audio"
    with episode.audio.open("rb") as handle:
        data = handle.read()
    response, body = asgi_get(path)
    assert response.is_async  # type: ignore[attr-defined]
    assert response.status_code == 200 and body == data  # type: ignore[attr-defined]
    assert response["Accept-Ranges"] == "bytes"  # type: ignore[index]
    assert response["Content-Length"] == str(len(data))  # type: ignore[index]
    response, body = asgi_get(path, Range="bytes=4-11")
    assert response.status_code == 206 and body == data[4:12]  # type: ignore[attr-defined]
    assert response["Content-Range"] == f"bytes 4-11/{len(data)}"  # type: ignore[index]
    # The WSGI path keeps its synchronous iterator.
    assert not Client().get(path).is_async
