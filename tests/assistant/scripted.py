"""A scripted stand-in for the engine, for tests of what the page does with a reply
(rendering, slots, hand-over offer). The engine's own answers are tested with the engine."""

from __future__ import annotations

from typing import Any

from anlaufstelle.assistant.engine import Reply, Source


class ScriptedEngine:
    """Answers with the given replies in order and records what it was called with."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, *, network: Any, message: str, state: Any = None, language: str = "de"
    ) -> Reply:
        self.calls.append({"message": message, "state": dict(state or {}), "language": language})
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def install(monkeypatch: Any, *replies: Reply) -> ScriptedEngine:
    from anlaufstelle.assistant import services

    engine = ScriptedEngine(*replies)
    monkeypatch.setattr(services, "respond", engine)
    return engine


__all__ = ["Reply", "ScriptedEngine", "Source", "install"]
