"""Pages of the direct chat (in a concern or a booking) and the open consultation hours.
Thin: `access` or
`openhours` resolve what the visitor may see (404 for "not yours" and "missing" alike),
a form checks the input, a service writes, a template shows.

Every chat page works without JavaScript (send with the form, reload to read); with it,
static/chat/chat.js opens the socket and, while there is none, htmx polls the thread.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries as booking_queries
from anlaufstelle.booking import views as booking_views
from anlaufstelle.directory.queries import site_network
from anlaufstelle.lib.security_headers import allow_websocket
from anlaufstelle.networks.guards import staff_member, staff_view

from . import access, openhours, services
from .forms import ChatForm, JoinForm, OpenHourForm
from .models import Attachment, OpenHourStatus, QueueStatus
from .rendering import thread_items

# --- the concern chat ------------------------------------------------------------------


# The same views serve a concern's and a booking's chat: the route passes `kind`
# (urls.py), access.RESOLVERS decides who may enter.


def _company(request: HttpRequest, code: str, token: str, kind: str) -> access.Party:
    return access.RESOLVERS[kind][0](site_network(request), code, token)


def _staff(request: HttpRequest, code: str, kind: str) -> access.Party:
    return access.RESOLVERS[kind][1](site_network(request), staff_member(request), code)


def _thread_context(party: access.Party) -> dict[str, Any]:
    read_upto = services.read_by_other_side(party)
    return {"items": thread_items(party, services.thread_messages(party), read_upto)}


def _chat(request: HttpRequest, party: access.Party) -> HttpResponse:
    form = ChatForm(max_mb=services.max_bytes() / (1024 * 1024))
    error = None
    status = 200
    if request.method == "POST":
        form = ChatForm(request.POST, request.FILES, max_mb=services.max_bytes() / (1024 * 1024))
        if form.is_valid():
            try:
                services.post_message(
                    party=party,
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data["datei"],
                )
            except services.ChatError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect(request.path)
        else:
            status = 400
    unread = services.unread_count(party)
    services.mark_read(party=party)
    thread = party.thread
    context = {
        "party": party,
        "thread": thread,
        "kind": thread.kind,
        "erased": thread.is_erased(),
        "erased_text": thread.erased_text(),
        "urls": thread.urls(party),
        "form": form,
        "error": error,
        "unread": unread,
        **_thread_context(party),
    }
    response = render(request, "chat/chat.html", context, status=status)
    add_never_cache_headers(response)
    return allow_websocket(response, request.get_host())


def _thread(request: HttpRequest, party: access.Party) -> HttpResponse:
    """The thread alone: htmx polls it while there is no socket; the page fetches it after
    a reconnect to catch up. Seeing it counts as reading it."""
    services.mark_read(party=party)
    response = render(request, "chat/partials/_thread.html", _thread_context(party))
    add_never_cache_headers(response)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _file(party: access.Party, file_code: str) -> HttpResponse:
    with scopes_disabled():
        attachment = Attachment.objects.filter(code=file_code, **party.thread.attachments()).first()
    if attachment is None or not attachment.file:
        raise Http404
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()  # at most CHAT_ATTACHMENT_MAX_BYTES
    except OSError as exc:
        raise Http404 from exc
    # Always a download with the type we checked on upload: the browser never renders
    # or runs it on our origin; the shown name is quoted by Django's header helper.
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response


def company(
    request: HttpRequest, network_slug: str, code: str, token: str, kind: str = "concern"
) -> HttpResponse:
    try:
        party = _company(request, code, token, kind)
    except booking_queries.OutdatedLink as outdated:  # of a cancelled or moved booking
        return booking_views.outdated_link(request, outdated)
    return _chat(request, party)


def company_thread(
    request: HttpRequest, network_slug: str, code: str, token: str, kind: str = "concern"
) -> HttpResponse:
    return _thread(request, _company(request, code, token, kind))


def company_file(
    request: HttpRequest,
    network_slug: str,
    code: str,
    token: str,
    file_code: str,
    kind: str = "concern",
) -> HttpResponse:
    return _file(_company(request, code, token, kind), file_code)


@staff_view()
def staff(
    request: HttpRequest, network_slug: str, code: str, kind: str = "concern"
) -> HttpResponse:
    return _chat(request, _staff(request, code, kind))


@staff_view()
def staff_thread(
    request: HttpRequest, network_slug: str, code: str, kind: str = "concern"
) -> HttpResponse:
    return _thread(request, _staff(request, code, kind))


@staff_view()
def staff_file(
    request: HttpRequest, network_slug: str, code: str, file_code: str, kind: str = "concern"
) -> HttpResponse:
    return _file(_staff(request, code, kind), file_code)


@staff_view()
def staff_overview(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The staff member's chats (concerns, then bookings) with unread messages from
    companies, newest first."""
    user = staff_member(request)
    network = site_network(request)
    rows = services.unread_overview(network, user)
    bookings = services.unread_booking_overview(network, user)
    return render(request, "chat/overview.html", {"rows": rows, "bookings": bookings})


