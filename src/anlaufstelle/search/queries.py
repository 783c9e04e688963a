"""Read helpers of the search page: run the search, load rows, facets, snippets."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anlaufstelle.directory.models import Audience, OfferKind, Topic
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids

from . import reasons, registry
from .analysis import analyse, tokenize, word_terms
from .answerability import Answerability, judge
from .engine import SearchOptions, SearchResult, place_words, search, strip_words
from .lexicon import fold, load_stopwords
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
MAX_FACET_OPTIONS = 12


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
    total: int = 0  # results after the chosen facets
    found: int = 0  # results of the query alone (what the query log records)
    result: SearchResult | None = None
    # Whether the network can answer the query at all (answerability.py); when not, the
    # page shows "no good match" instead of a list of merely similar items.
    verdict: Answerability | None = None

    @property
    def no_good_match(self) -> bool:
        return self.verdict is not None and not self.verdict.answerable


def _values(doc: SearchDocument, name: str) -> list[str]:
    value = getattr(doc, name)
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


# What a result is, in the site's words ("Anlaufstelle", not the model's "Provider").
TYPE_LABELS = {
    "offer": pgettext_lazy("search result type", "Offer"),
    "provider": pgettext_lazy("search result type", "Contact point"),
    "contact": pgettext_lazy("search result type", "Contact person"),
    "event": pgettext_lazy("search result type", "Event"),
    "media": pgettext_lazy("search result type", "Mediathek"),
}

FORMAT_LABELS = {
    "vor-ort": _("On site"),
    "online": _("Online"),
    "hybrid": _("Hybrid"),
    "webinar": _("Webinar"),
}


def region_labels() -> dict[str, str]:
    """Region key -> a name a visitor understands (the network that covers it)."""
    labels = {
        n.region: n.display_name
        for n in Network.objects.filter(is_nationwide=False).exclude(region="")
    }
    labels["bund"] = str(_("Nationwide"))
    return labels


def topic_labels() -> dict[str, str]:
    return {t.slug: t.label for t in Topic.objects.all()}


def _labels() -> dict[str, dict[str, str]]:
    return {
        "thema": topic_labels(),
        "zielgruppe": {a.slug: a.label for a in Audience.objects.all()},
        "art": {value: str(label) for value, label in OfferKind.choices},
        "typ": {value: str(label) for value, label in TYPE_LABELS.items()}
        | {source.kind: str(source.label) for source in registry.sources()},
        "format": {key: str(label) for key, label in FORMAT_LABELS.items()},
        "region": region_labels(),
    }


def _matches(doc: SearchDocument, selected: dict[str, list[str]], skip: str = "") -> bool:
    """True when `doc` has one of the chosen values of every facet (except `skip`)."""
    return all(
        set(_values(doc, FACETS[param])) & set(values)
        for param, values in selected.items()
        if values and param != skip
    )


def run_search(network: Network, query: str, selected: dict[str, list[str]]) -> SearchPage:
    """Search as the network's site does, then count and apply the facets.

    Each facet counts the results that the *other* chosen facets leave, so choosing a
    second topic adds results instead of hiding every other topic's count.
    """
    selected = {p: v for p, v in selected.items() if p in FACETS and v}
    page = SearchPage(query=query, selected=selected)
    if not query.strip():
        return page
    network_ids = visible_network_ids(network)
    result = search(
        query,
        network_ids,
        own_network_id=network.pk,
        options=SearchOptions.for_mode("hybrid"),
        limit=MAX_RESULTS,
    )
    page.result = result
    page.suggestion = result.analysis.suggestion
    page.verdict = judge(query, result, network_ids)
    if not result.hits or page.no_good_match:
        return page
    top = result.hits[0].score
    # MIN_RELATIVE_SCORE × the best score, measured down from it (so a best score
    # below 0, e.g. a lone contact after its kind prior, keeps at least the best hit).
    floor = top - (1.0 - MIN_RELATIVE_SCORE) * abs(top)
    keep = [
        h
        for h in result.hits
        if h.lexical_rank is not None or (h.cosine or 0) >= MIN_COSINE or h.score >= floor
    ]
    keep = [h for h in keep if h.score >= floor]
    docs = {d.pk: d for d in SearchDocument.objects.filter(pk__in=[h.doc_id for h in keep])}
    ordered = [docs[h.doc_id] for h in keep if h.doc_id in docs]
    page.found = len(ordered)
    labels = _labels()
    for param, name in FACETS.items():
        pool = [d for d in ordered if _matches(d, selected, skip=param)]
        counts: Counter[str] = Counter(v for d in pool for v in _values(d, name))
        chosen = selected.get(param, [])
        if name == "provider_slug":
            names = {d.provider_slug: d.provider_name for d in ordered}
        else:
            names = labels.get(param, {})
        values = [v for v, _count in counts.most_common(MAX_FACET_OPTIONS)]
        # A chosen value stays visible (with its count, even 0) so it can be unchosen.
        values += [v for v in chosen if v not in values]
        page.facets[param] = [
            FacetOption(v, names.get(v, v), counts.get(v, 0), v in chosen) for v in values
        ]
    page.documents = [d for d in ordered if _matches(d, selected)]
    page.total = len(page.documents)
    return page


def result_reasons(
    network: Network, page: SearchPage, docs: list[SearchDocument]
) -> dict[int, list[str]]:
    """The parts of each shown row's "Why:" line (reasons.py), by row id."""
    if not docs:
        return {}
    hits = {h.doc_id: h for h in page.result.hits} if page.result else {}
    labels = topic_labels()
    # The site is scoped to its region already: its place words explain nothing.
    text = strip_words(page.query, place_words(network.pk))
    return {
        doc.pk: reasons.hit_reasons(text=text, doc=doc, hit=hits.get(doc.pk), topic_labels=labels)
        for doc in docs
    }


