"""The deployment test: the loopback production deployment (scripts/prod.sh) under stress.

    scripts/prod-test.sh            (what `make prod-test` and CI run; bounded by `timeout`)

On a database of its own (anl_prod_test, dropped and created afresh) it brings the
deployment up with var/prod/test.env and proves:

1. a booking placed through one app server is seen by the other;
2. a search index update done by a task worker is searchable through both app servers
   within 2 s;
3. killing one app server (SIGKILL, under a stream of bookings through nginx) loses no
   acknowledged booking, and killing one task worker mid-task loses no task;
4. stopping and starting everything keeps all data.

Each step prints what it measured; any failure exits 1. Everything is stopped at the end.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "prod"
RUN = VAR / "run"
ENV_FILE = VAR / "test.env"
DB_URL = os.environ.get(
    "PROD_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anl_prod_test"
)
HTTPS = 8443
WEB_PORTS = (8161, 8162)
HOST = "localhost"
ORIGIN = f"https://{HOST}:{HTTPS}"
NETWORK = "deploytest"
INDEX_LIMIT_S = 2.0

failures: list[str] = []


def say(text: str) -> None:
    print(f"prod-test: {text}", flush=True)


def check(condition: bool, text: str) -> None:
    say(("ok    " if condition else "FAIL  ") + text)
    if not condition:
        failures.append(text)


# ---------------------------------------------------------------- the deployment


def prod(*args: str, timeout: float = 400, env_file: Path | None = ENV_FILE) -> str:
    """scripts/prod.sh ARGS with `env_file` (None: its default, var/prod/prod.env)."""
    env = dict(os.environ)
    if env_file is not None:
        env["PROD_ENV"] = str(env_file)
    result = subprocess.run(  # noqa: S603 (our own script, our own arguments)
        [str(ROOT / "scripts" / "prod.sh"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        sys.stdout.write(result.stdout + result.stderr)
        raise SystemExit(f"scripts/prod.sh {' '.join(args)} failed")
    return result.stdout


def shell(code: str) -> dict:
    """Run Python in `manage.py shell` with the deployment's environment; its last line is JSON."""
    out = prod("manage", "shell", "--no-imports", "-c", code, timeout=120)
    return json.loads(out.strip().splitlines()[-1])


def write_env() -> None:
    text = (ROOT / "deploy" / "prod.env.example").read_text()
    overrides = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": DB_URL,
        "PROD_DEMO_DATA": "false",
        "LOG_LEVEL": "WARNING",
        # Hundreds of bookings from one address within seconds: the limit is not under test.
        "RATE_LIMIT_BOOKING": "",
        # A killed worker's task is queued again after 5 s instead of an hour.
        "TASKS_STALE_AFTER": "5",
    }
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0]
        if key in overrides:
            line = f"{key}={overrides.pop(key)}"
        lines.append(line)
    lines += [f"{key}={value}" for key, value in overrides.items()]
    VAR.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text("\n".join(lines) + "\n")


