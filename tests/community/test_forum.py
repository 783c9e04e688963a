"""The forum: threads, replies, quotes, helpful marks, accepted answers, following,
mentions and the network boundary."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.community import services
from anlaufstelle.community.models import Follow, HelpfulMark, Notification, Post, Thread

from .conftest import make_member, member_client, start

pytestmark = pytest.mark.django_db


def test_a_member_starts_a_thread_and_another_replies_with_a_quote(forum):
    anja = member_client(forum.anja)
    response = anja.post(
        "/n/feldberg/austausch/neu/",
        {"category": forum.category.pk, "title": "Koch gesucht", "body": "Wer hat einen Tipp?"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        thread = Thread.objects.get(title="Koch gesucht")
        opening = thread.posts.get()
    url = f"/n/feldberg/austausch/thema/{thread.code}/"
    assert response["Location"] == url
    bernd = member_client(forum.bernd)
    page = bernd.get(f"{url}?zitat={opening.code}").content.decode()
    assert "Sie zitieren Anja Berger" in page
    response = bernd.post(
        f"{url}antworten/", {"body": "Versuchen Sie die Saisonkampagne.", "quoted": opening.code}
    )
    assert response.status_code == 302
    page = anja.get(url).content.decode()
    assert "Anja Berger schrieb:" in page and "Versuchen Sie die Saisonkampagne." in page
    with scopes_disabled():
        thread.refresh_from_db()
        assert thread.reply_count == 1


def test_a_reply_notifies_followers_and_mentions_notify_the_named(forum, personas):
    carla = make_member(forum.network, "carla@feldberg.example", "Carla Weiss")
    thread = start(forum)  # Anja follows her own thread
    with scopes_disabled():
        services.reply(
            author=forum.bernd, thread=thread, body="Frag doch @carla-weiss, sie kennt das."
        )
        kinds = dict(Notification.objects.values_list("member__handle", "kind"))
    assert kinds == {"anja-berger": "reply", "carla-weiss": "mention"}
    page = member_client(carla).get("/n/feldberg/austausch/benachrichtigungen/").content.decode()
    assert "hat Sie erwähnt" in page
    # A mention is marked in the post, not turned into markup of the writer's choosing.
    page = member_client(forum.anja).get(f"/n/feldberg/austausch/thema/{thread.code}/")
    assert '<strong class="forum-mention">@carla-weiss</strong>' in page.content.decode()


def test_helpful_marks_toggle_and_never_count_ones_own_post(forum):
    thread = start(forum)
    with scopes_disabled():
        post = services.reply(author=forum.bernd, thread=thread, body="Mein Tipp.")
    anja = member_client(forum.anja)
    anja.post(f"/n/feldberg/austausch/beitrag/{post.code}/hilfreich/")
    with scopes_disabled():
        assert HelpfulMark.objects.filter(post=post).count() == 1
    anja.post(f"/n/feldberg/austausch/beitrag/{post.code}/hilfreich/")
    member_client(forum.bernd).post(f"/n/feldberg/austausch/beitrag/{post.code}/hilfreich/")
    with scopes_disabled():
        assert HelpfulMark.objects.filter(post=post).count() == 0


def test_only_the_author_or_a_navigator_accepts_an_answer(forum):
    thread = start(forum)
    carla = make_member(forum.network, "carla@feldberg.example", "Carla Weiss")
    with scopes_disabled():
        post = services.reply(author=forum.bernd, thread=thread, body="Die Antwort.")
    member_client(carla).post(f"/n/feldberg/austausch/beitrag/{post.code}/antwort/")
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.accepted_post_id is None
    member_client(forum.anja).post(f"/n/feldberg/austausch/beitrag/{post.code}/antwort/")
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.accepted_post_id == post.pk


def test_following_can_be_switched_off(forum):
    thread = start(forum)
    client = member_client(forum.bernd)
    client.post(f"/n/feldberg/austausch/thema/{thread.code}/folgen/", {"folgen": "1"})
    with scopes_disabled():
        assert Follow.objects.filter(thread=thread, member=forum.bernd).exists()
    client.post(f"/n/feldberg/austausch/thema/{thread.code}/folgen/", {"folgen": "0"})
    with scopes_disabled():
        assert not Follow.objects.filter(thread=thread, member=forum.bernd).exists()


def test_a_locked_thread_takes_no_reply(forum):
    thread = start(forum)
    with scopes_disabled():
        services.set_locked(thread=thread, locked=True)
    response = member_client(forum.bernd).post(
        f"/n/feldberg/austausch/thema/{thread.code}/antworten/", {"body": "Noch was."}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Post.objects.filter(thread=thread).count() == 1


# -- who sees what -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(forum):
    thread = start(forum)
    for url in ("/n/feldberg/austausch/", f"/n/feldberg/austausch/thema/{thread.code}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/austausch/anmelden/" in response["Location"]


def test_members_of_another_network_never_see_this_forum(forum, stuttgart_forum, personas):
    thread = start(forum)
    urls = [
        "/n/feldberg/austausch/",
        f"/n/feldberg/austausch/thema/{thread.code}/",
        "/n/feldberg/austausch/profil/",
        "/n/feldberg/austausch/neu/",
    ]
    outsider = member_client(stuttgart_forum.anja)
    staff = Client()
    staff.force_login(personas.stuttgart.navigator)
    for client in (outsider, staff):
        for url in urls:
            assert client.get(url).status_code == 404, url
        assert (
            client.post(
                f"/n/feldberg/austausch/thema/{thread.code}/antworten/", {"body": "x"}
            ).status_code
            == 404
        )
    # The thread's code under the other network's forum is not found either.
    assert outsider.get(f"/n/stuttgart/austausch/thema/{thread.code}/").status_code == 404


def test_a_pending_member_reads_nothing_yet(forum):
    pending = make_member(forum.network, "neu@feldberg.example", "Neu Ling", status="pending")
    thread = start(forum)
    page = member_client(pending).get(f"/n/feldberg/austausch/thema/{thread.code}/")
    assert "Koch für die Saison" not in page.content.decode()


def test_the_thread_list_does_not_grow_queries_with_threads(forum, django_assert_max_num_queries):
    for number in range(3):
        start(forum, title=f"Frage {number}")
    client = member_client(forum.anja)
    client.get("/n/feldberg/austausch/")
    with django_assert_max_num_queries(12) as few:
        client.get("/n/feldberg/austausch/")
    for number in range(3, 15):
        start(forum, author=forum.bernd, title=f"Frage {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/n/feldberg/austausch/")
    assert "Frage 14" in response.content.decode()


def test_notifications_are_marked_read_and_the_count_drops(forum):
    thread = start(forum)
    with scopes_disabled():
        services.reply(author=forum.bernd, thread=thread, body="Antwort für Anja.")
    client = member_client(forum.anja)
    assert "Benachrichtigungen (1)" in client.get("/n/feldberg/austausch/").content.decode()
    client.post("/n/feldberg/austausch/benachrichtigungen/")
    with scopes_disabled():
        assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert "Benachrichtigungen (1)" not in client.get("/n/feldberg/austausch/").content.decode()
