"""Signed links for companies (no account): view, cancel, move a booking or reservation.

A token is signed with a salt per purpose and carries the object's public code and its
`token_version`. Cancelling or moving raises the version (so does approving or declining
a reservation request: its e-mail carries new links), so a link works once; a token
of one booking never opens another (the code in the URL must match the signed one);
links expire after ANLAUFSTELLE_BOOKING_LINK_MAX_AGE seconds.
"""

from __future__ import annotations

from django.conf import settings

from anlaufstelle.lib import signed_links
from anlaufstelle.lib.signed_links import InvalidLink, Linkable

__all__ = ["PURPOSES", "InvalidLink", "check_token", "is_outdated", "make_token", "max_age"]

PURPOSES = ("view", "cancel", "move")


def _salt(kind: str, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return f"anlaufstelle.booking.{kind}.{purpose}"


def max_age() -> int:
    return int(getattr(settings, "ANLAUFSTELLE_BOOKING_LINK_MAX_AGE", 60 * 60 * 24 * 90))


def make_token(obj: Linkable, purpose: str, kind: str = "booking") -> str:
    return signed_links.make_token(obj, salt=_salt(kind, purpose))


def check_token(obj: Linkable, token: str, purpose: str, kind: str = "booking") -> None:
    """Raise InvalidLink unless `token` was made for exactly this object, purpose and version."""
    signed_links.check_token(obj, token, salt=_salt(kind, purpose), max_age=max_age())


def is_outdated(obj: Linkable, token: str, purpose: str, kind: str = "booking") -> bool:
    """True for a genuine, unexpired link of `obj` made before a cancel or move raised its
    version: a page may say what happened, but must not act on it."""
    return signed_links.is_outdated(obj, token, salt=_salt(kind, purpose), max_age=max_age())
