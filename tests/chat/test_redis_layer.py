"""The Redis channel layer as settings.py builds it for REDIS_URL (docs/chat.md).

redis-py >= 6 gives channels_redis a pool of 100 connections that raises "Too many
connections" when exhausted and a 5 s read timeout, the same as channels_redis' 5 s
BZPOPMIN: the chat benchmark with 200 sockets in one process aborted on both. These tests
drive the real layer against the local Redis (database 9, only this test's prefix).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from typing import Any

import pytest

from fresh_settings import setting_for_env

REDIS_URL = "redis://127.0.0.1:6379/9"


def redis_layer_config() -> dict[str, Any]:
    """settings.CHANNEL_LAYERS["default"] for REDIS_URL (read in a subprocess)."""
    return setting_for_env("CHANNEL_LAYERS", {"REDIS_URL": REDIS_URL})["default"]


@pytest.fixture
def layer() -> Any:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError:
        message = "Redis is not running on 127.0.0.1:6379 (start it: make services-redis)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from channels_redis.core import RedisChannelLayer

    config = redis_layer_config()
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    options = dict(config["CONFIG"])
    options["prefix"] = f"test-{uuid.uuid4().hex[:8]}:"  # never the site's keys
    return RedisChannelLayer(**options)


def test_the_layer_carries_pool_and_timeout_options() -> None:
    (host,) = redis_layer_config()["CONFIG"]["hosts"]
    assert host["address"] == REDIS_URL
    assert host["max_connections"] >= 500
    # Longer than channels_redis' blocking receive (RedisChannelLayer.brpop_timeout, 5 s).
    assert host["socket_timeout"] > 5


def test_many_sockets_join_and_leave_at_once(layer: Any) -> None:
    """300 consumers of one process joining, hearing and leaving a group at the same time
    (the benchmark's 200 sockets closing): no "Too many connections"."""

    async def run() -> int:
        names = [await layer.new_channel() for _ in range(300)]
        await asyncio.gather(*(layer.group_add("crowd", name) for name in names))
        await layer.group_send("crowd", {"type": "chat.message", "n": 1})
        received = await asyncio.gather(*(layer.receive(name) for name in names))
        await asyncio.gather(*(layer.group_discard("crowd", name) for name in names))
        await layer.flush()
        return sum(1 for message in received if message["n"] == 1)

    assert asyncio.run(run()) == 300


def test_an_idle_receive_outlasts_the_blocking_pop(layer: Any) -> None:
    """A consumer that hears nothing for longer than one BZPOPMIN round (5 s) still gets
    the next message (with a 5 s socket timeout it died with "Timeout reading")."""

    async def run() -> dict:
        name = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(name))
        await asyncio.sleep(layer.brpop_timeout + 1.5)
        await layer.send(name, {"type": "chat.message", "n": 2})
        message = await asyncio.wait_for(waiting, timeout=10)
        await layer.flush()
        return message

    assert asyncio.run(run())["n"] == 2
