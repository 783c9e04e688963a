"""Every write of the forum: threads, replies, marks, follows, moderation, notifications."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import (
    Category,
    Follow,
    HelpfulMark,
    Member,
    Notification,
    NotificationKind,
    Post,
    Report,
    Thread,
)
from .rendering import mentioned_handles

log = logging.getLogger(__name__)


class ForumError(Exception):
    """A write the forum refuses (locked thread, not allowed); the message is for people."""


def _touch(thread: Thread) -> None:
    # Saving the thread (not update()) re-indexes it for the search.
    thread.save()


def _notify(*, post: Post, author: Member) -> None:
    """Mentioned members and followers of the thread hear about `post` (not its author)."""
    handles = mentioned_handles(post.body)
    mentioned = set()
    if handles:
        mentioned = set(
            Member.objects.filter(network=post.network, handle__in=handles, status="active")
            .exclude(pk=author.pk)
            .values_list("pk", flat=True)
        )
    followers = set(
        Follow.objects.filter(thread=post.thread)
        .exclude(member=author)
        .values_list("member_id", flat=True)
    )
    rows = [
        Notification(network=post.network, member_id=pk, kind=NotificationKind.MENTION, post=post)
        for pk in mentioned
    ] + [
        Notification(network=post.network, member_id=pk, kind=NotificationKind.REPLY, post=post)
        for pk in followers - mentioned
    ]
    Notification.objects.bulk_create(rows)


def _require_active(member: Member) -> None:
    if not member.is_active_member:
        raise ForumError("not active")


@transaction.atomic
def start_thread(*, author: Member, category: Category, title: str, body: str) -> Thread:
    """Open a thread with its first post; the author follows it."""
    _require_active(author)
    now = timezone.now()
    thread = Thread.objects.create(
        network=author.network,
        category=category,
        title=title.strip(),
        author=author,
        created_at=now,
        last_activity_at=now,
    )
    post = Post.objects.create(
        network=author.network, thread=thread, author=author, body=body, is_opening=True
    )
    Follow.objects.create(network=author.network, thread=thread, member=author)
    _notify(post=post, author=author)
    return thread


@transaction.atomic
def reply(*, author: Member, thread: Thread, body: str, quoted: Post | None = None) -> Post:
    """Add a reply (refused on a locked or hidden thread); the author follows the thread."""
    _require_active(author)
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.is_locked or locked.is_hidden:
        raise ForumError("locked")
    if quoted is not None and quoted.thread_id != thread.pk:
        quoted = None
    post = Post.objects.create(
        network=author.network, thread=locked, author=author, body=body, quoted=quoted
    )
    locked.reply_count = F("reply_count") + 1
    locked.last_activity_at = post.created_at
    _touch(locked)
    locked.refresh_from_db()
    Follow.objects.get_or_create(network=author.network, thread=locked, member=author)
    _notify(post=post, author=author)
    return post


def toggle_helpful(*, member: Member, post: Post) -> bool:
    """Mark or unmark `post` as helpful; True when it is marked afterwards."""
    _require_active(member)
    if post.author_id == member.pk:
        raise ForumError("own post")
    deleted, _rows = HelpfulMark.objects.filter(post=post, member=member).delete()
    if deleted:
        return False
    HelpfulMark.objects.get_or_create(network=member.network, post=post, member=member)
    return True


def may_accept(member: Member, thread: Thread) -> bool:
    return member.is_active_member and (thread.author_id == member.pk or member.is_moderator)


def accept_answer(*, member: Member, post: Post) -> None:
    """The thread's author (or a navigator) marks a reply as the accepted answer."""
    thread = post.thread
    if not may_accept(member, thread) or post.is_opening or post.is_hidden:
        raise ForumError("not allowed")
    thread.accepted_post = post if thread.accepted_post_id != post.pk else None
    _touch(thread)


def set_following(*, member: Member, thread: Thread, follow: bool) -> None:
    if follow:
        # get_or_create handles a parallel follow itself (savepoint, then get).
        Follow.objects.get_or_create(network=member.network, thread=thread, member=member)
    else:
        Follow.objects.filter(thread=thread, member=member).delete()


def report(*, member: Member, post: Post, reason: str) -> Report:
    _require_active(member)
    return Report.objects.create(
        network=member.network, post=post, reporter=member, reason=reason.strip()
    )


# -- moderation (navigators and coordinators; the views are behind staff_view) -------


def set_post_hidden(*, post: Post, hidden: bool) -> None:
    """Hide or show a post; hiding the opening post hides the whole thread."""
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_hidden=hidden)
        thread = Thread.objects.select_for_update().get(pk=post.thread_id)
        if post.is_opening:
            thread.is_hidden = hidden
        if hidden and thread.accepted_post_id == post.pk:
            thread.accepted_post = None
        Report.objects.filter(post=post, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        _touch(thread)
    log.info("forum post hidden" if hidden else "forum post shown", extra={"post": post.pk})


def set_thread_hidden(*, thread: Thread, hidden: bool) -> None:
    thread.is_hidden = hidden
    _touch(thread)


def set_locked(*, thread: Thread, locked: bool) -> None:
    thread.is_locked = locked
    _touch(thread)


def move(*, thread: Thread, category: Category) -> None:
    if category.network_id != thread.network_id:
        raise ForumError("other network")
    thread.category = category
    _touch(thread)


def dismiss_reports(*, post: Post) -> int:
    return Report.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
