"""What a cache backend provides: bytes by key, and pools (lists of records taken atomically)."""

from __future__ import annotations

from typing import Any, Protocol

from pytest_testdata.cache.codec import Codec, PoolItem


class Backend(Protocol):
    """A store shared by results and pools. Every method must return (never raise) when the store is
    down: ``get`` gives None, ``pool_take`` gives None, writes are dropped."""

    name: str
    codec: Codec

    def get(self, key: str) -> bytes | None:
        """The bytes under a result key, or None."""
        ...

    def set(self, key: str, value: bytes) -> None:
        """Store bytes under a result key (with the backend's TTL)."""
        ...

    def delete(self, key: str) -> None:
        """Drop a result key (used for entries found corrupt)."""
        ...

    def pool_take(self, key: str, count: int) -> tuple[list[PoolItem] | None, int]:
        """Atomically take ``count`` items, all or none; returns (items or None, items left)."""
        ...

    def pool_put(self, key: str, items: list[PoolItem]) -> int:
        """Append items to a pool; returns its new length (0 when the store is down)."""
        ...

    def pool_length(self, key: str) -> int:
        """How many items a pool holds (0 when unknown)."""
        ...

    def claim_refill(self, key: str, seconds: float) -> bool:
        """Become the one filler of a pool for up to ``seconds``; False if another holds the claim."""
        ...

    def release_refill(self, key: str) -> None:
        """Give a refill claim back."""
        ...

    def describe(self) -> str:
        """A short description for the report header (``memory``, ``redis at redis://host:6379/0``)."""
        ...

    def health(self) -> dict[str, Any]:
        """``{"backend": ..., "status": "ok" | "degraded", ...}`` for health checks and logs."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
