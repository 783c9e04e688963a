"""Rebuild the search index network by network: analyse the items, embed what changed."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.search.indexing import rebuild_index


class Command(BaseCommand):
    help = (
        "Rebuild the search index (analysed text and embeddings), network by network; "
        "networks whose rows are current are skipped, so an interrupted run resumes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-embed", action="store_true", help="Only the lexical index; embed later."
        )
        parser.add_argument(
            "--network",
            action="append",
            dest="networks",
            metavar="SLUG",
            help="Only this network (repeatable); its words join the stored corpus words.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Write every network, even the current ones."
        )
        parser.add_argument("--quiet-networks", action="store_true", help="No line per network.")

    def handle(self, *args: Any, **opts: Any) -> None:
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            step = max(32, total // 10)  # without a terminal: about every tenth
            if sys.stderr.isatty() or done == total or done % step < 32:
                elapsed = time.perf_counter() - embed_started[0]
                rate = done / elapsed if elapsed else 0.0
                self.stderr.write(
                    f"\rembedded {done}/{total} ({rate:.1f}/s)",
                    ending="" if sys.stderr.isatty() else "\n",
                )

        embed_started = [time.perf_counter()]

        def log(line: str) -> None:
            embed_started[0] = time.perf_counter()
            if not opts["quiet_networks"] or not line.startswith("["):
                self.stderr.write(line)

        try:
            stats = rebuild_index(
                embed=not opts["no_embed"],
                progress=progress,
                networks=opts["networks"],
                force=opts["force"],
                log=log,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if stats["embedded"] and sys.stderr.isatty():
            self.stderr.write("")
        seconds = time.perf_counter() - start
        self.stdout.write(
            f"Indexed {stats['documents']} documents in {stats['networks']} networks "
            f"({stats['created']} new, {stats['updated']} changed, {stats['removed']} removed, "
            f"{stats['skipped']} networks current, {stats['embedded']} embedded) in "
            f"{seconds:.1f} s (words {stats['words_seconds']} s, rows {stats['rows_seconds']} s "
            f"= {stats['rows_per_second']} rows/s, embedding {stats['embed_seconds']} s)."
        )
        failed = stats["failed"]
        if isinstance(failed, list) and failed:
            raise CommandError(f"failed networks: {', '.join(failed)}")
