"""Evaluate the assistant's default engine on judged conversations; prints one JSON object.

The database must hold the demo catalog and a built index (`manage.py load_demo`, then
`manage.py rebuild_index`), like `evaluate_search`; this command imports nothing itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.assistant.engine.evaluation import evaluate, load_cases


class Command(BaseCommand):
    help = "Evaluate the assistant on a JSONL file of judged conversations; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", required=True, type=Path)
        parser.add_argument("--summary", action="store_true", help="Omit the per-case rows.")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["cases"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            report = evaluate(load_cases(path))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["summary"]:
            report.pop("per_case")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
