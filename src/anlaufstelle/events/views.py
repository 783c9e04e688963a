"""Public event pages, the registration flow and the organisers' pages."""

from __future__ import annotations

import csv
import re
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anlaufstelle.directory.models import Provider, Topic
from anlaufstelle.directory.queries import site_network
from anlaufstelle.networks.guards import staff_member, staff_view

from . import ical, queries, services, tokens
from .forms import EventFilterForm, MessageForm, RegistrationForm
from .models import Event, Registration, RegistrationStatus

# -- public pages ------------------------------------------------------------------


def event_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Upcoming events as a list; `?monat=YYYY-MM` shows that month as a calendar grid
    (past days included). The filters work in both views."""
    network = site_network(request)
    form = EventFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    month = None
    if chosen.get("monat"):
        year, number = (int(part) for part in chosen["monat"].split("-"))
        month = date(year, number, 1)
        events = queries.in_month(queries.public_events(network), month)
    else:
        events = queries.upcoming(network)
    if chosen.get("thema"):
        events = events.filter(topics__slug=chosen["thema"])
    if chosen.get("format"):
        events = events.filter(format=chosen["format"])
    if chosen.get("anbieter"):
        events = events.filter(provider__slug=chosen["anbieter"])
    all_upcoming = queries.upcoming(network)
    found = list(events.order_by("starts_at").distinct())
    today = timezone.localdate()
    shown = month or today.replace(day=1)
    filters = {k: chosen[k] for k in ("thema", "format", "anbieter") if chosen.get(k)}
    months = queries.month_links(shown)
    context = {
        "events": found,
        "chosen": chosen,
        "month": month,
        "months": months,
        "links": {
            "previous": "?" + urlencode({**filters, "monat": months["previous"]}),
            "next": "?" + urlencode({**filters, "monat": months["next"]}),
            "grid": "?" + urlencode({**filters, "monat": f"{shown:%Y-%m}"}),
            "list": "?" + urlencode(filters),
        },
        "weeks": queries.month_grid(shown, found, today) if month else [],
        "topics": Topic.objects.filter(events__in=all_upcoming).distinct(),
        "providers": Provider.objects.filter(events__in=all_upcoming).distinct(),
        "formats": Event._meta.get_field("format").choices,
    }
    return render(request, "events/list.html", context)


def _event_url(request: HttpRequest, event: Event) -> str:
    return request.build_absolute_uri(
        reverse("site:events:detail", args=[event.network.slug, event.slug])
    )


def event_detail(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.public_event_or_404(network, slug)
    now = timezone.now()
    context = {
        "event": event,
        "json_ld": queries.json_ld(event, _event_url(request, event)),
        "problem": services.registration_problem(event, now),
        "full": event.places_left == 0,
        "participants": services.public_participants(event),
        "first_role": (event.role_list() or [""])[0],
    }
    return render(request, "events/detail.html", context)


def register(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.public_event_or_404(network, slug)
    error = services.registration_problem(event, timezone.now())
    if error is None and event.places_left == 0 and not event.waiting_list:
        error = _("This event is fully booked.")
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST, event=event)
        if form.is_valid():
            data = form.cleaned_data
            try:
                registration = services.register(
                    event=event,
                    name=data["name"],
                    company=data["company"],
                    email=data["email"],
                    answers=form.answers(),
                    consent=data["consent"],
                    idempotency_key=data["idempotency_key"],
                    language=get_language() or "de",
                    role=data.get("role", ""),
                    listed_publicly=data.get("listed_publicly", False),
                )
            except services.RegistrationError as exc:
                error = exc.message
                status = 409
            else:
                return redirect(registration_url(registration, "view"))
        else:
            status = 400
    else:
        form = RegistrationForm(event=event)
    return render(
        request,
        "events/register.html",
        {"event": event, "form": form, "error": error},
        status=status,
    )


def registration_url(registration: Registration, purpose: str) -> str:
    return reverse(
        f"site:events:{purpose}",
        kwargs={
            "network_slug": registration.network.slug,
            "code": registration.code,
            "token": tokens.make_token(registration, purpose),
        },
    )


def _from_link(
    request: HttpRequest, code: str, token: str, purpose: str
) -> Registration | HttpResponse:
    """The registration of a valid link; for an earlier link of a cancelled registration
    (a cancel kills its links) a 404 that says so; else Http404."""
    network = site_network(request)
    registration = (
        Registration.objects.select_related("event__provider", "network")
        .filter(network=network, code=code[:16])
        .first()
    )
    if registration is None:
        raise Http404
    try:
        tokens.check_token(registration, token, purpose)
    except tokens.InvalidLink as exc:
        if registration.status == RegistrationStatus.CANCELLED and tokens.is_outdated(
            registration, token, purpose
        ):
            response = render(
                request,
                "events/confirmation.html",
                {"registration": registration, "event": registration.event},
                status=404,
            )
            add_never_cache_headers(response)
            return response
        raise Http404 from exc
    return registration


def registration_view(
    request: HttpRequest, network_slug: str, code: str, token: str
) -> HttpResponse:
    registration = _from_link(request, code, token, "view")
    if isinstance(registration, HttpResponse):
        return registration
    response = render(
        request,
        "events/confirmation.html",
        {
            "registration": registration,
            "event": registration.event,
            "cancel_url": registration_url(registration, "cancel"),
        },
    )
    add_never_cache_headers(response)  # personal data behind a secret link
    return response


def registration_cancel(
    request: HttpRequest, network_slug: str, code: str, token: str
) -> HttpResponse:
    registration = _from_link(request, code, token, "cancel")
    if isinstance(registration, HttpResponse):
        return registration
    done = False
    error = None
    if registration.status == RegistrationStatus.CANCELLED:
        done = True
    elif request.method == "POST":
        try:
            services.cancel_registration(registration=registration)
        except services.RegistrationError as exc:
            error = exc.message
        else:
            done = True
    response = render(
        request,
        "events/cancel.html",
        {"registration": registration, "event": registration.event, "done": done, "error": error},
    )
    add_never_cache_headers(response)
    return response


def feed(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The network's public events as iCalendar (no online links: those are personal)."""
    network = site_network(request)
    events = [(e, _event_url(request, e)) for e in queries.public_events(network)]
    body = ical.feed_ics(events, name=f"{network.display_name}: Veranstaltungen")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response


