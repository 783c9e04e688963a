"""Figures of the assistant on judged conversations (shared/eval/README.md).

`ungrounded_rate` counts answers that cite a row the network cannot see, name the
title of a visible row that is not among the cited sources, or cite anything where the
case expects no sources (greeting, out of scope, hand-over).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import visible_network_ids
from anlaufstelle.search.engine import clear_query_cache
from anlaufstelle.search.evaluation import percentile
from anlaufstelle.search.models import SearchDocument

from . import Reply
from .dialogue import DEFAULT_OPTIONS, EngineOptions, retrieve
from .dialogue import respond as engine_respond
from .grounding import names_uncited


@dataclass
class Case:
    id: str
    network: str
    turns: list[str]
    intent: str
    sources_any: list[str]
    handoff: bool


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expect = raw["expect"]
            cases.append(
                Case(
                    id=str(raw["id"]),
                    network=str(raw["network"]),
                    turns=[str(t) for t in raw["turns"]],
                    intent=str(expect["intent"]),
                    sources_any=[str(s) for s in expect.get("sources_any", [])],
                    handoff=bool(expect.get("handoff", False)),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: {exc}") from exc
    return cases


def expected_refs(refs: list[str]) -> set[str]:
    """The judged refs, with each catalog event also under the events app's ref: the app
    names an event by its catalog id without the "ev-" prefix ("event:ev-x" → "event:x",
    events/catalog.py)."""
    found = set(refs)
    for ref in refs:
        if ref.startswith("event:ev-"):
            found.add("event:" + ref.removeprefix("event:ev-"))
    return found


def ungrounded(
    reply: Reply, visible: dict[str, tuple[str, str]], expects_sources: bool, own_name: str = ""
) -> bool:
    """`visible`: ref -> (title, provider name) of every row the network can see;
    `own_name` is the network's name, which every answer may say."""
    cited = {s.ref for s in reply.sources}
    if cited - set(visible):
        return True
    if cited and not expects_sources:
        return True
    # A cited row's own fields (its title, its provider's name) may be named.
    return names_uncited(reply.text, visible, cited, own_name)


def respond(
    network: Network, message: str, state: Any = None, options: EngineOptions = DEFAULT_OPTIONS
) -> Reply:
    return engine_respond(
        network=network, message=message, state=state, language="de", options=options
    )


def evaluate(cases: list[Case], options: EngineOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    return summarise(*run_cases(cases, options))


def run_cases(
    cases: list[Case], options: EngineOptions = DEFAULT_OPTIONS
) -> tuple[list[dict[str, Any]], list[float]]:
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        unknown = sorted({c.network for c in cases} - set(networks))
        if unknown:
            raise ValueError(f"networks not in the database: {', '.join(unknown)}")
        visible = {
            slug: {
                ref: (title, provider)
                for ref, title, provider in SearchDocument.objects.filter(
                    network_id__in=visible_network_ids(networks[slug])
                ).values_list("ref", "title", "provider_name")
            }
            for slug in {c.network for c in cases}
        }
        if cases:  # warm-up: the model, the exemplars, the snapshots
            respond(networks[cases[0].network], cases[0].turns[-1], options=options)
        rows = []
        latencies: list[float] = []
        for case in cases:
            clear_query_cache()
            state: dict[str, Any] | None = None
            reply: Reply | None = None
            for message in case.turns:
                start = time.perf_counter()
                reply = respond(networks[case.network], message, state, options)
                latencies.append((time.perf_counter() - start) * 1000)
                state = reply.state
            assert reply is not None
            refs = [s.ref for s in reply.sources][:3]
            rows.append(
                {
                    "id": case.id,
                    "intent": reply.intent,
                    "intent_ok": reply.intent == case.intent,
                    "source_hit": bool(set(refs) & expected_refs(case.sources_any))
                    if case.sources_any
                    else None,
                    "handoff_ok": reply.offer_handoff == case.handoff,
                    "ungrounded": ungrounded(
                        reply,
                        visible[case.network],
                        bool(case.sources_any),
                        networks[case.network].display_name,
                    ),
                    "sources": refs,
                }
            )
    return rows, latencies


def summarise(rows: list[dict[str, Any]], latencies: list[float]) -> dict[str, Any]:
    n = len(rows) or 1
    with_sources = [r for r in rows if r["source_hit"] is not None]
    return {
        "cases": len(rows),
        "intent_accuracy": round(sum(r["intent_ok"] for r in rows) / n, 4),
        "source_hit@3": round(
            sum(r["source_hit"] for r in with_sources) / (len(with_sources) or 1), 4
        ),
        "handoff_accuracy": round(sum(r["handoff_ok"] for r in rows) / n, 4),
        "ungrounded_rate": round(sum(r["ungrounded"] for r in rows) / n, 4),
        "p50_ms": round(percentile(latencies, 50), 2) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 95), 2) if latencies else 0.0,
        "per_case": rows,
    }


def score(summary: dict[str, Any]) -> float:
    """What the cross-validation maximises: the three accuracies, ungrounded answers
    counted against them twice."""
    return (
        summary["intent_accuracy"]
        + summary["source_hit@3"]
        + summary["handoff_accuracy"]
        - 2 * summary["ungrounded_rate"]
    )


def cross_validate(
    cases: list[Case],
    candidates: list[tuple[dict[str, Any], EngineOptions]],
    *,
    repeats: int = 10,
    seed: int = 7,
) -> dict[str, Any]:
    """Two-fold cross-validation: choose the options on one half of the cases, measure
    them on the other half, both ways, over `repeats` random splits.

    Every candidate runs every case once; the folds only regroup those rows.
    """
    import random

    runs = [(label, run_cases(cases, options)[0]) for label, options in candidates]
    held_out: list[dict[str, Any]] = []
    chosen: list[dict[str, Any]] = []
    rng = random.Random(seed)
    for _ in range(repeats):
        order = list(range(len(cases)))
        rng.shuffle(order)
        half = len(order) // 2
        for train, test in ((order[:half], order[half:]), (order[half:], order[:half])):
            best = max(runs, key=lambda run: score(summarise([run[1][i] for i in train], [])))
            chosen.append(best[0])
            held_out.append(summarise([best[1][i] for i in test], []))
    keys = ("intent_accuracy", "source_hit@3", "handoff_accuracy", "ungrounded_rate")
    return {
        "cases": len(cases),
        "candidates": len(candidates),
        "splits": len(held_out),
        "held_out": {key: round(sum(h[key] for h in held_out) / len(held_out), 4) for key in keys},
        "held_out_min": {key: min(h[key] for h in held_out) for key in keys},
        "chosen": chosen,
    }


def answerable_share(path: Path, options: EngineOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The share of a search question file (search_dev format) that the assistant's
    answerability judges answerable: off-topic sets should be near 0, genuine ones
    near 1."""
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
        queries = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                queries.append((str(raw["network"]), str(raw["query"])))
        verdicts = [
            retrieve(networks[network], query, options=options).verdict
            for network, query in queries
            if network in networks
        ]
    n = len(verdicts) or 1
    return {
        "file": path.name,
        "queries": len(verdicts),
        "answerable": round(sum(v.answerable for v in verdicts) / n, 4),
    }
