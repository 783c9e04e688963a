"""Tuning the hybrid ranking's weights on judged questions, with honest cross-validation.

The hybrid score of a candidate is a weighted sum of its signals (engine.search):

    base  = (1 − s) · lexical + s · semantic
            + t · max(topic affinity, −1) / 4 + a · max(audience affinity, −1) / 4
    score = base + span(base) · (kind prior + own network + profile fit
                                 + acronym in title + title share of the query terms)

`collect` runs every judged question once through the engine and keeps each candidate's
signals (`SearchOptions.keep_features`); `rank` recomputes the order for any weights
without the engine, so a coordinate ascent over a grid per weight (`fit`) is fast. `cv`
fits on 4/5 of the questions and measures on the held-out fifth, repeated: that figure,
not the in-sample one, is what to expect on unseen questions. The weights that `fit`
chooses on all questions become `SearchOptions`' defaults by hand, with the figures in
docs/search.md.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids

from .engine import ADVICE_KINDS, FUNDING_KIND, SearchOptions, search
from .evaluation import Case, case_metrics, indexed_ref
from .models import SearchDocument

MEDIA_KINDS = ("article", "episode", "video")
# The Exchange's forum posts (community app): a company's question, with or without an
# expert's answer.
FORUM_KINDS = ("thread", "answered_thread")

# The weights and the values each may take (coordinate ascent picks one per pass).
GRID: dict[str, Sequence[float]] = {
    "semantic_weight": (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8),
    "topic_weight": (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8),
    "audience_weight": (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5),
    "prior_provider": (-0.3, -0.2, -0.15, -0.1, -0.05, 0.0),
    "prior_contact": (-0.7, -0.5, -0.4, -0.3, -0.2, -0.1),
    "prior_event": (-0.3, -0.2, -0.15, -0.1, -0.05, 0.0),
    "prior_media": (-0.6, -0.4, -0.3, -0.2, -0.1, 0.0),
    "prior_forum": (-0.6, -0.4, -0.3, -0.2, -0.1, 0.0),
    "own_network_boost": (0.0, 0.025, 0.05, 0.1, 0.15),
    "profile_boost": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3),
    "acronym_boost": (0.0, 0.1, 0.15, 0.2, 0.3),
    "title_boost": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2),
    "topic_named_boost": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5),
    "audience_named_boost": (0.0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3),
    "advice_boost": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
    "advice_funding_penalty": (0.0, 0.05, 0.1, 0.15, 0.2, 0.3),
}


@dataclass
class Candidates:
    """One judged question's candidates: refs and their signals as arrays."""

    case: Case
    refs: list[str]
    relevant: dict[str, int]
    lex: np.ndarray
    sem: np.ndarray
    topic: np.ndarray  # nan = no label with a centroid
    audience: np.ndarray
    kind: np.ndarray  # object array of kinds
    offer_kind: np.ndarray  # object array of offer kinds ("" for other items)
    advice: bool  # the question asks for advice, not money (intent.wants_advice)
    own: np.ndarray
    fit: np.ndarray
    acronym: np.ndarray
    title_share: np.ndarray
    topic_named: np.ndarray
    named_fit: np.ndarray
    has_lexical: bool
    foreign: bool


def weights_of(options: SearchOptions) -> dict[str, float]:
    priors = dict(options.kind_prior)
    return {
        "semantic_weight": options.semantic_weight,
        "topic_weight": options.topic_weight,
        "audience_weight": options.audience_weight,
        "prior_provider": priors.get("provider", 0.0),
        "prior_contact": priors.get("contact", 0.0),
        "prior_event": priors.get("event", 0.0),
        "prior_media": priors.get(MEDIA_KINDS[0], 0.0),
        "prior_forum": priors.get(FORUM_KINDS[0], 0.0),
        "own_network_boost": options.own_network_boost,
        "profile_boost": options.profile_boost,
        "acronym_boost": options.acronym_boost,
        "title_boost": options.title_boost,
        "topic_named_boost": options.topic_named_boost,
        "audience_named_boost": options.audience_named_boost,
        "advice_boost": options.advice_boost,
        "advice_funding_penalty": options.advice_funding_penalty,
    }


