"""Django's Redis cache, but a Redis outage reads as misses instead of failing the request.

Nothing the portal keeps in the cache is the only copy: sessions live in the database (the
cache only speeds their reads), the rest is recomputed on a miss. So while Redis is down, or
restarting, reads return the default, writes are dropped, and one warning is logged every
`WARN_EVERY` seconds; pages keep working, a little slower, and /readyz reports the cache down.
The short socket timeouts in settings keep an unreachable Redis from stalling a request.

Also here: generations, the way every instance forgets a family of cached values at once
(the lists' copies, the navigation's alert count) without finding and deleting each key.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WARN_EVERY = 10.0
_warned_at = 0.0
_warn_lock = threading.Lock()


def _tolerant[T](fallback: T, operation: Callable[..., T], *args: Any) -> T:
    try:
        return operation(*args)
    except RedisError as error:
        _warn(error)
        return fallback


def _warn(error: RedisError) -> None:
    global _warned_at
    with _warn_lock:
        if time.monotonic() - _warned_at < WARN_EVERY:
            return
        _warned_at = time.monotonic()
    logger.warning("Redis is unavailable (%s); serving without the cache.", type(error).__name__)


class _ResilientClient(RedisCacheClient):
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return _tolerant(False, super().add, key, value, timeout)

    def get(self, key: Any, default: Any) -> Any:
        return _tolerant(default, super().get, key, default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        _tolerant(None, super().set, key, value, timeout)

    def touch(self, key: Any, timeout: Any) -> bool:
        return _tolerant(False, super().touch, key, timeout)

    def delete(self, key: Any) -> bool:
        return _tolerant(False, super().delete, key)

    def get_many(self, keys: Any) -> dict:
        return _tolerant({}, super().get_many, keys)

    def has_key(self, key: Any) -> bool:
        return _tolerant(False, super().has_key, key)

    def set_many(self, data: Any, timeout: Any) -> None:
        _tolerant(None, super().set_many, data, timeout)

    def delete_many(self, keys: Any) -> None:
        _tolerant(None, super().delete_many, keys)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ResilientClient

    def ping(self) -> None:
        """Raise `RedisError` unless Redis answers (for /readyz, which must see the outage)."""
        self._cache.get_client(write=True).ping()


def current_generation(key: str) -> str:
    """The current generation named by `key`, for the keys of the values made in it."""
    if (current := cache.get(key)) is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)  # the first of racing instances wins
        current = cache.get(key)
    # Without a cache answer (Redis down) a fresh generation matches nothing: every read misses.
    return current or uuid.uuid4().hex


def next_generation(key: str) -> None:
    """Start a new generation: nothing kept under an earlier one is read again. A new random
    name, not an increment, so no instance can come back to an old generation."""
    cache.set(key, uuid.uuid4().hex, timeout=None)
