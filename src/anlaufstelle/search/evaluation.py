"""Evaluation of the search against judged questions (the format of shared/eval)."""

from __future__ import annotations

import itertools
import json
import math
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids

from .answerability import DEFAULT_THRESHOLDS, Thresholds, assess, judge
from .engine import SearchOptions, SearchResult, clear_query_cache, search
from .models import SearchDocument

DEPTH = 100  # mrr counts the first grade-2 item within the first 100 results


@dataclass
class Case:
    id: str
    network: str
    query: str
    relevant: dict[str, int]
    profile: dict[str, Any] | None = None


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                Case(
                    id=row["id"],
                    network=row["network"],
                    query=row["query"],
                    relevant={k: int(v) for k, v in row.get("relevant", {}).items()},
                    profile=row.get("profile"),
                )
            )
    return cases


def dcg(gains: Iterable[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def case_metrics(ranked: list[str], relevant: dict[str, int], k: int) -> dict[str, Any]:
    """hit@1, hit@5, recall@k, reciprocal rank, ndcg@10 and first ranks of one query."""
    first_strong = next((i + 1 for i, r in enumerate(ranked) if relevant.get(r, 0) >= 2), None)
    first_any = next((i + 1 for i, r in enumerate(ranked) if relevant.get(r, 0) >= 1), None)
    listed = [r for r, g in relevant.items() if g >= 1]
    found = sum(1 for r in ranked[:k] if relevant.get(r, 0) >= 1)
    gains = [2 ** relevant.get(r, 0) - 1 for r in ranked[:10]]
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:10]
    ideal_dcg = dcg(ideal)
    return {
        "hit@1": float(first_strong is not None and first_strong <= 1),
        "hit@5": float(first_strong is not None and first_strong <= 5),
        f"recall@{k}": found / len(listed) if listed else 0.0,
        "rr": 1.0 / first_strong if first_strong and first_strong <= DEPTH else 0.0,
        "ndcg@10": dcg(gains) / ideal_dcg if ideal_dcg else 0.0,
        "first_relevant_rank": first_strong,
        "first_listed_rank": first_any,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def indexed_ref(ref: str, indexed: set[str]) -> str:
    """The index's ref of a judged item.

    The judgements name events by their catalog id (`event:ev-…`); the events app
    keeps that id as `catalog_id` but drops the "ev-" prefix from the slug its index
    rows use. A judged ref that is not in the index is looked up in that form too.
    """
    if ref in indexed or not ref.startswith("event:ev-"):
        return ref
    alias = "event:" + ref.removeprefix("event:ev-")
    return alias if alias in indexed else ref


def evaluate(
    cases: list[Case],
    options: SearchOptions,
    *,
    k: int = 10,
    exclude_kinds: tuple[str, ...] = (),
    cached_embeddings: bool = False,
    keep_metrics: bool = False,
) -> dict[str, Any]:
    """Run every case as its network's site would and average the figures.

    `exclude_kinds` removes items of those kinds from the results and the judgements
    (e.g. "event" while events are not part of the index). Query embeddings are not
    taken from the engine's cache (so the latency includes them) unless
    `cached_embeddings` is set (the cross-validation runs many settings per query).
    """
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        indexed = set(SearchDocument.objects.values_list("ref", flat=True))
    scopes = {slug: visible_network_ids(net) for slug, net in networks.items()}
    refs: dict[int, str] = {}

    rejected: list[str] = []

    def run(case: Case) -> tuple[list[str], float]:
        network = networks[case.network]
        start = time.perf_counter()
        result = search(
            case.query,
            scopes[case.network],
            own_network_id=network.pk,
            options=options,
            limit=DEPTH,
            profile=case.profile,
        )
        elapsed = (time.perf_counter() - start) * 1000
        # What the page and the API would show: "no good match" instead of a list. The
        # ranking figures stay those of the list (a rejection is reported on its own).
        if not judge(case.query, result, scopes[case.network]).answerable:
            rejected.append(case.id)
        missing = [h.doc_id for h in result.hits if h.doc_id not in refs]
        if missing:
            with scopes_disabled():
                refs.update(SearchDocument.objects.filter(pk__in=missing).values_list("pk", "ref"))
        ranked = [refs[h.doc_id] for h in result.hits]
        if exclude_kinds:
            ranked = [r for r in ranked if r.split(":", 1)[0] not in exclude_kinds]
        return ranked, elapsed

    unknown = sorted({c.network for c in cases} - set(networks))
    if unknown:
        raise ValueError(f"networks not in the database: {', '.join(unknown)}")
    if cases:  # warm-up: load the model, the snapshots and the lexicon
        run(cases[0])
        rejected.clear()
    per_query = []
    latencies = []
    totals: dict[str, float] = {}
    for case in cases:
        relevant = {indexed_ref(r, indexed): g for r, g in case.relevant.items()}
        if exclude_kinds:
            relevant = {
                r: g for r, g in relevant.items() if r.split(":", 1)[0] not in exclude_kinds
            }
        if not cached_embeddings:
            clear_query_cache()
        ranked, elapsed = run(case)
        latencies.append(elapsed)
        metrics = case_metrics(ranked, relevant, k)
        for key in ("hit@1", "hit@5", f"recall@{k}", "rr", "ndcg@10"):
            totals[key] = totals.get(key, 0.0) + metrics[key]
        per_query.append(
            {
                "id": case.id,
                "rank": metrics["first_relevant_rank"],
                "first_listed_rank": metrics["first_listed_rank"],
                "ndcg@10": round(metrics["ndcg@10"], 4),
                "metrics": {key: metrics[key] for key in ("hit@1", "hit@5", f"recall@{k}", "rr")},
                "top": ranked[:3],
            }
        )
    if not keep_metrics:
        for row in per_query:
            row.pop("metrics")
    n = len(cases) or 1
    return {
        "mode": options.mode,
        "queries": len(cases),
        "k": k,
        "hit@1": round(totals.get("hit@1", 0) / n, 4),
        "hit@5": round(totals.get("hit@5", 0) / n, 4),
        f"recall@{k}": round(totals.get(f"recall@{k}", 0) / n, 4),
        "mrr": round(totals.get("rr", 0) / n, 4),
        "ndcg@10": round(totals.get("ndcg@10", 0) / n, 4),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        # Questions answered with "no good match" (answerability.py): none of a set of
        # genuine questions should be; `offtopic_rejection` is this share on a set of
        # questions the network cannot answer.
        "rejected": len(rejected),
        "rejected_ids": rejected,
        "per_query": per_query,
    }


def offtopic_rejection(cases: list[Case], options: SearchOptions) -> dict[str, Any]:
    """The share of `cases` (questions the network cannot answer) that get "no good
    match", and the ids of those that got a list instead."""
    report = evaluate(cases, options, cached_embeddings=True)
    answered = sorted({c.id for c in cases} - set(report["rejected_ids"]))
    return {
        "offtopic_queries": len(cases),
        "offtopic_rejection": round(report["rejected"] / (len(cases) or 1), 4),
        "offtopic_answered_ids": answered,
    }


@dataclass
class Judged:
    """One question's search result and term frequencies, to judge it again cheaply."""

    query: str
    result: SearchResult
    term_df: dict[str, int]
    genuine: bool


def judged_cases(cases: list[Case], options: SearchOptions, *, genuine: bool) -> list[Judged]:
    from . import snapshots

    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        out = []
        for case in cases:
            network = networks[case.network]
            ids = visible_network_ids(network)
            result = search(
                case.query, ids, own_network_id=network.pk, options=options, limit=DEPTH
            )
            term_df, _rows = snapshots.document_frequencies(ids, result.analysis.terms)
            out.append(Judged(case.query, result, term_df, genuine))
    return out


# The grid of the answerability's cross-validation (around the defaults).
ANSWERABILITY_GRID: dict[str, list[Any]] = {
    "domain_cosine": [0.78, 0.80, 0.82],
    "known_share": [0.4, 0.5, 0.6],
    "lexical_rows": [5, 10, 15],
    "plain_cosine": [0.82, 0.83, 0.84, 0.85],
    "strong_cosine": [0.85, 0.87, 0.89],
}


def _balanced(rows: list[Judged], thresholds: Thresholds) -> tuple[float, float]:
    """(share of genuine questions accepted, share of off-topic questions rejected)."""
    genuine = [r for r in rows if r.genuine]
    other = [r for r in rows if not r.genuine]

    def ok(r: Judged) -> bool:
        verdict = assess(r.query, r.result, term_df=r.term_df, thresholds=thresholds)
        return verdict.answerable == r.genuine

    return (
        sum(ok(r) for r in genuine) / (len(genuine) or 1),
        sum(ok(r) for r in other) / (len(other) or 1),
    )


def _centre_of_best(candidates: list[Thresholds], rows: list[Judged]) -> Thresholds:
    """The best thresholds on `rows`; among equally good ones the centre of their
    region (per threshold the median of the tied values): the widest margin to both
    sets instead of the first tie, which sits at an edge."""
    scores = [sum(_balanced(rows, t)) for t in candidates]
    top = max(scores)
    tied = [t for t, score in zip(candidates, scores, strict=True) if score >= top - 1e-9]
    return Thresholds(
        **{
            name: sorted(getattr(t, name) for t in tied)[len(tied) // 2]
            for name in ANSWERABILITY_GRID
        }
    )


def cross_validate_answerability(
    rows: list[Judged], *, folds: int = 5, repeats: int = 10, seed: int = 0
) -> dict[str, Any]:
    """Choose the answerability's thresholds on part of the questions (genuine and
    off-topic alike), measure on the rest: criterion is the mean of the genuine
    questions accepted and the off-topic ones rejected (both count the same however
    many questions each set has)."""
    candidates = [Thresholds(**label) for label in option_grid(ANSWERABILITY_GRID)]
    held_genuine: list[float] = []
    held_offtopic: list[float] = []
    chosen: dict[str, int] = {}
    for repeat in range(repeats):
        order = list(range(len(rows)))
        random.Random(seed + repeat).shuffle(order)
        for fold in range(folds):
            test_ids = set(order[fold::folds])
            train = [rows[i] for i in range(len(rows)) if i not in test_ids]
            test = [rows[i] for i in sorted(test_ids)]
            best = _centre_of_best(candidates, train)
            name = json.dumps(best.__dict__, sort_keys=True)
            chosen[name] = chosen.get(name, 0) + 1
            for r in test:
                ok = assess(r.query, r.result, term_df=r.term_df, thresholds=best).answerable
                (held_genuine if r.genuine else held_offtopic).append(float(ok == r.genuine))
    accepted, rejected = _balanced(rows, DEFAULT_THRESHOLDS)
    return {
        "questions": len(rows),
        "candidates": len(candidates),
        "cross_validated": {
            "genuine_accepted": round(sum(held_genuine) / (len(held_genuine) or 1), 4),
            "offtopic_rejection": round(sum(held_offtopic) / (len(held_offtopic) or 1), 4),
        },
        "defaults": {
            "genuine_accepted": round(accepted, 4),
            "offtopic_rejection": round(rejected, 4),
        },
        "chosen_per_fold": dict(sorted(chosen.items(), key=lambda kv: -kv[1])[:5]),
    }


def _mean_metrics(rows: list[dict[str, Any]], k: int) -> dict[str, float]:
    n = len(rows) or 1
    return {
        "hit@1": round(sum(r["metrics"]["hit@1"] for r in rows) / n, 4),
        "hit@5": round(sum(r["metrics"]["hit@5"] for r in rows) / n, 4),
        f"recall@{k}": round(sum(r["metrics"][f"recall@{k}"] for r in rows) / n, 4),
        "mrr": round(sum(r["metrics"]["rr"] for r in rows) / n, 4),
        "ndcg@10": round(sum(r["ndcg@10"] for r in rows) / n, 4),
    }


def option_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, as {name: value}."""
    names = list(grid)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]


def cross_validate(
    cases: list[Case],
    candidates: list[tuple[dict[str, Any], SearchOptions]],
    *,
    folds: int = 5,
    repeats: int = 4,
    seed: int = 0,
    key: str = "ndcg@10",
    k: int = 10,
    exclude_kinds: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Choose the settings on part of the questions, measure them on the rest.

    Each candidate (a label and its options) is run over every case once. Then, per
    repetition, the cases are shuffled into `folds` folds; for each fold the candidate
    with the best mean `key` on the other folds is picked and its figures on the
    held-out fold are kept. The mean over all held-out cases and repetitions is the
    cross-validated estimate — what choosing the weights on these questions is worth on
    unseen ones. The in-sample figure (the best candidate on all cases) is reported
    beside it; the gap between the two is the optimism of tuning on the dev set.
    """
    runs = []
    for _label, options in candidates:
        report = evaluate(
            cases,
            options,
            k=k,
            exclude_kinds=exclude_kinds,
            cached_embeddings=True,
            keep_metrics=True,
        )
        runs.append(report["per_query"])
    metric = "ndcg@10" if key == "ndcg@10" else key

    def value(row: dict[str, Any]) -> float:
        if metric == "ndcg@10":
            return row["ndcg@10"]
        if metric == "ndcg+hit5":  # the two targets of issue 3, equally weighted
            return (row["ndcg@10"] + row["metrics"]["hit@5"]) / 2
        return row["metrics"][metric]

    n = len(cases)
    held_out: list[dict[str, Any]] = []
    chosen: list[dict[str, Any]] = []
    for repeat in range(repeats):
        order = list(range(n))
        random.Random(seed + repeat).shuffle(order)
        for fold in range(folds):
            test = set(order[fold::folds])
            train = [i for i in range(n) if i not in test]
            best = max(range(len(runs)), key=lambda c: sum(value(runs[c][i]) for i in train))
            chosen.append(candidates[best][0])
            held_out.extend(runs[best][i] for i in sorted(test))
    in_sample = max(range(len(runs)), key=lambda c: sum(value(r) for r in runs[c]))
    counts: dict[str, int] = {}
    for label in chosen:
        name = json.dumps(label, sort_keys=True)
        counts[name] = counts.get(name, 0) + 1
    return {
        "queries": n,
        "candidates": len(candidates),
        "folds": folds,
        "repeats": repeats,
        "selection_metric": key,
        "cross_validated": _mean_metrics(held_out, k),
        "in_sample": _mean_metrics(runs[in_sample], k),
        "in_sample_best": candidates[in_sample][0],
        "chosen_per_fold": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
    }
