"""Load through nginx: the loopback production deployment (scripts/prod.sh) under locust.

    uv run --frozen --group bench python benchmarks/load.py [--users 50] [--seconds 30]
    uv run --frozen --group bench python benchmarks/load.py --soak 600

Each scenario runs on its own for --seconds with --users concurrent users (no think time):
the start page, a search, an offer page, a booking (form + POST + the confirmation
redirect), and /healthz — a trivial Django view through the same nginx, app servers and
middleware — as the baseline. Printed per scenario: requests per second, median and p95
latency, error rate (must be 0), and the throughput as a share of the baseline's.

--soak N runs the mixed load for N seconds and samples the resident memory (RSS) of every
app server process every 10 s: the growth after the first minute shows a leak or none.

The deployment: if it runs (make prod-up), that one is used; else this script brings it
up with var/prod/load.env (var/prod/prod.env with the public-write rate limits off, since
every locust user shares one address) and stops it again afterwards. Bookings go to a
schedule of its own ("Lasttest") with room for every booking; they stay in the database.
Figures: docs/scaling.md, section "Load through nginx".
"""

from __future__ import annotations

# locust patches the standard library with gevent: first.
try:
    from locust import HttpUser, between, events, task
    from locust.env import Environment
except ImportError as missing:  # the bench group is not installed
    raise SystemExit(
        "load: needs locust: uv run --frozen --group bench python benchmarks/load.py"
    ) from missing

# isort: split
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import gevent

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from prod_test import prod  # noqa: E402 (scripts/ is no package)

VAR = ROOT / "var" / "prod"
RUN = VAR / "run"
CERT = str(VAR / "tls" / "cert.pem")
HOST = "https://localhost:8443"
NETWORK = "feldberg"
QUERIES = [
    "Fachkräfte finden",
    "Ausbildung Zuschuss",
    "Weiterbildung Mitarbeiter",
    "ausländische Fachkräfte anerkennen",
    "Eingliederungszuschuss",
    "Azubi gesucht",
    "Beratung Personalgewinnung",
    "Kinderbetreuung Beschäftigte",
]

SEED = """
import json
from datetime import time as wall
from django_scopes import scopes_disabled
from anlaufstelle.booking import queries
from anlaufstelle.booking.models import Schedule, WeeklyRule
from anlaufstelle.directory.models import Offer, Provider
from anlaufstelle.networks.models import Network
from anlaufstelle.networks.scoping import network_scope
with scopes_disabled():
    net = Network.objects.get(slug="%(network)s")
    schedule = Schedule.objects.filter(network=net, title="Lasttest").first()
    if schedule is None:
        provider = Provider.objects.filter(network=net).order_by("pk").first()
        schedule = Schedule.objects.create(network=net, provider=provider, title="Lasttest",
            format="vor_ort", slot_minutes=30, buffer_minutes=0, min_notice_minutes=0,
            horizon_days=30, capacity=30000)
        for weekday in range(7):
            WeeklyRule.objects.create(network=net, schedule=schedule, weekday=weekday,
                start_time=wall(0, 0), end_time=wall(23, 30))
    offers = list(Offer.objects.filter(network=net, is_published=True)
                  .values_list("slug", flat=True)[:40])
    with network_scope(net):
        keys = [slot.key for slot in queries.free_slots([schedule], limit=160)][96:]
print(json.dumps({"code": schedule.code, "keys": keys, "offers": offers}))
"""

CONTEXT: dict = {}


def running() -> bool:
    try:
        os.kill(int((RUN / "nginx.pid").read_text()), 0)
    except (OSError, ValueError):
        return False
    return True


def load_env() -> Path:
    """var/prod/prod.env with the public-write limits off (one client address for all)."""
    base = VAR / "prod.env"
    if not base.exists():
        # `check` creates it from the example; its verdict does not matter here.
        subprocess.run([str(ROOT / "scripts" / "prod.sh"), "check"], cwd=ROOT, check=False)  # noqa: S603
    lines = [
        line
        for line in base.read_text().splitlines()
        if not line.startswith(("RATE_LIMIT_", "PROD_WEB_MAX_REQUESTS="))
    ]
    lines += ["RATE_LIMIT_BOOKING=", "RATE_LIMIT_CONCERN=", "PROD_WEB_MAX_REQUESTS=0"]
    target = VAR / "load.env"
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    return target


# ---------------------------------------------------------------- the users


class Visitor(HttpUser):
    abstract = True
    wait_time = between(0, 0)

    def on_start(self) -> None:
        self.client.verify = CERT


class StartPage(Visitor):
    @task
    def start_page(self) -> None:
        self.client.get(f"/n/{NETWORK}/", name="start page")


class Search(Visitor):
    @task
    def search(self) -> None:
        self.client.get(f"/n/{NETWORK}/suche/", params={"q": random.choice(QUERIES)}, name="search")


class OfferPage(Visitor):
    @task
    def offer(self) -> None:
        slug = random.choice(CONTEXT["offers"])
        self.client.get(f"/n/{NETWORK}/angebote/{slug}/", name="offer page")


class Booking(Visitor):
    @task
    def book(self) -> None:
        key = random.choice(CONTEXT["keys"])
        path = f"/n/{NETWORK}/termine/sprechstunde/{CONTEXT['code']}/buchen/?termin={key}"
        form = self.client.get(path, name="booking: form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        idem = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
        if not token or not idem:
            return
        with self.client.post(
            path,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "termin": key,
                "name": "Last Test",
                "company": "Lastprobe GmbH",
                "email": "last@example.org",
                "phone": "",
                "concern": "",
                "consent": "on",
                "idempotency_key": idem.group(1),
            },
            headers={"Referer": HOST + path},
            allow_redirects=False,
            name="booking: submit",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"booking answered {response.status_code}")
            else:
                response.success()


