"""Random public identifiers: never a sequence, readable out loud on the phone."""

from __future__ import annotations

import secrets

# Crockford-like alphabet without 0/O/1/I/L so codes can be read out on the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int = 10) -> str:
    """A random public identifier (about 50 bits for 10 characters); never a sequence."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
