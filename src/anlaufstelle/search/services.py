"""Writes of the search app: the query log (no personal data)."""

from __future__ import annotations

import os
import re
from datetime import timedelta

from django.utils import timezone

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


# Live results send a request per pause in typing; one typing run is one search, so a
# request that carries the code of a recent, not yet clicked entry updates that entry.
TYPING_RUN = timedelta(minutes=10)


def _same_run(previous: str, current: str) -> bool:
    """True when `current` continues typing `previous` (a new question starts a new entry)."""
    a, b = previous.casefold(), current.casefold()
    shared = len(os.path.commonprefix([a, b]))
    return shared >= min(len(a), len(b), 3)


def record_query(
    *,
    network: Network,
    query: str,
    result_count: int,
    suggestion: str = "",
    continues: str = "",
    mode: str = "hybrid",
) -> SearchQueryLog:
    """Log a search of the site; a refinement of the same typing run updates its entry.

    `continues` is the code of the entry the page logged last (live results only).
    """
    text = scrub(query)
    if continues:
        recent = SearchQueryLog.objects.filter(
            network=network,
            code=continues,
            clicked_rank__isnull=True,
            created_at__gte=timezone.now() - TYPING_RUN,
        )
        previous = recent.values_list("query", flat=True).first()
        if previous is not None and _same_run(previous, text):
            updated = recent.update(
                query=text, result_count=result_count, suggestion=suggestion[:300]
            )
            if updated:
                return SearchQueryLog.objects.get(network=network, code=continues)
    return log_query(
        network=network,
        query=query,
        mode=mode,
        result_count=result_count,
        suggestion=suggestion,
    )


def log_click(*, network: Network, code: str, rank: int, ref: str) -> bool:
    """Record the rank of the result clicked for a logged query (first click counts)."""
    updated = SearchQueryLog.objects.filter(
        network=network, code=code, clicked_rank__isnull=True
    ).update(clicked_rank=min(rank, 32767), clicked_ref=ref[:200])
    return bool(updated)
