"""Signed links for companies (no account): view, cancel, move a booking or reservation.

A token is signed with a salt per purpose and carries the object's public code and its
`token_version`. Cancelling or moving raises the version, so a link works once; a token
of one booking never opens another (the code in the URL must match the signed one);
links expire after ANLAUFSTELLE_BOOKING_LINK_MAX_AGE seconds.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core import signing

PURPOSES = ("view", "cancel", "move")


class Linkable(Protocol):
    code: str
    token_version: int


class InvalidLink(Exception):
    """The link is forged, expired, already used or belongs to something else."""


def _salt(kind: str, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return f"anlaufstelle.booking.{kind}.{purpose}"


def max_age() -> int:
    return int(getattr(settings, "ANLAUFSTELLE_BOOKING_LINK_MAX_AGE", 60 * 60 * 24 * 90))


def make_token(obj: Linkable, purpose: str, kind: str = "booking") -> str:
    return signing.dumps({"c": obj.code, "v": obj.token_version}, salt=_salt(kind, purpose))


def check_token(obj: Linkable, token: str, purpose: str, kind: str = "booking") -> None:
    """Raise InvalidLink unless `token` was made for exactly this object, purpose and version."""
    try:
        payload = signing.loads(token, salt=_salt(kind, purpose), max_age=max_age())
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise InvalidLink(str(exc)) from exc
    if payload.get("c") != obj.code or payload.get("v") != obj.token_version:
        raise InvalidLink("token does not match")
