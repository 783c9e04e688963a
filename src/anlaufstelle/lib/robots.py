"""/robots.txt: crawlers may index the public pages, not the back office or personal links.

The public network pages (start, offers, search, appointments, events, Mediathek) stay
crawlable on purpose; the disallowed paths are the back office, the API, log-in, the
language switch, the staff areas of each network and the token links sent by e-mail.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Under /n/<network>/: the staff areas (the prefixes of tests/networks/test_staff_guard.py).
STAFF_AREAS = (
    "termine/kalender/",
    "anliegen/lotsen/",
    "anliegen/partner/",
    "assistent/verwaltung/",
    "veranstaltungen/verwaltung/",
)

DISALLOWED = ("/admin/", "/api/", "/accounts/", "/i18n/") + tuple(
    f"/n/*/{area}" for area in STAFF_AREAS
)

ROBOTS_TXT = "User-agent: *\n" + "".join(f"Disallow: {path}\n" for path in DISALLOWED)


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS_TXT, content_type="text/plain; charset=utf-8")
