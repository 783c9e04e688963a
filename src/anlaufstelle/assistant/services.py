"""Every write of the assistant: messages, booking in the chat, hand-over, retention.

The assistant uses booking and cases only through their services and queries, so a
booking made in the chat is the same row (lock, constraint, confirmation e-mail) as one
made on the booking page, and a hand-over is a concern like one sent through the form
(consent, idempotency key, receipt, retention and erasure).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries as booking_queries
from anlaufstelle.booking import services as booking_services
from anlaufstelle.booking.models import Booking, Schedule
from anlaufstelle.cases import services as case_services
from anlaufstelle.cases.models import Concern
from anlaufstelle.lib.dates import format_when
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope

from . import engine
from .models import AssistantSettings, Conversation, Role, Turn

log = logging.getLogger(__name__)

MAX_MESSAGE = 1000
# A conversation this long is a script, not a company: it gets a clear answer, not a bot.
MAX_USER_TURNS = 60
SLOTS_SHOWN = 3
# The engine is called through this name so that a test can give it scripted replies.
respond = engine.respond


class AssistantError(Exception):
    """A refusal the visitor can act on; `message` is translated German, shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def settings_for(network: Network) -> AssistantSettings:
    with scopes_disabled():
        row = AssistantSettings.objects.filter(network=network).first()
    return row or AssistantSettings(network=network)


def check_message(text: str) -> str:
    """The stripped message, or AssistantError saying what to change."""
    text = (text or "").strip()
    if not text:
        raise AssistantError(_("Please write a message."))
    if len(text) > MAX_MESSAGE:
        raise AssistantError(
            _("Please shorten your message to at most %(max)s characters (now %(count)s).")
            % {"max": MAX_MESSAGE, "count": len(text)}
        )
    return text


def start_conversation(
    *, network: Network, embedded: bool = False, language: str = "de"
) -> Conversation:
    """A new conversation; the page showed the privacy note above the first message."""
    return Conversation.objects.create(
        network=network, embedded=embedded, language=language[:8], consent_shown=True
    )


def _slots_for(targets: list[str], limit: int = SLOTS_SHOWN) -> list[dict[str, str]]:
    """The next free slots of the consultation hours behind `targets` (offer:/provider: refs)."""
    schedules: dict[int, Schedule] = {}
    for ref in targets[:3]:
        kind, _sep, slug = ref.partition(":")
        if kind == "offer":
            found = booking_queries.schedules_for_offer(slug)
        elif kind == "provider":
            found = booking_queries.schedules_for_provider(slug)
        else:
            continue
        for schedule in found[:5]:
            schedules.setdefault(schedule.pk, schedule)
    free = booking_queries.free_slots(schedules.values(), limit=limit)
    return [
        {
            "schedule": slot.schedule.code,
            "key": slot.key,
            "starts_at": slot.starts_at.isoformat(),
            "title": slot.schedule.title,
            "provider": slot.schedule.provider.name,
            "format": str(slot.schedule.get_format_display()),
            "phone": "1" if slot.schedule.format == "telefon" else "",
        }
        for slot in free[:limit]
    ]


def _add_turn(conversation: Conversation, role: str, text: str, **extra: Any) -> Turn:
    return Turn.objects.create(
        network_id=conversation.network_id,
        conversation=conversation,
        role=role,
        text=text,
        **extra,
    )


def post_message(
    *, conversation: Conversation, text: str, language: str = "de"
) -> tuple[Turn, Turn]:
    """Store the company's message and the assistant's answer; returns both turns."""
    text = check_message(text)
    if conversation.erased_at is not None:
        raise AssistantError(_("This conversation has been erased. Please start a new one."))
    if conversation.turns.filter(role=Role.USER).count() >= MAX_USER_TURNS:
        raise AssistantError(
            _(
                "This conversation has become very long. Please start a new one, or describe "
                "your concern to the navigators."
            )
        )
    reply = respond(
        network=conversation.network, message=text, state=conversation.state, language=language
    )
    slots = _slots_for(list(reply.booking_targets)) if reply.booking_targets else []
    with transaction.atomic():
        asked = _add_turn(conversation, Role.USER, text)
        answered = _add_turn(
            conversation,
            Role.ASSISTANT,
            reply.text,
            intent=reply.intent[:30],
            sources=[asdict(s) for s in reply.sources[:3]],
            clarify_options=[str(o)[:200] for o in reply.clarify_options[:6]],
            slots=slots,
            offer_handoff=bool(reply.offer_handoff),
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            state=reply.state or {}, last_activity_at=timezone.now()
        )
    conversation.state = reply.state or {}
    return asked, answered


def _first_user_text(conversation: Conversation) -> str:
    first = conversation.turns.filter(role=Role.USER).first()
    return first.text if first else ""


