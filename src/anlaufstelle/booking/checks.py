"""System check: the server's video link pattern (ANLAUFSTELLE_VIDEO_URL_PATTERN) is safe.

The per-network pattern is validated when the coordinator saves it; the server-wide one
comes from the environment, so it is checked at start-up and a bad value stops the site
from starting (`manage.py check`, `migrate`, `runserver`) instead of reaching a page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from .video import DEFAULT_PATTERN, pattern_problem


@checks.register()
def check_video_url_pattern(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    pattern = getattr(settings, "ANLAUFSTELLE_VIDEO_URL_PATTERN", DEFAULT_PATTERN)
    if not isinstance(pattern, str):
        return [checks.Error("ANLAUFSTELLE_VIDEO_URL_PATTERN must be a string.", id="booking.E001")]
    problem = pattern_problem(pattern)
    if problem:
        return [
            checks.Error(
                f"ANLAUFSTELLE_VIDEO_URL_PATTERN is not allowed: {problem}",
                hint="Use an https:// address with {room} once, e.g. https://meet.jit.si/{room}.",
                id="booking.E001",
            )
        ]
    return []
