"""Read helpers: turn a schedule's rows into a ScheduleSpec and list free slots.

Every query runs inside the current network scope (the middleware's, or an explicit one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anlaufstelle.lib import params

from . import slots, tokens
from .models import (
    Booking,
    BookingStatus,
    ClosingDay,
    OpeningHours,
    Reservation,
    ReservationStatus,
    Resource,
    Schedule,
    Slot,
)

# Upper apps add to the bookings a page shows without booking importing them (layers):
# each function gets (staff user, or None for the company's own page; bookings) and sets
# attributes on the bookings with a constant number of queries. The direct chat sets
# `chat_unread` (chat/apps.py).
BOOKING_EXTRAS: list[Callable[[object, list[Booking]], None]] = []


def add_extras(user: object, bookings: list[Booking]) -> None:
    for extra in BOOKING_EXTRAS:
        extra(user, bookings)


class OutdatedLink(Http404):
    """A genuine earlier link of an appointment or reservation whose links were replaced
    since (a cancel or a move raised its token version). An Http404, so whoever does not
    handle it still answers "not found"; the company's pages catch it and say what
    happened (booking.views.outdated_link), the API answers 410."""

    def __init__(self, obj: Booking | Reservation) -> None:
        super().__init__("link outdated")
        self.obj = obj


class CancelledLink(OutdatedLink):
    """An earlier link of an appointment or reservation cancelled since."""


class MovedLink(OutdatedLink):
    """An earlier link of an appointment moved since (the new links went out by e-mail)."""


class DecidedLink(OutdatedLink):
    """An earlier link of a reservation request that staff approved or declined since
    (the decision's e-mail carries the current links)."""


Linked = TypeVar("Linked", Booking, Reservation)


def check_company_link(obj: Linked | None, token: str, purpose: str) -> Linked:
    """`obj` (a booking or reservation) if `token` is its current link for `purpose`;
    CancelledLink, MovedLink or DecidedLink for an earlier link of a since cancelled,
    moved, or approved or declined (not erased) one; Http404 otherwise."""
    if obj is None:
        raise Http404
    kind = "reservation" if isinstance(obj, Reservation) else "booking"
    try:
        tokens.check_token(obj, token, purpose, kind=kind)
    except tokens.InvalidLink as exc:
        if obj.anonymised_at is None and tokens.is_outdated(obj, token, purpose, kind=kind):
            if obj.status in (BookingStatus.CANCELLED, ReservationStatus.CANCELLED):
                raise CancelledLink(obj) from exc
            if isinstance(obj, Booking):
                # A booking's version rises only on cancel, move and erasure.
                raise MovedLink(obj) from exc
            if obj.status in (ReservationStatus.CONFIRMED, ReservationStatus.DECLINED):
                # A reservation's version rises only on a decision and on erasure; a
                # confirmed one was pending when the link was made.
                raise DecidedLink(obj) from exc
        raise Http404 from exc
    return obj


@dataclass(frozen=True)
class FreeSlot:
    schedule: Schedule
    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int

    @property
    def key(self) -> str:
        """The URL form of the start: UTC, minute precision (e.g. 20260312T0800Z)."""
        return format_slot_key(self.starts_at)


def format_slot_key(starts_at: datetime) -> str:
    return starts_at.astimezone(slots.UTC).strftime("%Y%m%dT%H%MZ")


def parse_slot_key(key: str) -> datetime | None:
    """The start a slot key names, or None for text that is no key or lies beyond any
    calendar (e.g. 99991231T2330Z would overflow when shown in local time)."""
    return params.parse_slot_key(key)


def bookable_schedules() -> QuerySet[Schedule]:
    return Schedule.objects.filter(is_active=True).select_related("provider", "room", "network")


def get_schedule_or_404(code: str) -> Schedule:
    schedule = bookable_schedules().filter(code=code).first()
    if schedule is None:
        raise Http404
    return schedule


def schedule_spec(schedule: Schedule) -> slots.ScheduleSpec:
    """The pure description of a schedule for `slots.generate_slots`."""
    windows = tuple(
        slots.WeeklyWindow(
            weekday=r.weekday,
            start=r.start_time,
            end=r.end_time,
            interval_weeks=r.interval_weeks,
            anchor=r.anchor_date,
            month_weeks=r.month_week_list(),
            valid_from=r.valid_from,
            valid_until=r.valid_until,
        )
        for r in schedule.rules.all()
    )
    extras = tuple(
        slots.ExtraWindow(day=x.date, start=x.start_time, end=x.end_time)
        for x in schedule.extra_dates.all()
    )
    # The schedule's own absences and those of its expert (all of the person's hours).
    blocked = tuple(
        slots.Blocked(starts, ends)
        for starts, ends in schedule.blocked_ranges(after=timezone.now())
    )
    closed = frozenset(
        ClosingDay.objects.filter(network_id=schedule.network_id).values_list("date", flat=True)
    )
    return slots.ScheduleSpec(
        windows=windows,
        extras=extras,
        blocked=blocked,
        closed_days=closed,
        bundesland=schedule.network.bundesland,
        slot_minutes=schedule.slot_minutes,
        buffer_minutes=schedule.buffer_minutes,
        min_notice=timedelta(minutes=schedule.min_notice_minutes),
        horizon_days=schedule.horizon_days,
        capacity=schedule.capacity,
    )


def free_slots(
    schedules: Iterable[Schedule],
    *,
    now: datetime | None = None,
    start: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 12,
) -> list[FreeSlot]:
    """The next free slots of one or more schedules, in time order, with remaining places."""
    now = now or timezone.now()
    result: list[FreeSlot] = []
    for schedule in schedules:
        spec = schedule_spec(schedule)
        # Booked slots within the horizon are few; one query, then stream the candidates.
        booked = dict(
            Slot.objects.filter(
                schedule=schedule, starts_at__gte=start or now, booked_count__gt=0
            ).values_list("starts_at", "booked_count")
        )
        found = 0
        for c in slots.generate_slots(spec, now=now, start=start, until=until):
            remaining = c.capacity - booked.get(c.starts_at, 0)
            if remaining <= 0:
                continue
            result.append(FreeSlot(schedule, c.starts_at, c.ends_at, c.capacity, remaining))
            found += 1
            if limit is not None and found >= limit:
                break
    result.sort(key=lambda s: (s.starts_at, s.schedule.title))
    return result[:limit] if limit is not None else result


def find_candidate(
    schedule: Schedule, starts_at: datetime, *, now: datetime | None = None
) -> slots.Candidate | None:
    """The candidate slot of `schedule` starting at `starts_at`, if it is bookable now."""
    now = now or timezone.now()
    spec = schedule_spec(schedule)
    day_start = starts_at - timedelta(hours=1)
    for candidate in slots.generate_slots(
        spec, now=now, start=day_start, until=starts_at + timedelta(minutes=1)
    ):
        if candidate.starts_at == starts_at:
            return candidate
    return None


def group_by_day(free: list[FreeSlot]) -> list[tuple[date, list[FreeSlot]]]:
    """Free slots grouped by their local (Europe/Berlin) date, for the picker."""
    return [
        (day, list(items))
        for day, items in groupby(free, key=lambda s: timezone.localtime(s.starts_at).date())
    ]


def schedules_for_offer(offer_slug: str) -> QuerySet[Schedule]:
    return bookable_schedules().filter(offers__slug=offer_slug).distinct()


def schedules_for_provider(provider_slug: str) -> QuerySet[Schedule]:
    """A provider's own consultation hours and those held in its rooms (the lab hosts
    other partners' hours: the Werkraum page offers the employment agency's slots)."""
    return (
        bookable_schedules()
        .filter(Q(provider__slug=provider_slug) | Q(room__provider__slug=provider_slug))
        .distinct()
    )


def booking_links(*, offer_slug: str = "", provider_slug: str = "") -> dict[str, object]:
    """Which booking entry points an offer or provider page shows (one query each):
    consultation hours of the offer or its provider, and rooms or desks the provider
    holds (the one resource directly, several through the overview)."""
    resources = (
        list(Resource.objects.filter(provider__slug=provider_slug, is_active=True)[:2])
        if provider_slug
        else []
    )
    return {
        "bookable_offer": bool(offer_slug) and schedules_for_offer(offer_slug).exists(),
        "bookable_provider": bool(provider_slug) and schedules_for_provider(provider_slug).exists(),
        "reservable_resource": resources[0] if len(resources) == 1 else None,
        "reservable_resources": len(resources) > 1,
    }


# --- rooms and desks ---------------------------------------------------------------


def get_resource_or_404(code: str) -> Resource:
    resource = Resource.objects.filter(code=code, is_active=True).first()
    if resource is None:
        raise Http404
    return resource


def resource_day_reservations(resource: Resource, day: date) -> list[Reservation]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=slots.BERLIN)
    end = start + timedelta(days=1)
    return list(
        Reservation.objects.filter(
            resource=resource,
            status__in=[ReservationStatus.PENDING, ReservationStatus.CONFIRMED],
            starts_at__lt=end,
            ends_at__gt=start,
        ).order_by("starts_at")
    )


def resource_is_open(resource: Resource, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies within one opening window of one local day,
    and that day is neither a public holiday nor a closing day."""
    local_start = starts_at.astimezone(slots.BERLIN)
    local_end = ends_at.astimezone(slots.BERLIN)
    day = local_start.date()
    if local_end.date() != day and local_end.time() != datetime.min.time():
        return False
    if ClosingDay.objects.filter(network_id=resource.network_id, date=day).exists():
        return False
    if day in slots.public_holidays(resource.network.bundesland, [day.year]):
        return False
    end_wall = local_end.time() if local_end.date() == day else datetime.max.time()
    return OpeningHours.objects.filter(
        Q(resource=resource, weekday=day.weekday()),
        opens__lte=local_start.time(),
        closes__gte=end_wall,
    ).exists()


def opening_windows(resource: Resource, day: date) -> list[OpeningHours]:
    return list(OpeningHours.objects.filter(resource=resource, weekday=day.weekday()))
