"""Video meeting links: one Jitsi Meet room (or another provider's) per appointment.

The room name is 128 random bits, so it cannot be guessed. The base URL pattern comes
from the network's BookingSettings, else ANLAUFSTELLE_VIDEO_URL_PATTERN. The link is an
outbound link in an e-mail and on the confirmation page; our pages load nothing from it.
An empty pattern disables automatic links (the expert sends one by hand).
"""

from __future__ import annotations

import secrets

from django.conf import settings

from anlaufstelle.networks.models import Network

DEFAULT_PATTERN = "https://meet.jit.si/{room}"


def url_pattern(network: Network) -> str:
    from .models import BookingSettings

    custom = (
        BookingSettings.objects.with_scopes_disabled()
        .filter(network=network)
        .values_list("video_url_pattern", flat=True)
        .first()
    )
    if custom:
        return custom
    return getattr(settings, "ANLAUFSTELLE_VIDEO_URL_PATTERN", DEFAULT_PATTERN)


def new_video_url(network: Network) -> str:
    pattern = url_pattern(network)
    if not pattern:
        return ""
    room = "Anlaufstelle" + secrets.token_hex(16)
    return pattern.format(room=room)
