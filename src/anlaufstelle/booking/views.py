"""Booking pages: public slot picker and form, signed-link pages, the expert's calendar,
room reservations and the staff's approvals. Thin: resolve, validate, call a service."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anlaufstelle.directory import queries as directory_queries
from anlaufstelle.lib import dates, params
from anlaufstelle.networks.guards import staff_member, staff_view
from anlaufstelle.networks.http import NetworkRequest
from anlaufstelle.networks.models import Network, Role, User

from . import ical, queries, services, tokens
from .forms import BookingForm, CancelForm, ReservationForm, StaffBookingForm
from .models import (
    Booking,
    FeedToken,
    Format,
    Reservation,
    ReservationStatus,
    Resource,
    Schedule,
)

PAGE = 12


def _render_picker(
    request: HttpRequest, *, title: str, schedules: list[Schedule], intro: object = None
) -> HttpResponse:
    start = queries.parse_slot_key(request.GET.get("ab", ""))
    free = queries.free_slots(schedules, start=start, limit=PAGE + 1)
    more = free[PAGE] if len(free) > PAGE else None
    free = free[:PAGE]
    context = {
        "title": title,
        "intro": intro,
        "schedules": schedules,
        "days": queries.group_by_day(free),
        "more": more,
    }
    if request.headers.get("HX-Request"):
        return render(request, "booking/partials/_slots.html", context)
    return render(request, "booking/slot_picker.html", context)


def index(request: NetworkRequest, network_slug: str) -> HttpResponse:
    schedules = list(queries.bookable_schedules().filter(network=request.network))
    resources = list(Resource.objects.filter(network=request.network, is_active=True))
    return render(request, "booking/index.html", {"schedules": schedules, "resources": resources})


def schedule_slots(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    schedule = queries.get_schedule_or_404(code)
    return _render_picker(request, title=schedule.title, schedules=[schedule], intro=schedule)


def offer_slots(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    offer = directory_queries.get_offer_or_404(slug)
    schedules = list(queries.schedules_for_offer(slug))
    if not schedules:
        raise Http404
    return _render_picker(request, title=offer.title, schedules=schedules)


def provider_slots(request: HttpRequest, network_slug: str, slug: str) -> HttpResponse:
    provider = directory_queries.get_provider_or_404(slug)
    schedules = list(queries.schedules_for_provider(slug))
    if not schedules:
        raise Http404
    return _render_picker(request, title=provider.name, schedules=schedules)


def book(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    """The booking form for one slot (?termin=<key>); on a lost race, offers the next slots."""
    schedule = queries.get_schedule_or_404(code)
    key = request.POST.get("termin") or request.GET.get("termin", "")
    starts_at = queries.parse_slot_key(key)
    if starts_at is None:
        raise Http404
    error = None
    alternatives: list[queries.FreeSlot] = []
    if request.method == "POST":
        form = BookingForm(request.POST, phone_required=schedule.format == Format.PHONE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.book_slot(
                    schedule=schedule,
                    starts_at=starts_at,
                    name=data["name"],
                    company=data["company"],
                    email=data["email"],
                    phone=data["phone"],
                    concern=data["concern"],
                    consent=data["consent"],
                    idempotency_key=data["idempotency_key"],
                    language=get_language() or "de",
                    booked_by=request.user if request.user.is_authenticated else None,
                )
            except services.BookingError as exc:
                error = exc.message
                alternatives = exc.next_slots
            else:
                return redirect(_booking_url(booking, "view"))
    else:
        form = BookingForm(phone_required=schedule.format == Format.PHONE)
        if queries.find_candidate(schedule, starts_at) is None:
            error = _("This appointment can no longer be booked.")
            alternatives = queries.free_slots([schedule], limit=5)
    status = 409 if error and request.method == "POST" else 200
    return render(
        request,
        "booking/book.html",
        {
            "schedule": schedule,
            "starts_at": starts_at,
            "key": key,
            "form": form,
            "error": error,
            "alternatives": alternatives,
        },
        status=status,
    )


def _booking_url(booking: Booking, purpose: str) -> str:
    return reverse(
        f"site:booking:{purpose}",
        kwargs={
            "network_slug": booking.network.slug,
            "code": booking.code,
            "token": tokens.make_token(booking, purpose),
        },
    )


def _booking_from_link(code: str, token: str, purpose: str) -> Booking:
    booking = (
        Booking.objects.select_related(
            "slot__schedule__provider", "slot__schedule__room", "network"
        )
        .filter(code=code)
        .first()
    )
    return queries.check_company_link(booking, token, purpose)


def _gone(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """410 Gone for an earlier, genuine link: what it pointed to is gone for good (no
    action is offered, and a client or a link checker sees an error); only the holder of
    such a link gets here (queries.check_company_link), and the page shows no more than
    the link showed before, never the company's data."""
    response = render(request, template, context, status=410)
    add_never_cache_headers(response)
    return response


