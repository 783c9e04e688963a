"""The search: modes, query analysis, lexical and semantic retrieval, fusion and boosts.

Modes (`SearchOptions.for_mode`):
- ``plain``: the baseline of a typical portal — BM25 over the raw text, OR of the
  words, no German analysis, no synonyms, no vectors;
- ``lexical``: BM25 over the analysed terms (stems, compound parts, synonym groups,
  typo corrections);
- ``semantic``: cosine similarity of the E5 embeddings only;
- ``hybrid``: both, fused (see `fuse`), with the boosts.

Every signal is a field of `SearchOptions`, so the evaluation can switch each one off.
The weights are those measured on the development questions (docs/search.md).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace

import numpy as np
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network

from . import snapshots
from .analysis import FULL, PLAIN, AnalysisOptions, analyse, tokenize, unique
from .backends import get_backend
from .embedders import get_embedder
from .lexicon import fold, load_stopwords
from .models import SearchDocument, SynonymEntry
from .synonyms import SynonymSet, builtin_groups, builtin_synonyms, parse_group

ACRONYM_RE = re.compile(r"^[A-ZÄÖÜ]{2,6}$")
MODES = ("plain", "lexical", "semantic", "hybrid")


@dataclass(frozen=True)
class SearchOptions:
    mode: str = "hybrid"
    lexical: bool = True
    semantic: bool = True
    plain: bool = False
    analysis: AnalysisOptions = FULL
    network_synonyms: bool = True
    fusion: str = "weighted"  # "weighted" (normalised scores) or "rrf"
    semantic_weight: float = 0.6
    rrf_k: int = 60
    title_weight: float = 2.0
    acronym_boost: float = 0.15
    own_network_boost: float = 0.05
    expand_query_embedding: bool = True
    candidates: int = 100
    semantic_norm: str = "zscore"  # "zscore" over all visible rows, or "minmax" over candidates
    lexical_norm: str = "max"  # "max" (share of the best), "minmax" or "rank"
    # Prior per kind of item, in units of the score span (offers are the main answer).
    kind_prior: tuple[tuple[str, float], ...] = (
        ("event", -0.1),
        ("provider", -0.05),
        ("contact", -0.05),
    )
    # Pseudo-relevance feedback (Rocchio): move the query vector towards the mean of
    # the first `prf_docs` results of the first pass, then rank again.
    prf_docs: int = 0
    prf_weight: float = 0.0
    # Queries with at most this many content terms are keyword searches: they get
    # `short_semantic_weight` instead of `semantic_weight` (0 = no distinction).
    short_query_terms: int = 0
    short_semantic_weight: float = 0.4
    # Drop the words of the site's own network name and place from the query: the
    # scope already is that region, and the words only pull in items that merely
    # mention the place.
    drop_place_words: bool = True
    # A provider inherits this share of its best-scoring offer's score (the provider
    # of a fitting offer is the contact point to ask).
    provider_propagation: float = 0.0

    @classmethod
    def for_mode(cls, mode: str, **overrides: object) -> SearchOptions:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        base = cls(mode=mode)
        if mode == "plain":
            base = replace(
                base,
                plain=True,
                semantic=False,
                analysis=PLAIN,
                network_synonyms=False,
                acronym_boost=0.0,
                own_network_boost=0.0,
                title_weight=1.0,
                kind_prior=(),
                drop_place_words=False,
            )
        elif mode == "lexical":
            # One signal alone: the German analysis, no priors (hybrid adds those).
            base = replace(
                base, semantic=False, kind_prior=(), drop_place_words=False, own_network_boost=0.0
            )
        elif mode == "semantic":
            base = replace(
                base,
                lexical=False,
                analysis=replace(FULL, typos=False),
                acronym_boost=0.0,
                kind_prior=(),
                drop_place_words=False,
                own_network_boost=0.0,
            )
        return replace(base, **overrides)  # type: ignore[arg-type]


@dataclass
class QueryAnalysis:
    terms: list[str]
    words: list[str]
    corrections: dict[str, str] = field(default_factory=dict)
    suggestion: str = ""
    acronym_groups: list[str] = field(default_factory=list)
    expansion: str = ""  # text added to the query before embedding


@dataclass
class Hit:
    doc_id: int
    score: float
    network_id: int = 0
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    cosine: float | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    analysis: QueryAnalysis
    timings: dict[str, float] = field(default_factory=dict)


def network_synonym_set(network_id: int) -> SynonymSet | None:
    """The network's own groups (query side only), or None when it has none."""
    with scopes_disabled():
        lines = list(
            SynonymEntry.objects.filter(network_id=network_id, is_active=True).values_list(
                "terms", flat=True
            )
        )
    groups = [g for g in (parse_group(line) for line in lines) if g]
    return SynonymSet(groups) if groups else None


def place_words(network_id: int) -> frozenset[str]:
    """Folded words of a network's name, short name, place and region key."""
    with scopes_disabled():
        network = Network.objects.filter(pk=network_id).first()
    if network is None:
        return frozenset()
    text = " ".join([network.name, network.short_name, network.place, network.region])
    return frozenset(fold(w) for w in tokenize(text) if len(w) > 2)


