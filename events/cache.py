"""A Redis cache that steps aside when Redis is down: the site serves uncached instead of failing."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)

# After a failure, Redis is not asked again for this long, so that an outage does not add a connection
# timeout to every request; then one request tries again.
RETRY_AFTER_SECONDS = 5.0


class _Outage:
    """Process-wide memory of the last failure (each thread has its own cache object, they share this)."""

    down_until = 0.0

    @classmethod
    def is_down(cls) -> bool:
        return time.monotonic() < cls.down_until

    @classmethod
    def start(cls, exc: Exception) -> None:
        if not cls.is_down():
            logger.warning("Redis unavailable, serving without the cache for now: %s", exc)
        cls.down_until = time.monotonic() + RETRY_AFTER_SECONDS

    @classmethod
    def reset(cls) -> None:
        cls.down_until = 0.0


def _guarded(method_name: str, fallback):
    def method(self, *args, **kwargs):
        if _Outage.is_down():
            return fallback(*args, **kwargs)
        try:
            return getattr(super(ResilientRedisCacheClient, self), method_name)(*args, **kwargs)
        except REDIS_DOWN as exc:
            _Outage.start(exc)
            return fallback(*args, **kwargs)

    method.__name__ = method_name
    return method


def _missing_key(key, delta):
    # What Django's caches raise for a key that is not there; callers already handle it.
    raise ValueError(f"Key {key!r} not found.")


class ResilientRedisCacheClient(RedisCacheClient):
    """Connection failures read as misses; and one ``redis.Redis`` object per pool is reused.

    Django builds a new ``redis.Redis`` for every command, and each one copies a table of some 170 response
    callbacks: about 0.15 ms per cache call, as much as a whole cached page costs otherwise. The object
    holds no connection of its own (the pool does), so sharing it between threads is safe.
    """

    def get_client(self, key=None, *, write=False):
        clients = self.__dict__.setdefault("_clients", {})
        pool = self._get_connection_pool(write)
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = _guarded("add", lambda key, value, timeout: False)
    get = _guarded("get", lambda key, default: default)
    set = _guarded("set", lambda key, value, timeout: None)
    touch = _guarded("touch", lambda key, timeout: False)
    delete = _guarded("delete", lambda key: False)
    get_many = _guarded("get_many", lambda keys: {})
    has_key = _guarded("has_key", lambda key: False)
    incr = _guarded("incr", _missing_key)
    set_many = _guarded("set_many", lambda data, timeout: None)
    delete_many = _guarded("delete_many", lambda keys: None)
    clear = _guarded("clear", lambda: False)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, except that connection failures and timeouts read as cache misses."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
