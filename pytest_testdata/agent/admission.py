"""Call slots: how many generation calls and streams one worker runs at once, and when it is saturated.

The gRPC thread pool has ``GRPC_MAX_WORKERS`` threads. Generation calls (``GenerateData`` and
``GenerateDataStream``) may hold ``GRPC_MAX_WORKERS - RESERVED_THREADS`` of them, and streams at most
``MAX_STREAMS``, so health checks, schema calls and reflection always find a thread and unary calls keep
theirs while long streams run. A call beyond its budget is refused at once with RESOURCE_EXHAUSTED and a
retry hint (:mod:`pytest_testdata.agent.guards`), never queued. The worker is *saturated* while every
generation slot is taken: readiness and the gRPC health service then say NOT_SERVING.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

UNARY, STREAM = "unary", "stream"
RETRY_AFTER_MS = {UNARY: 100, STREAM: 1000}
"""The retry hint sent with a refusal: a unary call frees its slot in milliseconds, a stream in seconds."""


@dataclass(frozen=True)
class Refusal:
    """Why a call was refused: the budget that was full, and its numbers."""

    kind: str
    in_use: int
    limit: int
    what: str

    @property
    def retry_after_ms(self) -> int:
        return RETRY_AFTER_MS[self.kind]

    def message(self) -> str:
        return (f"the Test Data Agent is at capacity: {self.in_use} of {self.limit} {self.what} are running. "
                f"Retry in {self.retry_after_ms} ms (trailer grpc-retry-pushback-ms), on another replica, or "
                "raise GRPC_MAX_WORKERS / MAX_STREAMS / WORKERS on the agent.")


class Admission:
    """Thread-safe slot counters; ``on_change(saturated)`` is called when saturation starts or ends."""

    def __init__(self, capacity: int, max_streams: int,
                 on_change: Callable[[bool], None] | None = None) -> None:
        if not 1 <= max_streams < capacity + 1:
            raise ValueError(f"max_streams must be from 1 to capacity ({capacity}), got {max_streams}")
        self.capacity = capacity
        self.max_streams = max_streams
        self._on_change = on_change
        self._lock = threading.Lock()
        self._calls = 0
        self._streams = 0
        self.refused = 0

    def enter(self, kind: str) -> Refusal | None:
        """Take a slot for a call of ``kind`` (UNARY or STREAM); a :class:`Refusal` when none is free."""
        with self._lock:
            if kind == STREAM and self._streams >= self.max_streams:
                self.refused += 1
                return Refusal(STREAM, self._streams, self.max_streams, "streams")
            if self._calls >= self.capacity:
                self.refused += 1
                return Refusal(kind, self._calls, self.capacity, "generation calls")
            self._calls += 1
            self._streams += kind == STREAM
            now_saturated = self._calls >= self.capacity
        if now_saturated and self._on_change is not None:
            self._on_change(True)
        return None

    def leave(self, kind: str) -> None:
        """Give back the slot taken by :meth:`enter`."""
        with self._lock:
            was_saturated = self._calls >= self.capacity
            self._calls -= 1
            self._streams -= kind == STREAM
        if was_saturated and self._on_change is not None:
            self._on_change(False)

    @property
    def saturated(self) -> bool:
        return self._calls >= self.capacity

    def describe(self) -> str:
        """``3 of 30 generation slots in use (1 of 8 streams)``."""
        return (f"{self._calls} of {self.capacity} generation slots in use "
                f"({self._streams} of {self.max_streams} streams)")