# -- organisers --------------------------------------------------------------------


@staff_view()
def manage(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    events = queries.manageable_events(network, staff_member(request)).order_by("-starts_at")
    return render(request, "events/manage/index.html", {"events": events})


@staff_view()
def manage_event(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    registrations = Registration.objects.filter(event=event).order_by("status", "created_at")
    roles = event.role_list()
    pitching = (
        Registration.objects.filter(
            event=event, role=roles[0], status=RegistrationStatus.CONFIRMED
        ).order_by(F("position").asc(nulls_last=True), "created_at")
        if roles
        else []
    )
    return render(
        request,
        "events/manage/event.html",
        {
            "event": event,
            "registrations": registrations,
            "message_form": MessageForm(),
            "pitching": pitching,
            "first_role": roles[0] if roles else "",
        },
    )


@staff_view()
@require_POST
def running_order(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    """Save the positions of the first role's registrants (fields `position_<pk>`)."""
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    positions: dict[int, int] = {}
    for key, value in request.POST.items():
        field = re.fullmatch(r"position_([0-9]{1,12})", key)
        number = re.fullmatch(r"[0-9]{1,3}", str(value).strip())
        if field and number:
            positions[int(field.group(1))] = int(number.group(0))
    services.set_running_order(event, positions)
    messages.success(request, _("The running order is saved."))
    return redirect("site:events:manage_event", network.slug, event.slug)


CSV_HEADER = ["Code", "Status", "Rolle", "Name", "Firma", "E-Mail", "Angemeldet am"]


def _cell(value: str) -> str:
    """No spreadsheet formula from a registrant's input (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@staff_view()
def export_csv(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    questions = event.question_list()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="anmeldungen-{event.slug}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(CSV_HEADER + questions)
    for r in Registration.objects.filter(event=event).order_by("created_at"):
        created = timezone.localtime(r.created_at).strftime("%d.%m.%Y %H:%M")
        row = [r.code, r.get_status_display(), r.role, r.name, r.company, r.email, created]
        row += [str(r.answers.get(q, "")) for q in questions]
        writer.writerow([_cell(str(v)) for v in row])
    return response


@staff_view()
def checkin(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    confirmed = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).order_by(
            "role", F("position").asc(nulls_last=True), "name"
        )
    )
    context = {
        "event": event,
        "registrations": confirmed,
        "present": sum(r.checked_in_at is not None for r in confirmed),
        "has_roles": bool(event.role_list()),
    }
    return render(request, "events/manage/checkin.html", context)


@staff_view()
@require_POST
def checkin_mark(request: HttpRequest, network_slug: str, slug: str, code: str) -> HttpResponse:
    """Use the check-in list: mark a confirmed registrant as arrived (`anwesend=1`) or not."""
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    if not services.check_in(event, code, present=request.POST.get("anwesend") == "1"):
        raise Http404
    url = reverse("site:events:checkin", args=[network.slug, event.slug])
    return redirect(f"{url}#einlass-{code[:16]}")


@staff_view()
@require_POST
def close(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    services.close_registration(event)
    messages.success(request, _("Registration is closed."))
    return redirect("site:events:manage_event", network.slug, event.slug)


@staff_view()
@require_POST
def message(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    network = site_network(request)
    event = queries.manageable_event_or_404(network, staff_member(request), slug)
    form = MessageForm(request.POST)
    if not form.is_valid():
        registrations = Registration.objects.filter(event=event)
        return render(
            request,
            "events/manage/event.html",
            {"event": event, "registrations": registrations, "message_form": form},
            status=400,
        )
    count = services.message_registrants(
        event, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"]
    )
    messages.success(request, _("Message sent to %(count)d registrants.") % {"count": count})
    return redirect("site:events:manage_event", network.slug, event.slug)
