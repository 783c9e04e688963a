"""Suggested offers and providers for a concern: one code path for the company and staff.

`suggest` calls the search engine (anlaufstelle.search.engine.search, hybrid mode, as the
site's search page does) with the company's profile, which the engine ranks with (offers
for the company's sector rise a little, see search/profiles.py); each suggestion says why
it fits. When the search
package cannot run (not importable, or the index is empty or fails) it degrades to the
directory's simple text filter, so a company always gets an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from anlaufstelle.directory import queries as directory_queries
from anlaufstelle.directory.models import Audience, Offer, Topic
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope, visible_network_ids
from anlaufstelle.search.profiles import profile_audiences as sector_audiences

from .models import Concern, SizeClass, WzSection

log = logging.getLogger(__name__)

# The words of a long concern that still go into the search query.
MAX_QUERY_CHARS = 500
# A hit stays a suggestion while its score reaches this share of the best one.
MIN_RELATIVE_SCORE = 0.35
KINDS = ("offer", "provider")

SME_SIZES = {SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM}


@dataclass
class Suggestion:
    """One suggested offer or provider, with the reason shown to company and navigator."""

    ref: str
    kind: str
    slug: str
    title: str
    provider_name: str
    provider_slug: str
    url: str
    reasons: list[str] = field(default_factory=list)
    # The same reasons worded for the navigators ("the company's words", not "your words").
    staff_reasons: list[str] = field(default_factory=list)
    booking_url: str = ""
    score: float = 0.0

    @property
    def reason(self) -> str:
        return " · ".join(self.reasons)

    @property
    def staff_reason(self) -> str:
        return " · ".join(self.staff_reasons or self.reasons)


@dataclass
class Suggestions:
    items: list[Suggestion]
    source: str  # "search" or "text_filter"


def profile_audiences(profile: dict[str, str]) -> set[str]:
    """Audience slugs that fit the company's profile: the sectors of its WZ section
    (the same map the search engine ranks with) and "kmu" for small and medium sizes."""
    wanted = set(sector_audiences(profile))
    if profile.get("size_class") in SME_SIZES:
        wanted.add("kmu")
    return wanted


def _audience_reason(matched: set[str], profile: dict[str, str], voice: str = "company") -> str:
    from anlaufstelle.search.reasons import audience_reason

    labels = [a.label for a in Audience.objects.filter(slug__in=matched).order_by("position")]
    section = profile.get("wz_section", "")
    for_sector = section in WzSection.values and bool(sector_audiences(profile) & matched)
    return audience_reason(labels, for_sector=for_sector, voice=voice)


def _search_hits(network: Network, text: str, profile: dict[str, str]) -> tuple[list, Any]:
    """Ranked (document, hit) pairs of offers and providers from the search engine."""
    from anlaufstelle.search.engine import SearchOptions, search
    from anlaufstelle.search.models import SearchDocument

    # The engine ranks with the profile itself (search/profiles.py); nothing is added here.
    result = search(
        text[:MAX_QUERY_CHARS],
        visible_network_ids(network),
        own_network_id=network.pk,
        options=SearchOptions.for_mode("hybrid"),
        limit=40,
        profile=profile,
    )
    docs = {
        d.pk: d
        for d in SearchDocument.objects.filter(
            pk__in=[h.doc_id for h in result.hits], kind__in=KINDS
        )
    }
    return [(docs[h.doc_id], h) for h in result.hits if h.doc_id in docs], result


def _from_search(network: Network, text: str, profile: dict[str, str], limit: int) -> list:
    from anlaufstelle.search.queries import result_url
    from anlaufstelle.search.reasons import hit_reasons

    pairs, _result = _search_hits(network, text, profile)
    if not pairs:
        return []
    wanted = profile_audiences(profile)
    topic_labels = {t.slug: t.label for t in Topic.objects.all()}
    # The engine's order stands; the audiences only explain it.
    ranked = [(hit.score, doc, hit, set(doc.audiences or []) & wanted) for doc, hit in pairs]
    best = ranked[0][0]
    items = []
    for score, doc, hit, matched_audiences in ranked:
        if best > 0 and score < MIN_RELATIVE_SCORE * best:
            break
        reasons, staff_reasons = (
            hit_reasons(
                text=text,
                doc=doc,
                hit=hit,
                topic_labels=topic_labels,
                voice=voice,
                audience=(
                    _audience_reason(matched_audiences, profile, voice) if matched_audiences else ""
                ),
            )
            for voice in ("company", "staff")
        )
        items.append(
            Suggestion(
                ref=doc.ref,
                kind=doc.kind,
                slug=doc.slug,
                title=doc.title,
                provider_name=doc.provider_name if doc.kind == "offer" else "",
                provider_slug=doc.provider_slug if doc.kind == "offer" else doc.slug,
                url=result_url(network, doc),
                reasons=reasons,
                staff_reasons=staff_reasons,
                score=round(score, 4),
            )
        )
        if len(items) >= limit:
            break
    return items


def _from_text_filter(
    network: Network, text: str, profile: dict[str, str], limit: int
) -> list[Suggestion]:
    """The directory's simple text filter: offers containing the concern's longer words."""
    words = []
    for word in text.replace("\n", " ").split():
        word = word.strip(".,;:!?()\"'").lower()
        if len(word) >= 4 and word not in words:
            words.append(word)
    words = words[:12]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition |= Q(title__icontains=word) | Q(summary__icontains=word)
    offers = list(directory_queries.public_offers().filter(condition)[:50])
    wanted = profile_audiences(profile)
    ranked = []
    for offer in offers:
        haystack = f"{offer.title} {offer.summary}".lower()
        hits = [w for w in words if w in haystack]
        audiences = {a.slug for a in offer.audiences.all()} & wanted
        ranked.append((len(hits) + (0.5 if audiences else 0), offer, hits, audiences))
    ranked.sort(key=lambda r: (-r[0], r[1].title))
    items = []
    for score, offer, hits, audiences in ranked[:limit]:
        matched = {"words": ", ".join(hits[:4])}
        reasons = [_("Matches your words: %(words)s") % matched]
        staff_reasons = [_("Matches the company's words: %(words)s") % matched]
        if audiences:
            reasons.append(_audience_reason(audiences, profile))
            staff_reasons.append(_audience_reason(audiences, profile, "staff"))
        item = _offer_suggestion(network, offer, reasons, score)
        item.staff_reasons = [r for r in staff_reasons if r]
        items.append(item)
    return items


def _offer_suggestion(
    network: Network, offer: Offer, reasons: list[str], score: float
) -> Suggestion:
    return Suggestion(
        ref=offer.ref,
        kind="offer",
        slug=offer.slug,
        title=offer.title,
        provider_name=offer.provider.name,
        provider_slug=offer.provider.slug,
        url=reverse("site:offer", args=[network.slug, offer.slug]),
        reasons=[r for r in reasons if r],
        score=float(score),
    )


def _add_booking_links(network: Network, items: list[Suggestion]) -> None:
    """The direct booking link for offers and providers that have consultation hours."""
    from anlaufstelle.booking.models import Schedule

    offer_slugs = {s.slug for s in items if s.kind == "offer"}
    provider_slugs = {s.slug for s in items if s.kind == "provider"}
    active = Schedule.objects.filter(is_active=True)
    bookable_offers = set(
        active.filter(offers__slug__in=offer_slugs).values_list("offers__slug", flat=True)
    )
    bookable_providers = set(
        active.filter(provider__slug__in=provider_slugs).values_list("provider__slug", flat=True)
    )
    for item in items:
        try:
            if item.kind == "offer" and item.slug in bookable_offers:
                item.booking_url = reverse("site:booking:offer", args=[network.slug, item.slug])
            elif item.kind == "provider" and item.slug in bookable_providers:
                item.booking_url = reverse("site:booking:provider", args=[network.slug, item.slug])
        except NoReverseMatch:  # booking app not mounted
            item.booking_url = ""


def suggest(
    *, network: Network, text: str, profile: dict[str, str] | None = None, limit: int = 6
) -> Suggestions:
    """The best-matching offers and providers for `text` and `profile` in `network`."""
    profile = profile or {}
    if not text.strip():
        return Suggestions(items=[], source="search")
    with network_scope(network):
        source = "search"
        try:
            items = _from_search(network, text, profile, limit)
        except Exception:  # the search must never lose a concern: fall back, visibly
            log.exception("search failed; falling back to the text filter")
            items = []
        if not items:
            source = "text_filter"
            items = _from_text_filter(network, text, profile, limit)
        _add_booking_links(network, items)
    return Suggestions(items=items, source=source)


def suggestions_for_concern(concern: Concern, limit: int = 6) -> Suggestions:
    """What the company's status page and the navigator's concern page both show."""
    if concern.is_anonymised:
        return Suggestions(items=[], source="search")
    return suggest(
        network=concern.network, text=concern.text, profile=concern.profile(), limit=limit
    )
