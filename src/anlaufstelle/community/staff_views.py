"""Navigators' pages of the forum: approval and blocking of members, the moderation queue.

Every page goes through the one staff guard (coordinators and navigators)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anlaufstelle.directory.queries import site_network
from anlaufstelle.networks.guards import staff_view
from anlaufstelle.networks.models import Role

from . import membership, queries, services
from .forms import MoveForm
from .models import Member, MemberStatus, Post, Report, Thread

MODERATORS = (Role.COORDINATOR, Role.NAVIGATOR)
MEMBERS_PAGE_SIZE = 50


@staff_view(roles=MODERATORS)
def members(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    pending = (
        Member.objects.filter(network=network, status=MemberStatus.PENDING)
        .prefetch_related("topics")
        .order_by("created_at")
    )
    # Company members who take part or are blocked (staff take part through their account).
    query = request.GET.get("q", "").strip()[:100]
    others = Member.objects.filter(
        network=network,
        user__isnull=True,
        status__in=[MemberStatus.ACTIVE, MemberStatus.BLOCKED],
    ).order_by("status", "display_name", "pk")
    if query:
        found = Q(display_name__icontains=query) | Q(company__icontains=query)
        others = others.filter(found | Q(email__icontains=query))
    page = Paginator(others, MEMBERS_PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(
        request,
        "community/staff/members.html",
        {
            "pending": pending,
            "page": page,
            "query": query,
            "settings": membership.settings_for(network),
        },
    )


MEMBER_ACTIONS: dict[str, tuple[Callable[..., bool], Callable[[], str]]] = {
    "freigeben": (membership.approve, lambda: _("%(name)s is now a member.")),
    "ablehnen": (membership.reject, lambda: _("The request of %(name)s is declined.")),
    "sperren": (membership.block, lambda: _("%(name)s is blocked.")),
    "entsperren": (membership.unblock, lambda: _("%(name)s is no longer blocked.")),
}


@staff_view(roles=MODERATORS)
@require_POST
def member_action(request: HttpRequest, network_slug: str, code: str, action: str) -> HttpResponse:
    member = Member.objects.filter(network=site_network(request), code=code).first()
    if member is None:
        raise Http404
    decide, text = MEMBER_ACTIONS[action]
    if decide(member=member):
        messages.success(request, text() % {"name": member.display_name})
    if request.POST.get("zurueck") == "moderation":
        return redirect("site:community:staff_moderation", network_slug)
    return redirect("site:community:staff_members", network_slug)


@staff_view(roles=MODERATORS)
def moderation(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    reports = (
        Report.objects.filter(network=network, resolved_at__isnull=True)
        .select_related("post__thread", "post__author", "reporter")
        .order_by("created_at")
    )
    hidden_posts = (
        Post.objects.filter(network=network, is_hidden=True)
        .select_related("thread", "author")
        .order_by("-created_at")[:50]
    )
    threads = (
        Thread.objects.filter(network=network)
        .select_related("category")
        .order_by("-last_activity_at")[:50]
    )
    return render(
        request,
        "community/staff/moderation.html",
        {
            "reports": reports,
            "hidden_posts": hidden_posts,
            "threads": threads,
            "categories": queries.categories(network),
        },
    )


POST_ACTIONS: dict[str, Callable[[Post], object]] = {
    "ausblenden": lambda post: services.set_post_hidden(post=post, hidden=True),
    "einblenden": lambda post: services.set_post_hidden(post=post, hidden=False),
    "erledigt": lambda post: services.dismiss_reports(post=post),
}


@staff_view(roles=MODERATORS)
@require_POST
def post_action(request: HttpRequest, network_slug: str, code: str, action: str) -> HttpResponse:
    POST_ACTIONS[action](queries.post_or_404(site_network(request), code, moderator=True))
    messages.success(request, _("Done."))
    return redirect("site:community:staff_moderation", network_slug)


def _move(request: HttpRequest, thread: Thread) -> None:
    form = MoveForm(request.POST, categories=queries.categories(thread.network))
    if form.is_valid():
        services.move(thread=thread, category=form.cleaned_data["category"])


THREAD_ACTIONS: dict[str, Callable[[HttpRequest, Thread], object]] = {
    "sperren": lambda _r, t: services.set_locked(thread=t, locked=True),
    "entsperren": lambda _r, t: services.set_locked(thread=t, locked=False),
    "ausblenden": lambda _r, t: services.set_thread_hidden(thread=t, hidden=True),
    "einblenden": lambda _r, t: services.set_thread_hidden(thread=t, hidden=False),
    "verschieben": _move,
}


@staff_view(roles=MODERATORS)
@require_POST
def thread_action(request: HttpRequest, network_slug: str, code: str, action: str) -> HttpResponse:
    found = queries.thread_or_404(site_network(request), code, moderator=True)
    THREAD_ACTIONS[action](request, found)
    messages.success(request, _("Done."))
    return redirect("site:community:staff_moderation", network_slug)
