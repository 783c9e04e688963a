"""Django's Redis cache, but a Redis outage slows the site down instead of breaking it.

The cache holds throttling counters only (sign-ins, public forms). When Redis cannot be
reached, every operation answers as an empty cache would and logs a warning: staff can
still sign in (without throttling, with the second factor as before) and no page is a
500. settings.CACHES uses this backend whenever REDIS_URL is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrade(fallback: Callable[..., Any]) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        @wraps(method)
        def guarded(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                log.warning(
                    "cache unreachable, continuing without it",
                    extra={"operation": method.__name__, "error": type(exc).__name__},
                )
                return fallback(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def _missing_key(key: Any, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"Key {key!r} not found (cache unreachable)")


class ResilientRedisCache(RedisCache):
    """RedisCache whose operations fall back to "empty cache" answers when Redis is down."""

    get = _degrade(lambda key, default=None, *a, **k: default)(RedisCache.get)
    get_many = _degrade(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrade(lambda *a, **k: False)(RedisCache.has_key)
    # "Stored": callers that take a lock with add() go on as if they held it.
    add = _degrade(lambda *a, **k: True)(RedisCache.add)
    set = _degrade(lambda *a, **k: None)(RedisCache.set)
    set_many = _degrade(lambda *a, **k: [])(RedisCache.set_many)
    touch = _degrade(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrade(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _degrade(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _degrade(_missing_key)(RedisCache.incr)
    clear = _degrade(lambda *a, **k: False)(RedisCache.clear)
