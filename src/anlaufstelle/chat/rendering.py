"""One way to show a chat message, for the page, the polling fragment and the socket."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from anlaufstelle.cases.models import Actor

from .access import COMPANY, Party
from .services import message_payload


def sender_label(party: Party, payload: dict[str, Any]) -> str:
    sender = payload["sender"]
    if party.side == COMPANY and sender == Actor.COMPANY:
        return _("You")
    if party.user is not None and payload.get("author_id") == party.user.pk:
        return _("You")
    if sender == Actor.COMPANY:
        return party.thread.company_label()
    if sender == Actor.PARTNER:
        return (
            _("Partner: %(name)s") % {"name": payload["provider"]}
            if payload["provider"]
            else _("Partner")
        )
    return _("Navigator")


def is_mine(party: Party, payload: dict[str, Any]) -> bool:
    if party.side == COMPANY:
        return bool(payload["sender"] == Actor.COMPANY)
    return bool(payload["sender"] != Actor.COMPANY)


def file_url(party: Party, file_code: str) -> str:
    return party.thread.file_url(party, file_code)


def message_context(party: Party, payload: dict[str, Any], read_upto: int) -> dict[str, Any]:
    mine = is_mine(party, payload)
    attachment = payload.get("attachment")
    return {
        "m": payload,
        "created_at": datetime.fromisoformat(payload["created_at"]),
        "label": sender_label(party, payload),
        "mine": mine,
        "read": mine and payload["id"] <= read_upto,
        "file_url": file_url(party, attachment["code"]) if attachment else "",
    }


def render_message(party: Party, payload: dict[str, Any], read_upto: int = 0) -> str:
    return render_to_string(
        "chat/partials/_message.html", message_context(party, payload, read_upto)
    )


def thread_items(party: Party, messages: Iterable[Any], read_upto: int) -> list[dict[str, Any]]:
    return [message_context(party, message_payload(party.thread, m), read_upto) for m in messages]
