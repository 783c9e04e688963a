"""Evaluate the assistant's default engine on judged conversations; prints one JSON object.

The database must hold the demo catalog and a built index (`manage.py load_demo`, then
`manage.py rebuild_index`), like `evaluate_search`; this command imports nothing itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from itertools import product
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.assistant.engine.dialogue import DEFAULT_OPTIONS, EngineOptions
from anlaufstelle.assistant.engine.evaluation import (
    answerable_share,
    cross_validate,
    evaluate,
    load_cases,
)
from anlaufstelle.assistant.engine.ranking import RankWeights

# The grid of --cv: the exemplar margin, the answerability's strong cosine and a factor on
# all weights of the assistant's re-ordering (0 = the search's order; engine/ranking.py).
CV_GRID: dict[str, list[float]] = {
    "exemplar_margin": [0.0, 0.03, 0.06],
    "strong_cosine": [0.85, 0.87, 0.89],
    "rank_scale": [0.0, 0.5, 1.0, 2.0],
}


def scaled(weights: RankWeights, factor: float) -> RankWeights:
    return replace(
        weights,
        need=weights.need * factor,
        sector=weights.sector * factor,
        provider=weights.provider * factor,
        site=weights.site * factor,
        topic=weights.topic * factor,
    )


def grid_candidates() -> list[tuple[dict[str, Any], EngineOptions]]:
    candidates = []
    names = list(CV_GRID)
    for values in product(*CV_GRID.values()):
        label = dict(zip(names, values, strict=True))
        thresholds = replace(DEFAULT_OPTIONS.thresholds, strong_cosine=label["strong_cosine"])
        options = EngineOptions(
            exemplar_margin=label["exemplar_margin"],
            thresholds=thresholds,
            weights=scaled(DEFAULT_OPTIONS.weights, label["rank_scale"]),
        )
        candidates.append((label, options))
    return candidates


class Command(BaseCommand):
    help = "Evaluate the assistant on a JSONL file of judged conversations; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", required=True, type=Path)
        parser.add_argument("--summary", action="store_true", help="Omit the per-case rows.")
        parser.add_argument(
            "--cv",
            action="store_true",
            help=(
                "Two-fold cross-validation over a small grid of the engine's thresholds: "
                "chosen on one half of the cases, measured on the other."
            ),
        )
        parser.add_argument("--repeats", type=int, default=10)
        parser.add_argument(
            "--answerability",
            action="append",
            default=[],
            type=Path,
            metavar="QUERIES.jsonl",
            help="Also report the share of these search questions judged answerable.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        paths: list[Path] = [opts["cases"], *opts["answerability"]]
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path} does not exist")
        try:
            cases = load_cases(opts["cases"])
            if opts["cv"]:
                report = cross_validate(cases, grid_candidates(), repeats=opts["repeats"])
            else:
                report = evaluate(cases)
                if opts["summary"]:
                    report.pop("per_case")
            if opts["answerability"]:
                report["answerability"] = [answerable_share(p) for p in opts["answerability"]]
        except (ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))
