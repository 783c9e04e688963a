"""The Nu HTML Checker accepts the Mediathek's dates (benchmarks/pages.py runs it)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

# HTML's "valid date string with optional time": at most three digits of a second.
VALID_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def test_published_dates_are_valid_html_datetimes(client, episode):
    for url in ("/n/feldberg/mediathek/", f"/n/feldberg/mediathek/podcast/{episode.slug}/"):
        html = client.get(url).content.decode()
        values = re.findall(r'<time[^>]*\sdatetime="([^"]+)"', html)
        assert values, url
        assert [v for v in values if not VALID_DATETIME.fullmatch(v)] == [], url