def strip_words(query: str, words: frozenset[str]) -> str:
    return re.sub(r"[\wÄÖÜäöüß]+", lambda m: "" if fold(m.group(0)) in words else m.group(0), query)


def analyse_query(
    query: str, network_ids: list[int], own_network_id: int | None, options: SearchOptions
) -> QueryAnalysis:
    """Terms of the query, typo corrections, the suggestion and acronym expansions."""
    if options.drop_place_words and own_network_id is not None:
        query = strip_words(query, place_words(own_network_id))
    if options.plain:
        words = unique(tokenize(query))
        return QueryAnalysis(terms=words, words=words)
    snapshots.ensure_lexicon()
    raw_words = re.findall(r"[\wÄÖÜäöüß]+", query)
    words = tokenize(query)
    corrections: dict[str, str] = {}
    text = query
    if options.analysis.typos:
        vocab = snapshots.vocabulary(network_ids)
        for word in unique(words):
            fixed = vocab.correct(fold(word))
            if fixed and fixed != fold(word):
                corrections[word] = vocab.surface.get(fixed, fixed)
        if corrections:
            text = " ".join(corrections.get(w.lower(), w) for w in raw_words)
    analysed = analyse(text, options.analysis)
    terms = list(analysed.terms)
    if corrections:
        # Keep the original words as well: the correction is a guess.
        terms += [t for t in analyse(query, options.analysis).terms if t not in terms]
    if options.network_synonyms and own_network_id is not None and options.analysis.synonyms:
        own = network_synonym_set(own_network_id)
        if own is not None:
            for _, group in own.matches([fold(w) for w in tokenize(text)]):
                for label in group.labels:
                    terms += analyse(label.rstrip("*"), options.analysis).terms
    acronym_groups: list[str] = []
    expansion_parts: list[str] = []
    if options.analysis.synonyms:
        by_token = {g.token: g for g in builtin_groups()}
        for word in raw_words:
            if not ACRONYM_RE.match(word):
                continue
            for token in builtin_synonyms().groups_in([fold(word)]):
                acronym_groups.append(token)
                group = by_token[token]
                longest = max(group.labels, key=len).rstrip("*")
                if fold(longest) != fold(word):
                    expansion_parts.append(longest)
    suggestion = ""
    if corrections:
        suggestion = " ".join(corrections.get(w.lower(), w) for w in raw_words)
    return QueryAnalysis(
        terms=unique(terms),
        words=words,
        corrections=corrections,
        suggestion=suggestion,
        acronym_groups=unique(acronym_groups),
        expansion=", ".join(unique(expansion_parts)),
    )


