"""Lighthouse (mobile, simulated slow 4G) and the Nu HTML Checker over the site's main pages.

Runs against a server that is already up (the demo or a production-like server), finds the
pages the way a visitor does (start page → offers → an offer → its provider, …) and prints
per page: the four Lighthouse scores, LCP, bytes transferred, and the checker's errors.
Targets (issue 14, docs/performance.md): performance ≥ 95, LCP ≤ 2.5 s, accessibility
100, best practices 100, SEO ≥ 95, start page ≤ 150 KiB, no HTML errors.

    make npm                                 # lighthouse and vnu-jar, pinned in package.json
    make serve &                             # or any server on the demo database
    uv run --frozen python benchmarks/pages.py --base-url http://127.0.0.1:8000

Uses Debian's chromium (CHROME_PATH, default /usr/bin/chromium) and Java 17; it never
downloads a browser. Exit status 1 when a target is missed or the checker finds an error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LIGHTHOUSE = PROJECT_DIR / "node_modules" / ".bin" / "lighthouse"
VNU_JAR = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 95}
LCP_TARGET_MS = 2500
START_PAGE_BUDGET = 150 * 1024


@dataclass
class Result:
    name: str
    url: str
    scores: dict[str, int] = field(default_factory=dict)
    lcp_ms: float = 0.0
    transfer_bytes: int = 0
    failed_audits: list[str] = field(default_factory=list)
    html_errors: list[str] = field(default_factory=list)

    def misses(self) -> list[str]:
        misses = [
            f"{category} {self.scores.get(category)} < {target}"
            for category, target in TARGETS.items()
            if self.scores and self.scores.get(category, 0) < target
        ]
        if self.scores and self.lcp_ms > LCP_TARGET_MS:
            misses.append(f"LCP {self.lcp_ms / 1000:.1f} s > 2.5 s")
        if self.name == "network start" and self.transfer_bytes > START_PAGE_BUDGET:
            misses.append(f"transfer {self.transfer_bytes / 1024:.0f} KiB > 150 KiB")
        if self.html_errors:
            misses.append(f"{len(self.html_errors)} HTML error(s)")
        return misses


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (our server)
        return response.read().decode()


def first_link(html: str, pattern: str) -> str:
    match = re.search(rf'href="({pattern})"', html)
    if not match:
        raise SystemExit(f"no link matching {pattern!r}: is the demo content loaded?")
    return match.group(1).replace("&amp;", "&")


def discover(base: str, network: str) -> list[tuple[str, str]]:
    """The main page types, reached through the site's own links."""
    site = f"/n/{network}/"
    offers = get(base + site + "angebote/")
    offer = first_link(offers, rf"{site}angebote/[\w-]+/")
    provider = first_link(get(base + offer), rf"{site}anlaufstellen/[\w-]+/")
    booking = get(base + site + "termine/")
    slot_picker = first_link(booking, rf"{site}termine/sprechstunde/[\w-]+/")
    events = get(base + site + "veranstaltungen/")
    event = first_link(events, rf"{site}veranstaltungen/(?!verwaltung)[\w-]+/")
    mediathek = get(base + site + "mediathek/")
    episode = first_link(mediathek, rf"{site}mediathek/podcast/[\w-]+/")
    article = first_link(mediathek, rf"{site}mediathek/artikel/[\w-]+/")
    return [
        ("start page", "/"),
        ("network start", site),
        ("search results", f"{site}suche/?q=Ausbildung"),
        ("offer page", offer),
        ("provider page", provider),
        ("booking slot picker", slot_picker),
        ("events calendar", f"{site}veranstaltungen/"),
        ("event page", event),
        ("Mediathek list", f"{site}mediathek/"),
        ("episode page", episode),
        ("article page", article),
        # The forum itself is for members (signed in); these are its public doors.
        ("joining the exchange", f"{site}austausch/mitmachen/"),
        ("exchange sign-in", f"{site}austausch/anmelden/"),
        ("exchange rules", f"{site}austausch/regeln/"),
        ("concern form", f"{site}anliegen/"),
        ("assistant page", f"{site}assistent/"),
    ]


