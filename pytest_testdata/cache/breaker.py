"""A circuit breaker: stop calling a backend that fails, try it again after a pause, log once per outage.

States: *closed* (calls go through), *open* (calls are skipped until the cooldown ends), *half-open*
(one trial call goes through; success closes the breaker, failure opens it for another cooldown).
The outage is logged once when the breaker opens and once when it closes again, never per request.

Calls run concurrently, so each admitted call holds a :class:`Ticket` saying which state admitted it:
a call that started before the breaker opened and finishes after cannot close it (only the trial
can), and one that fails after the breaker already opened is not a new outage.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pytest_testdata.masking import mask_text

log = logging.getLogger("pytest_testdata.cache")


@dataclass(frozen=True)
class Ticket:
    """Permission for one call: the breaker epoch it was issued in, and whether it is the trial call."""

    epoch: int
    trial: bool = False


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
        self._epoch = 0
        self._failures = 0
        self._open_until: float | None = None
        self._outage_started = 0.0
        self._trial_running = False
        self.opened = 0
        """How many outages (closed -> open transitions) this breaker has seen."""
        self.last_error: str | None = None

    @property
    def state(self) -> str:
        """``closed``, ``open`` or ``half-open`` (cooldown over: the next call is a trial)."""
        with self._lock:
            if self._open_until is None:
                return "closed"
            return "open" if self._clock() < self._open_until and not self._trial_running else "half-open"

    def allow(self) -> Ticket | None:
        """A ticket if a call may go through now; None while open (and after the cooldown, for all
        but the one trial call)."""
        with self._lock:
            if self._open_until is None:
                return Ticket(self._epoch)
            if self._trial_running or self._clock() < self._open_until:
                return None
            self._trial_running = True
            return Ticket(self._epoch, trial=True)

    def success(self, ticket: Ticket) -> None:
        """A call worked. The trial's success closes the breaker (logged); a stale success is ignored."""
        with self._lock:
            if not ticket.trial:
                if self._open_until is None and ticket.epoch == self._epoch:
                    self._failures = 0
                return
            down_for = self._clock() - self._outage_started
            self._open_until = None
            self._trial_running = False
            self._failures = 0
            self._epoch += 1
        self._log.warning("testdata cache: %s is reachable again after %.1f s; using it again.",
                          self.name, down_for,
                          extra={"backend": self.name, "breaker": "closed", "down_seconds": round(down_for, 3)})

    def failure(self, ticket: Ticket, error: BaseException) -> None:
        """A call failed: a failed trial reopens quietly; failures while closed open it (logged once)."""
        with self._lock:
            self.last_error = mask_text(f"{type(error).__name__}: {error}")
            if ticket.trial:
                self._trial_running = False
                self._open_until = self._clock() + self.cooldown
                return
            if self._open_until is not None or ticket.epoch != self._epoch:
                return  # started before this outage was noticed: already counted and logged
            self._failures += 1
            if self._failures < self.failure_threshold:
                return
            self._open_until = self._clock() + self.cooldown
            self._outage_started = self._clock()
            self._epoch += 1
            self.opened += 1
        self._log.warning(
            "testdata cache: %s failed (%s); skipping it for %.1f s at a time until it answers again. "
            "Requests go on without the cache meanwhile.", self.name, self.last_error, self.cooldown,
            extra={"backend": self.name, "breaker": "open", "error": self.last_error,
                   "retry_after_seconds": self.cooldown})