def _normalise(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    high, low = float(values.max()), float(values.min())
    if high - low < 1e-9:
        return {k: 1.0 for k in scores}
    return {k: (v - low) / (high - low) for k, v in scores.items()}


def fuse(
    lexical: list[tuple[int, float]],
    semantic: list[tuple[int, float]],
    options: SearchOptions,
    semantic_stats: tuple[float, float] | None = None,
) -> dict[int, float]:
    """Combine the two ranked lists into one score per document.

    weighted: min-max normalised scores of each list (missing = 0), weighted sum;
    rrf: weighted reciprocal rank fusion, w / (k + rank).
    """
    w_sem = options.semantic_weight if lexical else 1.0
    w_lex = 1.0 - options.semantic_weight if semantic else 1.0
    fused: dict[int, float] = {}
    if options.fusion == "rrf":
        for weight, ranked in ((w_lex, lexical), (w_sem, semantic)):
            for rank, (doc_id, _) in enumerate(ranked, start=1):
                fused[doc_id] = fused.get(doc_id, 0.0) + weight / (options.rrf_k + rank)
        return fused
    if options.lexical_norm == "minmax":
        lex_norm = _normalise(dict(lexical))
    elif options.lexical_norm == "rank":
        lex_norm = {k: 1.0 / (1 + 0.1 * r) for r, (k, _) in enumerate(lexical)}
    else:
        # Relative to the best lexical match, not min-max: a weak last hit is not 0.
        best = max((score for _, score in lexical), default=1.0) or 1.0
        lex_norm = {k: v / best for k, v in lexical}
    if options.semantic_norm == "zscore" and semantic_stats is not None:
        mean, std = semantic_stats
        sem_norm = {k: max(0.0, (v - mean) / std) / 4.0 for k, v in semantic}
    else:
        sem_norm = _normalise(dict(semantic))
    for doc_id in set(lex_norm) | set(sem_norm):
        fused[doc_id] = w_lex * lex_norm.get(doc_id, 0.0) + w_sem * sem_norm.get(doc_id, 0.0)
    return fused


def propagate_to_providers(
    scored: dict[int, float], network_ids: list[int], share: float
) -> dict[int, float]:
    """Give each provider at least `share` × the score of its best offer in `scored`."""
    with scopes_disabled():
        offers = SearchDocument.objects.filter(pk__in=list(scored), kind="offer").values_list(
            "pk", "network_id", "provider_slug"
        )
        best: dict[tuple[int, str], float] = {}
        for pk, network_id, provider_slug in offers:
            key = (network_id, provider_slug)
            best[key] = max(best.get(key, 0.0), scored[pk])
        if not best:
            return scored
        providers = SearchDocument.objects.filter(
            network_id__in=network_ids, kind="provider", slug__in={slug for _, slug in best}
        ).values_list("pk", "network_id", "slug")
        out = dict(scored)
        for pk, network_id, slug in providers:
            inherited = share * best.get((network_id, slug), 0.0)
            if inherited > out.get(pk, 0.0):
                out[pk] = inherited
    return out


def search(
    query: str,
    network_ids: list[int],
    *,
    own_network_id: int | None = None,
    options: SearchOptions | None = None,
    limit: int = 10,
) -> SearchResult:
    """Rank the visible networks' documents for `query` (ids first: the caller loads rows)."""
    options = options or SearchOptions()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    analysis = analyse_query(query, network_ids, own_network_id, options)
    timings["analysis_ms"] = (time.perf_counter() - start) * 1000
    pool = max(options.candidates, limit)

    lexical: list[tuple[int, float]] = []
    if options.lexical and analysis.terms:
        t0 = time.perf_counter()
        lexical = get_backend().search(
            analysis.terms,
            network_ids,
            plain=options.plain,
            limit=pool,
            title_weight=options.title_weight,
        )
        timings["lexical_ms"] = (time.perf_counter() - t0) * 1000

    semantic: list[tuple[int, float]] = []
    cosines: dict[int, float] = {}
    semantic_stats: tuple[float, float] | None = None
    embedder = get_embedder() if options.semantic else None
    content_words = [w for w in analysis.words if fold(w) not in load_stopwords()]
    if options.short_query_terms and len(content_words) <= options.short_query_terms:
        options = replace(options, semantic_weight=options.short_semantic_weight)

    def rank_semantic(vector: np.ndarray) -> None:
        nonlocal semantic, cosines, semantic_stats
        ids, scores = snapshots.semantic_scores(network_ids, vector)
        if len(ids):
            top = np.argsort(-scores)[:pool]
            semantic = [(int(ids[i]), float(scores[i])) for i in top]
            cosines = dict(semantic)
            semantic_stats = (float(scores.mean()), float(scores.std()) or 1.0)

    def combine() -> dict[int, float]:
        if options.lexical and options.semantic:
            return fuse(lexical, semantic, options, semantic_stats)
        return dict(lexical or semantic)

    if embedder is not None and query.strip():
        t0 = time.perf_counter()
        text = query
        if options.drop_place_words and own_network_id is not None:
            text = strip_words(query, place_words(own_network_id))
        if options.expand_query_embedding and analysis.expansion:
            text = f"{text} ({analysis.expansion})"
        vector = embedder.embed_queries([text])[0]
        timings["embed_ms"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        rank_semantic(vector)
        if options.prf_docs and options.prf_weight and semantic:
            first = combine()
            best = sorted(first, key=lambda k: -first[k])[: options.prf_docs]
            feedback = snapshots.vectors_for(network_ids, best)
            if len(feedback):
                moved = vector + options.prf_weight * feedback.mean(axis=0)
                rank_semantic(moved / (np.linalg.norm(moved) or 1.0))
        timings["semantic_ms"] = (time.perf_counter() - t0) * 1000

    scored = combine()
    if options.provider_propagation and scored:
        scored = propagate_to_providers(scored, network_ids, options.provider_propagation)
    if not scored:
        timings["total_ms"] = (time.perf_counter() - start) * 1000
        return SearchResult(hits=[], analysis=analysis, timings=timings)

    lex_rank = {doc_id: r for r, (doc_id, _) in enumerate(lexical, start=1)}
    sem_rank = {doc_id: r for r, (doc_id, _) in enumerate(semantic, start=1)}
    with scopes_disabled():
        rows = SearchDocument.objects.filter(pk__in=list(scored)).values_list(
            "pk", "network_id", "title_terms", "kind"
        )
        meta = {pk: (network_id, terms, kind) for pk, network_id, terms, kind in rows}
    priors = dict(options.kind_prior)
    hits = []
    span = (max(scored.values()) - min(scored.values())) or 1.0
    for doc_id, score in scored.items():
        if doc_id not in meta:
            continue
        network_id, title_terms, kind = meta[doc_id]
        score += priors.get(kind, 0.0) * span
        if options.acronym_boost and analysis.acronym_groups:
            title_set = set(title_terms.split())
            if any(token in title_set for token in analysis.acronym_groups):
                score += options.acronym_boost * span
        if options.own_network_boost and network_id == own_network_id:
            score += options.own_network_boost * span
        hits.append(
            Hit(
                doc_id=doc_id,
                score=score,
                network_id=network_id,
                lexical_rank=lex_rank.get(doc_id),
                semantic_rank=sem_rank.get(doc_id),
                cosine=cosines.get(doc_id),
            )
        )
    hits.sort(key=lambda h: (-h.score, h.doc_id))
    timings["total_ms"] = (time.perf_counter() - start) * 1000
    return SearchResult(
        hits=hits[: max(limit, 0)] if limit else hits, analysis=analysis, timings=timings
    )
