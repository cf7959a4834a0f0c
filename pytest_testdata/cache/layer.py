"""The cache the engine talks to: results by key, and data pools, over one backend (memory or Redis)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from pytest_testdata.cache.backend import Backend
from pytest_testdata.cache.codec import CorruptEntry, OtherForm, PoolItem
from pytest_testdata.cache.keys import pool_key
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import random_seed
from pytest_testdata.types import EncodedResult, GenerationRequest, GenerationResult, records_json

log = logging.getLogger("pytest_testdata.cache")
T = TypeVar("T")

Refill = Callable[[int, int], list[PoolItem]]
"""``refill(count, seed)``: the engine's fresh, validated records (with scores) for a pool."""

MAX_CACHED_RECORDS = 10_000
"""Results larger than this are not cached: encoding them costs a noticeable share of generating them,
and bulk data is the traditional path's job (and the pools')."""
REFILL_BATCH = 500
CLAIM_SECONDS = 60.0


@dataclass
class CacheStats:
    """Counters for logs, health checks and the agent's metrics."""

    hits: int = 0
    misses: int = 0
    stores: int = 0
    not_stored: int = 0
    corrupt: int = 0
    pool_hits: int = 0
    pool_misses: int = 0
    pool_records: int = 0
    refilled_records: int = 0


