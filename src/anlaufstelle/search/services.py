"""Writes of the search app: the query log (no personal data)."""

from __future__ import annotations

import re

from anlaufstelle.networks.models import Network

from .models import SearchQueryLog

EMAIL_RE = re.compile(r"\S+@\S+")
# Phone numbers and other long digit runs (a postcode has five digits and stays).
PHONE_RE = re.compile(r"\+?\d[\d /()-]{6,}\d")


def scrub(query: str) -> str:
    """The query without e-mail addresses and phone numbers."""
    query = EMAIL_RE.sub("[E-Mail]", query)
    query = PHONE_RE.sub("[Nummer]", query)
    return query.strip()[:300]


def log_query(
    *, network: Network, query: str, mode: str, result_count: int, suggestion: str = ""
) -> SearchQueryLog:
    """Record one search of a network's site: text, result count, nothing personal."""
    return SearchQueryLog.objects.create(
        network=network,
        query=scrub(query),
        mode=mode,
        result_count=result_count,
        suggestion=suggestion[:300],
    )


def log_click(*, network: Network, code: str, rank: int, ref: str) -> bool:
    """Record the rank of the result clicked for a logged query (first click counts)."""
    updated = SearchQueryLog.objects.filter(
        network=network, code=code, clicked_rank__isnull=True
    ).update(clicked_rank=min(rank, 32767), clicked_ref=ref[:200])
    return bool(updated)
