"""Scale figures: many networks in one installation (not part of `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anl_scale_big \
        uv run --frozen python benchmarks/scale.py [--networks 400] [--offers 300]

Fills the database (a scratch one: it adds networks `scale-NNN`) with `--networks`
networks of `--offers` offers each, written from the texts of the demo catalog
(`shared/catalog/catalog.json`; each network's copy carries its own place name), plus a
nationwide pool with the catalog's offers. Networks already present are kept. Then each
phase runs in a process of its own (so its memory is its own), all with the real code:

- `build`: `rebuild_index(embed=False)` — what `manage.py rebuild_index --no-embed` does:
  the corpus words of every item, then network by network analysis and bulk writes;
  time, rows per second, peak memory (VmHWM);
- `resume`: the same again: every network is current and skipped;
- `network`: `rebuild_index(networks=[one], force=True)`, one network rewritten;
- `embed`: `embed_pending` over one whole network with the real embedder (passages per
  second, the time for one network and, extrapolated, for all rows); then every row of
  every network gets the real vector of the same offer in that network (plus a little
  noise), so that the search has realistic vectors without hours of embedding (said
  in the output: `vectors: "embedded network's vector + noise"`);
- `stamps`: the freshness check an app process runs at most once a second — the
  grouped count over all rows (before) and the read of `SearchIndexState` (now);
- `serve N` (N = 1, 10, all): a fresh process searches N networks once each (lexical,
  which loads the same snapshots as hybrid) — its resident memory before and after;
- `search`: the hybrid search (query embedding included: its cache is emptied before
  each call) for the evaluation queries on a sample of networks, p50/p95 per network,
  and the refresh after one row of one network changed.

Every phase line carries the load average: other jobs share the machine.
Prints one JSON object per phase and a summary at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CATALOG = ROOT.parent / "shared/catalog/catalog.json"
QUERIES = ROOT.parent / "shared/eval/search_dev.jsonl"
BUNDESLAENDER = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN"]
PLACES = [
    "Altenau", "Birkenfeld", "Dornstetten", "Eichwalde", "Finsterwalde", "Grünau", "Hohenstein",
    "Immenstadt", "Jessen", "Kirchberg", "Lindau", "Marienberg", "Neustadt", "Oberhof",
    "Pritzwalk", "Quedlinburg", "Rheinsberg", "Seelow", "Tangermünde", "Uelzen", "Vechta",
    "Waren", "Zittau",
]  # fmt: skip


def emit(phase: str, **figures: object) -> dict:
    # CPU seconds of this process so far (the phases run in processes of their own):
    # unlike the times, they hardly depend on what else runs on the machine.
    line = {"phase": phase, **figures, "process_cpu_seconds": round(time.process_time(), 1)}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def rss_mib(field: str = "VmRSS") -> float:
    """Resident memory of this process (VmHWM: its peak so far), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load() -> float:
    return round(os.getloadavg()[0], 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def setup_django(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")
    # Bulk writes below; the content signals would enqueue one task per row.
    os.environ["SEARCH_AUTO_INDEX"] = "false"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def fill(networks: int, offers: int, catalog: dict) -> dict:
    """Create the missing `scale-NNN` networks with their providers and offers."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from anlaufstelle.directory.models import Audience, Offer, Provider, Topic
    from anlaufstelle.networks.models import Network

    start = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        for position, slug in enumerate(catalog["topics"]):
            Topic.objects.get_or_create(
                slug=slug,
                defaults={
                    "label_de": catalog["topic_labels"].get(slug, slug),
                    "position": position,
                },
            )
        for slug in catalog["target_groups"]:
            Audience.objects.get_or_create(slug=slug, defaults={"label_de": slug})
    topics = {t.slug: t.pk for t in Topic.objects.all()}
    audiences = {a.slug: a.pk for a in Audience.objects.all()}
    templates = catalog["angebote"]
    provider_templates = catalog["anlaufstellen"]
    created = 0

    def add_network(slug: str, name: str, *, nationwide: bool, count: int, place: str) -> None:
        network = Network.objects.create(
            slug=slug,
            name=name,
            bundesland="" if nationwide else BUNDESLAENDER[created % len(BUNDESLAENDER)],
            region=slug,
            is_nationwide=nationwide,
        )
        providers = Provider.objects.bulk_create(
            Provider(
                network=network,
                slug=f"{p['id']}-{slug}"[:120],
                name=p["name"] if nationwide else f"{p['name']} ({place})",
                kind=p.get("kind", "netzwerk"),
                region=slug,
                description=p.get("description_de") or "",
            )
            for p in provider_templates[:12]
        )
        rows = []
        for j in range(count):
            t = templates[j % len(templates)]
            variant = j // len(templates)
            summary = t.get("summary_de") or ""
            if not nationwide:
                summary = f"{summary} Für Betriebe in {place} und Umgebung."
            rows.append(
                Offer(
                    network=network,
                    slug=f"{t['id']}-{variant}"[:120],
                    title=t["title_de"] + (f" ({place}, Kurs {variant + 1})" if variant else ""),
                    summary=summary,
                    provider=providers[j % len(providers)],
                    kind=t.get("kind", "beratung"),
                    region=slug,
                    legal_basis=(t.get("legal_basis") or "")[:300],
                )
            )
        rows = Offer.objects.bulk_create(rows)
        through_topics = Offer.topics.through
        through_audiences = Offer.audiences.through
        through_topics.objects.bulk_create(
            through_topics(offer_id=o.pk, topic_id=topics[s])
            for j, o in enumerate(rows)
            for s in templates[j % len(templates)].get("topics", [])
            if s in topics
        )
        through_audiences.objects.bulk_create(
            through_audiences(offer_id=o.pk, audience_id=audiences[s])
            for j, o in enumerate(rows)
            for s in templates[j % len(templates)].get("target_groups", [])
            if s in audiences
        )

    with scopes_disabled():
        existing = set(
            Network.objects.filter(slug__startswith="scale-").values_list("slug", flat=True)
        )
        with transaction.atomic():
            if "scale-bund" not in existing:
                add_network(
                    "scale-bund", "Bundesweit", nationwide=True, count=len(templates), place=""
                )
        for i in range(1, networks + 1):
            slug = f"scale-{i:03d}"
            if slug in existing:
                continue
            place = f"{PLACES[i % len(PLACES)]} {i}"
            with transaction.atomic():
                add_network(slug, f"Netzwerk {place}", nationwide=False, count=offers, place=place)
            created += 1
        total_offers = Offer.objects.filter(network__slug__startswith="scale-").count()
    return emit(
        "fill",
        networks_created=created,
        offers_in_scale_networks=total_offers,
        seconds=round(time.perf_counter() - start, 1),
    )


def phase_build(force: bool = False) -> dict:
    """The real `rebuild_index(embed=False)` over every network."""
    from anlaufstelle.search.indexing import rebuild_index

    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        # A line every 50 networks (and the first ones) shows the pace without flooding.
        position = line.split("/", 1)[0].lstrip("[")
        if not line.startswith("[") or position.isdigit() and int(position) % 50 in (0, 1):
            print(f"  {line} (load {load()}, rss {rss_mib():.0f} MiB)", file=sys.stderr)

    start = time.perf_counter()
    load_before = load()
    stats = rebuild_index(embed=False, force=force, log=log)
    return emit(
        "build" if not force else "build_forced",
        wall_seconds=round(time.perf_counter() - start, 1),
        peak_rss_mib=round(rss_mib("VmHWM"), 1),
        load_before=load_before,
        load_after=load(),
        **stats,
    )


def phase_resume() -> dict:
    from anlaufstelle.search.indexing import rebuild_index

    start = time.perf_counter()
    stats = rebuild_index(embed=False)
    return emit(
        "resume",
        wall_seconds=round(time.perf_counter() - start, 1),
        peak_rss_mib=round(rss_mib("VmHWM"), 1),
        load=load(),
        **stats,
    )


def phase_network(slug: str) -> dict:
    from anlaufstelle.search.indexing import rebuild_index

    start = time.perf_counter()
    stats = rebuild_index(embed=False, networks=[slug], force=True)
    return emit(
        "network",
        network=slug,
        wall_seconds=round(time.perf_counter() - start, 1),
        load=load(),
        **stats,
    )


def phase_embed(slug: str, seed: int, limit: int) -> dict:
    """Embed `limit` rows of one network for real (0: all of it); give every other row a
    vector derived from those."""
    import numpy as np
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network
    from anlaufstelle.search.embedders import get_embedder
    from anlaufstelle.search.indexing import embed_pending
    from anlaufstelle.search.models import SearchDocument

    embedder = get_embedder()
    if embedder is None:
        return emit("embed", skipped="no embedder configured")
    network_id = Network.objects.get(slug=slug).pk
    embedder.embed_passages(["Aufwärmen"])  # model load is not throughput
    with scopes_disabled():
        SearchDocument.objects.filter(network_id=network_id).update(vector=None, model_id="")
        ids = list(
            SearchDocument.objects.filter(network_id=network_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    network_rows = len(ids)
    load_before = load()
    start = time.perf_counter()
    done = embed_pending(embedder, ids=ids[:limit] if limit else ids)
    seconds = time.perf_counter() - start
    rate = done / seconds if seconds else 0.0
    with scopes_disabled():
        total = SearchDocument.objects.count()
        rows = list(
            SearchDocument.objects.filter(network_id=network_id).values_list(
                "ref", "vector", "sparse"
            )
        )
    by_ref = {ref: (np.frombuffer(v, dtype="<f4"), s) for ref, v, s in rows if v is not None}
    pool = list(by_ref.values())
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    table = SearchDocument._meta.db_table
    with scopes_disabled():
        todo = list(
            SearchDocument.objects.exclude(network_id=network_id)
            .order_by("pk")
            .values_list("pk", "ref")
        )
    for chunk_start in range(0, len(todo), 5000):
        params = []
        for pk, ref in todo[chunk_start : chunk_start + 5000]:
            base, latent = by_ref.get(ref) or pool[pk % len(pool)]
            vector = base + rng.normal(0, 0.02, base.shape[0]).astype(np.float32)
            vector /= np.linalg.norm(vector)
            params.append((vector.astype("<f4").tobytes(), latent, embedder.model_id, pk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET vector = %s, sparse = %s, model_id = %s WHERE id = %s",  # noqa: S608
                params,
            )
    return emit(
        "embed",
        embedder=embedder.model_id,
        network=slug,
        rows_embedded=done,
        seconds=round(seconds, 1),
        passages_per_second=round(rate, 2),
        network_rows=network_rows,
        estimated_minutes_for_the_network=round(network_rows / rate / 60, 1) if rate else None,
        estimated_hours_for_all_rows=round(total / rate / 3600, 1) if rate else None,
        load_before=load_before,
        load_after=load(),
        vectors="embedded network's vector + noise",
        vector_write_seconds=round(time.perf_counter() - start, 1),
    )


def phase_stamps(repeat: int = 20) -> dict:
    """The freshness check: the former grouped count over all rows, and the state read."""
    from django.db import connection
    from django.db.models import Count, Max
    from django_scopes import scopes_disabled

    from anlaufstelle.search import snapshots
    from anlaufstelle.search.models import SearchDocument

    def grouped() -> None:
        with scopes_disabled():
            list(
                SearchDocument.objects.values("network_id")
                .annotate(n=Count("id"), latest=Max("updated_at"))
                .order_by()
            )

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return round(statistics.median(times), 2)

    return emit(
        "stamps",
        database=connection.vendor,
        grouped_count_ms=timed(grouped),
        state_table_ms=timed(lambda: snapshots.current_stamps(force=True)),
        networks=len(snapshots.current_stamps(force=True)),
        load=load(),
    )


def scale_networks() -> list:
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network

    with scopes_disabled():
        return list(
            Network.objects.filter(slug__startswith="scale-", is_nationwide=False).order_by("slug")
        )


def phase_serve(count: int, budget_mib: float | None = None) -> dict:
    """A fresh app process that searches `count` networks: what it holds afterwards
    (`budget_mib`: SEARCH_SNAPSHOT_BUDGET_MB for this process, 0 = no limit)."""
    from django.conf import settings

    if budget_mib is not None:
        settings.SEARCH_SNAPSHOT_BUDGET_MB = budget_mib
    from anlaufstelle.networks.scoping import visible_network_ids
    from anlaufstelle.search import snapshots
    from anlaufstelle.search.embedders import get_embedder
    from anlaufstelle.search.engine import SearchOptions, search

    networks = scale_networks()[:count]
    embedder = get_embedder()
    if embedder is not None:
        embedder.embed_queries(["Aufwärmen"])  # the model is there in any app process
    from anlaufstelle.search.analysis import analyse

    analyse("Fachkräfte Ausbildung")  # the German dictionary, stemmer and synonyms
    gc.collect()
    before = rss_mib()
    start = time.perf_counter()
    options = SearchOptions.for_mode("lexical")
    for network in networks:
        search("Ausbildung Förderung", visible_network_ids(network), options=options)
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_mib()
    held = snapshots.memory()
    return emit(
        "serve",
        networks_searched=len(networks),
        snapshots_held=held["snapshots"],
        snapshot_mib_estimate=round(held["snapshot_bytes"] / 2**20, 1),
        corpus_words=held["corpus_words"],
        typo_vocabularies_cached=len(snapshots._vocabularies),
        budget_mib=round(snapshots.budget_bytes() / 2**20),
        rss_mib_before=round(before, 1),
        rss_mib_after=round(after, 1),
        rss_mib_growth=round(after - before, 1),
        mib_per_network=round((after - before) / max(len(networks), 1), 2),
        load_seconds=round(seconds, 1),
        load=load(),
    )


def phase_search(sample: int, queries: int) -> dict:
    from django.db.models import F
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.scoping import visible_network_ids
    from anlaufstelle.search import snapshots
    from anlaufstelle.search.engine import clear_query_cache, search
    from anlaufstelle.search.models import SearchDocument

    texts = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line]
    texts = texts[:queries]
    networks = scale_networks()
    step = max(1, len(networks) // sample)
    chosen = networks[::step][:sample]
    search(texts[0], visible_network_ids(chosen[0]), own_network_id=chosen[0].pk)  # warm-up
    per_network = {}
    everything: list[float] = []
    for network in chosen:
        visible = visible_network_ids(network)
        search(texts[-1], visible, own_network_id=network.pk)  # its snapshot: see `serve`
        times = []
        for text in texts:
            clear_query_cache()
            start = time.perf_counter()
            search(text, visible, own_network_id=network.pk, limit=10)
            times.append((time.perf_counter() - start) * 1000)
        everything += times
        per_network[network.slug] = round(percentile(times, 0.95), 1)
        emit(
            "search_network",
            network=network.slug,
            p50_ms=round(statistics.median(times), 1),
            p95_ms=per_network[network.slug],
            load=load(),
        )
    # One row of the first network changes (as a task would write it): the next search
    # rebuilds that network's snapshot; the lexicon stays (its word set did not change).
    with scopes_disabled():
        doc = SearchDocument.objects.filter(network_id=chosen[0].pk).first()
        SearchDocument.objects.filter(pk=doc.pk).update(title=F("title"))
    snapshots.current_stamps(force=True)
    start = time.perf_counter()
    search(texts[0], visible_network_ids(chosen[0]), own_network_id=chosen[0].pk)
    refresh_ms = (time.perf_counter() - start) * 1000
    p95s = sorted(per_network.values())
    return emit(
        "search",
        networks_sampled=len(chosen),
        queries_per_network=len(texts),
        p50_ms=round(statistics.median(everything), 1),
        p95_ms=round(percentile(everything, 0.95), 1),
        per_network_p95_min_ms=p95s[0],
        per_network_p95_median_ms=round(statistics.median(p95s), 1),
        per_network_p95_max_ms=p95s[-1],
        search_after_one_change_ms=round(refresh_ms, 1),
        load=load(),
    )


def run_phase(args: argparse.Namespace, *phase: str) -> dict:
    """Run one phase in a fresh process; its last JSON line is the result."""
    command = [sys.executable, __file__, "--phase", *phase, "--seed", str(args.seed)]
    command += ["--sample", str(args.sample), "--queries", str(args.queries)]
    command += ["--embed-rows", str(args.embed_rows)]
    # Progress lines go to stderr as they come; the figures are the JSON lines.
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    for line in lines[:-1]:
        print(line, flush=True)
    print(lines[-1], flush=True)
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=400)
    parser.add_argument("--offers", type=int, default=300, help="offers per network")
    parser.add_argument("--sample", type=int, default=5, help="networks to search in")
    parser.add_argument("--queries", type=int, default=10, help="queries per network")
    parser.add_argument("--skip-index", action="store_true", help="keep the index as it is")
    parser.add_argument("--skip-embed", action="store_true", help="keep the vectors as they are")
    parser.add_argument(
        "--embed-rows", type=int, default=64, help="rows of one network to embed (0: all)"
    )
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    random.seed(args.seed)
    if args.phase:
        setup_django(migrate=False)
        name, *rest = args.phase
        if name == "build":
            phase_build(force=bool(rest))
        elif name == "resume":
            phase_resume()
        elif name == "network":
            phase_network(rest[0])
        elif name == "embed":
            phase_embed(rest[0], args.seed, args.embed_rows)
        elif name == "stamps":
            phase_stamps()
        elif name == "serve":
            phase_serve(int(rest[0]), float(rest[1]) if len(rest) > 1 else None)
        elif name == "search":
            phase_search(args.sample, args.queries)
        return
    setup_django()
    from django.db import connection

    started = time.perf_counter()
    emit(
        "start",
        database=connection.vendor,
        networks=args.networks,
        offers=args.offers,
        cpus=os.cpu_count(),
        load=load(),
    )
    results = {"fill": fill(args.networks, args.offers, json.loads(CATALOG.read_text()))}
    if not args.skip_index:
        results["build"] = run_phase(args, "build")
        results["resume"] = run_phase(args, "resume")
        results["network"] = run_phase(args, "network", "scale-002")
    if not args.skip_embed:
        results["embed"] = run_phase(args, "embed", "scale-001")
    results["stamps"] = run_phase(args, "stamps")
    for count in (1, 10, args.networks):
        results[f"serve_{count}"] = run_phase(args, "serve", str(count))
    results["search"] = run_phase(args, "search")
    emit(
        "summary",
        total_seconds=round(time.perf_counter() - started, 1),
        **{k: {kk: vv for kk, vv in v.items() if kk != "phase"} for k, v in results.items()},
    )


if __name__ == "__main__":
    main()