def book_in_chat(
    *,
    conversation: Conversation,
    schedule_code: str,
    slot_key: str,
    name: str,
    email: str,
    phone: str = "",
    consent: bool,
    idempotency_key: str | None = None,
    language: str = "de",
) -> Booking:
    """Book a slot offered in the chat through the booking service (lock, e-mail and all).

    On a lost race the assistant answers with the next free slots of that schedule.
    """
    schedule = booking_queries.bookable_schedules().filter(code=schedule_code).first()
    starts_at = booking_queries.parse_slot_key(slot_key)
    if schedule is None or starts_at is None:
        raise AssistantError(_("Please choose one of the appointments shown."))
    try:
        booking = booking_services.book_slot(
            schedule=schedule,
            starts_at=starts_at,
            name=name,
            email=email,
            phone=phone,
            concern=_first_user_text(conversation)[:2000],
            consent=consent,
            consent_note=_("Booked in the chat with the assistant."),
            idempotency_key=idempotency_key or None,
            language=language,
        )
    except booking_services.SlotTaken as exc:
        _add_turn(
            conversation,
            Role.ASSISTANT,
            _("This appointment has just been taken. These are the next free ones:"),
            intent="book_appointment",
            slots=_slots_from(exc.next_slots),
        )
        raise AssistantError(exc.message) from exc
    except booking_services.BookingError as exc:
        raise AssistantError(exc.message) from exc
    when = timezone.localtime(booking.slot.starts_at)
    _add_turn(
        conversation,
        Role.ASSISTANT,
        _(
            "Your appointment is booked: %(title)s on %(date)s at %(time)s. We have sent the "
            "confirmation to %(email)s; it also holds the link to cancel or move it."
        )
        % {
            "title": schedule.title,
            "date": format_when(when, "short_date"),
            "time": when.strftime("%H:%M"),
            "email": booking.email,
        },
        intent="book_appointment",
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=timezone.now())
    return booking


def _slots_from(free: list[booking_queries.FreeSlot]) -> list[dict[str, str]]:
    return [
        {
            "schedule": s.schedule.code,
            "key": s.key,
            "starts_at": s.starts_at.isoformat(),
            "title": s.schedule.title,
            "provider": s.schedule.provider.name,
            "format": str(s.schedule.get_format_display()),
            "phone": "1" if s.schedule.format == "telefon" else "",
        }
        for s in free[:SLOTS_SHOWN]
    ]


def _plain(text: str) -> str:
    # The desk refuses HTML tags in a concern; a company that typed "<script>" in the chat
    # keeps its words, with look-alike angle quotes that no browser reads as markup.
    return text.replace("<", "‹").replace(">", "›")


def transcript(conversation: Conversation, *, budget: int = case_services.MAX_TEXT) -> str:
    """The conversation as plain text for the concern, newest turns kept when too long."""
    header = _("Conversation with the assistant (%(code)s):") % {"code": conversation.code}
    labels = {Role.USER: _("Company"), Role.ASSISTANT: _("Assistant")}
    lines: list[str] = []
    for turn in conversation.turns.all():
        line = f"{labels[Role(turn.role)]}: {_plain(turn.text)}"
        sources = [s.get("title", "") for s in turn.sources if isinstance(s, dict)]
        if sources:
            line += "\n  " + _("Sources: %(titles)s") % {"titles": "; ".join(sources)}
        lines.append(line)
    shortened = _("(Earlier messages shortened.)")
    kept: list[str] = []
    used = len(header) + len(shortened) + 4
    for line in reversed(lines):
        if used + len(line) + 2 > budget:
            break
        kept.insert(0, line)
        used += len(line) + 2
    body = "\n\n".join(kept)
    if len(kept) < len(lines):
        body = shortened + "\n\n" + body if kept else shortened
    return f"{header}\n\n{body}"[:budget]


def hand_over(
    *,
    conversation: Conversation,
    name: str,
    email: str,
    phone: str = "",
    consent: bool,
    share_consent: bool = False,
    idempotency_key: str | None = None,
    language: str = "de",
) -> Concern:
    """Create a concern on the navigators' desk with the transcript (with consent).

    The concern form's rules apply as they are: consent required, replaying the
    idempotency key returns the first concern; the receipt with the status link is sent.
    """
    if not conversation.turns.filter(role=Role.USER).exists():
        raise AssistantError(_("Please first write in a few words what it is about."))
    if case_services.HTML_TAG.search(name):
        raise AssistantError(_("Please enter your name without HTML tags."))
    if not name.strip():
        raise AssistantError(_("Please enter your name."))
    try:
        concern = case_services.submit_concern(
            network=conversation.network,
            text=transcript(conversation),
            contact_name=name,
            email=email,
            phone=phone,
            consent=consent,
            share_consent=share_consent,
            idempotency_key=idempotency_key or None,
            language=language,
        )
    except case_services.CaseError as exc:
        raise AssistantError(exc.message) from exc
    if conversation.concern_id != concern.pk:
        Conversation.objects.filter(pk=conversation.pk).update(
            concern=concern, last_activity_at=timezone.now()
        )
        conversation.concern = concern
        days = case_services.DUE_WORKING_DAYS["normal"]
        _add_turn(
            conversation,
            Role.ASSISTANT,
            _(
                "Thank you. Your concern has reached the navigators of the network (number "
                "%(code)s). We have sent you an e-mail with a link where you can follow it. "
                "Usually someone gets back to you within %(days)s working days."
            )
            % {"code": concern.code, "days": days},
            intent="human_handoff",
        )
    log.info("assistant handed over", extra={"concern": concern.code})
    return concern


def apply_retention(now: datetime | None = None) -> int:
    """Delete conversations past their network's concern retention, and those whose
    concern has been erased (the transcript goes with the concern). Crosses networks."""
    now = now or timezone.now()
    deleted = 0
    with scopes_disabled():
        networks = list(Network.objects.all())
    for network in networks:
        months = case_services.settings_for(network).retention_months
        cutoff = now - timedelta(days=round(months * 30.44))
        with network_scope(network):
            expired = Conversation.objects.filter(network=network).filter(
                Q(last_activity_at__lt=cutoff) | Q(concern__anonymised_at__isnull=False)
            )
            for conversation in expired:
                # Turns go with their conversation (on_delete=CASCADE).
                conversation.delete()
                deleted += 1
    return deleted
