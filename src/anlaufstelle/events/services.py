"""Every write of the events app: register, cancel (moving the waiting list up), close.

Locking discipline as in booking (docs/decisions/0004-booking-slots.md): one lock on the
Event row inside `transaction.atomic()`, plus the CheckConstraint `confirmed_count <=
capacity` as the last line of defence. On SQLite the IMMEDIATE transaction mode
serialises writers instead of row locks.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import (
    ANSWER_MAX_LENGTH,
    Event,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
)

log = logging.getLogger(__name__)


class RegistrationError(Exception):
    """A refusal the visitor can act on; `message` is translated and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _checked_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > 100:
        raise RegistrationError(_("The Idempotency-Key must hold 1 to 100 characters."))
    return key


def _checked_answers(event: Event, answers: dict[str, str], role: str) -> dict[str, str]:
    """Only the questions for `role` (the type's and the event's), each answer at most
    ANSWER_MAX_LENGTH long, every required one given; refused before anything is stored."""
    clean: dict[str, str] = {}
    for question in event.questions_for(role):
        answer = str(answers.get(question.key, "")).strip()
        if len(answer) > ANSWER_MAX_LENGTH:
            raise RegistrationError(
                _("An answer may be at most %(max)d characters long.") % {"max": ANSWER_MAX_LENGTH}
            )
        if question.required and not answer:
            raise RegistrationError(
                _("Please answer the question “%(question)s”.") % {"question": question.text}
            )
        clean[question.key] = answer
    return clean


def registration_problem(event: Event, now: datetime) -> str | None:
    """Why nobody can register for `event` now (German), or None."""
    if event.status != EventStatus.PUBLISHED:
        return _("This event is not open for registration.")
    if event.is_past(now):
        return _("This event has already taken place.")
    if not event.registration_open:
        return _("Registration for this event is closed.")
    return None


def _replay(key: str | None, event: Event, email: str) -> Registration | None:
    if not key:
        return None
    earlier = (
        Registration.objects.with_scopes_disabled()
        .filter(network_id=event.network_id, idempotency_key=key)
        .first()
    )
    if earlier is None:
        return None
    if earlier.event_id != event.pk or earlier.email.lower() != email.strip().lower():
        raise RegistrationError(_("This request was already used for another registration."))
    return earlier


