"""Signed links for registrants (no account): view and cancel one registration.

Same rules as booking/tokens.py: salt per purpose, the registration's code and
`token_version` signed in; a cancel raises the version so old links stop working.
"""

from __future__ import annotations

from django.conf import settings

from anlaufstelle.lib import signed_links
from anlaufstelle.lib.signed_links import InvalidLink, Linkable

__all__ = ["PURPOSES", "InvalidLink", "check_token", "is_outdated", "make_token"]

PURPOSES = ("view", "cancel")


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return f"anlaufstelle.events.registration.{purpose}"


def max_age() -> int:
    return int(getattr(settings, "ANLAUFSTELLE_BOOKING_LINK_MAX_AGE", 60 * 60 * 24 * 90))


def make_token(obj: Linkable, purpose: str) -> str:
    return signed_links.make_token(obj, salt=_salt(purpose))


def check_token(obj: Linkable, token: str, purpose: str) -> None:
    signed_links.check_token(obj, token, salt=_salt(purpose), max_age=max_age())


def is_outdated(obj: Linkable, token: str, purpose: str) -> bool:
    return signed_links.is_outdated(obj, token, salt=_salt(purpose), max_age=max_age())
