"""Hostile input on the forum's forms: 4xx or a calm form error, never 5xx; posts are
plain text (HTML and script are shown as text, never run); writes are rate-limited."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.community.models import Thread

from .conftest import member_client, start

pytestmark = pytest.mark.django_db

HOSTILE = [
    "abc\x00def",
    "x" * 20000,
    "<script>alert(1)</script>",
    "' OR '1'='1' --",
    "\u202e\ufeff\u0301𝔘𝔫𝔦😀",
    "-1",
    "99999999999999999999999999",
    "",
]


def test_html_and_script_in_a_post_are_shown_as_text(forum):
    body = '<script>alert("x")</script> <img src=x onerror=alert(1)> <b>fett</b> https://www.arbeitsagentur.de/?a=1&b=2'
    thread = start(forum, title="<i>Titel</i>", body=body)
    page = member_client(forum.bernd).get(f"/n/feldberg/austausch/thema/{thread.code}/")
    html = page.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>fett" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;i&gt;Titel&lt;/i&gt;" in html
    # Web addresses become links (nofollow), and nothing else does.
    assert 'href="https://www.arbeitsagentur.de/?a=1&amp;b=2" rel="nofollow"' in html


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_in_every_forum_form_never_cause_a_server_error(forum, value):
    thread = start(forum)
    with scopes_disabled():
        post = thread.posts.get()
    client = member_client(forum.bernd)
    base = "/n/feldberg/austausch/"
    posts = {
        f"{base}neu/": {"category": value, "title": value, "body": value},
        f"{base}thema/{thread.code}/antworten/": {"body": value, "quoted": value},
        f"{base}beitrag/{post.code}/melden/": {"reason": value},
        f"{base}profil/": {"display_name": value, "digest": value, "topics": value},
        f"{base}mitmachen/": {"email": value, "display_name": value, "consent": value},
        f"{base}anmelden/": {"email": value, "next": value},
        f"{base}thema/{thread.code}/folgen/": {"folgen": value},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
    for url in (
        f"{base}?kategorie={value}&seite={value}",
        f"{base}thema/{thread.code}/?zitat={value}",
    ):
        assert client.get(url).status_code < 500
    for segment in ("\x00", "x" * 3000, "..", "😀", "%ff"):
        for url in (f"{base}thema/{segment}/", f"{base}anmelden/{segment}/"):
            assert client.get(url).status_code in (400, 404), url


def test_a_refused_reply_keeps_the_text_with_the_error(forum):
    thread = start(forum)
    response = member_client(forum.bernd).post(
        f"/n/feldberg/austausch/thema/{thread.code}/antworten/", {"body": "x" * 10001}
    )
    assert response.status_code == 400
    assert "Bitte prüfen Sie Ihre Angaben." in response.content.decode()


def test_posting_is_rate_limited(forum, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"community_post": "3/m"}
    cache.clear()
    client = member_client(forum.anja)
    # Time stands still: a slow machine must not carry the requests into a new window.
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            client.post(
                "/n/feldberg/austausch/neu/",
                {"category": forum.category.pk, "title": f"Frage {n}", "body": "Text"},
            ).status_code
            for n in range(5)
        ]
    assert statuses == [302, 302, 302, 429, 429]
    with scopes_disabled():
        assert Thread.objects.count() == 3


def test_asking_for_sign_in_links_is_rate_limited(forum, settings, mailoutbox):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"community_signin": "2/m"}
    cache.clear()
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            Client()
            .post("/n/feldberg/austausch/anmelden/", {"email": f"x{n}@a.example"})
            .status_code
            for n in range(4)
        ]
    assert statuses == [200, 200, 429, 429]
