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
from anlaufstelle.search.evaluation import evaluate, load_cases


def _value(raw: str) -> Any:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return raw


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

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["queries"].exists():
            raise CommandError(f"{opts['queries']} does not exist")
        options = SearchOptions.for_mode(opts["mode"])
        search_fields = {f.name for f in fields(SearchOptions)}
        analysis_fields = {f.name for f in fields(AnalysisOptions)}
        for item in opts["set"]:
            name, _, raw = item.partition("=")
            if name in analysis_fields:
                options = replace(
                    options, analysis=replace(options.analysis, **{name: _value(raw)})
                )
            elif name in search_fields:
                options = replace(options, **{name: _value(raw)})
            else:
                raise CommandError(f"unknown option {name!r}")
        try:
            report = evaluate(
                load_cases(opts["queries"]),
                options,
                k=opts["k"],
                exclude_kinds=tuple(opts["exclude_kind"]),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["summary"]:
            report.pop("per_query")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