def _date_and_time(moment: datetime) -> dict[str, str]:
    """The parts of "on %(date)s at %(time)s" in the active language (German adds "Uhr" in
    its translation of each sentence)."""
    local = timezone.localtime(moment, queries.slots.BERLIN)
    return {
        "date": dates.format_when(local, "long_date", tz=queries.slots.BERLIN),
        "time": dateformat.format(local, "H:i"),
    }


def cancelled_link(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The answer to an earlier link of a cancelled appointment: what was cancelled, when
    and by whom, and where to book anew (410, see `_gone`)."""
    schedule = booking.slot.schedule
    if queries.bookable_schedules().filter(pk=schedule.pk).exists():
        new_url = reverse(
            "site:booking:schedule",
            kwargs={"network_slug": booking.network.slug, "code": schedule.code},
        )
    else:
        new_url = reverse("site:booking:index", kwargs={"network_slug": booking.network.slug})
    if not booking.cancelled_at:
        said = _("This link no longer works because the appointment was cancelled.")
    else:
        when = {**_date_and_time(booking.cancelled_at), "provider": schedule.provider.name}
        if booking.cancelled_by == "company":
            said = _("You cancelled this appointment on %(date)s at %(time)s.") % when
        elif booking.cancelled_by == "expert":
            said = _("%(provider)s cancelled this appointment on %(date)s at %(time)s.") % when
        else:
            said = _("This appointment was cancelled on %(date)s at %(time)s.") % when
    return _gone(
        request,
        "booking/cancelled_link.html",
        {
            "heading": _("This appointment was cancelled"),
            "said": said,
            "message": booking.cancel_message,
            "what_label": _("What"),
            "what": f"{schedule.title} ({schedule.provider.name})",
            "starts_at": booking.slot.starts_at,
            "ends_at": booking.slot.ends_at,
            "code": booking.code,
            "advice": _("This link no longer works. You are welcome to book a new appointment."),
            "new_url": new_url,
            "new_label": _("Book a new appointment"),
        },
    )


def reservation_link_gone(request: HttpRequest, reservation: Reservation) -> HttpResponse:
    """The answer to an earlier link of a room or desk reservation, as `cancelled_link`
    gives for an appointment (410, see `_gone`): cancelled, or a request declined since
    (when and by whom, the message, where to reserve anew), or a request approved since
    (the current links are in the decision's e-mail; the navigators for whoever lost it).
    The approval's message is not shown: it may hold access details, and it went to the
    company's address."""
    resource = reservation.resource
    slug = reservation.network.slug
    who = resource.provider.name if resource.provider else reservation.network.display_name
    when = (
        {**_date_and_time(reservation.decided_at), "provider": who}
        if reservation.decided_at
        else None
    )
    page: dict[str, object] = {
        "what_label": resource.get_kind_display(),  # "Coworking-Platz", not "Raum", for a desk
        "what": resource.name,
        "starts_at": reservation.starts_at,
        "ends_at": reservation.ends_at,
        "code": reservation.code,
        "message": reservation.decision_message,
        "advice": _("This link no longer works. You are welcome to make a new reservation."),
        "new_label": _("Make a new reservation"),
    }
    if reservation.status == ReservationStatus.CONFIRMED:
        text = _(
            "My reservation with the booking code %(code)s was confirmed, and I no longer "
            "have the latest e-mail about it."
        ) % {"code": reservation.code}
        said = _("%(provider)s confirmed this reservation on %(date)s at %(time)s.")
        page |= {
            "heading": _("This reservation was confirmed"),
            "said": said % when if when else "",
            "message": "",
            "advice": _(
                "This link no longer works since the confirmation. The current links to view "
                "or cancel the reservation are in the most recent e-mail about this "
                "reservation."
            ),
            "navigators_url": _navigators_url(slug, text),
        }
        return _gone(request, "booking/cancelled_link.html", page)
    if resource.is_active:
        page["new_url"] = reverse(
            "site:booking:resource", kwargs={"network_slug": slug, "code": resource.code}
        )
    else:
        page["new_url"] = reverse("site:booking:index", kwargs={"network_slug": slug})
    if reservation.status == ReservationStatus.DECLINED:
        page["heading"] = _("This reservation request was declined")
        said = _("%(provider)s declined this reservation request on %(date)s at %(time)s.")
        page["said"] = said % when if when else ""
        return _gone(request, "booking/cancelled_link.html", page)
    page["heading"] = _("This reservation was cancelled")
    if not when:
        page["said"] = _("This link no longer works because the reservation was cancelled.")
    elif reservation.decided_by_id is None:  # the company, through its link
        page["said"] = _("You cancelled this reservation on %(date)s at %(time)s.") % when
    else:
        page["said"] = _("%(provider)s cancelled this reservation on %(date)s at %(time)s.") % when
    return _gone(request, "booking/cancelled_link.html", page)


def _navigators_url(network_slug: str, text: str) -> str:
    """The navigators' contact form with `text` (naming the booking code) filled in, or
    "" while the cases app is not installed (booking does not depend on it)."""
    try:
        url = reverse("site:cases:submit", kwargs={"network_slug": network_slug})
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'text': text})}"


