"""The e-mail digest of mentions and replies: per member daily, weekly or never; each
notification is mailed once; hidden posts are left out."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.community import services
from anlaufstelle.community.models import Member
from anlaufstelle.ops import periodic

from .conftest import start

pytestmark = pytest.mark.django_db


def test_the_digest_is_a_periodic_job():
    assert any(job.command == "send_community_digest" for job in periodic.JOBS)


def test_a_member_gets_mentions_and_replies_once(forum, mailoutbox):
    thread = start(forum)
    with scopes_disabled():
        services.reply(author=forum.bernd, thread=thread, body="Ein Tipp für @anja-berger.")
    call_command("send_community_digest")
    assert [m.to for m in mailoutbox] == [[forum.anja.email]]
    mail = mailoutbox[0]
    assert "Neu im Austausch" in mail.subject
    assert "Bernd Krause hat Sie erwähnt" in mail.body
    assert f"/n/feldberg/austausch/thema/{thread.code}/" in mail.body
    call_command("send_community_digest")
    assert len(mailoutbox) == 1


def test_members_who_chose_no_email_get_none_and_weekly_ones_once_a_week(forum, mailoutbox):
    thread = start(forum)
    with scopes_disabled():
        Member.objects.filter(pk=forum.anja.pk).update(digest="never")
        Member.objects.filter(pk=forum.bernd.pk).update(digest="weekly")
        services.reply(author=forum.bernd, thread=thread, body="Erste Antwort.")
        services.reply(author=forum.anja, thread=thread, body="Danke!")
    call_command("send_community_digest")
    assert [m.to for m in mailoutbox] == [[forum.bernd.email]]
    with scopes_disabled():
        services.reply(author=forum.anja, thread=thread, body="Noch eine Frage.")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        call_command("send_community_digest")
    assert len(mailoutbox) == 1
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        call_command("send_community_digest")
    assert len(mailoutbox) == 2


def test_a_hidden_post_is_not_mailed(forum, mailoutbox):
    thread = start(forum)
    with scopes_disabled():
        post = services.reply(author=forum.bernd, thread=thread, body="Werbung!")
        services.set_post_hidden(post=post, hidden=True)
    call_command("send_community_digest")
    assert mailoutbox == []