def run_lighthouse(result: Result) -> None:
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    completed = subprocess.run(  # noqa: S603 (our pinned tool, our page URLs)
        [
            str(LIGHTHOUSE),
            result.url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        result.failed_audits.append(f"lighthouse failed: {completed.stderr.strip()[-300:]}")
        return
    report = json.loads(completed.stdout)
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        result.scores[category] = round((score or 0) * 100)
        if category == "performance":
            continue
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
                result.failed_audits.append(f"{category}: {ref['id']}")
    result.lcp_ms = report["audits"]["largest-contentful-paint"]["numericValue"]
    result.transfer_bytes = int(report["audits"]["total-byte-weight"]["numericValue"])


def run_vnu(results: list[Result]) -> None:
    """The checker refuses loopback URLs, so it checks the fetched HTML as files."""
    with tempfile.TemporaryDirectory(prefix="anl-vnu-") as tmp:
        by_file: dict[str, Result] = {}
        for number, result in enumerate(results):
            path = Path(tmp) / f"page-{number:02d}.html"
            path.write_text(get(result.url), encoding="utf-8")
            by_file[path.name] = result
        completed = subprocess.run(  # noqa: S603 (the pinned checker on our temp files)
            ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]
            + [str(Path(tmp) / name) for name in by_file],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    for message in json.loads(completed.stderr or '{"messages": []}')["messages"]:
        target = by_file.get(message.get("url", "").rsplit("/", 1)[-1])
        text = f"line {message.get('lastLine', '?')}: {message.get('message', '')}"
        if target is not None:
            target.html_errors.append(text)
        else:
            print(f"vnu: {text}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a running server (default http://127.0.0.1:8000)")
    parser.add_argument("--network", default="feldberg", help="slug of the network to walk")
    parser.add_argument("--only", nargs="*", help="page names to run (default: all)")
    parser.add_argument("--no-lighthouse", action="store_true", help="the HTML checker only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    base = (args.base_url or "http://127.0.0.1:8000").rstrip("/")
    try:
        get(base + "/healthz")
    except OSError as error:
        if args.base_url:
            raise SystemExit(f"no server at {base}: {error}") from error
        # `make bench` runs every benchmark; this one needs the demo running.
        print(f"skipped: no server at {base} (start `make serve`, or pass --base-url)")
        return 0
    for tool in (LIGHTHOUSE, VNU_JAR):
        if not tool.exists():
            raise SystemExit(f"{tool} is missing: run `make npm` first")

    pages = discover(base, args.network)
    if args.only:
        pages = [(name, path) for name, path in pages if name in args.only]
    results = [Result(name, base + path) for name, path in pages]
    if not args.no_lighthouse:
        for result in results:
            print(f"lighthouse: {result.name} ({result.url})", file=sys.stderr, flush=True)
            run_lighthouse(result)
    run_vnu(results)

    print(
        f"{'page':<22} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'LCP s':>6} {'KiB':>6}  html"
    )
    for r in results:
        s = r.scores
        print(
            f"{r.name:<22} {s.get('performance', '-'):>4} {s.get('accessibility', '-'):>4} "
            f"{s.get('best-practices', '-'):>4} {s.get('seo', '-'):>4} "
            f"{r.lcp_ms / 1000:>6.2f} {r.transfer_bytes / 1024:>6.0f}  "
            f"{'ok' if not r.html_errors else f'{len(r.html_errors)} error(s)'}"
        )
    missed = False
    for r in results:
        for line in r.failed_audits + r.html_errors:
            print(f"  {r.name}: {line}")
        for miss in r.misses():
            missed = True
            print(f"  MISSED {r.name}: {miss}")
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ for r in results], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
