"""Moderation: report, hide, lock, move; the queue for navigators; hidden posts stay hidden."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.community import services
from anlaufstelle.community.models import Notification, Report, Thread

from .conftest import member_client, start

pytestmark = pytest.mark.django_db


def navigator(personas):
    client = Client()
    client.force_login(personas.feldberg.navigator)
    return client


def test_a_reported_post_reaches_the_queue_and_is_hidden_there(forum, personas):
    thread = start(forum)
    with scopes_disabled():
        post = services.reply(author=forum.bernd, thread=thread, body="Kauft bei mir ein!")
    member_client(forum.anja).post(
        f"/n/feldberg/austausch/beitrag/{post.code}/melden/", {"reason": "Werbung"}
    )
    queue = navigator(personas).get("/n/feldberg/austausch/verwaltung/moderation/")
    assert queue.status_code == 200
    assert "Kauft bei mir ein!" in queue.content.decode() and "Werbung" in queue.content.decode()
    navigator(personas).post(f"/n/feldberg/austausch/verwaltung/beitrag/{post.code}/ausblenden/")
    with scopes_disabled():
        post.refresh_from_db()
        assert post.is_hidden
        assert not Report.objects.filter(resolved_at__isnull=True).exists()
    page = member_client(forum.anja).get(f"/n/feldberg/austausch/thema/{thread.code}/")
    assert "Kauft bei mir ein!" not in page.content.decode()
    # Nor can a member act on it or see it in notifications.
    assert (
        member_client(forum.anja)
        .post(f"/n/feldberg/austausch/beitrag/{post.code}/hilfreich/")
        .status_code
        == 404
    )
    with scopes_disabled():
        assert Notification.objects.filter(post=post).exists()
    notes = member_client(forum.anja).get("/n/feldberg/austausch/benachrichtigungen/")
    assert "Keine Benachrichtigungen" in notes.content.decode()


def test_hiding_the_opening_post_hides_the_thread(forum, personas):
    thread = start(forum)
    with scopes_disabled():
        opening = thread.posts.get()
    navigator(personas).post(f"/n/feldberg/austausch/verwaltung/beitrag/{opening.code}/ausblenden/")
    assert (
        member_client(forum.bernd).get(f"/n/feldberg/austausch/thema/{thread.code}/").status_code
        == 404
    )
    assert (
        "Koch für die Saison"
        not in member_client(forum.bernd).get("/n/feldberg/austausch/").content.decode()
    )


def test_navigators_lock_and_move_threads(forum, personas):
    thread = start(forum)
    client = navigator(personas)
    client.post(f"/n/feldberg/austausch/verwaltung/thema/{thread.code}/sperren/")
    client.post(
        f"/n/feldberg/austausch/verwaltung/thema/{thread.code}/verschieben/",
        {"category": forum.other_category.pk},
    )
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.is_locked and thread.category == forum.other_category


def test_a_thread_cannot_move_into_another_networks_category(forum, stuttgart_forum, personas):
    thread = start(forum)
    navigator(personas).post(
        f"/n/feldberg/austausch/verwaltung/thema/{thread.code}/verschieben/",
        {"category": stuttgart_forum.category.pk},
    )
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.category == forum.category


def test_moderation_is_for_this_networks_navigators_only(forum, stuttgart_forum, personas):
    thread = start(forum)
    urls = [
        "/n/feldberg/austausch/verwaltung/moderation/",
    ]
    posts = [f"/n/feldberg/austausch/verwaltung/thema/{thread.code}/ausblenden/"]
    for user in (
        personas.feldberg.partner_expert,
        personas.stuttgart.navigator,
        personas.stuttgart.coordinator,
    ):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
        for url in posts:
            assert client.post(url).status_code == 404
    # A member is no moderator, even with a guessed URL.
    response = member_client(forum.anja).post(posts[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with scopes_disabled():
        assert not Thread.objects.get(pk=thread.pk).is_hidden
    # Stuttgart's navigator cannot reach Feldberg's thread through Stuttgart's URL either.
    client = Client()
    client.force_login(personas.stuttgart.navigator)
    assert (
        client.post(
            f"/n/stuttgart/austausch/verwaltung/thema/{thread.code}/ausblenden/"
        ).status_code
        == 404
    )


def test_the_code_of_conduct_is_public(forum):
    page = Client().get("/n/feldberg/austausch/regeln/")
    assert page.status_code == 200 and "Regeln des Austauschs" in page.content.decode()
