"""Read helpers of the search page: run the search, load rows, facets, snippets."""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from anlaufstelle.directory.models import Audience, OfferKind, Topic
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids

from .analysis import tokenize, word_terms
from .engine import SearchOptions, SearchResult, search
from .models import SearchDocument

# The facets of the page: URL parameter -> document field (lists or single values).
FACETS = {
    "thema": "topics",
    "art": "offer_kind",
    "zielgruppe": "audiences",
    "anbieter": "provider_slug",
    "format": "format",
    "region": "region",
    "typ": "kind",
}
# A hit is shown when its score reaches this share of the best score: a semantic
# neighbour of an unrelated question is not a result.
MIN_RELATIVE_SCORE = 0.45
MIN_COSINE = 0.80
MAX_RESULTS = 60


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    query: str
    documents: list[SearchDocument] = field(default_factory=list)
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)
    selected: dict[str, list[str]] = field(default_factory=dict)
    suggestion: str = ""
    total: int = 0
    result: SearchResult | None = None


def _values(doc: SearchDocument, name: str) -> list[str]:
    value = getattr(doc, name)
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def _labels() -> dict[str, dict[str, str]]:
    return {
        "thema": {t.slug: t.label for t in Topic.objects.all()},
        "zielgruppe": {a.slug: a.label for a in Audience.objects.all()},
        "art": {value: str(label) for value, label in OfferKind.choices},
        "typ": {
            "offer": "Angebot",
            "provider": "Anlaufstelle",
            "contact": "Ansprechperson",
            "event": "Veranstaltung",
            "media": "Mediathek",
        },
    }


def run_search(network: Network, query: str, selected: dict[str, list[str]]) -> SearchPage:
    """Search as the network's site does, then count and apply the facets."""
    page = SearchPage(query=query, selected=selected)
    if not query.strip():
        return page
    result = search(
        query,
        visible_network_ids(network),
        own_network_id=network.pk,
        options=SearchOptions.for_mode("hybrid"),
        limit=MAX_RESULTS,
    )
    page.result = result
    page.suggestion = result.analysis.suggestion
    if not result.hits:
        return page
    top = result.hits[0].score
    keep = [
        h
        for h in result.hits
        if h.lexical_rank is not None
        or (h.cosine or 0) >= MIN_COSINE
        or h.score >= MIN_RELATIVE_SCORE * top
    ]
    keep = [h for h in keep if h.score >= MIN_RELATIVE_SCORE * top]
    docs = {d.pk: d for d in SearchDocument.objects.filter(pk__in=[h.doc_id for h in keep])}
    ordered = [docs[h.doc_id] for h in keep if h.doc_id in docs]
    labels = _labels()
    for param, name in FACETS.items():
        counts: Counter[str] = Counter(v for d in ordered for v in _values(d, name))
        if name == "provider_slug":
            names = {d.provider_slug: d.provider_name for d in ordered}
        else:
            names = labels.get(param, {})
        page.facets[param] = [
            FacetOption(value, names.get(value, value), count, value in selected.get(param, []))
            for value, count in counts.most_common(12)
        ]
    for param, values in selected.items():
        if values and param in FACETS:
            ordered = [d for d in ordered if set(_values(d, FACETS[param])) & set(values)]
    page.documents = ordered
    page.total = len(ordered)
    return page


def result_url(network: Network, doc: SearchDocument) -> str:
    """Where a result leads on the network's site."""
    try:
        if doc.kind == "offer":
            return reverse("site:offer", args=[network.slug, doc.slug])
        if doc.kind == "provider":
            return reverse("site:provider", args=[network.slug, doc.slug])
        if doc.kind == "contact" and doc.provider_slug:
            url = reverse("site:provider", args=[network.slug, doc.provider_slug])
            return f"{url}#kontakt-{doc.slug}"
        if doc.kind == "event" and doc.provider_slug:
            return reverse("site:provider", args=[network.slug, doc.provider_slug])
    except NoReverseMatch:
        pass
    return reverse("site:search", args=[network.slug]) + f"?q={doc.title}"


SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


def snippet(doc: SearchDocument, terms: list[str], length: int = 240) -> SafeString:
    """The body sentence that matches most query terms, matching words in <mark>."""
    wanted = set(terms)
    sentences = [s.strip() for s in SENTENCE_RE.split(doc.body) if s.strip()] or [doc.body]

    def matches(word: str) -> bool:
        return bool(set(word_terms(word.lower(), True, True)) & wanted)

    def score(sentence: str) -> int:
        return sum(1 for w in tokenize(sentence) if matches(w))

    best = max(sentences, key=score) if sentences else ""
    if len(best) > length:
        best = best[:length].rsplit(" ", 1)[0] + " …"
    out = []
    for part in re.split(r"([\wÄÖÜäöüß]+)", best):
        escaped = html.escape(part)
        out.append(f"<mark>{escaped}</mark>" if part and matches(part) else escaped)
    return mark_safe("".join(out))  # noqa: S308  (every part is escaped above)
