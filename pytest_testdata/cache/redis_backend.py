"""The shared backend: Redis through redis-py, behind bounded timeouts and a circuit breaker.

Shared by xdist workers, CLI runs and agent replicas. Results are JSON (never pickle: the bytes come
from another process). Pools are Redis lists; a Lua script takes ``count`` items all-or-none in one
atomic step, so two takers can never receive the same record. A refill claim (``SET NX EX``) keeps
many workers from filling the same pool at once.

Every call is guarded: a Redis that is down or slow costs at most the socket timeout, after which the
breaker skips it (logging once) until a trial call succeeds again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from pytest_testdata.cache.breaker import CircuitBreaker
from pytest_testdata.cache.codec import (
    Codec,
    CorruptEntry,
    JsonCodec,
    PoolItem,
    decode_pool_item,
    encode_pool_item,
)
from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.masking import mask_url

log = logging.getLogger("pytest_testdata.cache")
T = TypeVar("T")

# Takes ARGV[1] items from the head of KEYS[1] if at least that many are there: {left, items}; else {left}.
TAKE_SCRIPT = """
local n = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[1])
if len < n then return {len} end
local items = redis.call('LRANGE', KEYS[1], 0, n - 1)
redis.call('LTRIM', KEYS[1], n, -1)
return {len - n, items}
"""


class RedisBackend:
    """Results and pools in Redis under ``prefix``; ``ttl`` seconds (0: no expiry) on everything."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "testdata", ttl: int = 3600,
                 connect_timeout: float = 0.25, timeout: float = 0.5, cooldown: float = 5.0) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:
            raise MissingDependencyError("redis", "redis", "The Redis cache (REDIS_URL)") from None
        self.url = url
        self.prefix = prefix
        self.ttl = ttl
        self.codec: Codec = JsonCodec()
        self.breaker = CircuitBreaker(f"Redis at {mask_url(url)}", cooldown=cooldown)
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        # One immediate retry (no backoff) lets a pooled connection that died with a restarted server be
        # replaced transparently; anything more is the breaker's job, so worst case is 2 x timeout.
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=connect_timeout, socket_timeout=timeout,
            retry=Retry(NoBackoff(), 1), health_check_interval=0,
        )
        self._take = self.client.register_script(TAKE_SCRIPT)

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}:{kind}:{key}"

    def _call(self, op: Callable[[], T], default: T) -> T:
        ticket = self.breaker.allow()
        if ticket is None:
            return default
        try:
            value = op()
        except Exception as exc:  # redis errors, socket errors, anything: the cache must never fail a request
            self.breaker.failure(ticket, exc)
            return default
        self.breaker.success(ticket)
        return value

    def get(self, key: str) -> bytes | None:
        value = self._call(lambda: self.client.get(self._key("r", key)), None)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self._call(lambda: self.client.set(self._key("r", key), value, ex=self.ttl or None), None)

    def delete(self, key: str) -> None:
        self._call(lambda: self.client.delete(self._key("r", key)), None)

    def pool_take(self, key: str, count: int) -> tuple[list[PoolItem] | None, int]:
        reply = self._call(lambda: self._take(keys=[self._key("p", key)], args=[count]), None)
        if not isinstance(reply, list) or not reply:
            return None, 0
        left = int(reply[0])
        if len(reply) < 2:
            return None, left
        items: list[PoolItem] = []
        for raw in reply[1]:
            try:
                items.append(decode_pool_item(raw))
            except CorruptEntry as exc:
                log.debug("testdata cache: dropped a corrupt item of pool %s: %s", key, exc)
        if len(items) < count:
            return None, left  # corrupt items were removed with the good ones; the caller generates fresh
        return items, left

    def pool_put(self, key: str, items: list[PoolItem]) -> int:
        name = self._key("p", key)
        payload = [encode_pool_item(item) for item in items]

        def push() -> int:
            pipe = self.client.pipeline(transaction=True)
            pipe.rpush(name, *payload)
            if self.ttl:
                pipe.expire(name, self.ttl)
            return int(pipe.execute()[0])

        return self._call(push, 0) if payload else self.pool_length(key)

    def pool_length(self, key: str) -> int:
        return int(self._call(lambda: self.client.llen(self._key("p", key)), 0))

    def claim_refill(self, key: str, seconds: float) -> bool:
        claimed = self._call(
            lambda: self.client.set(self._key("fill", key), b"1", nx=True, px=max(1, int(seconds * 1000))),
            None)
        return bool(claimed)

    def release_refill(self, key: str) -> None:
        self._call(lambda: self.client.delete(self._key("fill", key)), None)

    def describe(self) -> str:
        return f"redis at {mask_url(self.url)} (prefix {self.prefix!r}, ttl {self.ttl or 'none'})"

    def health(self) -> dict[str, Any]:
        self._call(self.client.ping, False)  # a live check, unless the breaker says Redis is down
        state = self.breaker.state
        out: dict[str, Any] = {"backend": self.name, "url": mask_url(self.url),
                               "status": "ok" if state == "closed" else "degraded", "breaker": state,
                               "outages": self.breaker.opened}
        if state != "closed" and self.breaker.last_error:
            out["error"] = self.breaker.last_error
        return out

    def close(self) -> None:
        with contextlib.suppress(*self._errors):  # closing a dead connection
            self.client.close()
