"""Which of the search's best rows the assistant cites: agreement with what the message asks.

The search ranks rows for a query; a chat message says more about the company's *need*
than a search box does ("Wer bezahlt das?", "wo fangen wir an?", "im Werkraum"). The
engine therefore re-orders the search's first `depth` rows of the wanted kinds by their
search score (relative to the best) plus small, generic agreements:

- *need ↔ kind of offer*: a question for money prefers funding offers, a question for
  advice or a first step prefers counselling and services, one for information
  prefers information offers (`NEEDS`, German and English phrases, no catalog names);
  an events question prefers event rows and event offers (the caller's `prefer`);
- *sector*: a row meant only for certain sectors (all its audiences are sectors, e.g.
  care homes) is put back when the message names none of them — the message of a
  bakery or of a company that names no sector is not answered by an offer for care;
- *topics*: the mean of the row's topics' affinity to the message (the z-score of each
  topic centroid's similarity to the message vector, search/topics.py; the vector
  comes from the search's cache): the search credits a row for its best-fitting topic;
  here a row whose other topics fit the message too ("Ausbildung" and "Bindung" for a
  trainee with exam nerves) gains over one that also carries an unrelated topic
  ("Inklusion");
- *offers before providers*: for "what can we do" the provider row is the less specific
  answer, unless the message names the provider;
- *the site itself*: when the message names the network's own place ("im Werkraum"),
  rows of the host provider or naming it gain.

All weights are `RankWeights` (evaluate_assistant --cv chooses among a few), and none of
the signals names an offer, provider or case of the evaluation.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids
from anlaufstelle.search import topics
from anlaufstelle.search.engine import place_words
from anlaufstelle.search.lexicon import fold
from anlaufstelle.search.models import SearchDocument
from anlaufstelle.search.profiles import SECTOR_AUDIENCES

if TYPE_CHECKING:
    from .dialogue import Retrieval

WORD_RE = re.compile(r"[\wÄÖÜäöüß]+")


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# What a message asks for -> the kinds of offer that answer it (the catalog's
# `angebot_kinds`). Several needs may be found; an offer gains once if its kind fits any.
NEEDS: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {
    "money": (
        _rx(
            r"\b(zusch[üu]ss\w*|f[öo]rderung\w*|f[öo]rdergeld\w*|f[öo]rdermittel\w*|gef[öo]rdert\w*|finanziell\w*|geld|geldleistung\w*)\b",  # noqa: E501
            r"\b(wer|wie viel|was) (be)?zahlt\b|\bzahlt (das|jemand|wer)\b|\b(kosten|geb[üu]hren) (über|uebernimmt|übernimmt|erstattet)",  # noqa: E501
            r"\b(subsid\w*|grants?|funding|funded|financial (help|support)|who pays)\b",
        ),
        frozenset({"foerderung"}),
    ),
    "advice": (
        _rx(
            r"\b(ber[äa]t|beraten|beratung|berater\w*|ansprechpartner\w*|ansprechperson\w*|anlaufstelle)\b",  # noqa: E501
            r"\b(anfangen|erste[nr]? schritte?|als erstes|wie gehen? (ich|wir) vor|wo fangen|keine ahnung)\b",  # noqa: E501
            r"\bwer (hilft|unterst[üu]tzt|begleitet)\b|\b(hilft|helfen|unterst[üu]tzt) uns\b",
            r"\b(advice|advise\w*|counsel\w*|who can help|where (do|should) (i|we) start|first steps?)\b",  # noqa: E501
        ),
        frozenset({"beratung", "service"}),
    ),
    "information": (
        _rx(
            r"\bwie funktioniert\b|\bwas (ist|sind|bedeutet)\b|\b(muss|m[üu]ssen|darf|d[üu]rfen) (ich|wir)\b",  # noqa: E501
            r"\b(how does|what is|do (i|we) have to|are we obliged)\b",
        ),
        frozenset({"information"}),
    ),
}


@dataclass(frozen=True)
class RankWeights:
    """Weights of the agreements, in units of the best row's search score."""

    depth: int = 10
    need: float = 0.15
    sector: float = 0.25
    provider: float = 0.1
    site: float = 0.3
    topic: float = 0.15


DEFAULT_WEIGHTS = RankWeights()


def needs(text: str) -> frozenset[str]:
    """The offer kinds that answer what `text` asks for (empty: nothing recognised)."""
    kinds: set[str] = set()
    for pattern, wanted in NEEDS.values():
        if pattern.search(text):
            kinds |= wanted
    return frozenset(kinds)


_SITE_TTL = 60.0
_site_cache: dict[int, tuple[float, frozenset[str]]] = {}


