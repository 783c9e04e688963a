"""Tune the hybrid ranking's weights on judged questions, with cross-validation.

Prints one JSON object: the figures with the current defaults, the weights a coordinate
ascent chooses on all questions with their (in-sample) figures, and the cross-validated
figures (weights chosen on 4/5 of the questions, measured on the rest). See
`search/tuning.py`; docs/search.md has the figures and the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.search import tuning
from anlaufstelle.search.engine import SearchOptions
from anlaufstelle.search.evaluation import load_cases


class Command(BaseCommand):
    help = "Tune the hybrid ranking's weights on judged questions (with cross-validation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", required=True, type=Path)
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--repeats", type=int, default=4)

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["queries"].exists():
            raise CommandError(f"{opts['queries']} does not exist")
        options = SearchOptions.for_mode("hybrid")
        data = tuning.collect(load_cases(opts["queries"]), options)
        start = tuning.weights_of(options)
        chosen = tuning.fit(data, start)
        validated = tuning.cv(data, start, folds=opts["folds"], repeats=opts["repeats"])
        report = {
            "queries": len(data),
            "defaults": tuning.summary(data, start),
            "default_weights": start,
            "in_sample": tuning.summary(data, chosen),
            "in_sample_weights": chosen,
            "cross_validated": validated["cross_validated"],
            "folds": opts["folds"],
            "repeats": opts["repeats"],
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))
