"""Scale figures: many networks in one installation (not part of `make test`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anl_obs_scale \
        uv run --frozen python benchmarks/scale.py [--networks 400] [--offers 300] [--sample 20]

Fills the database (a scratch one: it adds networks `scale-NNN`) with `--networks`
networks of `--offers` offers each, written from the texts of the demo catalog
(`shared/catalog/catalog.json`; each network's copy carries its own place name), plus a
nationwide pool with the catalog's offers. Networks already present are kept, so a
second run only measures. Then it measures, in this one process:

- the index build: `rebuild_index(embed=False)` — every item analysed and written,
  as `manage.py rebuild_index` does it (the lexical side, real code);
- the embedding: the real embedder on a sample of texts, as passages per second and
  the time the whole index would take; the rows then get the vector of their catalog
  text plus a little noise, so that the search has realistic vectors without hours of
  embedding (said in the output: `vectors: "catalog vector + noise"`);
- the snapshots: what the first search of an app process loads (`ensure_lexicon()`
  builds the snapshot of every network), time and resident memory before and after;
- a change: one row of one network changes; the next search rebuilds that snapshot and
  the corpus's word list;
- the search: the hybrid search (query embedding included: its cache is emptied before
  each call) for the evaluation queries on a sample of networks, p50/p95 per network.

Prints one JSON object per phase and a summary at the end. Bounded in time by
`--networks` (the data) and `--sample`/`--queries` (the searches).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import statistics
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
    line = {"phase": phase, **figures}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    return line


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")
    # Bulk writes below; the content signals would enqueue one task per row.
    os.environ["SEARCH_AUTO_INDEX"] = "false"
    import django

    django.setup()
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


def build_index() -> dict:
    from django_scopes import scopes_disabled

    from anlaufstelle.search.indexing import rebuild_index
    from anlaufstelle.search.models import SearchDocument

    gc.collect()
    before = rss_mib()
    start = time.perf_counter()
    result = rebuild_index(embed=False)
    seconds = time.perf_counter() - start
    with scopes_disabled():
        documents = SearchDocument.objects.count()
    return emit(
        "index_build",
        documents=documents,
        seconds=round(seconds, 1),
        rows_per_second=round(result["documents"] / seconds, 1) if seconds else None,
        peak_rss_mib_during=round(rss_mib(), 1),
        rss_mib_before=round(before, 1),
        result=result,
    )


def upsert_rate(sample_network: str) -> dict:
    """The real per-row path of `rebuild_index` (analysis + upsert) on one network's items."""
    from django_scopes import scopes_disabled

    from anlaufstelle.search.indexing import upsert_items
    from anlaufstelle.search.sources import all_items

    with scopes_disabled():
        items = [i for i in all_items() if i.network_id == _network_id(sample_network)]
    start = time.perf_counter()
    upsert_items(items)
    seconds = time.perf_counter() - start
    return emit(
        "upsert_sample",
        network=sample_network,
        rows=len(items),
        seconds=round(seconds, 1),
        rows_per_second=round(len(items) / seconds, 1),
        load_average=os.getloadavg()[0],
    )


def _network_id(slug: str) -> int:
    from anlaufstelle.networks.models import Network

    return Network.objects.get(slug=slug).pk


