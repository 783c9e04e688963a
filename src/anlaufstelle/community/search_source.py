"""Visible threads as search documents (kind "thread"; "answered_thread" once an expert's
reply is the accepted answer — the assistant cites only those). Registered in apps.py.

A thread is indexed with its title, opening post and accepted answer; hidden threads
and hidden posts never reach the index. Hiding, locking, moving, replying and accepting
save the thread, which re-indexes it (registry.watch).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.urls import reverse

from anlaufstelle.networks.models import Network
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.sources import SourceItem

from .models import Post, Thread

KIND = "thread"
ANSWERED_KIND = "answered_thread"


def thread_ref(thread: Thread) -> str:
    return f"thread:{thread.code.lower()}"


def _visible() -> QuerySet[Thread]:
    return (
        Thread.objects.with_scopes_disabled()
        .filter(is_hidden=False)
        .select_related("category", "accepted_post__author__user", "author")
    )


def _opening(thread: Thread) -> Post | None:
    return (
        Post.objects.with_scopes_disabled()
        .filter(thread=thread, is_opening=True, is_hidden=False)
        .first()
    )


def thread_item(thread: Thread) -> SourceItem:
    opening = _opening(thread)
    answer = thread.accepted_post
    if answer is not None and answer.is_hidden:
        answer = None
    expert = answer is not None and answer.author.is_expert
    lines = [
        f"Kategorie: {thread.category.name}",
        opening.body if opening else "",
        f"Antwort von {answer.author.display_name}: {answer.body}" if answer else "",
    ]
    body = "\n".join(line for line in lines if line)
    return SourceItem(
        network_id=thread.network_id,
        ref=thread_ref(thread),
        kind=ANSWERED_KIND if expert else KIND,
        slug=thread.code.lower(),
        title=thread.title,
        body=body,
        embed_text="\n".join([thread.title, body[:800]]),
        provider_name=answer.author.display_name if expert and answer else "",
    )


def all_items() -> Iterator[SourceItem]:
    for thread in _visible():
        yield thread_item(thread)


def item_for(pk: int) -> SourceItem | None:
    thread = _visible().filter(pk=pk).first()
    return thread_item(thread) if thread else None


def result_url(network: Network, doc: SearchDocument) -> str:
    """The thread's page on its own network's forum ("" once it is hidden or gone)."""
    if doc.network_id != network.pk:
        return ""
    thread = _visible().filter(network_id=network.pk, code=doc.slug.upper()).first()
    if thread is None:
        return ""
    return reverse("site:community:thread", args=[network.slug, thread.code])
