"""Rebuild the search index of every network: analyse all items, embed what changed."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from anlaufstelle.search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index (analysed text and embeddings) of every network."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-embed", action="store_true", help="Only the lexical index; embed later."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty() or done == total:
                self.stderr.write(f"\rembedded {done}/{total}", ending="")

        stats = rebuild_index(embed=not opts["no_embed"], progress=progress)
        if stats["embedded"]:
            self.stderr.write("")
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"Indexed {stats['documents']} documents ({stats['removed']} removed, "
            f"{stats['embedded']} embedded) in {seconds:.1f} s."
        )