def bulk_index(sample: int, seed: int) -> dict:
    """Every row written at once (bulk insert) with its vector: the figures below need the
    full index, and a shared, saturated machine cannot run `rebuild_index`'s per-row path
    over 120,000 rows in the time given (its rate is measured by `upsert_rate`).

    The analysis is real but done per catalog text and per place name, not per row (a
    row's analysed text is its catalog text's plus its place's); the vectors are the real
    embeddings of `sample` catalog texts plus noise; the embedder's throughput is measured."""
    import numpy as np
    from django.db import transaction
    from django_scopes import scopes_disabled

    from anlaufstelle.search.analysis import analyse
    from anlaufstelle.search.embedders import get_embedder, has_sparse, sparse_to_bytes
    from anlaufstelle.search.indexing import _fields
    from anlaufstelle.search.models import SearchDocument
    from anlaufstelle.search.sources import all_items

    embedder = get_embedder()
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with scopes_disabled():
        done = set(SearchDocument.objects.values_list("network_id", flat=True).distinct())
        items = [i for i in all_items() if i.network_id not in done]
    load_seconds = time.perf_counter() - start
    texts = sorted({i.embed_text for i in items if i.ref.startswith("offer:")})[:sample]
    texts = texts or ["Beratung"]
    embedder.embed_passages(["Aufwärmen"])
    t0 = time.perf_counter()
    if has_sparse(embedder) and hasattr(embedder, "embed_both"):
        vectors, latent = embedder.embed_both(texts, query=False)
        sparse = [sparse_to_bytes(v) for v in latent]
    else:
        vectors = embedder.embed_passages(texts)
        sparse = [None] * len(texts)
    embed_seconds = time.perf_counter() - t0
    matrix = np.asarray(vectors, dtype=np.float32)
    cache: dict[str, str] = {}

    def terms(text: str) -> str:
        # Per sentence: the catalog's sentences repeat across networks, the place differs.
        out = []
        for line in re.split(r"(?<=[.!?])\s+|\n", text):
            if line not in cache:
                cache[line] = analyse(line).text()
            out.append(cache[line])
        return " ".join(t for t in out if t)

    t0 = time.perf_counter()
    batch: list = []
    written = 0
    for n, item in enumerate(items):
        values = _fields_light(item, _fields, terms)
        k = n % len(texts)
        vector = matrix[k] + rng.normal(0, 0.02, matrix.shape[1]).astype(np.float32)
        vector /= np.linalg.norm(vector)
        batch.append(
            SearchDocument(
                network_id=item.network_id,
                ref=item.ref,
                vector=vector.astype("<f4").tobytes(),
                sparse=sparse[k],
                model_id=embedder.model_id,
                **values,
            )
        )
        if len(batch) >= 2000:
            with scopes_disabled(), transaction.atomic():
                SearchDocument.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    if batch:
        with scopes_disabled(), transaction.atomic():
            SearchDocument.objects.bulk_create(batch)
        written += len(batch)
    with scopes_disabled():
        total = SearchDocument.objects.count()
    rate = len(texts) / embed_seconds
    return emit(
        "bulk_index",
        documents=total,
        written_now=written,
        read_items_seconds=round(load_seconds, 1),
        write_seconds=round(time.perf_counter() - t0, 1),
        embedder=embedder.model_id,
        embedded_texts=len(texts),
        passages_per_second=round(rate, 2),
        estimated_hours_to_embed_all=round(total / rate / 3600, 1),
        vectors="catalog vector + noise",
        load_average=os.getloadavg()[0],
    )


def _fields_light(item, fields, terms) -> dict:  # type: ignore[no-untyped-def]
    """indexing._fields with the analysis of title and body taken from `terms`."""
    import anlaufstelle.search.indexing as indexing

    real = indexing.analyse
    try:
        indexing.analyse = _Cached(terms)  # type: ignore[assignment]
        return fields(item)
    finally:
        indexing.analyse = real


class _Cached:
    def __init__(self, terms) -> None:  # type: ignore[no-untyped-def]
        self.terms = terms

    def __call__(self, text: str):  # type: ignore[no-untyped-def]
        terms = self.terms(text)

        class Result:
            def text(self) -> str:
                return terms

        return Result()


def embed_sample_and_fill_vectors(sample: int, seed: int) -> dict:
    """Time the real embedder on `sample` catalog texts; give every row one of them."""
    import numpy as np
    from django.db import connection, transaction
    from django_scopes import scopes_disabled

    from anlaufstelle.search.embedders import get_embedder, has_sparse, sparse_to_bytes
    from anlaufstelle.search.models import SearchDocument

    embedder = get_embedder()
    if embedder is None:
        return emit("embedding", skipped="no embedder configured")
    with scopes_disabled():
        texts = list(
            SearchDocument.objects.filter(network__slug="scale-bund")
            .order_by("pk")
            .values_list("embed_text", flat=True)[:sample]
        )
    embedder.embed_passages(["Aufwärmen"])  # model load is not throughput
    start = time.perf_counter()
    if has_sparse(embedder) and hasattr(embedder, "embed_both"):
        vectors, latent = embedder.embed_both(texts, query=False)
        sparse = [sparse_to_bytes(v) for v in latent]
    else:
        vectors = embedder.embed_passages(texts)
        sparse = [None] * len(texts)
    seconds = time.perf_counter() - start
    rate = len(texts) / seconds
    with scopes_disabled():
        total = SearchDocument.objects.count()
    rng = np.random.default_rng(seed)
    matrix = np.asarray(vectors, dtype=np.float32)
    start = time.perf_counter()
    with scopes_disabled():
        ids = list(SearchDocument.objects.order_by("pk").values_list("pk", flat=True))
    table = SearchDocument._meta.db_table
    for chunk_start in range(0, len(ids), 5000):
        chunk = ids[chunk_start : chunk_start + 5000]
        params = []
        for pk in chunk:
            k = pk % len(texts)
            vector = matrix[k] + rng.normal(0, 0.02, matrix.shape[1]).astype(np.float32)
            vector /= np.linalg.norm(vector)
            params.append((vector.astype("<f4").tobytes(), sparse[k], embedder.model_id, pk))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET vector = %s, sparse = %s, model_id = %s WHERE id = %s",  # noqa: S608
                params,
            )
    write_seconds = time.perf_counter() - start
    return emit(
        "embedding",
        embedder=embedder.model_id,
        sample_texts=len(texts),
        passages_per_second=round(rate, 2),
        estimated_hours_for_all_rows=round(total / rate / 3600, 1),
        vectors="catalog vector + noise",
        vector_write_seconds=round(write_seconds, 1),
    )


