"""Evaluate the search on judged questions; prints one JSON object (shared/eval format).

The database must hold the demo catalog and a built index (`manage.py load_demo` or
`manage.py import_catalog PATH`, then `manage.py rebuild_index`); this command imports
nothing itself.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.search.analysis import AnalysisOptions
from anlaufstelle.search.engine import MODES, SearchOptions
from anlaufstelle.search.evaluation import (
    cross_validate,
    cross_validate_answerability,
    evaluate,
    judged_cases,
    load_cases,
    offtopic_rejection,
    option_grid,
)


def _value(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


def set_option(options: SearchOptions, name: str, value: Any) -> SearchOptions:
    """`options` with one field changed: a SearchOptions or AnalysisOptions field, or
    `prior_<kind>` for one entry of the kind prior."""
    if name.startswith("prior_"):
        priors = dict(options.kind_prior)
        priors[name.removeprefix("prior_")] = float(value)
        return replace(options, kind_prior=tuple(priors.items()))
    if name in {f.name for f in fields(AnalysisOptions)}:
        return replace(options, analysis=replace(options.analysis, **{name: value}))
    if name in {f.name for f in fields(SearchOptions)}:
        return replace(options, **{name: value})
    raise CommandError(f"unknown option {name!r}")


class Command(BaseCommand):
    help = "Evaluate the search on a JSONL file of judged questions; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", required=True, type=Path)
        parser.add_argument("--mode", default="hybrid", choices=MODES)
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Override a search option, e.g. --set semantic_weight=0.5 --set stem=false",
        )
        parser.add_argument(
            "--exclude-kind",
            action="append",
            default=[],
            help="Leave items of this kind out of results and judgements (e.g. event).",
        )
        parser.add_argument("--summary", action="store_true", help="Omit per-query ranks.")
        parser.add_argument(
            "--cv",
            action="append",
            default=[],
            metavar="NAME=V1,V2,…",
            help=(
                "Cross-validate: choose among these values (repeat for a grid) on 4/5 of "
                "the questions, measure on the other 1/5; e.g. --cv semantic_weight=0.5,0.6,0.7. "
                "prior_<kind>=… sets the kind prior of offer/provider/contact/event."
            ),
        )
        parser.add_argument(
            "--offtopic",
            type=Path,
            help=(
                "Questions the network cannot answer (search_offtopic_dev.jsonl): adds "
                "offtopic_rejection, the share that gets 'no good match'."
            ),
        )
        parser.add_argument(
            "--answerability-cv",
            action="store_true",
            help=(
                "With --offtopic: cross-validate the answerability's thresholds on both "
                "files (genuine questions accepted, off-topic ones rejected)."
            ),
        )
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--repeats", type=int, default=4)
        parser.add_argument(
            "--cv-metric", default="ndcg@10", choices=["ndcg@10", "ndcg+hit5", "rr", "hit@5"]
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["queries"].exists():
            raise CommandError(f"{opts['queries']} does not exist")
        options = SearchOptions.for_mode(opts["mode"])
        for item in opts["set"]:
            name, _, raw = item.partition("=")
            options = set_option(options, name, _value(raw))
        offtopic = opts["offtopic"]
        if offtopic is not None and not offtopic.exists():
            raise CommandError(f"{offtopic} does not exist")
        if opts["answerability_cv"]:
            if offtopic is None:
                raise CommandError("--answerability-cv needs --offtopic")
            rows = judged_cases(load_cases(opts["queries"]), options, genuine=True)
            rows += judged_cases(load_cases(offtopic), options, genuine=False)
            report = cross_validate_answerability(
                rows, folds=opts["folds"], repeats=opts["repeats"]
            )
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        if opts["cv"]:
            grid = {}
            for item in opts["cv"]:
                name, _, raw = item.partition("=")
                set_option(options, name, _value(raw.split(",")[0]))  # validates the name
                grid[name] = [_value(v) for v in raw.split(",")]
            candidates = []
            for label in option_grid(grid):
                candidate = options
                for name, value in label.items():
                    candidate = set_option(candidate, name, value)
                candidates.append((label, candidate))
            report = cross_validate(
                load_cases(opts["queries"]),
                candidates,
                folds=opts["folds"],
                repeats=opts["repeats"],
                key=opts["cv_metric"],
                k=opts["k"],
                exclude_kinds=tuple(opts["exclude_kind"]),
            )
            report["mode"] = opts["mode"]
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        try:
            report = evaluate(
                load_cases(opts["queries"]),
                options,
                k=opts["k"],
                exclude_kinds=tuple(opts["exclude_kind"]),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if offtopic is not None:
            report.update(offtopic_rejection(load_cases(offtopic), options))
        if opts["summary"]:
            report.pop("per_query")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
