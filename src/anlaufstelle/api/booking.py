"""Booking API: free slots, create/cancel bookings and reservations (idempotent).

Mount in api.py with `api.add_router("/booking/", booking.router)`; paths then read
/api/v1/booking/<network>/schedules/<code>/slots etc. A create needs the header
`Idempotency-Key`; a retried call with the same key returns the same booking.
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Header, Query, Router, Schema

from anlaufstelle.booking import queries, services, tokens
from anlaufstelle.booking.models import Booking
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope

from .errors import COMMON, WRITE
from .fields import (
    IDEMPOTENCY_KEY_PATTERN,
    Day,
    Email,
    Language,
    Moment,
    Phone,
    RequiredText200,
    Text200,
    Text2000,
    Token,
)
from .schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["booking"])


class SlotOut(Schema):
    start: datetime
    end: datetime
    capacity: int
    remaining: int
    schedule: str


class BookingIn(Schema):
    start: Moment
    name: RequiredText200
    email: Email
    company: Text200 = ""
    phone: Phone = ""
    concern: Text2000 = ""
    consent: bool
    language: Language = Field("de", description="Language of the e-mails to the company.")


class BookingOut(Schema):
    code: str
    status: str
    start: datetime
    end: datetime
    video_url: str
    cancel_token: str


class RefusalOut(Schema):
    detail: str
    next_slots: list[SlotOut] = []


class GoneOut(Schema):
    """410: the token was genuine, but the booking was cancelled or moved since."""

    detail: str = Field(examples=["Dieser Termin wurde bereits abgesagt."])


class CancelIn(Schema):
    token: Token


class ReservationIn(Schema):
    start: Moment
    end: Moment
    name: RequiredText200
    email: Email
    company: Text200 = ""
    phone: Phone = ""
    purpose: Text2000 = ""
    consent: bool
    language: Language = Field("de", description="Language of the e-mails to the company.")


class ReservationOut(Schema):
    code: str
    status: str
    start: datetime
    end: datetime


class BusyOut(Schema):
    start: datetime
    end: datetime


def _network(slug: str) -> Network:
    network = Network.objects.public().filter(slug=slug).first()
    if network is None:
        raise Http404
    return network


def _slot_out(slot: queries.FreeSlot) -> SlotOut:
    return SlotOut(
        start=slot.starts_at,
        end=slot.ends_at,
        capacity=slot.capacity,
        remaining=slot.remaining,
        schedule=slot.schedule.code,
    )


def _booking_out(booking: Booking) -> BookingOut:
    return BookingOut(
        code=booking.code,
        status=booking.status,
        start=booking.slot.starts_at,
        end=booking.slot.ends_at,
        video_url=booking.video_link,
        cancel_token=tokens.make_token(booking, "cancel"),
    )


def _idempotency_key() -> str:
    return Header(
        ...,
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Any token of 1 to 100 printable ASCII characters, e.g. a UUID.",
    )


@router.get("/{network}/schedules/{code}/slots", response={200: list[SlotOut], **COMMON})
def free_slots(
    request: HttpRequest,
    network: str,
    code: str,
    start: Moment | None = Query(None, description="Earliest start; with a time zone."),  # noqa: B008
    limit: int = Query(20, ge=1, le=200),  # noqa: B008
):
    """Free slots of a consultation hour, earliest first (times in UTC)."""
    with network_scope(_network(network)):
        schedule = queries.get_schedule_or_404(code)
        return [_slot_out(s) for s in queries.free_slots([schedule], start=start, limit=limit)]


@router.post(
    "/{network}/schedules/{code}/bookings",
    response={201: BookingOut, 409: RefusalOut, **WRITE},
)
def create_booking(
    request: HttpRequest,
    network: str,
    code: str,
    payload: BookingIn,
    idempotency_key: str = _idempotency_key(),
):
    """Book one place; 409 with the next free slots when it was just taken."""
    with network_scope(_network(network)):
        schedule = queries.get_schedule_or_404(code)
        try:
            booking = services.book_slot(
                schedule=schedule,
                starts_at=payload.start,
                name=payload.name,
                email=payload.email,
                company=payload.company,
                phone=payload.phone,
                concern=payload.concern,
                consent=payload.consent,
                idempotency_key=idempotency_key,
                language=payload.language,
            )
        # An IdempotencyConflict (same key, other content) is a BookingError: 422 below.
        except (services.SlotTaken, services.SlotUnavailable) as exc:
            return 409, RefusalOut(
                detail=exc.message, next_slots=[_slot_out(s) for s in exc.next_slots]
            )
        except services.BookingError as exc:
            return 422, ValidationErrorOut(detail=exc.message)
        return 201, _booking_out(booking)


@router.post(
    "/{network}/bookings/{code}/cancel",
    response={200: BookingOut, 409: RefusalOut, 410: GoneOut, **WRITE},
)
def cancel_booking(request: HttpRequest, network: str, code: str, payload: CancelIn):
    """Cancel with the signed cancel token returned at creation (works once).

    410 when the token was this booking's but the booking has been cancelled or moved
    since (`detail` says which; the new links of a moved booking went to the company by
    e-mail); 404 for any other token, code or network."""
    with network_scope(_network(network)):
        found = Booking.objects.select_related("slot").filter(code=code).first()
        try:
            booking = queries.check_company_link(found, payload.token, "cancel")
        except queries.CancelledLink:
            return 410, GoneOut(detail=gettext("This appointment has already been cancelled."))
        except queries.MovedLink:
            return 410, GoneOut(
                detail=gettext(
                    "This appointment has been moved. The current link to cancel it is in "
                    "the most recent e-mail about this booking code."
                )
            )
        except Http404:
            return 404, ErrorOut(detail=gettext("Not found"))
        try:
            services.cancel_booking(booking=booking, by="company")
        except services.BookingError as exc:
            return 409, RefusalOut(detail=exc.message)
        return 200, _booking_out(booking)


@router.get("/{network}/resources/{code}/busy", response={200: list[BusyOut], **COMMON})
def resource_busy(
    request: HttpRequest,
    network: str,
    code: str,
    day: Day | None = Query(None, description="Local date; today when left out."),  # noqa: B008
):
    """Taken time ranges of a room or desk on one day (Europe/Berlin)."""
    with network_scope(_network(network)):
        resource = queries.get_resource_or_404(code)
        day = day or timezone.localdate()
        return [
            BusyOut(start=r.starts_at, end=r.ends_at)
            for r in queries.resource_day_reservations(resource, day)
        ]


@router.post(
    "/{network}/resources/{code}/reservations",
    response={201: ReservationOut, 409: RefusalOut, **WRITE},
)
def create_reservation(
    request: HttpRequest,
    network: str,
    code: str,
    payload: ReservationIn,
    idempotency_key: str = _idempotency_key(),
):
    """Reserve a time range; pending when the resource needs approval."""
    with network_scope(_network(network)):
        resource = queries.get_resource_or_404(code)
        try:
            reservation = services.reserve_resource(
                resource=resource,
                starts_at=payload.start,
                ends_at=payload.end,
                name=payload.name,
                email=payload.email,
                company=payload.company,
                phone=payload.phone,
                purpose=payload.purpose,
                consent=payload.consent,
                idempotency_key=idempotency_key,
                language=payload.language,
            )
        except services.ReservationConflict as exc:
            return 409, RefusalOut(detail=exc.message)
        except services.BookingError as exc:
            return 422, ValidationErrorOut(detail=exc.message)
        return 201, ReservationOut(
            code=reservation.code,
            status=reservation.status,
            start=reservation.starts_at,
            end=reservation.ends_at,
        )


__all__ = ["router"]