# --- open consultation hours (companies) -----------------------------------------------


def open_hours(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    return render(
        request, "chat/open_hours.html", {"hours": list(openhours.upcoming(network)[:50])}
    )


def open_hour(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    network = site_network(request)
    hour = openhours.public_open_hour(network, code)
    form = JoinForm()
    error = None
    status = 200
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                entry = openhours.join(open_hour=hour, **form.cleaned_data)
            except openhours.OpenHourError as exc:
                error, status = exc.message, exc.status
            else:
                return redirect(
                    "site:chat:queue_entry", network_slug=network.slug, entry_code=entry.code
                )
        else:
            status = 400
    context = {
        "hour": hour,
        "form": form,
        "error": error,
        "waiting_count": openhours.waiting(hour).count(),
        "is_over": hour.status == OpenHourStatus.CLOSED,
    }
    return render(request, "chat/open_hour.html", context, status=status)


def _entry_context(request: HttpRequest, entry_code: str) -> dict[str, Any]:
    network = site_network(request)
    entry = openhours.entry_for_company(network, entry_code)
    return {
        "entry": entry,
        "hour": entry.open_hour,
        "position": openhours.position(entry),
        "is_called": entry.status == QueueStatus.CALLED,
        "socket": f"/ws/n/{network.slug}/sprechstunde/platz/{entry.code}/",
        "state_url": reverse(
            "site:chat:queue_state", kwargs={"network_slug": network.slug, "entry_code": entry.code}
        ),
    }


def queue_entry(request: HttpRequest, network_slug: str, entry_code: str) -> HttpResponse:
    """The company's waiting page: its place in the queue, then the video link."""
    context = _entry_context(request, entry_code)
    if request.method == "POST":
        if request.POST.get("aktion") != "verlassen":
            raise Http404
        openhours.leave(entry=context["entry"])
        messages.success(request, _("You have left the waiting room."))
        return redirect(request.path)
    response = render(request, "chat/queue_entry.html", context)
    add_never_cache_headers(response)
    return allow_websocket(response, request.get_host())


def queue_state(request: HttpRequest, network_slug: str, entry_code: str) -> HttpResponse:
    response = render(
        request, "chat/partials/_queue_state.html", _entry_context(request, entry_code)
    )
    add_never_cache_headers(response)
    return response


# --- open consultation hours (experts) -------------------------------------------------


@staff_view()
def host_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    user = staff_member(request)
    network = site_network(request)
    form = OpenHourForm()
    error = None
    status = 200
    if request.method == "POST":
        form = OpenHourForm(request.POST)
        if form.is_valid():
            try:
                hour = openhours.create_open_hour(
                    network=network,
                    host=user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.ends_at(),
                )
            except openhours.OpenHourError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("The open consultation hour has been scheduled."))
                return redirect("site:chat:host", network_slug=network.slug, code=hour.code)
        else:
            status = 400
    hours = openhours.hosted_by(network, user).order_by("-starts_at")[:50]
    return render(
        request,
        "chat/host_list.html",
        {"hours": hours, "form": form, "error": error},
        status=status,
    )


HOST_ACTIONS = {
    "oeffnen": lambda hour: openhours.set_status(open_hour=hour, status=OpenHourStatus.OPEN),
    "naechste": lambda hour: openhours.call_next(open_hour=hour),
    "schliessen": lambda hour: openhours.set_status(open_hour=hour, status=OpenHourStatus.CLOSED),
}


def _host_context(request: HttpRequest, code: str) -> dict[str, Any]:
    network = site_network(request)
    hour = openhours.open_hour_for_host(network, staff_member(request), code)
    return {
        "hour": hour,
        "waiting": list(openhours.waiting(hour)),
        "called": hour.queue.filter(status=QueueStatus.CALLED).first(),
        "socket": f"/ws/n/{network.slug}/sprechstunde/verwaltung/{hour.code}/",
        "state_url": reverse(
            "site:chat:host_queue", kwargs={"network_slug": network.slug, "code": hour.code}
        ),
    }


@staff_view()
def host(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    context = _host_context(request, code)
    error = None
    if request.method == "POST":
        action = HOST_ACTIONS.get(request.POST.get("aktion", ""))
        if action is None:
            raise Http404
        try:
            called = action(context["hour"])
        except openhours.OpenHourError as exc:
            error = exc.message
        else:
            if request.POST.get("aktion") == "naechste" and called is None:
                messages.info(request, _("Nobody is waiting."))
            else:
                messages.success(request, _("Saved."))
            return redirect(request.path)
    context["error"] = error
    response = render(request, "chat/host.html", context, status=400 if error else 200)
    return allow_websocket(response, request.get_host())


@staff_view()
def host_queue(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    return render(request, "chat/partials/_host_queue.html", _host_context(request, code))