def register(
    *,
    event: Event,
    name: str,
    email: str,
    company: str = "",
    answers: dict[str, str] | None = None,
    consent: bool,
    idempotency_key: str | None = None,
    language: str = "de",
    role: str = "",
    listed_publicly: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register for `event`: a place while there is one, else the waiting list.

    Replaying `idempotency_key` returns the first registration. Refuses (RegistrationError)
    without consent, for a past, closed or unpublished event, for a full event without a
    waiting list and for an answer over its length; nothing is stored then.
    """
    if not consent:
        raise RegistrationError(_("Please agree to the processing of your data."))
    key = _checked_key(idempotency_key)
    if (earlier := _replay(key, event, email)) is not None:
        return earlier
    now = now or timezone.now()
    roles = event.role_list()
    if roles and role not in roles:
        raise RegistrationError(_("Please choose how you take part."))
    if not roles:
        role, listed_publicly = "", False
    clean_answers = _checked_answers(event, answers or {}, role)
    try:
        with transaction.atomic():
            # The one lock: every registration of this event queues here.
            locked = Event.objects.with_scopes_disabled().select_for_update().get(pk=event.pk)
            problem = registration_problem(locked, now)
            if problem:
                raise RegistrationError(problem)
            if locked.confirmed_count < locked.capacity:
                status = RegistrationStatus.CONFIRMED
                Event.objects.with_scopes_disabled().filter(pk=locked.pk).update(
                    confirmed_count=F("confirmed_count") + 1
                )
            elif locked.waiting_list:
                status = RegistrationStatus.WAITING
            else:
                raise RegistrationError(_("This event is fully booked."))
            registration = Registration.objects.create(
                network_id=locked.network_id,
                event=locked,
                status=status,
                name=name.strip(),
                company=company.strip(),
                email=email.strip(),
                answers=clean_answers,
                consent_at=now,
                language=language,
                idempotency_key=key,
                role=role,
                listed_publicly=listed_publicly,
            )
            registration_id = registration.pk
            transaction.on_commit(lambda: _after_register(registration_id))
    except RegistrationError:
        if (earlier := _replay(key, event, email)) is not None:
            return earlier
        raise
    except IntegrityError as exc:
        # A concurrent replay of the same key, or the capacity constraint.
        if (earlier := _replay(key, event, email)) is not None:
            return earlier
        log.warning("registration refused by constraint", extra={"event": event.slug})
        raise RegistrationError(_("This event is fully booked.")) from exc
    log.info("event registration", extra={"registration": registration.code, "status": status})
    return registration


def _after_register(registration_id: int) -> None:
    from . import tasks

    tasks.send_registration_mail.enqueue(registration_id)


def cancel_registration(*, registration: Registration) -> Registration:
    """Cancel; a freed place goes to the first person on the waiting list (with an e-mail)."""
    moved_up: int | None = None
    with transaction.atomic():
        event = (
            Event.objects.with_scopes_disabled().select_for_update().get(pk=registration.event_id)
        )
        current = Registration.objects.with_scopes_disabled().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(_("This registration has already been cancelled."))
        was_confirmed = current.status == RegistrationStatus.CONFIRMED
        Registration.objects.with_scopes_disabled().filter(pk=current.pk).update(
            status=RegistrationStatus.CANCELLED,
            cancelled_at=timezone.now(),
            token_version=F("token_version") + 1,
        )
        if was_confirmed:
            first = (
                Registration.objects.with_scopes_disabled()
                .filter(event=event, status=RegistrationStatus.WAITING)
                .order_by("created_at", "pk")
                .first()
            )
            if first is not None and event.starts_at and event.starts_at > timezone.now():
                Registration.objects.with_scopes_disabled().filter(pk=first.pk).update(
                    status=RegistrationStatus.CONFIRMED
                )
                moved_up = first.pk
            else:
                Event.objects.with_scopes_disabled().filter(pk=event.pk).update(
                    confirmed_count=F("confirmed_count") - 1
                )
        if moved_up is not None:
            promoted = moved_up
            transaction.on_commit(lambda: _after_move_up(promoted))
    registration.refresh_from_db()
    log.info("event registration cancelled", extra={"registration": registration.code})
    return registration


def _after_move_up(registration_id: int) -> None:
    from . import tasks

    tasks.send_moved_up_mail.enqueue(registration_id)


def close_registration(event: Event) -> None:
    Event.objects.with_scopes_disabled().filter(pk=event.pk).update(registration_open=False)


def message_registrants(event: Event, *, subject: str, body: str) -> int:
    """Queue one e-mail to every confirmed and waiting registrant; returns how many."""
    from . import emails

    recipients = list(
        Registration.objects.with_scopes_disabled()
        .filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
    )
    for registration in recipients:
        emails.send_message(registration, subject=subject, body=body)
    return len(recipients)


def create_occurrences(
    series: EventSeries, *, count: int = 6, after: date | None = None
) -> list[Event]:
    """The series' next `count` dates as published events (existing dates are kept)."""
    after = after or timezone.localdate()
    created: list[Event] = []
    for starts_at, ends_at in series.occurrences(after, count):
        slug = f"{slugify(series.title)[:140]}-{starts_at:%Y-%m-%d}"
        event, made = Event.objects.with_scopes_disabled().get_or_create(
            network_id=series.network_id,
            slug=slug,
            defaults={
                "series": series,
                "title": series.title,
                "summary": series.summary,
                "description": series.description,
                "provider": series.provider,
                "format": series.format,
                "place": series.place,
                "address": series.address,
                "capacity": series.capacity,
                "event_type": series.event_type,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "status": EventStatus.PUBLISHED,
            },
        )
        if made:
            created.append(event)
    return created


def set_running_order(event: Event, positions: dict[int, int]) -> None:
    """The organiser's running order: registration pk → position (others unchanged)."""
    with transaction.atomic():
        for pk, position in positions.items():
            Registration.objects.with_scopes_disabled().filter(event=event, pk=pk).update(
                position=position
            )


def public_participants(event: Event) -> list[Registration]:
    """After the event: confirmed registrants of the first role who agreed to be named."""
    roles = event.role_list()
    if not roles or event.starts_at is None or event.starts_at > timezone.now():
        return []
    return list(
        Registration.objects.with_scopes_disabled()
        .filter(
            event=event,
            role=roles[0],
            status=RegistrationStatus.CONFIRMED,
            listed_publicly=True,
            anonymised_at__isnull=True,
        )
        .order_by(F("position").asc(nulls_last=True), "created_at")
    )


def check_in(event: Event, code: str, *, present: bool, now: datetime | None = None) -> bool:
    """Mark a confirmed registrant of `event` as arrived (or not); False if no such one."""
    changed = (
        Registration.objects.with_scopes_disabled()
        .filter(event=event, code=code[:16], status=RegistrationStatus.CONFIRMED)
        .update(checked_in_at=(now or timezone.now()) if present else None)
    )
    return bool(changed)