def fresh_database() -> None:
    parts = urllib.parse.urlsplit(DB_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def pid(name: str) -> int:
    return int((RUN / f"{name}.pid").read_text())


def running() -> list[str]:
    alive = []
    for path in RUN.glob("*.pid"):
        try:
            os.kill(int(path.read_text()), 0)
        except (ValueError, OSError):
            continue
        alive.append(path.stem)
    return alive


def kill_hard(name: str) -> None:
    """SIGKILL a part with all its processes (each runs in a session of its own)."""
    os.killpg(pid(name), signal.SIGKILL)
    (RUN / f"{name}.pid").unlink()


# ---------------------------------------------------------------- HTTP


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Client:
    """A visitor with cookies, talking to nginx (port None) or straight to one app server."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port
        # Cookies by hand: the session and CSRF cookies are Secure, and a straight request
        # to an app server is plain HTTP (nginx ends TLS), where a cookie jar holds them back.
        self.cookies: dict[str, str] = {}
        context = ssl.create_default_context(cafile=str(VAR / "tls" / "cert.pem"))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), NoRedirect
        )

    def url(self, path: str) -> str:
        if self.port is None:
            return f"https://{HOST}:{HTTPS}{path}"
        return f"http://127.0.0.1:{self.port}{path}"

    def request(
        self, path: str, data: dict | None = None, timeout: float = 30
    ) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.url(path), data=body)  # noqa: S310 (http(s) only)
        if self.port is not None:
            # As nginx passes it on: the public host, and HTTPS.
            req.add_header("Host", f"{HOST}:{HTTPS}")
            req.add_header("X-Forwarded-Proto", "https")
        req.add_header("Referer", ORIGIN + path)
        req.add_header("Origin", ORIGIN)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                self.keep_cookies(resp.headers.get_all("Set-Cookie") or [])
                return resp.status, resp.read().decode(), resp.headers.get("Location", "")
        except urllib.error.HTTPError as err:
            self.keep_cookies(err.headers.get_all("Set-Cookie") or [])
            return err.code, err.read().decode(errors="replace"), err.headers.get("Location", "")

    def keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def book(self, code: str, key: str, name: str) -> tuple[int, str]:
        path = f"/n/{NETWORK}/termine/sprechstunde/{code}/buchen/?termin={key}"
        status, page, _ = self.request(path)
        if status != 200:
            return status, ""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        idem = re.search(r'name="idempotency_key" value="([^"]+)"', page)
        if not token or not idem:
            return 0, ""
        status, _, location = self.request(
            path,
            {
                "csrfmiddlewaretoken": token.group(1),
                "termin": key,
                "name": name,
                "company": "Prüfbetrieb GmbH",
                "email": "pruefung@example.org",
                "phone": "",
                "concern": "",
                "consent": "on",
                "idempotency_key": idem.group(1),
            },
        )
        return status, location


# ---------------------------------------------------------------- the steps

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
    net = Network.objects.create(slug="deploytest", name="Deployment-Test", bundesland="MV")
    prov = Provider.objects.create(
        network=net, slug="pruefstelle", name="Prüfstelle", kind="kammer")
    for i in range(12):
        Offer.objects.create(network=net, slug=f"angebot-{i}", provider=prov, kind="beratung",
            title=f"Beratung Nummer {i} zur Fachkräftesicherung",
            summary="Beratung zur Fachkräftesicherung für kleine Betriebe in der Region.")
    schedule = Schedule.objects.create(network=net, provider=prov, title="Test-Sprechstunde",
        format="vor_ort", slot_minutes=30, buffer_minutes=0, min_notice_minutes=0,
        horizon_days=14, capacity=1000)
    for weekday in range(7):
        WeeklyRule.objects.create(network=net, schedule=schedule, weekday=weekday,
            start_time=wall(0, 0), end_time=wall(23, 30))
    with network_scope(net):
        keys = [slot.key for slot in queries.free_slots([schedule], limit=88)][48:]
print(json.dumps({"code": schedule.code, "keys": keys}))
"""

RETITLE = """
import json, time
from django_scopes import scopes_disabled
from anlaufstelle.directory.models import Offer
with scopes_disabled():
    offer = Offer.objects.get(network__slug="deploytest", slug="{slug}")
    offer.title = "{title}"
    offer.save()
print(json.dumps({{"saved_at": time.time()}}))
"""

TASK_WORKERS = """
import json
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.filter(status="SUCCESSFUL", task_path__endswith="update_document")
print(json.dumps({"workers": sorted({w for r in rows for w in (r.worker_ids or [])})}))
"""

ENQUEUE = """
import json
from django_scopes import scopes_disabled
from anlaufstelle.directory.models import Offer
from anlaufstelle.search.tasks import update_document
with scopes_disabled():
    offers = list(Offer.objects.filter(network__slug="deploytest"))
ids = [str(update_document.enqueue("offer", o.pk, o.network_id, f"offer:{o.slug}").id)
       for _ in range(3) for o in offers]
print(json.dumps({"ids": ids}))
"""

TASK_STATES = """
import json
from collections import Counter
from django_tasks_db.models import DBTaskResult
ids = {ids!r}
rows = DBTaskResult.objects.filter(id__in=ids)
print(json.dumps({{"states": dict(Counter(r.status for r in rows)), "found": rows.count(),
    "running_on": [w for r in rows if r.status == "RUNNING" for w in r.worker_ids]}}))
"""

COUNTS = """
import json
from django_scopes import scopes_disabled
from anlaufstelle.booking.models import Booking
from anlaufstelle.directory.models import Offer
from anlaufstelle.search.models import SearchDocument
from django_tasks_db.models import DBTaskResult
with scopes_disabled():
    print(json.dumps({"bookings": Booking.objects.count(),
        "names": sorted(Booking.objects.values_list("name", flat=True)),
        "offers": Offer.objects.count(), "documents": SearchDocument.objects.count(),
        "tasks": DBTaskResult.objects.count()}))
"""


def search_finds(client: Client, word: str) -> bool:
    status, page, _ = client.request(f"/n/{NETWORK}/suche/?q={urllib.parse.quote(word)}")
    return status == 200 and word in page


def wait_until(predicate, limit: float, step: float = 0.05) -> float | None:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            if predicate():
                return time.monotonic() - start
        except OSError:  # a server still starting refuses the connection
            pass
        time.sleep(step)
    return None


def retitle(slug: str, title: str) -> float:
    return float(shell(RETITLE.format(slug=slug, title=title))["saved_at"])


def step_booking_across_servers(code: str, key: str) -> str:
    one, two = Client(WEB_PORTS[0]), Client(WEB_PORTS[1])
    status, location = one.book(code, key, "Anna Querschnitt")
    check(
        status == 302 and "/termin/" in location, f"booking through app server 1 answered {status}"
    )
    path = urllib.parse.urlsplit(location).path
    code = path.split("/termin/", 1)[1].split("/")[0] if "/termin/" in path else "?"
    seen_status, page, _ = two.request(path)
    check(
        seen_status == 200 and f"<dd>{code}</dd>" in page and "pruefung@example.org" in page,
        f"app server 2 shows the booking made through app server 1 ({seen_status})",
    )
    return urllib.parse.urlsplit(location).path


def warm_up() -> None:
    """Load the embedding model in every worker and app server process before measuring."""
    clients = [Client(port) for port in WEB_PORTS for _ in range(3)]
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(lambda c: search_finds(c, "Beratung"), clients))
    workers: set[str] = set()
    for round_ in range(12):
        word = f"Aufwaermrunde{round_}"
        retitle(f"angebot-{round_ % 6}", f"{word} Beratung")
        if wait_until(lambda w=word: search_finds(Client(WEB_PORTS[0]), w), 120) is None:
            raise SystemExit("prod-test: the index update of the warm-up never became searchable")
        workers = set(shell(TASK_WORKERS)["workers"])
        if len(workers) >= 2:
            break
    say(f"warm: both app servers, task workers {sorted(workers)}")


