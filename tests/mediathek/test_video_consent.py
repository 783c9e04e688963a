"""External videos load only after the visitor's click; only that page's CSP allows the host."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.lib.security_headers import (
    CONTENT_SECURITY_POLICY,
    allow_frame_source,
    policy_for,
)
from anlaufstelle.mediathek.models import Video, external_origin

from .test_pages import make_video

HOST = "video.example.net"


def test_before_the_click_the_page_names_no_third_party_address(personas):
    make_video(personas.feldberg.network)
    response = Client().get("/n/feldberg/mediathek/video/webinar/")
    page = response.content.decode()
    assert HOST not in page
    assert "<iframe" not in page
    assert 'href="/n/feldberg/mediathek/video/webinar/laden/"' in page
    # Every address in the page is our own (relative, or the canonical link to this site).
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "#", "http://testserver/")), url
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-src" not in response["Content-Security-Policy"]


def test_after_the_click_the_embed_and_only_its_host_are_allowed(personas):
    make_video(personas.feldberg.network)
    response = Client().get("/n/feldberg/mediathek/video/webinar/laden/")
    page = response.content.decode()
    assert '<iframe class="mediathek-embed" src="https://video.example.net/embed/123"' in page
    csp = response["Content-Security-Policy"]
    assert "frame-src 'self' https://video.example.net" in csp
    assert csp.count("https://") == 1
    assert "frame-ancestors 'none'" in csp
    # Other pages keep the strict policy.
    other = Client().get("/n/feldberg/mediathek/")
    assert "frame-src" not in other["Content-Security-Policy"]


def test_allow_frame_source_refuses_anything_but_a_plain_https_origin():
    response = HttpResponse()
    for bad in (
        "http://a.example",
        "https://a.example; script-src *",
        "https://*",
        "*",
        "https://a b",
    ):
        with pytest.raises(ValueError):
            allow_frame_source(response, bad)
    allow_frame_source(response, "https://a.example:8443")
    assert policy_for(response).endswith("frame-src 'self' https://a.example:8443")


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://www.youtube-nocookie.com/embed/x", "https://www.youtube-nocookie.com"),
        ("https://v.example:8443/e", "https://v.example:8443"),
        ("http://v.example/e", None),
        ("https://user:pw@v.example/e", None),
        ("javascript:alert(1)", None),
        ("https:///nohost", None),
        ("https://v.example:99999/e", None),
        ("https://bücher.example/e", None),
    ],
)
def test_external_origin(url, origin):
    assert external_origin(url) == origin


def test_an_uploaded_video_needs_captions_and_a_link_must_be_https(personas):
    network = personas.feldberg.network
    with scopes_disabled():
        video = Video(network=network, slug="upload", title="Upload")
        video.file = ContentFile(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, name="v.mp4")
        with pytest.raises(ValidationError) as error:
            video.full_clean()
        assert "Untertitel" in error.value.message_dict["captions"][0]
        video.captions = ContentFile(b"<html>", name="c.vtt")
        with pytest.raises(ValidationError) as error:
            video.full_clean()
        assert "WebVTT" in error.value.message_dict["captions"][0]
        video.captions = ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n", name="c.vtt")
        video.is_published = True
        video.full_clean()
        video.save()
    page = Client().get("/n/feldberg/mediathek/video/upload/").content.decode()
    assert '<track kind="captions" src="/n/feldberg/mediathek/video/upload/untertitel.vtt"' in page
    captions = Client().get("/n/feldberg/mediathek/video/upload/untertitel.vtt")
    assert captions["Content-Type"] == "text/vtt; charset=utf-8"
    with pytest.raises(ValidationError) as error:
        make_video(network, slug="http", external_url="http://video.example.net/x")
    assert "https://" in error.value.message_dict["external_url"][0]
