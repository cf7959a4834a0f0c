"""A circuit breaker: stop calling a backend that fails, try it again after a pause, log once per outage.

States: *closed* (calls go through), *open* (calls are skipped until the cooldown ends), *half-open*
(one trial call goes through; success closes the breaker, failure opens it for another cooldown).
The outage is logged once when the breaker opens and once when it closes again, never per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("pytest_testdata.cache")


class CircuitBreaker:
    """Thread-safe breaker guarding one backend (``name`` appears in the log lines)."""

    def __init__(self, name: str, *, cooldown: float = 5.0, failure_threshold: int = 1,
                 clock: Callable[[], float] = time.monotonic, logger: logging.Logger = log) -> None:
        if cooldown <= 0 or failure_threshold < 1:
            raise ValueError("cooldown must be > 0 and failure_threshold >= 1")
        self.name = name
        self.cooldown = cooldown
        self.failure_threshold = failure_threshold
        self._clock = clock
        self._log = logger
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._outage_started: float | None = None
        self._trial_running = False
        self.opened = 0
        """How many outages (closed -> open transitions) this breaker has seen."""
        self.last_error: str | None = None

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        with self._lock:
            if self._open_until is None:
                return "closed"
            return "open" if self._clock() < self._open_until and not self._trial_running else "half-open"

    def allow(self) -> bool:
        """May a call go through now? While open, False; after the cooldown, True for one trial call."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial_running or self._clock() < self._open_until:
                return False
            self._trial_running = True
            return True

    def success(self) -> None:
        """A call worked: close the breaker (and log the recovery if it was open)."""
        with self._lock:
            self._failures = 0
            self._trial_running = False
            if self._open_until is None:
                return
            down_for = self._clock() - (self._outage_started or self._clock())
            self._open_until = None
            self._outage_started = None
        self._log.warning("testdata cache: %s is reachable again after %.1f s; using it again.",
                          self.name, down_for)

    def failure(self, error: BaseException) -> None:
        """A call failed: count it, and open the breaker at the threshold (logging only the first time)."""
        with self._lock:
            self.last_error = f"{type(error).__name__}: {error}"
            self._failures += 1
            reopening = self._open_until is not None
            self._trial_running = False
            if not reopening and self._failures < self.failure_threshold:
                return
            self._open_until = self._clock() + self.cooldown
            if reopening:
                return  # the same outage: already logged
            self._outage_started = self._clock()
            self.opened += 1
        self._log.warning(
            "testdata cache: %s failed (%s); skipping it for %.1f s at a time until it answers again. "
            "Requests go on without the cache meanwhile.", self.name, self.last_error, self.cooldown)