def options_with(options: SearchOptions, weights: dict[str, float]) -> SearchOptions:
    """`options` with the tuned weights (the inverse of `weights_of`)."""
    kinds = [
        ("event", weights["prior_event"]),
        ("provider", weights["prior_provider"]),
        ("contact", weights["prior_contact"]),
    ]
    kinds += [(kind, weights["prior_media"]) for kind in MEDIA_KINDS]
    kinds += [(kind, weights["prior_forum"]) for kind in FORUM_KINDS]
    return replace(
        options,
        semantic_weight=weights["semantic_weight"],
        topic_weight=weights["topic_weight"],
        audience_weight=weights["audience_weight"],
        kind_prior=tuple((k, v) for k, v in kinds if v),
        own_network_boost=weights["own_network_boost"],
        profile_boost=weights["profile_boost"],
        acronym_boost=weights["acronym_boost"],
        title_boost=weights["title_boost"],
        topic_named_boost=weights["topic_named_boost"],
        audience_named_boost=weights["audience_named_boost"],
        advice_boost=weights["advice_boost"],
        advice_funding_penalty=weights["advice_funding_penalty"],
    )


def collect(cases: list[Case], options: SearchOptions) -> list[Candidates]:
    """Run each question once and keep every candidate's signals."""
    options = replace(options, keep_features=True)
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        refs = dict(SearchDocument.objects.values_list("pk", "ref"))
    indexed = set(refs.values())
    out = []
    for case in cases:
        network = networks[case.network]
        result = search(
            case.query,
            visible_network_ids(network),
            own_network_id=network.pk,
            options=options,
            limit=0,
            profile=case.profile,
        )
        feats = [h.features or {} for h in result.hits]

        def column(name: str, default: float = 0.0, feats: list[dict[str, Any]] = feats) -> Any:
            return np.array(
                [default if f.get(name) is None else float(f[name]) for f in feats],
                dtype=np.float64,
            )

        out.append(
            Candidates(
                case=case,
                refs=[refs[h.doc_id] for h in result.hits],
                relevant={indexed_ref(r, indexed): g for r, g in case.relevant.items()},
                lex=column("lex"),
                sem=column("sem"),
                topic=column("topic", np.nan),
                audience=column("audience", np.nan),
                kind=np.array([f.get("kind", "") for f in feats], dtype=object),
                offer_kind=np.array([f.get("offer_kind", "") for f in feats], dtype=object),
                advice=bool(feats and feats[0].get("advice")),
                own=column("own"),
                fit=column("fit"),
                acronym=column("acronym"),
                title_share=column("title_share"),
                topic_named=column("topic_named"),
                named_fit=column("named_fit"),
                has_lexical=bool(feats and feats[0].get("has_lexical")),
                foreign=bool(feats and feats[0].get("foreign")),
            )
        )
    return out


