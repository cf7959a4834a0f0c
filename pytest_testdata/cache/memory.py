"""The default backend: an in-process LRU bounded by bytes and entries, plus in-process pools."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Any

from pytest_testdata.cache.codec import Codec, PickleCodec, PoolItem

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ENTRIES = 10_000


class MemoryBackend:
    """Thread-safe LRU of encoded results, evicting the least recently used past either bound.

    One entry may take at most a quarter of the byte budget, so a single huge result cannot flush
    everything else; larger ones are simply not cached.
    """

    name = "memory"

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.codec: Codec = PickleCodec()
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pools: dict[str, deque[PoolItem]] = {}
        self._claims: set[str] = set()
        self.evictions = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes // 4:
            return
        with self._lock:
            self._drop(key)
            self._entries[key] = value
            self._bytes += len(value)
            while self._bytes > self.max_bytes or len(self._entries) > self.max_entries:
                oldest = next(iter(self._entries))
                self._drop(oldest)
                self.evictions += 1

    def delete(self, key: str) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: str) -> None:
        value = self._entries.pop(key, None)
        if value is not None:
            self._bytes -= len(value)

    def pool_take(self, key: str, count: int) -> tuple[list[PoolItem] | None, int]:
        with self._lock:
            pool = self._pools.get(key)
            if pool is None or len(pool) < count:
                return None, len(pool) if pool is not None else 0
            return [pool.popleft() for _ in range(count)], len(pool)

    def pool_put(self, key: str, items: list[PoolItem]) -> int:
        with self._lock:
            pool = self._pools.setdefault(key, deque())
            pool.extend(items)
            return len(pool)

    def pool_length(self, key: str) -> int:
        with self._lock:
            pool = self._pools.get(key)
            return len(pool) if pool is not None else 0

    def claim_refill(self, key: str, seconds: float) -> bool:
        with self._lock:
            if key in self._claims:
                return False
            self._claims.add(key)
            return True

    def release_refill(self, key: str) -> None:
        with self._lock:
            self._claims.discard(key)

    def describe(self) -> str:
        return f"memory (in-process, {self.max_bytes // (1024 * 1024)} MB)"

    def health(self) -> dict[str, Any]:
        return {"backend": self.name, "status": "ok", "entries": len(self._entries), "bytes": self._bytes,
                "max_bytes": self.max_bytes}

    def close(self) -> None:
        with self._lock:
            self._entries.clear()
            self._pools.clear()
            self._bytes = 0