def load_snapshots() -> dict:
    import numpy as np

    from anlaufstelle.search import snapshots

    snapshots.invalidate()
    gc.collect()
    before = rss_mib()
    start = time.perf_counter()
    snapshots.ensure_lexicon()
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_mib()
    snaps = list(snapshots._snapshots.values())
    array_bytes = sum(
        a.nbytes
        for s in snaps
        for a in (s.ids, s.matrix, s.sparse_ptr, s.sparse_rows, s.sparse_weights)
        if isinstance(a, np.ndarray)
    )
    t0 = time.perf_counter()
    snapshots.current_stamps(force=True)
    stamps_ms = (time.perf_counter() - t0) * 1000
    return emit(
        "snapshots",
        networks=len(snaps),
        rows=sum(s.stamp[0] for s in snaps),
        load_seconds=round(seconds, 1),
        rss_mib_before=round(before, 1),
        rss_mib_after=round(after, 1),
        rss_mib_growth=round(after - before, 1),
        numpy_arrays_mib=round(array_bytes / 2**20, 1),
        kib_per_network=round((after - before) * 1024 / max(len(snaps), 1), 1),
        stamp_query_ms=round(stamps_ms, 1),
    )


def one_change(network_slug: str) -> dict:
    """One row changes: how long the next search's snapshot and lexicon refresh take."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from anlaufstelle.search import snapshots
    from anlaufstelle.search.models import SearchDocument

    with scopes_disabled():
        doc = SearchDocument.objects.filter(network__slug=network_slug).first()
        SearchDocument.objects.filter(pk=doc.pk).update(updated_at=timezone.now())
    snapshots.current_stamps(force=True)
    start = time.perf_counter()
    snapshots.ensure_lexicon()
    return emit("one_change", refresh_ms=round((time.perf_counter() - start) * 1000, 1))


def searches(sample: int, queries: int) -> dict:
    from django_scopes import scopes_disabled

    from anlaufstelle.networks.models import Network
    from anlaufstelle.networks.scoping import visible_network_ids
    from anlaufstelle.search.engine import clear_query_cache, search

    texts = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line]
    texts = texts[:queries]
    with scopes_disabled():
        networks = list(
            Network.objects.filter(slug__startswith="scale-", is_nationwide=False).order_by("slug")
        )
    step = max(1, len(networks) // sample)
    chosen = networks[::step][:sample]
    search(texts[0], visible_network_ids(chosen[0]), own_network_id=chosen[0].pk)  # warm-up
    per_network = {}
    everything: list[float] = []
    for network in chosen:
        visible = visible_network_ids(network)
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
        )
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
        load_average=os.getloadavg()[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=400)
    parser.add_argument("--offers", type=int, default=300, help="offers per network")
    parser.add_argument("--sample", type=int, default=20, help="networks to search in")
    parser.add_argument("--queries", type=int, default=20, help="queries per network")
    parser.add_argument("--embed-sample", type=int, default=64, help="texts to embed for real")
    parser.add_argument("--skip-index", action="store_true", help="keep the index as it is")
    parser.add_argument(
        "--bulk-index",
        action="store_true",
        help="write the index in bulk (see bulk_index) and measure the per-row path on one network",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    random.seed(args.seed)
    setup_django()
    from django.db import connection

    started = time.perf_counter()
    emit(
        "start",
        database=connection.vendor,
        networks=args.networks,
        offers=args.offers,
        cpus=os.cpu_count(),
        load_average=os.getloadavg()[0],
    )
    results = {"fill": fill(args.networks, args.offers, json.loads(CATALOG.read_text()))}
    if args.bulk_index:
        results["bulk_index"] = bulk_index(args.embed_sample, args.seed)
        results["upsert_sample"] = upsert_rate("scale-002")
    elif not args.skip_index:
        results["index_build"] = build_index()
        results["embedding"] = embed_sample_and_fill_vectors(args.embed_sample, args.seed)
    results["snapshots"] = load_snapshots()
    results["one_change"] = one_change("scale-001")
    results["search"] = searches(args.sample, args.queries)
    emit(
        "summary",
        total_seconds=round(time.perf_counter() - started, 1),
        **{k: {kk: vv for kk, vv in v.items() if kk != "phase"} for k, v in results.items()},
    )


if __name__ == "__main__":
    main()