def type_label(kind: str) -> str:
    """A result's type in the site's words (a registered source names its own)."""
    source = registry.get(kind)
    if source is not None:
        return str(source.label)
    return str(TYPE_LABELS.get(kind, kind))


def result_url(network: Network, doc: SearchDocument) -> str:
    """Where a result leads on the network's site."""
    source = registry.get(doc.kind)
    if source is not None:
        # A registered source links its own page; "" means the item is gone.
        url = source.url(network, doc)
        if url:
            return url
        return reverse("site:search", args=[network.slug]) + "?" + urlencode({"q": doc.title})
    try:
        if doc.kind == "offer":
            return reverse("site:offer", args=[network.slug, doc.slug])
        if doc.kind == "provider":
            return reverse("site:provider", args=[network.slug, doc.slug])
        if doc.kind == "contact" and doc.provider_slug:
            url = reverse("site:provider", args=[network.slug, doc.provider_slug])
            return f"{url}#kontakt-{doc.slug}"
        if doc.kind == "event" and doc.provider_slug:
            # No events app yet: its organiser's page. The events issue links the event page.
            return reverse("site:provider", args=[network.slug, doc.provider_slug])
    except NoReverseMatch:
        pass
    return reverse("site:search", args=[network.slug]) + "?" + urlencode({"q": doc.title})


SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


WORD_RE = re.compile(r"([\wÄÖÜäöüß]+)")


def term_matcher(terms: list[str]) -> Callable[[str], bool]:
    """A test "does this word match one of the query's analysed terms?" (stems, compound
    parts and built-in synonym groups, so "Gastgewerbe" lights up for "Koch")."""
    wanted = set(terms)
    seen: dict[str, bool] = {}

    def matches(word: str) -> bool:
        if word not in seen:
            folded = word.lower()
            found = set(word_terms(folded, True, True)) | set(analyse(word).groups)
            seen[word] = bool(found & wanted) and fold(word) not in load_stopwords()
        return seen[word]

    return matches


def highlight(text: str, matches: Callable[[str], bool]) -> SafeString:
    """`text` escaped, with each matching word in <mark>."""
    out = []
    for part in WORD_RE.split(text):
        escaped = html.escape(part)
        out.append(f"<mark>{escaped}</mark>" if part and matches(part) else escaped)
    return mark_safe("".join(out))  # noqa: S308  (every part is escaped above)


def snippet(
    doc: SearchDocument,
    terms: list[str],
    length: int = 240,
    matches: Callable[[str], bool] | None = None,
) -> SafeString:
    """The body sentence that matches most query terms, matching words in <mark>."""
    matches = matches or term_matcher(terms)
    sentences = [s.strip() for s in SENTENCE_RE.split(doc.body) if s.strip()] or [doc.body]

    def score(sentence: str) -> int:
        return sum(1 for w in tokenize(sentence) if matches(w))

    best = max(sentences, key=score) if sentences else ""
    if len(best) > length:
        best = best[:length].rsplit(" ", 1)[0] + " …"
    return highlight(best, matches)
