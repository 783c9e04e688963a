"""The forum's pages: membership (join, magic link), threads, replies, notifications.

Who may read: active members of this network and its staff. Anonymous visitors are sent
to sign in; anyone signed in elsewhere (another network's member or staff) gets 404, the
same answer as for a page that does not exist. Moderation pages are in staff_views.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anlaufstelle.directory.queries import site_network
from anlaufstelle.networks.auth import needs_second_factor_setup

from . import membership, queries, records, services
from .forms import JoinForm, ProfileForm, ReplyForm, ReportForm, SignInForm, ThreadForm
from .models import Member, MemberStatus, Post, Thread
from .rendering import render_body

PAGE_SIZE = 20


def _member(request: HttpRequest) -> Member:
    return request.community_member  # type: ignore[attr-defined]


def member_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Admit active members of this network (and its staff); see the module docstring."""

    @wraps(view)
    def wrapped(request: HttpRequest, network_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        network = site_network(request)
        if needs_second_factor_setup(request.user):
            # Staff see nothing beyond the public pages before their second factor.
            return redirect("mfa_activate_totp")
        member = membership.current_member(request, network)
        if member is None:
            if membership.blocked_in_session(request, network):
                return _blocked(request)
            if membership.belongs_elsewhere(request, network):
                raise Http404
            signin = reverse("site:community:signin", args=[network.slug])
            return redirect(f"{signin}?next={request.path}")
        if member.status == MemberStatus.PENDING:
            response = render(request, "community/pending.html", {"member": member})
        else:
            request.community_member = member  # type: ignore[attr-defined]
            response = view(request, network_slug, *args, **kwargs)
        # Members' pages are personal: never from a shared cache.
        add_never_cache_headers(response)
        return response

    return wrapped


def _blocked(request: HttpRequest) -> HttpResponse:
    """The page a blocked member sees instead of the forum (and instead of signing in)."""
    response = render(request, "community/blocked.html", status=403)
    add_never_cache_headers(response)
    return response


# Where a visitor wanted to go before signing in; the sign-in link opened in the same
# browser leads there (in another browser: to the thread list).
NEXT_SESSION_KEY = "community_next"


def _safe(target: str, network_slug: str) -> str:
    prefix = f"/n/{network_slug}/austausch/"
    odd = "//" in target or "\\" in target or not target.isprintable()
    if target.startswith(prefix) and not odd:
        return target
    return reverse("site:community:index", args=[network_slug])


def _safe_next(request: HttpRequest, network_slug: str) -> str:
    return _safe(request.POST.get("next") or request.GET.get("next") or "", network_slug)


# -- membership ----------------------------------------------------------------------


def join(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("email")
        data.pop("consent")
        membership.join(network=network, email=email, profile=data)
        return render(request, "community/link_sent.html", {"email": email})
    settings = membership.settings_for(network)
    return render(request, "community/join.html", {"form": form, "settings": settings})


def signin(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        member = Member.objects.filter(network=network, email=email).first()
        if member is not None:
            membership.send_link(member=member)
        request.session[NEXT_SESSION_KEY] = _safe_next(request, network_slug)
        # The same answer whether or not the address is a member.
        return render(request, "community/link_sent.html", {"email": email})
    return render(
        request, "community/signin.html", {"form": form, "next": _safe_next(request, network_slug)}
    )


def magic(request: HttpRequest, network_slug: str, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that follow links do not spend the token);
    POST spends it and signs in."""
    network = site_network(request)
    link = membership.link_for(network, token)
    if link is not None and link.member.status == MemberStatus.BLOCKED:
        response = _blocked(request)
    elif request.method == "POST":
        member = membership.use_link(network=network, token=token)
        if member is None:
            response = render(request, "community/link_invalid.html", status=400)
        else:
            membership.activate_if_open(member)
            target = str(request.session.pop(NEXT_SESSION_KEY, ""))
            membership.sign_in(request, member)
            response = redirect(_safe(target, network_slug))
    elif link is None:
        response = render(request, "community/link_invalid.html", status=400)
    else:
        response = render(request, "community/magic.html", {"token": token})
    add_never_cache_headers(response)
    # The token is in the path: never send it to another site. ("no-referrer" would make
    # the browser send Origin: null with the form, and the CSRF check refuses that.)
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
def signout(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    membership.sign_out(request, network)
    return redirect("site:community:signin", network_slug)


def code_of_conduct(request: HttpRequest, network_slug: str) -> HttpResponse:
    site_network(request)
    return render(request, "community/code_of_conduct.html")


@member_view
def profile(request: HttpRequest, network_slug: str) -> HttpResponse:
    member = _member(request)
    initial = {
        "display_name": member.display_name,
        "company": member.company,
        "branche": member.branche,
        "gemeinde": member.gemeinde,
        "digest": member.digest,
        "topics": list(member.topics.all()),
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        member.topics.set(data.pop("topics"))
        for field, value in data.items():
            setattr(member, field, value)
        member.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("site:community:profile", network_slug)
    context = {
        "form": form,
        "member": member,
        "linkable": records.linkable(member),
        "linked": records.linked(member),
    }
    return render(request, "community/profile.html", context)


@member_view
@require_POST
def link_records(request: HttpRequest, network_slug: str) -> HttpResponse:
    count = records.link_all(member=_member(request))
    messages.success(
        request, _("%(count)s entries are now linked to your account.") % {"count": count}
    )
    return redirect("site:community:profile", network_slug)


# -- forum ---------------------------------------------------------------------------


@member_view
def index(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    threads = queries.visible_threads(network)
    category = None
    wanted = request.GET.get("kategorie", "")
    categories = list(queries.categories(network))
    if wanted:
        category = next((c for c in categories if c.slug == wanted), None)
        if category is None:
            raise Http404
        threads = threads.filter(category=category)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("seite"))
    context = {
        "page": page,
        "categories": categories,
        "category": category,
        "member": _member(request),
        "unread": queries.unread_count(_member(request)),
        "settings": membership.settings_for(network),
    }
    return render(request, "community/index.html", context)


@member_view
def new_thread(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    categories = queries.categories(network)
    initial = {}
    wanted = categories.filter(slug=request.GET.get("kategorie", "")).first()
    if wanted is not None:
        initial["category"] = wanted
    form = ThreadForm(request.POST or None, categories=categories, initial=initial)
    if request.method == "POST" and form.is_valid():
        thread = services.start_thread(author=_member(request), **form.cleaned_data)
        return redirect("site:community:thread", network_slug, thread.code)
    return render(request, "community/new_thread.html", {"form": form})


def _thread_page(
    request: HttpRequest, thread: Thread, form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    member = _member(request)
    network = site_network(request)
    posts = queries.posts_of(thread, member)
    known = queries.handles(network)
    rendered = [(post, render_body(post.body, known)) for post in posts]
    quoted_code = request.GET.get("zitat", "")
    quoted = next((p for p in posts if p.code == quoted_code), None)
    if form is None:
        form = ReplyForm(initial={"quoted": quoted.code if quoted else ""})
    context = {
        "thread": thread,
        "posts": rendered,
        "form": form,
        "quoted": quoted,
        "member": member,
        "may_accept": services.may_accept(member, thread),
        "following": thread.follows.filter(member=member).exists(),
        "report_form": ReportForm(),
    }
    return render(request, "community/thread.html", context, status=status)


@member_view
def thread(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    found = queries.thread_or_404(site_network(request), code)
    return _thread_page(request, found)


@member_view
@require_POST
def reply(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    network = site_network(request)
    found = queries.thread_or_404(network, code)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, found, form, status=400)
    quoted = None
    if form.cleaned_data["quoted"]:
        quoted = Post.objects.filter(
            thread=found, code=form.cleaned_data["quoted"], is_hidden=False
        ).first()
    try:
        post = services.reply(
            author=_member(request), thread=found, body=form.cleaned_data["body"], quoted=quoted
        )
    except services.ForumError:
        messages.error(request, _("This thread is closed for replies."))
        return redirect("site:community:thread", network_slug, code)
    url = reverse("site:community:thread", args=[network_slug, code])
    return redirect(f"{url}#beitrag-{post.code}")


def _helpful(request: HttpRequest, post: Post) -> None:
    services.toggle_helpful(member=_member(request), post=post)


def _accept(request: HttpRequest, post: Post) -> None:
    services.accept_answer(member=_member(request), post=post)


def _report(request: HttpRequest, post: Post) -> None:
    form = ReportForm(request.POST)
    if not form.is_valid():
        raise services.ForumError("reason")
    services.report(member=_member(request), post=post, reason=form.cleaned_data["reason"])
    messages.success(request, _("Thank you. The navigators will look at this post."))


POST_ACTIONS: dict[str, Callable[[HttpRequest, Post], None]] = {
    "hilfreich": _helpful,
    "antwort": _accept,
    "melden": _report,
}


@member_view
@require_POST
def post_action(request: HttpRequest, network_slug: str, code: str, action: str) -> HttpResponse:
    post = queries.post_or_404(site_network(request), code)
    try:
        POST_ACTIONS[action](request, post)
    except services.ForumError:
        messages.error(request, _("That is not possible for this post."))
    url = reverse("site:community:thread", args=[network_slug, post.thread.code])
    return redirect(f"{url}#beitrag-{post.code}")


@member_view
@require_POST
def follow(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    found = queries.thread_or_404(site_network(request), code)
    services.set_following(
        member=_member(request), thread=found, follow=request.POST.get("folgen") == "1"
    )
    return redirect("site:community:thread", network_slug, code)


@member_view
def notifications(request: HttpRequest, network_slug: str) -> HttpResponse:
    member = _member(request)
    if request.method == "POST":
        queries.notifications(member).filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("site:community:notifications", network_slug)
    items = list(queries.notifications(member)[:50])
    return render(request, "community/notifications.html", {"items": items})