def moved_link(request: HttpRequest, booking: Booking) -> HttpResponse:
    """The answer to an earlier link of a moved appointment: that it was moved, where the
    current links are, and the navigators for whoever lost that e-mail. 410 like
    `cancelled_link`; the new time is not shown (an old link may have been forwarded; the
    new one went to the company's address)."""
    return _gone(
        request,
        "booking/moved_link.html",
        {
            "booking": booking,
            "schedule": booking.slot.schedule,
            "navigators_url": _navigators_url(
                booking.network.slug,
                _(
                    "My appointment with the booking code %(code)s was moved, and I no "
                    "longer have the latest e-mail about it."
                )
                % {"code": booking.code},
            ),
        },
    )


def outdated_link(request: HttpRequest, outdated: queries.OutdatedLink) -> HttpResponse:
    obj = outdated.obj
    if isinstance(obj, Reservation):  # cancelled, approved or declined; never moved
        return reservation_link_gone(request, obj)
    if isinstance(outdated, queries.CancelledLink):
        return cancelled_link(request, obj)
    return moved_link(request, obj)


def says_when_cancelled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the company's link pages: an earlier link of a cancelled or moved appointment
    or of a cancelled, approved or declined reservation gets its page (`outdated_link`)
    instead of the 404 (queries.OutdatedLink)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except queries.OutdatedLink as outdated:
            return outdated_link(request, outdated)

    return wrapper


@says_when_cancelled
def booking_view(request: HttpRequest, network_slug: str, code: str, token: str) -> HttpResponse:
    booking = _booking_from_link(code, token, "view")
    queries.add_extras(None, [booking])  # e.g. the chat's unread messages
    return render(
        request,
        "booking/confirmation.html",
        {
            "booking": booking,
            "schedule": booking.slot.schedule,
            "where": ical.where(booking),
            "cancel_url": _booking_url(booking, "cancel"),
            "move_url": _booking_url(booking, "move"),
            "ics_url": reverse(
                "site:booking:ics",
                kwargs={"network_slug": network_slug, "code": code, "token": token},
            ),
            "token": token,
        },
    )