def step_index_update() -> None:
    word = "Zwergpinguin" + secrets.token_hex(3)
    saved_at = retitle("angebot-7", f"{word} Beratung zur Fachkräftesicherung")
    seen: dict[int, float] = {}
    deadline = saved_at + 30
    while time.time() < deadline and len(seen) < len(WEB_PORTS):
        for port in WEB_PORTS:
            if port not in seen and search_finds(Client(port), word):
                seen[port] = time.time() - saved_at
        time.sleep(0.05)
    slowest = max(seen.values()) if len(seen) == len(WEB_PORTS) else float("inf")
    check(
        slowest <= INDEX_LIMIT_S,
        "index update by a worker searchable through both app servers after "
        + ", ".join(f"{p}: {s:.2f} s" for p, s in sorted(seen.items()))
        + f" (limit {INDEX_LIMIT_S} s)",
    )


def step_kill_app_server(code: str, keys: list[str]) -> list[str]:
    """Bookings stream through nginx while app server 1 is killed; none acknowledged is lost."""
    acknowledged: list[str] = []
    refused: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10**6))

    def visitor() -> None:
        client = Client()
        while not stop.is_set():
            n = next(counter)
            name = f"Stress {n}"
            try:
                status, location = client.book(code, keys[n % len(keys)], name)
            except OSError:
                status, location = -1, ""
            with lock:
                if status == 302 and "/termin/" in location:
                    acknowledged.append(name)
                else:
                    refused.append(status)

    threads = [threading.Thread(target=visitor) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    before = len(acknowledged)
    kill_hard("web-1")
    time.sleep(6)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    stored = set(shell(COUNTS)["names"])
    lost = [name for name in acknowledged if name not in stored]
    check(
        not lost and len(acknowledged) > before > 0,
        f"app server 1 killed under load: {len(acknowledged)} bookings acknowledged "
        f"({before} before the kill), {len(lost)} of them lost, "
        f"{len(refused)} not acknowledged {sorted(set(refused))}",
    )
    prod("start")
    check(
        wait_until(lambda: Client(WEB_PORTS[0]).request("/healthz")[0] == 200, 60) is not None,
        "app server 1 started again",
    )
    return acknowledged


def running_on_worker_1(ids: list[str]) -> list[str]:
    """Ids among `ids` that worker 1 runs right now (read straight from the queue table)."""
    url = DB_URL.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id::text, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' AND id::text = ANY(%s)",
            (ids,),
        ).fetchall()
    return [row[0] for row in rows if row[1] and str(row[1][-1]).endswith("-prod-1")]


