"""Result cache and data pools: in-process by default, Redis to share across workers, runs and replicas.

:func:`build_cache` turns settings (the plugin's, the agent's, or a plain mapping) into the cache the
engine takes (``Engine(cache=...)``), or None when caching is switched off. Importing this package does
not import ``redis``; only :mod:`pytest_testdata.cache.redis_backend` does, when a Redis URL is used.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from pytest_testdata.cache.codec import CorruptEntry, PoolItem
from pytest_testdata.cache.keys import pool_key, result_key
from pytest_testdata.cache.layer import CacheStats, TestdataCache
from pytest_testdata.cache.memory import MemoryBackend
from pytest_testdata.config import OPTION_BY_NAME, parse_value
from pytest_testdata.errors import MissingDependencyError, TestdataUsageError

log = logging.getLogger("pytest_testdata.cache")

__all__ = ["CacheStats", "CorruptEntry", "MemoryBackend", "PoolItem", "TestdataCache", "build_cache",
           "pool_key", "result_key"]


class SettingsLike(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...


def _setting(settings: SettingsLike, name: str) -> Any:
    option = OPTION_BY_NAME[name]
    raw = settings.get(name, None)
    if raw is None or raw == "":
        return option.default
    return parse_value(option, raw, f"setting {name}")


def _at_least(name: str, value: int, minimum: int, fix: str) -> int:
    if value < minimum:
        flag = OPTION_BY_NAME[name].flag
        raise TestdataUsageError(
            f"{flag} ({name}): {value!r} is not allowed; it must be {minimum} or more. {fix}"
        )
    return value


def build_cache(settings: SettingsLike, *, memory_by_default: bool = True) -> TestdataCache | None:
    """The cache for these settings (a :class:`~pytest_testdata.config.Settings` or any mapping).

    ``memory_by_default=False`` makes ``auto`` without a Redis URL mean no cache: the pytest plugin
    passes it, because every call there gets its own derived seed, so an in-process cache would never
    be hit and would only cost a key and a copy per call. The agent and the API keep the default.

    Reads ``cache`` (auto | memory | redis | none), ``redis_url``, ``cache_ttl``, ``cache_prefix``,
    ``cache_max_mb`` and ``pool_size`` by their option names; values may be raw strings or parsed. Never
    reads the environment: build the settings with :func:`pytest_testdata.config.resolve` (the plugin's
    ``TESTDATA_*`` names) or, in the agent, from :func:`pytest_testdata.config.service_environment`.
    Raises :class:`TestdataUsageError` for a bad value. Never contacts Redis here: a Redis that is down
    only makes requests miss the cache later.
    """
    # Every value is checked whichever backend is chosen: a typo is reported, never silently ignored.
    mode = _setting(settings, "cache")
    url = _setting(settings, "redis_url")
    pool_size = _at_least("pool_size", _setting(settings, "pool_size"), 0, "Use 0 to switch pools off.")
    ttl = _at_least("cache_ttl", _setting(settings, "cache_ttl"), 0, "Use 0 for entries that never expire.")
    max_mb = _at_least("cache_max_mb", _setting(settings, "cache_max_mb"), 1,
                       "For no cache at all, use --testdata-cache none.")
    prefix = str(_setting(settings, "cache_prefix"))
    if mode == "none" or (mode == "auto" and not url and not memory_by_default):
        return None
    if mode == "redis" and not url:
        raise TestdataUsageError(
            "--testdata-cache redis (cache): no Redis URL is set. Set --testdata-redis-url (ini "
            "testdata_redis_url, TESTDATA_REDIS_URL; the agent reads REDIS_URL), for example "
            "redis://localhost:6379/0, or use --testdata-cache memory."
        )
    if mode == "memory" or (mode == "auto" and not url):
        return TestdataCache(MemoryBackend(max_bytes=max_mb * 1024 * 1024), pool_size=pool_size)
    from pytest_testdata.cache.redis_backend import RedisBackend

    try:
        backend = RedisBackend(str(url), prefix=prefix, ttl=ttl)
    except MissingDependencyError as exc:
        if mode == "redis":
            raise
        # auto: a Redis URL set for the agent must not break a service whose image lacks the client;
        # say what happened and keep the in-process cache.
        log.warning("testdata cache: %s Using the in-process cache instead (--testdata-cache memory, or "
                    "TESTDATA_CACHE=memory for the agent, silences this).", exc)
        return TestdataCache(MemoryBackend(max_bytes=max_mb * 1024 * 1024), pool_size=pool_size)
    except ValueError as exc:
        raise TestdataUsageError(
            f"--testdata-redis-url (redis_url, TESTDATA_REDIS_URL): {url!r} is not a Redis URL ({exc}). "
            "Use redis://HOST:PORT/DB, rediss:// for TLS, or unix:///path/to/socket."
        ) from None
    return TestdataCache(backend, pool_size=pool_size)
