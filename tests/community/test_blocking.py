"""Blocking a member from the site's moderation pages (not only the back office): a blocked
member can neither post nor sign in by magic link and is told so in German; navigators
of this network only; staff are never blocked here; unblocking lets the member back in."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.community import membership, services
from anlaufstelle.community.models import Member, MemberStatus, Post, Thread

from .conftest import make_member, member_client, start

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/austausch/"
MEMBERS = f"{BASE}verwaltung/mitglieder/"
BLOCKED_TITLE = "Ihr Zugang zum Austausch ist gesperrt"


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status_of(member: Member) -> str:
    with scopes_disabled():
        member.refresh_from_db()
    return member.status


def test_a_navigator_blocks_and_unblocks_a_member_on_the_members_page(forum, personas):
    navigator = staff_client(personas.feldberg.navigator)
    page = navigator.get(MEMBERS)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Anja Berger sperren" in html and "Bernd Krause sperren" in html
    response = navigator.post(f"{MEMBERS}{forum.anja.code}/sperren/")
    assert response.status_code == 302 and response["Location"] == MEMBERS
    assert status_of(forum.anja) == MemberStatus.BLOCKED
    page = navigator.get(response["Location"]).content.decode()
    assert "Anja Berger ist gesperrt." in page
    assert "Anja Berger entsperren" in page and "gesperrt</td>" in page
    # Blocking twice changes nothing and says nothing.
    navigator.post(f"{MEMBERS}{forum.anja.code}/sperren/")
    assert status_of(forum.anja) == MemberStatus.BLOCKED
    navigator.post(f"{MEMBERS}{forum.anja.code}/entsperren/")
    assert status_of(forum.anja) == MemberStatus.ACTIVE
    assert member_client(forum.anja).get(BASE).status_code == 200


def test_a_blocked_member_cannot_post_and_is_told_so_in_german(forum, personas):
    thread = start(forum, author=forum.bernd)
    client = member_client(forum.anja)
    staff_client(personas.feldberg.navigator).post(f"{MEMBERS}{forum.anja.code}/sperren/")
    for url, data in (
        (f"{BASE}neu/", {"category": forum.category.pk, "title": "Frage", "body": "Text"}),
        (f"{BASE}thema/{thread.code}/antworten/", {"body": "Noch eine Antwort"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403
        assert BLOCKED_TITLE in response.content.decode()
    page = client.get(BASE)
    assert page.status_code == 403 and BLOCKED_TITLE in page.content.decode()
    with scopes_disabled():
        assert not Thread.objects.filter(title="Frage").exists()
        assert not Post.objects.filter(author=forum.anja).exists()


def test_a_blocked_member_cannot_sign_in_with_an_earlier_link(forum, personas, mailoutbox):
    from .conftest import link_in

    Client().post(f"{BASE}anmelden/", {"email": forum.anja.email})
    link = link_in(mailoutbox[-1])
    staff_client(personas.feldberg.navigator).post(f"{MEMBERS}{forum.anja.code}/sperren/")
    client = Client()
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 403
        assert BLOCKED_TITLE in response.content.decode()
    assert client.get(BASE).status_code == 302  # not signed in
    # Asking for a new link gives the usual answer, and no link is sent.
    sent = len(mailoutbox)
    response = Client().post(f"{BASE}anmelden/", {"email": forum.anja.email})
    assert response.status_code == 200 and len(mailoutbox) == sent


def test_the_moderation_queue_blocks_the_author_of_a_reported_post(forum, personas):
    thread = start(forum)
    with scopes_disabled():
        post = services.reply(author=forum.bernd, thread=thread, body="Kauft bei mir ein!")
        services.report(member=forum.anja, post=post, reason="Werbung")
    navigator = staff_client(personas.feldberg.navigator)
    queue = navigator.get(f"{BASE}verwaltung/moderation/").content.decode()
    assert "Bernd Krause sperren" in queue
    response = navigator.post(f"{MEMBERS}{forum.bernd.code}/sperren/", {"zurueck": "moderation"})
    assert response["Location"] == f"{BASE}verwaltung/moderation/"
    assert status_of(forum.bernd) == MemberStatus.BLOCKED


def test_only_navigators_and_coordinators_of_this_network_block(forum, stuttgart_forum, personas):
    url = f"{MEMBERS}{forum.anja.code}/sperren/"
    for user in (personas.feldberg.partner_expert, personas.stuttgart.navigator):
        assert staff_client(user).post(url).status_code == 404
    response = member_client(forum.bernd).post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(url).status_code == 302
    # A Stuttgart member's code on Feldberg's page is unknown there.
    navigator = staff_client(personas.feldberg.coordinator)
    assert navigator.post(f"{MEMBERS}{stuttgart_forum.anja.code}/sperren/").status_code == 404
    assert navigator.get(url).status_code == 405
    assert status_of(forum.anja) == status_of(stuttgart_forum.anja) == MemberStatus.ACTIVE


def test_staff_members_are_not_blocked_here(forum, personas):
    expert = personas.feldberg.partner_expert
    with scopes_disabled():
        staff_member = membership._staff_member(forum.network, expert)
    navigator = staff_client(personas.feldberg.navigator)
    assert f"{staff_member.display_name} sperren" not in navigator.get(MEMBERS).content.decode()
    navigator.post(f"{MEMBERS}{staff_member.code}/sperren/")
    assert status_of(staff_member) == MemberStatus.ACTIVE


def test_the_members_list_finds_by_name_company_or_address(forum, personas):
    make_member(forum.network, "carla@werft.example", "Carla Nord", company="Werft Nord")
    navigator = staff_client(personas.feldberg.navigator)
    for query in ("werft", "carla@", "Nord"):
        html = navigator.get(MEMBERS, {"q": query}).content.decode()
        assert "Carla Nord sperren" in html and "Anja Berger sperren" not in html
    html = navigator.get(MEMBERS, {"q": "niemand"}).content.decode()
    assert "Kein Mitglied passt zur Suche." in html


def test_a_blocked_member_gets_no_digest_and_no_new_mentions(forum, personas, mailoutbox):
    from django.core.management import call_command

    thread = start(forum)  # Anja follows her thread
    with scopes_disabled():
        services.reply(author=forum.bernd, thread=thread, body="Ein Tipp für @anja-berger.")
    staff_client(personas.feldberg.navigator).post(f"{MEMBERS}{forum.anja.code}/sperren/")
    call_command("send_community_digest")
    assert mailoutbox == []
    with scopes_disabled():
        services.reply(author=forum.bernd, thread=thread, body="Noch einmal @anja-berger.")
        assert not forum.anja.notifications.filter(
            kind="mention", post__body__startswith="Noch"
        ).exists()
