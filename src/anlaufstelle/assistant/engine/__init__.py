"""The assistant's default engine: no language model, answers composed from the content.

`respond` takes one message of a company plus the dialogue state of the previous turn
and returns a `Reply`: the recognised intent, a German plain-text answer, the 1–3 cited
sources, an optional clarifying question, whether the hand-over to a navigator is
offered, the refs that can be booked, and the new state to pass back next turn.
Everything named in the text comes from the cited sources or the network's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anlaufstelle.networks.models import Network

INTENTS = (
    "find_support",
    "book_appointment",
    "events",
    "contact_info",
    "human_handoff",
    "greeting",
    "out_of_scope",
    "clarify",
)


@dataclass
class Source:
    ref: str  # "offer:slug", "provider:slug", "event:slug"
    title: str
    url: str
    reason: str  # one line, German


@dataclass
class Reply:
    intent: str  # one of INTENTS
    text: str  # German plain text, no HTML
    sources: list[Source] = field(default_factory=list)  # 0–3
    clarify_options: list[str] = field(default_factory=list)
    offer_handoff: bool = False
    booking_targets: list[str] = field(default_factory=list)  # refs with consultation hours
    state: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable, pass back next turn


def respond(
    *, network: Network, message: str, state: dict[str, Any] | None = None, language: str = "de"
) -> Reply:
    """Answer one message of a company (see the module docstring)."""
    from .dialogue import respond as _respond
    from .generation import phrase

    reply = _respond(network=network, message=message, state=state, language=language)
    # Optional: a configured chat model rephrases grounded answers (off by default).
    return phrase(network=network, message=message, reply=reply)


__all__ = ["INTENTS", "Reply", "Source", "respond"]