def step_kill_worker() -> None:
    """Worker 1 is killed while it runs a task; that task and all others still get done."""
    ids: list[str] = []
    victim: list[str] = []

    def caught() -> bool:
        victim.extend(running_on_worker_1(ids))
        return bool(victim)

    # On a busy machine worker 2 may take a whole batch before worker 1 polls the queue
    # (CI once saw it): up to three batches, 20 s each.
    for _ in range(3):
        ids += shell(ENQUEUE)["ids"]
        if wait_until(caught, 20, step=0.01) is not None:
            break
    else:
        check(False, "worker 1 never ran one of the enqueued tasks")
        return
    kill_hard("worker-1")
    # The scheduler does this every 5 minutes; the test runs the same command sooner.
    done = None
    start = time.monotonic()
    while time.monotonic() - start < 90:
        time.sleep(2)
        prod("manage", "requeue_stale_tasks")
        state = shell(TASK_STATES.format(ids=ids))
        if state["states"].get("SUCCESSFUL", 0) == len(ids):
            done = time.monotonic() - start
            break
    check(
        done is not None,
        f"worker 1 killed (SIGKILL) while running task {victim[0][:8]}: it was queued again "
        f"and all {len(ids)} tasks were done by the other worker ({state['states']})",
    )
    prod("start")


def step_restart(booking_path: str, before: dict) -> None:
    prod("down", timeout=200)
    check(not running(), "everything stopped (no process of a pid file left)")
    prod("start", timeout=200)
    ok = wait_until(lambda: Client().request("/healthz")[0] == 200, 90)
    check(ok is not None, "everything started again and nginx answers")
    after = shell(COUNTS)
    same = {k: (before[k], after[k]) for k in ("bookings", "offers", "documents")}
    check(
        before["names"] == after["names"] and all(a == b for a, b in same.values()),
        f"after the restart the data are all there: {same}",
    )
    status, page, _ = Client().request(booking_path)
    code = booking_path.split("/termin/", 1)[1].split("/")[0]
    check(status == 200 and f"<dd>{code}</dd>" in page, "the first booking opens through nginx")


def main() -> int:
    started = time.monotonic()
    if running():
        say("a deployment runs already (var/prod/run/*.pid): `make prod-down` first")
        return 1
    write_env()
    fresh_database()
    try:
        say("bringing the deployment up on a fresh database ...")
        prod("up")
        say(f"up after {time.monotonic() - started:.0f} s")
        seed = shell(SEED)
        warm_up()
        booking_path = step_booking_across_servers(seed["code"], seed["keys"][0])
        step_index_update()
        step_kill_app_server(seed["code"], seed["keys"][1:])
        step_kill_worker()
        step_restart(booking_path, shell(COUNTS))
    finally:
        prod("down", timeout=200)
    say(f"{'FAILED' if failures else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
