"""Direct chat throughput and delivery latency against a plain WebSocket echo (not part of
`make test`).

    uv run python benchmarks/chat.py [--clients 200] [--seconds 20] [--layer memory|redis]

Starts ONE uvicorn process with the site's ASGI application on a scratch SQLite database
(var/chat-bench.sqlite3; or --database-url) and the echo consumer switched on
(CHAT_BENCH_ECHO), then, from this process, opens `--clients` WebSockets:

- baseline: every client talks to /ws/echo/, sending a frame and waiting for it to come
  back (closed loop);
- chat: the clients are pairs (the company's socket and a navigator's socket of one
  concern); the two sides take turns, each message is stored (cases.Message, timeline,
  read mark), sent through the channel layer and rendered for both sockets; latency is
  from send to arrival on the OTHER side.

Both phases run for `--seconds`; printed is one JSON object with messages per second and
p50/p95 latency of both, and the ratios. The chat's rate limit is switched off for the
run (RATE_LIMIT_CHAT=""), since 200 clients from one address would hit it by design.
Client and server share the machine's cores: the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(pairs: int) -> tuple[list[tuple[str, str]], str]:
    """Migrate the scratch database; one network, a navigator, `pairs` concerns.

    Returns (company path, staff path) per concern and the navigator's session cookie.
    """
    import django
    from django.core.management import call_command

    django.setup()
    from django.test import Client
    from django_scopes import scopes_disabled

    from anlaufstelle.cases import links
    from anlaufstelle.cases import services as case_services
    from anlaufstelle.networks.models import Network, Role, User

    call_command("migrate", verbosity=0)
    with scopes_disabled(), case_services.silenced():
        network, _ = Network.objects.get_or_create(
            slug="bench", defaults={"name": "Benchmark-Netzwerk", "bundesland": "MV"}
        )
        navigator, _ = User.objects.get_or_create(
            email="lotse@bench.example",
            defaults={"network": network, "role": Role.NAVIGATOR, "is_staff": True},
        )
        routes = []
        for index in range(pairs):
            concern = case_services.submit_concern(
                network=network,
                text=f"Benchmark-Anliegen Nummer {index} mit etwas Text.",
                contact_name="Bench",
                email=f"bench{index}@bench.example",
                consent=True,
            )
            token = links.make_token(concern)
            routes.append(
                (
                    f"/ws/n/bench/anliegen/status/{concern.code}/{token}/chat/",
                    f"/ws/n/bench/anliegen/team/{concern.code}/chat/",
                )
            )
    client = Client()
    client.force_login(navigator)
    return routes, client.cookies["sessionid"].value


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "anlaufstelle.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
        "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        "--timeout-graceful-shutdown", "10",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603 (our own command line)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("uvicorn did not start")


async def echo_phase(url: str, clients: int, seconds: float) -> list[float]:
    import websockets

    latencies: list[float] = []
    origin = url.replace("ws://", "http://").split("/ws/")[0]
    sockets = [
        await websockets.connect(url, origin=origin, open_timeout=60) for _ in range(clients)
    ]
    stop = time.monotonic() + seconds

    async def loop(ws: object) -> None:
        n = 0
        while time.monotonic() < stop:
            sent = time.monotonic()
            await ws.send(json.dumps({"type": "send", "body": f"echo {n}"}))  # type: ignore[attr-defined]
            await ws.recv()  # type: ignore[attr-defined]
            latencies.append(time.monotonic() - sent)
            n += 1

    await asyncio.gather(*(loop(ws) for ws in sockets))
    for ws in sockets:
        await ws.close()
    return latencies


async def chat_phase(
    base: str, routes: list[tuple[str, str]], cookie: str, seconds: float
) -> list[float]:
    import websockets

    latencies: list[float] = []
    origin = base.replace("ws://", "http://")
    gate = asyncio.Semaphore(10)

    async def messages_of(ws: object) -> dict:
        while True:
            event = json.loads(await ws.recv())  # type: ignore[attr-defined]
            if event.get("type") == "message":
                return event
            if event.get("type") == "error":
                raise RuntimeError(event["message"])

    async def open_pair(company_path: str, staff_path: str) -> tuple[object, object]:
        # Each handshake checks a signed link or a session in the database: open them
        # ten at a time before the clock starts, as users arrive over minutes, not at once.
        async with gate:
            company = await websockets.connect(base + company_path, origin=origin, open_timeout=60)
            staff = await websockets.connect(
                base + staff_path,
                origin=origin,
                open_timeout=60,
                additional_headers={"Cookie": f"sessionid={cookie}"},
            )
        return company, staff

    pairs = await asyncio.gather(*(open_pair(c, s) for c, s in routes))
    stop = time.monotonic() + seconds

    async def talk(company: object, staff: object) -> None:
        sides = [(company, staff), (staff, company)]
        n = 0
        while time.monotonic() < stop:
            sender, receiver = sides[n % 2]
            sent = time.monotonic()
            await sender.send(json.dumps({"type": "send", "body": f"Nachricht {n}"}))  # type: ignore[attr-defined]
            await messages_of(receiver)
            latencies.append(time.monotonic() - sent)
            await messages_of(sender)  # the sender's own copy
            n += 1

    await asyncio.gather(*(talk(c, s) for c, s in pairs))
    for company, staff in pairs:
        await company.close()  # type: ignore[attr-defined]
        await staff.close()  # type: ignore[attr-defined]
    return latencies


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    return {
        "messages": len(latencies),
        "messages_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var/chat-bench.sqlite3'}")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anlaufstelle.settings",
        "DATABASE_URL": args.database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "CHAT_BENCH_ECHO": "true",
        "RATE_LIMIT_CHAT": "",
        "SEARCH_AUTO_INDEX": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("REDIS_URL", None)
    if args.layer == "redis":
        env["REDIS_URL"] = args.redis_url
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    routes, cookie = prepare(args.clients // 2)
    port = free_port()
    server = start_server(port, env)
    base = f"ws://127.0.0.1:{port}"
    try:
        echo = asyncio.run(echo_phase(base + "/ws/echo/", args.clients, args.seconds))
        chat = asyncio.run(chat_phase(base, routes, cookie, args.seconds))
    finally:
        # With the Redis layer uvicorn waited for ever on its consumers' channel receives
        # after the sockets were closed (and the figures were lost): bounded stop, then kill.
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "layer": args.layer,
        "database": args.database_url.split(":", 1)[0],
        "echo": summary(echo, args.seconds),
        "chat": summary(chat, args.seconds),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    result["ratio"] = {
        "throughput_chat_over_echo": round(
            result["chat"]["messages_per_s"] / result["echo"]["messages_per_s"], 3
        ),
        "p95_chat_over_echo": round(result["chat"]["p95_ms"] / result["echo"]["p95_ms"], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