def site_words(network: Network) -> frozenset[str]:
    """Folded words of the network's own name that name the site itself, not its place.

    The search drops all words of a network's name and place from a query (they would
    favour rows that happen to name the town). A word of the site's short name is the
    *site's* word when no other provider's name has it (as a word or a word's beginning):
    "Werkraum" is the lab, "Feldberg" is also in "Feldberger Seenlandschaft", the name of
    the municipality; "Region Stuttgart" is in the names of the chambers.
    """
    now = time.monotonic()
    cached = _site_cache.get(network.pk)
    if cached is not None and now - cached[0] < _SITE_TTL:
        return cached[1]
    own = {
        fold(w)
        for w in WORD_RE.findall(network.short_name or network.name)
        if len(w) > 3 and fold(w) in place_words(network.pk)
    }
    host = f"provider:{network.host_provider_slug}" if network.host_provider_slug else ""
    with scopes_disabled():
        names = (
            SearchDocument.objects.filter(
                network_id__in=visible_network_ids(network), kind="provider"
            )
            .exclude(ref=host)
            .values_list("title", flat=True)
        )
        other = {fold(w) for name in names for w in WORD_RE.findall(name) if len(w) > 3}
    words = frozenset(w for w in own if not any(o.startswith(w) or w.startswith(o) for o in other))
    _site_cache[network.pk] = (now, words)
    return words


def names_site(text: str, words: frozenset[str]) -> bool:
    return bool(words) and any(fold(w) in words for w in WORD_RE.findall(text))


def rerank(
    retrieval: Retrieval,
    kinds: tuple[str, ...],
    *,
    message: str,
    network: Network | None = None,
    weights: RankWeights = DEFAULT_WEIGHTS,
    prefer: frozenset[str] = frozenset(),
) -> list[tuple[SearchDocument, float]]:
    """The rows of `kinds` among the search's hits, best first, with their adjusted
    score relative to the best search score (1.0 = the search's first row). Only the
    first `weights.depth` of them are re-ordered; the rest follow in the search's order."""
    rows: list[tuple[SearchDocument, float]] = []
    for hit in retrieval.result.hits:
        doc = retrieval.docs.get(hit.doc_id)
        if doc is not None and doc.kind in kinds and all(d.ref != doc.ref for d, _ in rows):
            rows.append((doc, hit.score))
    if not rows:
        return []
    top = rows[0][1] or 1.0
    head, tail = rows[: weights.depth], rows[weights.depth :]
    wanted = needs(message)
    query_terms = set(retrieval.result.analysis.terms)
    with scopes_disabled():
        sectors = topics.named("audiences", query_terms) & SECTOR_AUDIENCES
    site = site_words(network) if network is not None else frozenset()
    on_site = names_site(message, site)
    host = network.host_provider_slug if network is not None else ""
    message_words = {fold(w) for w in WORD_RE.findall(message)}
    topic_z = _topic_z(retrieval, network) if weights.topic else {}
    scored: list[tuple[float, int, SearchDocument]] = []
    for position, (doc, score) in enumerate(head):
        value = score / top
        if (wanted and doc.kind == "offer" and doc.offer_kind in wanted) or (
            doc.kind in prefer or (doc.kind == "offer" and doc.offer_kind in prefer)
        ):
            value += weights.need
        audiences = set(doc.audiences or [])
        if audiences and audiences <= SECTOR_AUDIENCES and not audiences & sectors:
            value -= weights.sector
        mine = [topic_z[t] for t in doc.topics or [] if t in topic_z]
        if mine:
            value += weights.topic * sum(mine) / len(mine)
        if doc.kind == "provider" and not _named(doc.title, message_words):
            value -= weights.provider
        if on_site and (doc.provider_slug == host or doc.slug == host or _named_site(doc, site)):
            value += weights.site
        scored.append((value, -position, doc))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [(doc, value) for value, _, doc in scored] + [(doc, s / top) for doc, s in tail]


def _named(title: str, message_words: set[str]) -> bool:
    """Whether the message names this title (one of its longer words)."""
    return any(len(w) > 3 and fold(w) in message_words for w in WORD_RE.findall(title))


def _named_site(doc: SearchDocument, site: frozenset[str]) -> bool:
    return any(fold(w) in site for w in WORD_RE.findall(doc.title))


def _topic_z(retrieval: Retrieval, network: Network | None) -> dict[str, float]:
    """{topic: z-score of its centroid's similarity to the question} (search/topics.py)."""
    import numpy as np

    from anlaufstelle.search.embedders import get_embedder
    from anlaufstelle.search.engine import embed_query

    from .dialogue import search_text

    if network is None or get_embedder() is None:
        return {}
    index = topics.label_index(visible_network_ids(network), "topics")
    if len(index.labels) < 2:
        return {}
    # The text the search embedded (its query, plus the expansion it adds), so the
    # vector comes from the search's cache and the turn costs no second encoding.
    text = search_text(network, retrieval.query)
    expansion = retrieval.result.analysis.expansion
    vector, _latent = embed_query(f"{text} ({expansion})" if expansion else text)
    sims = index.centroids @ np.asarray(vector, dtype=np.float32)
    std = float(sims.std()) or 1.0
    return {
        label: (float(sim) - float(sims.mean())) / std
        for label, sim in zip(index.labels, sims, strict=True)
    }