class Baseline(Visitor):
    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="baseline /healthz")


class Mixed(Visitor):
    tasks = {
        StartPage.start_page: 3,
        Search.search: 3,
        OfferPage.offer: 3,
        Booking.book: 1,
    }


# ---------------------------------------------------------------- running


def run(user_class: type[HttpUser], users: int, seconds: float) -> Environment:
    env = Environment(user_classes=[user_class], host=HOST, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(seconds)
    runner.quit()
    return env


def summarise(env: Environment, seconds: float) -> list[dict]:
    rows = []
    for (name, method), entry in sorted(env.stats.entries.items()):
        if not entry.num_requests:
            continue
        rows.append(
            {
                "name": name,
                "method": method,
                "requests": entry.num_requests,
                "rps": entry.num_requests / seconds,
                "median_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "errors": entry.num_failures,
                "error_rate": entry.num_failures / entry.num_requests,
            }
        )
    return rows


def app_processes() -> dict[int, str]:
    """pid -> part, for every process in the app servers' sessions (master and workers)."""
    sessions = {}
    for path in RUN.glob("*.pid"):
        if path.stem.startswith(("web-", "asgi-")):
            try:
                sessions[int(path.read_text())] = path.stem
            except ValueError:
                continue
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        session = int(fields[3])  # after state, ppid, pgrp: the session id
        if session in sessions:
            found[int(proc.name)] = sessions[session]
    return found


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def soak(users: int, seconds: float) -> None:
    env = Environment(user_classes=[Mixed], host=HOST, events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    samples: list[tuple[float, dict[int, float]]] = []
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        gevent.sleep(10)
        now = {pid: rss_mib(pid) for pid in app_processes()}
        samples.append((time.monotonic() - start, {p: r for p, r in now.items() if r}))
        total = sum(samples[-1][1].values())
        print(
            f"  {samples[-1][0]:5.0f} s  app processes {len(now)}  RSS {total:7.1f} MiB", flush=True
        )
    runner.quit()
    rows = summarise(env, seconds)
    for row in rows:
        print(
            f"  {row['name']:<18} {row['requests']:>7} req  {row['rps']:6.1f}/s  "
            f"p95 {row['p95_ms']:6.0f} ms  errors {row['errors']}"
        )
    # From the first minute on (models loaded, caches warm) to the end, per process.
    warm = next((s for s in samples if s[0] >= 60), samples[0])
    last = samples[-1]
    print(f"  RSS per process, {warm[0]:.0f} s -> {last[0]:.0f} s:")
    growth = []
    for pid, start_rss in sorted(warm[1].items()):
        end_rss = last[1].get(pid)
        if end_rss is None:
            print(f"    pid {pid}: gone (recycled)")
            continue
        growth.append(end_rss - start_rss)
        print(f"    pid {pid}: {start_rss:7.1f} -> {end_rss:7.1f} MiB ({end_rss - start_rss:+.1f})")
    print(
        json.dumps(
            {
                "soak_seconds": seconds,
                "users": users,
                "requests": sum(r["requests"] for r in rows),
                "errors": sum(r["errors"] for r in rows),
                "rss_total_mib_warm": round(sum(warm[1].values()), 1),
                "rss_total_mib_end": round(sum(last[1].values()), 1),
                "max_growth_mib": round(max(growth), 1) if growth else None,
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--soak", type=float, default=0, help="mixed load for N seconds, RSS")
    args = parser.parse_args()

    started_here = False
    env_file = None
    if not running():
        env_file = load_env()
        print("load: bringing the deployment up (var/prod/load.env) ...", flush=True)
        prod("up", env_file=env_file, timeout=1800)
        started_here = True
    try:
        out = prod(
            "manage", "shell", "--no-imports", "-c", SEED % {"network": NETWORK}, env_file=env_file
        )
        CONTEXT.update(json.loads(out.strip().splitlines()[-1]))
        # Warm every app server process (models load lazily per process).
        run(Mixed, min(args.users, 20), 15)
        if args.soak:
            print(f"load: soak, mixed load, {args.users} users, {args.soak:.0f} s", flush=True)
            soak(args.users, args.soak)
            return 0
        results = []
        for scenario in (Baseline, StartPage, Search, OfferPage, Booking):
            env = run(scenario, args.users, args.seconds)
            results += summarise(env, args.seconds)
        baseline = next(r for r in results if r["name"] == "baseline /healthz")
        print(
            f"\nload through nginx: {args.users} users, {args.seconds:.0f} s per scenario, "
            f"{os.cpu_count()} cores"
        )
        print(
            f"  {'scenario':<18} {'req':>6} {'req/s':>7} {'median':>8} {'p95':>8} "
            f"{'errors':>7} {'vs /healthz':>11}"
        )
        for row in results:
            print(
                f"  {row['name']:<18} {row['requests']:>6} {row['rps']:>7.1f} "
                f"{row['median_ms']:>6.0f}ms {row['p95_ms']:>6.0f}ms "
                f"{row['error_rate']:>7.1%} {row['rps'] / baseline['rps']:>10.2f}x"
            )
        print(json.dumps({"users": args.users, "seconds": args.seconds, "results": results}))
        return 1 if any(r["errors"] for r in results) else 0
    finally:
        if started_here:
            prod("down", env_file=env_file)


if __name__ == "__main__":
    sys.exit(main())