def rank(c: Candidates, w: dict[str, float], floor: float = -1.0) -> list[str]:
    """The candidates' refs in the order the engine gives them with weights `w`."""
    if not c.refs:
        return []
    s = w["semantic_weight"]
    if c.foreign:
        s = 1.0  # SearchOptions.foreign_lexical_factor = 0
    w_sem = s if c.has_lexical else 1.0
    base = (1.0 - s) * c.lex + w_sem * c.sem
    for name, values in (("topic_weight", c.topic), ("audience_weight", c.audience)):
        if w[name]:
            base = base + np.where(np.isnan(values), 0.0, w[name] * np.maximum(values, floor) / 4.0)
    span = float(base.max() - base.min()) or 1.0
    prior = np.zeros(len(c.refs))
    for kind, key in (("provider", "prior_provider"), ("contact", "prior_contact")):
        prior[c.kind == kind] = w[key]
    prior[c.kind == "event"] = w["prior_event"]
    prior[np.isin(c.kind, MEDIA_KINDS)] = w["prior_media"]
    prior[np.isin(c.kind, FORUM_KINDS)] = w["prior_forum"]
    if c.advice:
        prior[np.isin(c.offer_kind, tuple(ADVICE_KINDS))] += w["advice_boost"]
        prior[c.offer_kind == FUNDING_KIND] -= w["advice_funding_penalty"]
    extra = (
        prior
        + w["acronym_boost"] * c.acronym
        + w["own_network_boost"] * c.own
        + w["profile_boost"] * c.fit
        + w["title_boost"] * c.title_share
        + w["topic_named_boost"] * c.topic_named
        + w["audience_named_boost"] * c.named_fit
    )
    score = base + span * extra
    order = sorted(range(len(c.refs)), key=lambda i: -score[i])
    return [c.refs[i] for i in order]


def objective(metrics: dict[str, Any]) -> float:
    """The three targets of issue 13 equally weighted: ndcg@10, hit@5, reciprocal rank."""
    return (metrics["ndcg@10"] + metrics["hit@5"] + metrics["rr"]) / 3


def score(data: list[Candidates], w: dict[str, float]) -> float:
    return sum(objective(case_metrics(rank(c, w)[:100], c.relevant, 10)) for c in data)


def fit(data: list[Candidates], start: dict[str, float], passes: int = 3) -> dict[str, float]:
    """Coordinate ascent: per weight the grid value with the best total objective,
    ties to the current value; repeated until nothing changes."""
    w = dict(start)
    best = score(data, w)
    for _ in range(passes):
        changed = False
        for name, values in GRID.items():
            for value in values:
                if value == w[name]:
                    continue
                trial = {**w, name: value}
                got = score(data, trial)
                if got > best + 1e-9:
                    best, w, changed = got, trial, True
        if not changed:
            break
    return w


def summary(data: list[Candidates], w: dict[str, float]) -> dict[str, float]:
    rows = [case_metrics(rank(c, w)[:100], c.relevant, 10) for c in data]
    n = len(rows) or 1
    return {
        "hit@1": round(sum(r["hit@1"] for r in rows) / n, 4),
        "hit@5": round(sum(r["hit@5"] for r in rows) / n, 4),
        "recall@10": round(sum(r["recall@10"] for r in rows) / n, 4),
        "mrr": round(sum(r["rr"] for r in rows) / n, 4),
        "ndcg@10": round(sum(r["ndcg@10"] for r in rows) / n, 4),
    }


def cv(
    data: list[Candidates],
    start: dict[str, float],
    folds: int = 5,
    repeats: int = 2,
    seed: int = 0,
) -> dict[str, Any]:
    """Fit on the other folds, measure on the held-out one; mean over all held-out
    questions and repetitions, and the weights chosen per fold."""
    held: list[dict[str, Any]] = []
    chosen = []
    n = len(data)
    for repeat in range(repeats):
        order = list(range(n))
        random.Random(seed + repeat).shuffle(order)
        for fold in range(folds):
            test = set(order[fold::folds])
            w = fit([data[i] for i in range(n) if i not in test], start)
            chosen.append(w)
            held.extend(case_metrics(rank(data[i], w)[:100], data[i].relevant, 10) for i in test)
    m = len(held) or 1
    return {
        "cross_validated": {
            "hit@1": round(sum(r["hit@1"] for r in held) / m, 4),
            "hit@5": round(sum(r["hit@5"] for r in held) / m, 4),
            "recall@10": round(sum(r["recall@10"] for r in held) / m, 4),
            "mrr": round(sum(r["rr"] for r in held) / m, 4),
            "ndcg@10": round(sum(r["ndcg@10"] for r in held) / m, 4),
        },
        "chosen": chosen,
    }
