"""Signed links for people without an account (companies): one object, one purpose.

A token is signed with a salt per purpose and carries the object's public code and its
`token_version`. Raising the version (cancel, move, erase) kills every earlier link; a
token of one object never opens another (the code in the URL must match the signed one).
`is_outdated` tells such an earlier, genuine link apart from a forged one, so a page can
say what happened ("cancelled") instead of "not found", without acting on it.
"""

from __future__ import annotations

from typing import Protocol

from django.core import signing


class Linkable(Protocol):
    code: str
    token_version: int


class InvalidLink(Exception):
    """The link is forged, expired, already used or belongs to something else."""


def make_token(obj: Linkable, *, salt: str) -> str:
    """A URL-safe token for `obj` under `salt` (one salt per app, kind and purpose)."""
    return signing.dumps({"c": obj.code, "v": obj.token_version}, salt=salt)


def check_token(obj: Linkable, token: str, *, salt: str, max_age: int) -> None:
    """Raise InvalidLink unless `token` was made for exactly this object, salt and version."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise InvalidLink(str(exc)) from exc
    if payload.get("c") != obj.code or payload.get("v") != obj.token_version:
        raise InvalidLink("token does not match")


def is_outdated(obj: Linkable, token: str, *, salt: str, max_age: int) -> bool:
    """True for a genuine, unexpired link of `obj` made before its version was raised."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return False
    if not isinstance(payload, dict) or payload.get("c") != obj.code:
        return False
    version = payload.get("v")
    return isinstance(version, int) and version < obj.token_version