@says_when_cancelled
def booking_ics(request: HttpRequest, network_slug: str, code: str, token: str) -> HttpResponse:
    booking = _booking_from_link(code, token, "view")
    response = HttpResponse(ical.booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{booking.code}.ics"'
    return response


@says_when_cancelled
def booking_cancel(request: HttpRequest, network_slug: str, code: str, token: str) -> HttpResponse:
    booking = _booking_from_link(code, token, "cancel")
    error = None
    if request.method == "POST":
        try:
            services.cancel_booking(booking=booking, by="company")
        except services.BookingError as exc:
            error = exc.message
        else:
            return render(request, "booking/cancelled.html", {"booking": booking})
    elif not booking.is_changeable():
        error = _("This appointment can no longer be changed.")
    return render(request, "booking/cancel.html", {"booking": booking, "error": error})


@says_when_cancelled
def booking_move(request: HttpRequest, network_slug: str, code: str, token: str) -> HttpResponse:
    booking = _booking_from_link(code, token, "move")
    schedule = booking.slot.schedule
    error = None
    if request.method == "POST":
        starts_at = queries.parse_slot_key(request.POST.get("termin", ""))
        if starts_at is None:
            error = _("Please choose a new time.")
        else:
            try:
                services.move_booking(booking=booking, starts_at=starts_at)
            except services.BookingError as exc:
                error = exc.message
            else:
                return redirect(_booking_url(booking, "view"))
    free = [
        s
        for s in queries.free_slots([schedule], limit=PAGE)
        if s.starts_at != booking.slot.starts_at
    ]
    return render(
        request,
        "booking/move.html",
        {"booking": booking, "schedule": schedule, "free": free, "error": error},
    )


# --- staff: the expert's calendar -------------------------------------------------------


def visible_schedules(user: User, network: Network) -> QuerySet[Schedule]:
    """Experts see their own and their provider's schedules; coordinators and navigators all."""
    schedules = Schedule.objects.filter(network=network)
    if user.is_superuser or user.role in (Role.COORDINATOR, Role.NAVIGATOR):
        return schedules
    from django.db.models import Q

    return schedules.filter(
        Q(expert=user) | Q(provider_id=user.provider_id, provider__isnull=False)
    )


@staff_view()
def calendar(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Day or week view of the appointments the staff member may see."""
    user = staff_member(request)
    day = params.parse_day(request.GET.get("tag")) or timezone.localdate()
    view = "tag" if request.GET.get("ansicht") == "tag" else "woche"
    first = day if view == "tag" else day - timedelta(days=day.weekday())
    days = 1 if view == "tag" else 7
    start = datetime.combine(first, datetime.min.time(), tzinfo=queries.slots.BERLIN)
    end = start + timedelta(days=days)
    bookings = (
        Booking.objects.filter(
            slot__schedule__in=visible_schedules(user, request.network),
            slot__starts_at__gte=start,
            slot__starts_at__lt=end,
        )
        .select_related("slot__schedule", "booked_by")
        .order_by("slot__starts_at")
    )
    by_day: dict[date, list[Booking]] = {first + timedelta(days=i): [] for i in range(days)}
    shown = list(bookings)
    queries.add_extras(user, shown)  # e.g. the chat's unread messages
    for booking in shown:
        by_day.setdefault(timezone.localtime(booking.slot.starts_at).date(), []).append(booking)
    feed = (
        FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
        if not user.is_superuser
        else None
    )
    feed_url = (
        request.build_absolute_uri(
            reverse("site:booking:feed", kwargs={"network_slug": network_slug, "token": feed.token})
        )
        if feed
        else ""
    )
    booked = (
        Booking.objects.filter(
            code=request.GET.get("gebucht", ""),
            slot__schedule__in=visible_schedules(user, request.network),
        )
        .select_related("slot__schedule")
        .first()
        if request.GET.get("gebucht")
        else None
    )
    return render(
        request,
        "booking/calendar.html",
        {
            "staff_form": _staff_booking_form(user, request.network),
            "booked": booked,
            "days": sorted(by_day.items()),
            "view": view,
            "first": first,
            "previous": first - timedelta(days=days),
            "next": first + timedelta(days=days),
            "feed_url": feed_url,
            "pending": Reservation.objects.filter(
                network=request.network, status=ReservationStatus.PENDING
            ).count()
            if user.is_superuser or user.role != Role.PARTNER_EXPERT
            else 0,
        },
    )


STAFF_SLOTS = 40


def _staff_booking_form(user: User, network: Network, data: dict | None = None) -> StaffBookingForm:
    schedules = list(
        visible_schedules(user, network)
        .filter(is_active=True)
        .select_related("provider", "room", "network")
    )
    return StaffBookingForm(
        data,
        free=queries.free_slots(schedules, limit=STAFF_SLOTS) if schedules else [],
        schedule_codes={s.code for s in schedules},
    )


def _staff_name(user: User) -> str:
    return user.get_full_name().strip() or user.email


@staff_view()
def staff_book(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Staff book a slot for a company that called; consent is recorded as given by phone."""
    user = staff_member(request)
    form = _staff_booking_form(user, request.network, request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code, starts_at = data["slot"]
        schedule = visible_schedules(user, request.network).get(code=code)
        try:
            booking = services.book_slot(
                schedule=schedule,
                starts_at=starts_at,
                name=data["name"],
                company=data["company"],
                email=data["email"],
                phone=data["phone"],
                concern=data["concern"],
                consent=True,
                consent_note=_("Given by phone to staff member %(name)s")
                % {"name": _staff_name(user)},
                idempotency_key=data["idempotency_key"],
                language=get_language() or "de",
                booked_by=user,
            )
        except services.BookingError as exc:
            error = exc.message
            # The list of free slots changed: show the fresh one, keep what was typed.
            form = _staff_booking_form(user, request.network, request.POST)
            form.is_valid()
        else:
            day = timezone.localtime(booking.slot.starts_at).date()
            return redirect(
                reverse("site:booking:calendar", kwargs={"network_slug": network_slug})
                + f"?tag={day}&ansicht=tag&gebucht={booking.code}"
            )
    status = 409 if error else 400 if request.method == "POST" else 200
    return render(request, "booking/staff_book.html", {"form": form, "error": error}, status=status)


@staff_view()
def expert_cancel(request: NetworkRequest, network_slug: str, code: str) -> HttpResponse:
    user = staff_member(request)
    booking = (
        Booking.objects.filter(
            code=code, slot__schedule__in=visible_schedules(user, request.network)
        )
        .select_related("slot__schedule")
        .first()
    )
    if booking is None:
        raise Http404
    form = CancelForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_booking(
                booking=booking, by="expert", message=form.cleaned_data["message"]
            )
        except services.BookingError as exc:
            error = exc.message
        else:
            return redirect(
                reverse("site:booking:calendar", kwargs={"network_slug": network_slug})
                + f"?tag={timezone.localtime(booking.slot.starts_at).date()}"
            )
    return render(
        request, "booking/expert_cancel.html", {"booking": booking, "form": form, "error": error}
    )


@staff_view()
@require_POST
def feed_manage(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Create a feed URL, or revoke the current one (and create a new one on request)."""
    user = staff_member(request)
    FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if request.POST.get("aktion") != "widerrufen":
        FeedToken.objects.create(network=request.network, user=user)
    return redirect("site:booking:calendar", network_slug=network_slug)


def feed(request: NetworkRequest, network_slug: str, token: str) -> HttpResponse:
    """The expert's private iCalendar feed; the secret token is the only key.

    It stops working when revoked, when its user is deactivated or changes the password.
    """
    feed_token = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True, network=request.network)
        .select_related("user")
        .first()
    )
    if feed_token is None or not feed_token.serves():
        raise Http404
    since = timezone.now() - timedelta(days=30)
    bookings = (
        Booking.objects.filter(
            slot__schedule__in=visible_schedules(feed_token.user, request.network),
            slot__starts_at__gte=since,
        )
        .select_related("slot__schedule__provider", "slot__schedule__room")
        .order_by("slot__starts_at")
    )
    body = ical.feed_ics(bookings, name=f"Termine {request.network.display_name}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Names and e-mails of companies: never kept by a proxy on the way.
    add_never_cache_headers(response)
    return response


# --- rooms and desks --------------------------------------------------------------------


def resource_reserve(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    resource = queries.get_resource_or_404(code)
    error = None
    if request.method == "POST":
        form = ReservationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            starts_at, ends_at = form.range()
            try:
                reservation = services.reserve_resource(
                    resource=resource,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    name=data["name"],
                    company=data["company"],
                    email=data["email"],
                    phone=data["phone"],
                    purpose=data["purpose"],
                    consent=data["consent"],
                    idempotency_key=data["idempotency_key"],
                    language=get_language() or "de",
                )
            except services.BookingError as exc:
                error = exc.message
            else:
                return redirect(_reservation_url(reservation, "view"))
        day = form.cleaned_data.get("day") or params.parse_day(request.POST.get("day"))
    else:
        # An unreadable or far-off ?tag= (9999-12-31) shows tomorrow, as no ?tag= does.
        day = params.parse_day(request.GET.get("tag")) or timezone.localdate() + timedelta(days=1)
        form = ReservationForm(initial={"day": day})
    day = day or timezone.localdate()
    return render(
        request,
        "booking/reserve.html",
        {
            "resource": resource,
            "form": form,
            "error": error,
            "day": day,
            "taken": queries.resource_day_reservations(resource, day),
            "opening": queries.opening_windows(resource, day),
        },
        status=409 if error else 200,
    )


def _reservation_url(reservation: Reservation, purpose: str) -> str:
    return reverse(
        f"site:booking:reservation_{purpose}",
        kwargs={
            "network_slug": reservation.network.slug,
            "code": reservation.code,
            "token": tokens.make_token(reservation, purpose, kind="reservation"),
        },
    )


def _reservation_from_link(code: str, token: str, purpose: str) -> Reservation:
    reservation = (
        Reservation.objects.select_related("resource__provider", "network")
        .filter(code=code)
        .first()
    )
    return queries.check_company_link(reservation, token, purpose)


@says_when_cancelled
def reservation_view(
    request: HttpRequest, network_slug: str, code: str, token: str
) -> HttpResponse:
    reservation = _reservation_from_link(code, token, "view")
    return render(
        request,
        "booking/reservation.html",
        {"reservation": reservation, "cancel_url": _reservation_url(reservation, "cancel")},
    )


@says_when_cancelled
def reservation_cancel(
    request: HttpRequest, network_slug: str, code: str, token: str
) -> HttpResponse:
    reservation = _reservation_from_link(code, token, "cancel")
    error = None
    if request.method == "POST":
        try:
            services.cancel_reservation(reservation=reservation)
        except services.BookingError as exc:
            error = exc.message
        else:
            return render(
                request, "booking/reservation.html", {"reservation": reservation, "done": True}
            )
    return render(
        request, "booking/reservation_cancel.html", {"reservation": reservation, "error": error}
    )


@staff_view(roles=(Role.COORDINATOR, Role.NAVIGATOR))
def reservations(request: NetworkRequest, network_slug: str) -> HttpResponse:
    """Coordinators and navigators approve or decline pending reservations."""
    user = staff_member(request)
    if request.method == "POST":
        reservation = Reservation.objects.filter(
            network=request.network, code=request.POST.get("code", "")
        ).first()
        if reservation is None:
            raise Http404
        decide = (
            services.approve_reservation
            if request.POST.get("aktion") == "annehmen"
            else services.decline_reservation
        )
        # Decided meanwhile by a colleague: the list below shows the outcome.
        with contextlib.suppress(services.BookingError):
            decide(reservation=reservation, by=user, message=request.POST.get("message", "")[:2000])
        return redirect("site:booking:reservations", network_slug=network_slug)
    upcoming = (
        Reservation.objects.filter(network=request.network, ends_at__gte=timezone.now())
        .select_related("resource")
        .order_by("status", "starts_at")
    )
    return render(request, "booking/reservations.html", {"reservations": upcoming})
