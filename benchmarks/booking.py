"""Booking benchmark: slot computation over a one-year horizon, booking throughput under
contention, and a trivial insert under the same contention as the baseline.

    DATABASE_URL=postgres:///anlaufstelle uv run python benchmarks/booking.py \
        [--threads 8] [--seconds 5]

Creates and destroys its own test database (test_<name>), so it never touches real data.
Without DATABASE_URL it runs on SQLite (a temporary file), where writers are serialised.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import time as wall
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anlaufstelle.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from anlaufstelle.booking import queries, services  # noqa: E402
from anlaufstelle.booking.models import Absence, Schedule, WeeklyRule  # noqa: E402
from anlaufstelle.directory.models import Provider  # noqa: E402
from anlaufstelle.networks.models import Network  # noqa: E402
from anlaufstelle.networks.scoping import network_scope  # noqa: E402


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def setup_data() -> tuple[Network, Schedule]:
    network = Network.objects.create(slug="bench", name="Benchmark", bundesland="MV")
    provider = Provider.objects.create(network=network, slug="bench", name="Bench", kind="kammer")
    schedule = Schedule.objects.create(
        network=network,
        provider=provider,
        title="Jahres-Sprechstunde",
        format="vor_ort",
        slot_minutes=30,
        buffer_minutes=0,
        min_notice_minutes=0,
        horizon_days=365,
        capacity=1,
    )
    # A busy expert: three weekly windows, one every second week, one monthly.
    WeeklyRule.objects.create(
        network=network, schedule=schedule, weekday=0, start_time=wall(8), end_time=wall(16)
    )
    WeeklyRule.objects.create(
        network=network,
        schedule=schedule,
        weekday=2,
        start_time=wall(9),
        end_time=wall(12),
        interval_weeks=2,
        anchor_date=timezone.localdate(),
    )
    WeeklyRule.objects.create(
        network=network,
        schedule=schedule,
        weekday=1,
        start_time=wall(13),
        end_time=wall(17),
        month_weeks="2,4",
    )
    now = timezone.now()
    for week in range(0, 52, 6):
        Absence.objects.create(
            network=network,
            schedule=schedule,
            starts_at=now + timedelta(weeks=week),
            ends_at=now + timedelta(weeks=week, days=2),
        )
    return network, schedule


def bench_slots(network: Network, schedule: Schedule, repeats: int) -> dict[str, float]:
    timings = []
    count = 0
    with network_scope(network):
        schedule = Schedule.objects.get(pk=schedule.pk)
        for _ in range(repeats):
            started = time.perf_counter()
            count = len(queries.free_slots([schedule], limit=None))
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "slots": count,
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 95),
    }


def contended(threads: int, seconds: float, work) -> tuple[int, int]:
    """Run `work(i, n)` in a loop on `threads` threads for `seconds`; return (ok, refused)."""
    stop = time.perf_counter() + seconds
    counts = [[0, 0] for _ in range(threads)]
    barrier = threading.Barrier(threads)

    def run(t: int) -> None:
        try:
            barrier.wait()
            n = 0
            while time.perf_counter() < stop:
                try:
                    work(t, n)
                    counts[t][0] += 1
                except services.BookingError:
                    counts[t][1] += 1
                n += 1
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for p in pool:
        p.start()
    for p in pool:
        p.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    creation = connection.creation
    test_name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        with scopes_disabled():
            network, schedule = setup_data()
            slots = bench_slots(network, schedule, args.repeats)
            # Contention: every thread books the same slot (capacity large enough never to run out).
            contended_schedule = Schedule.objects.create(
                network=network,
                provider=schedule.provider,
                title="Gruppe",
                format="vor_ort",
                min_notice_minutes=0,
                horizon_days=30,
                capacity=30000,
            )
            for weekday in range(7):
                WeeklyRule.objects.create(
                    network=network,
                    schedule=contended_schedule,
                    weekday=weekday,
                    start_time=wall(8),
                    end_time=wall(18),
                )
        with network_scope(network):
            target = queries.free_slots(
                [contended_schedule], start=timezone.now() + timedelta(days=2), limit=1
            )[0].starts_at
            contended_schedule = Schedule.objects.select_related("network").get(
                pk=contended_schedule.pk
            )

        def book(t: int, n: int) -> None:
            with network_scope(network):
                services.book_slot(
                    schedule=contended_schedule,
                    starts_at=target,
                    name="Bench",
                    email=f"t{t}n{n}@bench.example",
                    consent=True,
                    idempotency_key=f"bench-{t}-{n}",
                )

        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_trivial (id integer PRIMARY KEY, t integer, n integer)"
                if connection.vendor == "sqlite"
                else "CREATE TABLE bench_trivial (id serial PRIMARY KEY, t integer, n integer)"
            )

        def trivial(t: int, n: int) -> None:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_trivial (t, n) VALUES (%s, %s)", [t, n])

        ok, refused = contended(args.threads, args.seconds, book)
        base_ok, _ = contended(args.threads, args.seconds, trivial)
        booking_rate = ok / args.seconds
        base_rate = base_ok / args.seconds
        print(f"database: {connection.vendor} ({test_name})")
        print(
            f"slot computation, 1-year horizon: {slots['slots']} free slots, "
            f"median {slots['median_ms']:.1f} ms, p95 {slots['p95_ms']:.1f} ms "
            f"({args.repeats} runs)"
        )
        print(
            f"booking one slot under contention, {args.threads} threads, {args.seconds:.0f} s: "
            f"{booking_rate:.0f} bookings/s ({refused} refused)"
        )
        print(f"baseline trivial insert, same threads: {base_rate:.0f} inserts/s")
        print(f"ratio booking/insert: {booking_rate / base_rate:.3f}")
    finally:
        connection.close()
        creation.destroy_test_db(test_name, verbosity=0)


if __name__ == "__main__":
    main()
