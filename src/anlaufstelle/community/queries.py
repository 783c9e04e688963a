"""Reads of the forum: always one network's own rows (never the nationwide pool's)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from anlaufstelle.networks.models import Network

from .models import Category, Member, Notification, Post, Thread


def categories(network: Network) -> QuerySet[Category]:
    return Category.objects.filter(network=network)


def visible_threads(network: Network) -> QuerySet[Thread]:
    """The list of threads members see: not hidden, newest activity first."""
    return (
        Thread.objects.filter(network=network, is_hidden=False)
        .select_related("category", "author__user", "accepted_post")
        .order_by("-last_activity_at", "-pk")
    )


def thread_or_404(network: Network, code: str, *, moderator: bool = False) -> Thread:
    threads = Thread.objects.filter(network=network, code=code).select_related(
        "category", "author__user"
    )
    if not moderator:
        threads = threads.filter(is_hidden=False)
    thread = threads.first()
    if thread is None:
        raise Http404
    return thread


def post_or_404(network: Network, code: str, *, moderator: bool = False) -> Post:
    posts = Post.objects.filter(network=network, code=code).select_related("thread", "author__user")
    if not moderator:
        posts = posts.filter(is_hidden=False, thread__is_hidden=False)
    post = posts.first()
    if post is None:
        raise Http404
    return post


def posts_of(thread: Thread, member: Member, *, moderator: bool = False) -> list[Post]:
    posts = (
        Post.objects.filter(thread=thread)
        .select_related("author__user", "quoted__author")
        .annotate(
            helpful_count=Count("helpful_marks", distinct=True),
            marked_by_me=Count("helpful_marks", filter=Q(helpful_marks__member=member)),
        )
        .order_by("created_at", "pk")
    )
    if not moderator:
        posts = posts.filter(is_hidden=False)
    return list(posts)


def notifications(member: Member) -> QuerySet[Notification]:
    """The member's notifications of posts that are still visible."""
    return (
        Notification.objects.filter(
            member=member, post__is_hidden=False, post__thread__is_hidden=False
        )
        .select_related("post__thread", "post__author")
        .order_by("-created_at", "-pk")
    )


def unread_count(member: Member) -> int:
    return notifications(member).filter(read_at__isnull=True).count()


def handles(network: Network) -> set[str]:
    return set(
        Member.objects.filter(network=network, status="active").values_list("handle", flat=True)
    )
