"""Dialogue: placeholder until the engine is filled in."""

from __future__ import annotations

from typing import Any

from anlaufstelle.networks.models import Network

from . import Reply


def respond(
    *, network: Network, message: str, state: dict[str, Any] | None, language: str
) -> Reply:
    return Reply(
        intent="clarify", text="Der Assistent wird gerade eingerichtet.", state=dict(state or {})
    )
