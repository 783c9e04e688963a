"""Assistant latency per turn against the hybrid search alone (not part of `make test`).

    uv run python benchmarks/assistant.py [--cases ../shared/eval/assistant_dev.jsonl] [--rounds 3]

Runs on the demo database (`make db` first; or DATABASE_URL): every turn of every case
is answered by the default engine (`assistant.engine.respond`), and the same text is sent
through the hybrid search the engine uses, as the baseline of the same run. The query
embedding cache is emptied before every timed call, so both include the real query
embedding. Prints one JSON line per round: p50/p95 of both, the ratio of the p95s and the
load average (the target is an engine p95 of at most 300 ms per turn on two cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=str(ROOT.parent / "shared/eval/assistant_dev.jsonl"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from anlaufstelle.assistant.engine import respond
    from anlaufstelle.networks.models import Network
    from anlaufstelle.networks.scoping import visible_network_ids
    from anlaufstelle.search.engine import SearchOptions, clear_query_cache, search

    cases = [json.loads(line) for line in Path(args.cases).read_text().splitlines() if line]
    with scopes_disabled():
        networks = {n.slug: n for n in Network.objects.all()}
    turns = [
        (networks[c["network"]], t) for c in cases if c["network"] in networks for t in c["turns"]
    ]
    if not turns:
        sys.exit("no case's network is in this database: run `make db` first")
    respond(network=turns[0][0], message=turns[0][1])  # warm-up: model and snapshots loaded
    for round_no in range(1, args.rounds + 1):
        engine_ms: list[float] = []
        search_ms: list[float] = []
        for network, text in turns:
            ids = visible_network_ids(network)
            clear_query_cache()
            start = time.perf_counter()
            search(
                text,
                ids,
                own_network_id=network.pk,
                options=SearchOptions.for_mode("hybrid"),
                limit=30,
            )
            search_ms.append((time.perf_counter() - start) * 1000)
            clear_query_cache()
            start = time.perf_counter()
            respond(network=network, message=text)
            engine_ms.append((time.perf_counter() - start) * 1000)
        print(
            json.dumps(
                {
                    "round": round_no,
                    "turns": len(turns),
                    "engine_p50_ms": round(statistics.median(engine_ms), 1),
                    "engine_p95_ms": round(percentile(engine_ms, 0.95), 1),
                    "search_p50_ms": round(statistics.median(search_ms), 1),
                    "search_p95_ms": round(percentile(search_ms, 0.95), 1),
                    "ratio_p95": round(
                        percentile(engine_ms, 0.95) / percentile(search_ms, 0.95), 2
                    ),
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
        )


if __name__ == "__main__":
    main()