class TestdataCache:
    """Implements the engine's ``ResultCache``: ``lookup``/``store`` by key and ``take_pooled``.

    ``pool_size`` is the number of records each pool is kept at (0 turns pools off). A pool is refilled
    in a background thread when a take leaves it under half full or finds it too short; a request that
    finds the pool too short is generated fresh at once, never made to wait.
    """

    __test__ = False

    def __init__(self, backend: Backend, *, pool_size: int = 0,
                 max_cached_records: int = MAX_CACHED_RECORDS, refill_batch: int = REFILL_BATCH) -> None:
        self.backend = backend
        self.pool_size = pool_size
        self.max_cached_records = max_cached_records
        self.refill_batch = refill_batch
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._filling: set[str] = set()
        self._threads: list[threading.Thread] = []

    # results ---------------------------------------------------------------------------------------
    def lookup(self, key: str, schema: Schema) -> GenerationResult | None:
        """The cached result for ``key``; None on a miss, a corrupt or incompatible entry, or a dead store."""
        return self._lookup(key, schema, self.backend.codec.decode)

    def lookup_encoded(self, key: str, schema: Schema) -> EncodedResult | None:
        """Like :meth:`lookup`, with the records in their wire form (:func:`records_json`)."""
        decode = getattr(self.backend.codec, "decode_encoded", None)
        if decode is None:  # a shared store keeps the records form only (every reader can use it)
            result = self.lookup(key, schema)
            return None if result is None else EncodedResult(result.metadata, records_json(result.records))
        return self._lookup(key, schema, decode)

    def _lookup(self, key: str, schema: Schema, decode: Callable[[bytes, Schema], T]) -> T | None:
        raw = self.backend.get(key)
        if raw is None:
            self._count("misses")
            return None
        try:
            result = decode(raw, schema)
        except OtherForm:
            self._count("misses")  # the caller generates, and its store replaces the entry
            return None
        except CorruptEntry as exc:
            self._discard(key, str(exc))
            return None
        except Exception as exc:  # anything odd in stored bytes is a miss, never a failed request
            self._discard(key, f"{type(exc).__name__}: {exc}")
            return None
        self._count("hits")
        return result

    def _discard(self, key: str, why: str) -> None:
        log.info("testdata cache: ignoring cached entry %s (%s); it will be regenerated and replaced",
                 key, why)
        self._count("corrupt")
        self._count("misses")
        self.backend.delete(key)

    def store(self, key: str, schema: Schema, result: GenerationResult) -> None:
        """Keep ``result`` under ``key`` unless it is too large or not plain data."""
        if result.metadata.count > self.max_cached_records:
            self._count("not_stored")
            return
        self._store(key, lambda: self.backend.codec.encode(schema, result))

    def store_encoded(self, key: str, schema: Schema, result: GenerationResult, encoded: EncodedResult) -> None:
        """Like :meth:`store`, for a caller that has the records' wire form too (``encoded``).

        The in-process store keeps that form (the metadata and one string: no copy of the records to make);
        a shared store keeps the records form, which every reader can use.
        """
        if result.metadata.count > self.max_cached_records:
            self._count("not_stored")
            return
        encode = getattr(self.backend.codec, "encode_encoded", None)
        if encode is None:
            self._store(key, lambda: self.backend.codec.encode(schema, result))
        else:
            self._store(key, lambda: encode(schema, encoded))

    def _store(self, key: str, encode: Callable[[], bytes]) -> None:
        try:
            payload = encode()
        except Exception as exc:  # not plain data (JSON) or not picklable: skip caching, never fail
            log.debug("testdata cache: result for %s not cached (%s: %s)", key, type(exc).__name__, exc)
            self._count("not_stored")
            return
        self.backend.set(key, payload)
        self._count("stores")

    # pools -----------------------------------------------------------------------------------------
    def take_pooled(self, request: GenerationRequest, schema: Schema,
                    refill: Refill) -> list[PoolItem] | None:
        """``request.count`` pooled records, or None (then the caller generates fresh); refills when low."""
        if self.pool_size <= 0 or request.count > self.pool_size:
            return None
        key = pool_key(request, schema)
        items, left = self.backend.pool_take(key, request.count)
        if items is None or left < self.pool_size // 2:
            self._schedule_refill(key, refill)
        if items is None:
            self._count("pool_misses")
            return None
        with self._lock:
            self.stats.pool_hits += 1
            self.stats.pool_records += len(items)
        return items

    def fill_pool(self, request: GenerationRequest, schema: Schema, refill: Refill) -> int:
        """Fill the request's pool to ``pool_size`` now (warming before a load); returns records added."""
        return self._fill(pool_key(request, schema), refill)

    def pool_length(self, request: GenerationRequest, schema: Schema) -> int:
        """How many records the request's pool holds now."""
        return self.backend.pool_length(pool_key(request, schema))

    def _schedule_refill(self, key: str, refill: Refill) -> None:
        with self._lock:
            if key in self._filling:
                return
            self._filling.add(key)
            self._threads = [t for t in self._threads if t.is_alive()]
            # A daemon thread: a process that exits mid-refill just leaves the pool a little shorter.
            thread = threading.Thread(target=self._refill_in_background, args=(key, refill),
                                      name=f"testdata-pool-refill-{key}", daemon=True)
            self._threads.append(thread)
        thread.start()

    def _refill_in_background(self, key: str, refill: Refill) -> None:
        try:
            self._fill(key, refill)
        except Exception:  # a refill that fails only leaves the pool short; requests generate fresh
            log.warning("testdata cache: refilling pool %s failed", key, exc_info=True)
        finally:
            with self._lock:
                self._filling.discard(key)

    def _fill(self, key: str, refill: Refill) -> int:
        if not self.backend.claim_refill(key, CLAIM_SECONDS):
            return 0  # another thread, worker or replica is filling it
        added = 0
        try:
            have = self.backend.pool_length(key)
            while have < self.pool_size:
                batch = refill(min(self.refill_batch, self.pool_size - have), random_seed())
                if not batch:
                    break
                length = self.backend.pool_put(key, batch)
                if length == 0:
                    break  # the store went away
                have = length
                added += len(batch)
        finally:
            self.backend.release_refill(key)
        with self._lock:
            self.stats.refilled_records += added
        return added

    def wait_for_refills(self, timeout: float = 30.0) -> None:
        """Block until background refills started so far have finished (tests, benchmarks, shutdown)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    # the rest --------------------------------------------------------------------------------------
    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def health(self) -> dict[str, Any]:
        """The backend's health plus the counters."""
        return {**self.backend.health(), "pool_size": self.pool_size, **asdict(self.stats)}

    def close(self) -> None:
        """Stop using the backend (waits briefly for running refills)."""
        self.wait_for_refills(timeout=5.0)
        self.backend.close()
