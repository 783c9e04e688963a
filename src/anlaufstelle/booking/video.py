"""Video meeting links: one Jitsi Meet room (or another provider's) per appointment.

The room name is 128 random bits, so it cannot be guessed. The base URL pattern comes
from the network's BookingSettings, else ANLAUFSTELLE_VIDEO_URL_PATTERN. The link is an
outbound link in an e-mail and on the confirmation page; our pages load nothing from it.
An empty pattern disables automatic links (the expert sends one by hand).

A pattern is operator input that ends up as a link on a public page, so it is held to a
narrow shape: an `https://` URL with exactly one `{room}` placeholder in its path or query
and no other braces. It is validated when saved and at start-up (system check), and once
more whenever a link is made, for rows stored before the rule existed. The placeholder is
substituted with `str.replace`, never `str.format` (which would evaluate `{0}` or
`{room.__class__}`).
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.models import Network

log = logging.getLogger(__name__)

DEFAULT_PATTERN = "https://meet.jit.si/{room}"
PLACEHOLDER = "{room}"
# Stands in for the room name when the pattern's URL shape is checked.
SAMPLE_ROOM = "Anlaufstelle0123456789abcdef"
WEB_SCHEMES = ("http", "https")
# Not valid unescaped in a URL (RFC 3986) and the stuff of attribute injection.
UNSAFE_CHARACTERS = frozenset("\"'<>\\^`|")


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is not an acceptable video link pattern (German), or None if it is.

    The empty pattern is acceptable: it means "no automatic links".
    """
    if not pattern:
        return None
    if not pattern.startswith("https://"):
        return str(_("The video link pattern must start with https://."))
    if pattern.count(PLACEHOLDER) != 1:
        return str(_("The video link pattern must contain {room} exactly once."))
    rest = pattern.replace(PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        return str(_("The video link pattern may contain no braces other than {room}."))
    if any(ch.isspace() or not ch.isprintable() for ch in pattern):
        return str(_("The video link pattern may contain no spaces or control characters."))
    if any(ch in UNSAFE_CHARACTERS for ch in rest):
        return str(_("The video link pattern is not a valid web address."))
    if PLACEHOLDER in urlsplit(pattern).netloc:
        return str(_("The {room} placeholder belongs in the path, not in the host name."))
    try:
        URLValidator(schemes=["https"])(pattern.replace(PLACEHOLDER, SAMPLE_ROOM))
    except ValidationError:
        return str(_("The video link pattern is not a valid web address."))
    return None


def validate_url_pattern(value: str) -> None:
    """Model field validator for BookingSettings.video_url_pattern."""
    problem = pattern_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_video_pattern")


def is_web_url(url: str) -> bool:
    """True for an http(s) URL with a host; anything else is never rendered as a link."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def url_pattern(network: Network) -> str:
    """The pattern for `network`; "" (no automatic link) when the stored one is unsafe."""
    from .models import BookingSettings

    custom = (
        BookingSettings.objects.with_scopes_disabled()
        .filter(network=network)
        .values_list("video_url_pattern", flat=True)
        .first()
    )
    if custom:
        if pattern_problem(custom):
            # Stored before validation existed: no link rather than a script or a 500.
            # Not the server default either: the network chose its own video service.
            log.warning("unsafe video link pattern ignored", extra={"network": network.slug})
            return ""
        return custom
    default = getattr(settings, "ANLAUFSTELLE_VIDEO_URL_PATTERN", DEFAULT_PATTERN)
    if pattern_problem(default):
        log.warning("unsafe ANLAUFSTELLE_VIDEO_URL_PATTERN ignored")
        return ""
    return default


def new_video_url(network: Network) -> str:
    pattern = url_pattern(network)
    if not pattern:
        return ""
    room = "Anlaufstelle" + secrets.token_hex(16)
    return pattern.replace(PLACEHOLDER, room)
