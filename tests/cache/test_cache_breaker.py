"""The breaker's rules, on a controlled clock (the real-server behaviour is in test_cache_faults.py)."""

from __future__ import annotations

import logging

import pytest

from pytest_testdata.cache.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_on_failure_skips_calls_then_lets_one_trial_through(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    clock = Clock()
    breaker = CircuitBreaker("Redis at x", cooldown=5, clock=clock)
    ticket = breaker.allow()
    assert ticket is not None
    breaker.failure(ticket, ConnectionError("refused"))
    assert breaker.state == "open" and breaker.allow() is None
    clock.now += 5
    trial = breaker.allow()
    assert trial is not None and trial.trial
    assert breaker.allow() is None  # only one trial at a time
    breaker.failure(trial, ConnectionError("still refused"))
    assert breaker.allow() is None
    clock.now += 5
    trial = breaker.allow()
    assert trial is not None
    breaker.success(trial)
    assert breaker.state == "closed" and breaker.allow() is not None
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "Redis at x failed (ConnectionError: refused)" in messages[0]
    assert "reachable again after 10.0 s" in messages[1]


def test_calls_in_flight_when_it_opened_neither_close_it_nor_count_as_a_new_outage(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    breaker = CircuitBreaker("Redis at x", cooldown=5, clock=Clock())
    early, late = breaker.allow(), breaker.allow()
    assert early is not None and late is not None
    breaker.failure(early, TimeoutError("slow"))
    breaker.success(late)  # finished after the outage was noticed
    assert breaker.state == "open"
    breaker.failure(late, TimeoutError("slow"))
    assert breaker.opened == 1 and len(caplog.records) == 1


def test_a_threshold_counts_consecutive_failures() -> None:
    breaker = CircuitBreaker("x", cooldown=1, failure_threshold=3, clock=Clock())
    for _ in range(2):
        ticket = breaker.allow()
        assert ticket is not None
        breaker.failure(ticket, OSError("x"))
    ok = breaker.allow()
    assert ok is not None
    breaker.success(ok)
    for _ in range(2):
        ticket = breaker.allow()
        assert ticket is not None
        breaker.failure(ticket, OSError("x"))
    assert breaker.state == "closed"
    ticket = breaker.allow()
    assert ticket is not None
    breaker.failure(ticket, OSError("x"))
    assert breaker.state == "open"
