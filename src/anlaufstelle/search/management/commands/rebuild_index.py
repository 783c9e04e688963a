"""Rebuild the search index network by network: analyse the items, embed what changed.

The last and longest step of `make demo`: it says what it does (in German, like the
demo loaders), per step and, while it embeds, per network; --verbosity 0 keeps quiet."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anlaufstelle.search.indexing import EMBED_BATCH, rebuild_index


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
        quiet = opts["verbosity"] < 1  # tests and scripts: errors only
        tty = sys.stderr.isatty()

        def say(line: str, *, rewrite: bool = False, ending: str = "\n") -> None:
            # Progress, not an error: on stderr (stdout keeps the summary) but not in red.
            if not quiet:
                head = "\r" if rewrite else ""
                self.stderr.write(f"{head}Suchindex: {line}", style_func=_plain, ending=ending)

        first: dict[str, tuple[float, int]] = {}  # per network: its first batch's end

        def progress(slug: str, done: int, total: int) -> None:
            now = time.perf_counter()
            began, base = first.setdefault(slug, (now, done))
            # The rate from the second batch on (the first one includes loading the model).
            rate = f" ({(done - base) / (now - began):.1f}/s)" if now > began else ""
            step = max(EMBED_BATCH, total // 10)  # without a terminal: about every tenth
            line = f"Netzwerk {slug} {done}/{total}" + (
                f" fertig{rate}" if done == total else f"{rate} …"
            )
            if tty:
                say(line, rewrite=True, ending="\n" if done == total else "")
            elif done == total or done % step < EMBED_BATCH:
                say(line)

        def log(line: str) -> None:
            if not opts["quiet_networks"] or not line.startswith("["):
                say(line)

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
        seconds = time.perf_counter() - start
        if not quiet:
            self.stdout.write(
                f"Suchindex fertig: {stats['documents']} Einträge in {stats['networks']} "
                f"Netzwerk(en) ({stats['created']} neu, {stats['updated']} geändert, "
                f"{stats['removed']} entfernt, {stats['skipped']} Netzwerk(e) aktuell, "
                f"{stats['embedded']} eingebettet) in {seconds:.1f} s (Wörter "
                f"{stats['words_seconds']} s, Einträge {stats['rows_seconds']} s = "
                f"{stats['rows_per_second']} Einträge/s, Einbettung {stats['embed_seconds']} s)."
            )
        failed = stats["failed"]
        if isinstance(failed, list) and failed:
            raise CommandError(f"failed networks: {', '.join(failed)}")


def _plain(text: str) -> str:
    return text
