"""A Redis that dies, restarts or stalls mid-run never fails a request nor returns anything wrong.

The faults are real: the tests stop, restart and stall (``CLIENT PAUSE``) a real redis-server. The
breaker's cooldown runs on a clock the tests move (``Clock``), so no test sleeps for a cooldown to pass
and no outcome depends on how loaded the machine is; where the tests wait for a real event (a paused
server answering again, threads getting through a phase), they wait for that event, bounded, never for a
fixed time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pytest
from redis_server import RedisServer

from pytest_testdata.cache import TestdataCache
from pytest_testdata.cache.redis_backend import RedisBackend
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest, Record

COOLDOWN = 5.0
SEEDS = range(12)
WAIT = 60.0
"""Upper bound on waiting for a real event; reached only if something is broken."""


class Clock:
    """The breaker's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (a real event), failing with ``what`` if it has not happened within WAIT."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def request(seed: int | None, count: int = 2) -> GenerationRequest:
    return GenerationRequest.checked("cart", count, seed=seed)


@pytest.fixture(scope="module")
def reference() -> dict[int, list[Record]]:
    """What each seed must give: generated with no cache at all."""
    engine = Engine()
    return {seed: engine.generate(request(seed)).records for seed in SEEDS}


def shared_cache(server: RedisServer, prefix: str, clock: Clock, **kwargs: float) -> TestdataCache:
    backend = RedisBackend(server.url, prefix=prefix, cooldown=COOLDOWN, clock=clock, **kwargs)
    return TestdataCache(backend, pool_size=200)


def outage_logs(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    messages = [r.getMessage() for r in caplog.records if r.name == "pytest_testdata.cache"]
    return [m for m in messages if "failed" in m], [m for m in messages if "reachable again" in m]


def test_stop_and_restart_mid_run(own_redis: RedisServer, prefix: str, reference: dict[int, list[Record]],
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    clock = Clock()
    cache = shared_cache(own_redis, prefix, clock)
    engine = Engine(cache=cache)
    backend = cache.backend
    assert isinstance(backend, RedisBackend)
    for seed in SEEDS:
        assert engine.generate(request(seed)).records == reference[seed]
    assert engine.generate(request(0)).metadata.cache_hit

    own_redis.stop()
    for _ in range(3):  # every request still succeeds, with exactly the right records
        for seed in SEEDS:
            result = engine.generate(request(seed))
            assert result.records == reference[seed] and not result.metadata.cache_hit
    unseeded = engine.generate(request(None, 20))
    assert len(unseeded.records) == 20 and unseeded.valid
    assert backend.breaker.state == "open" and backend.breaker.opened == 1
    assert backend.health()["status"] == "degraded"
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and own_redis.url.split("//")[1] in failed[0] and not recovered

    own_redis.start()  # same port, empty (no persistence)
    assert engine.generate(request(3)).records == reference[3]
    assert backend.breaker.state == "open"  # still cooling down: Redis is not tried before its time
    clock.now += COOLDOWN
    assert backend.breaker.state == "half-open"
    first = engine.generate(request(3))  # the trial call: Redis answers, the breaker closes
    assert first.records == reference[3]
    assert backend.breaker.state == "closed"
    again = engine.generate(request(3))
    assert again.metadata.cache_hit and again.records == reference[3]
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and len(recovered) == 1
    assert backend.health()["status"] == "ok" and backend.health()["outages"] == 1


def test_requests_running_while_redis_goes_away_and_comes_back(
        own_redis: RedisServer, prefix: str, reference: dict[int, list[Record]],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    clock = Clock()
    cache = shared_cache(own_redis, prefix, clock)
    backend = cache.backend
    assert isinstance(backend, RedisBackend)
    engine = Engine(cache=cache)
    stop = threading.Event()
    wrong: list[str] = []
    errors: list[BaseException] = []
    served = [0]
    lock = threading.Lock()

    def hammer(offset: int) -> None:
        i = offset
        while not stop.is_set():
            seed = SEEDS[i % len(SEEDS)]
            try:
                result = engine.generate(request(seed))
            except BaseException as exc:  # any failure at all is what this test is about
                errors.append(exc)
                return
            if result.records != reference[seed]:
                wrong.append(f"seed {seed}")
            with lock:
                served[0] += 1
            i += 1

    def served_more(n: int) -> Callable[[], bool]:
        with lock:
            target = served[0] + n
        return lambda: served[0] >= target or bool(errors)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        eventually(served_more(40), "requests served with Redis up")
        own_redis.stop()
        eventually(lambda: backend.breaker.opened == 1 or bool(errors), "the breaker to open")
        eventually(served_more(40), "requests served with Redis down")
        own_redis.start()
        eventually(served_more(20), "requests served with Redis back but cooling down")
        assert backend.breaker.state == "open"
        clock.now += COOLDOWN  # the next request is the trial; Redis answers; the breaker closes
        eventually(lambda: backend.breaker.state == "closed" or bool(errors), "the breaker to close")
        hits_before = cache.stats.hits
        eventually(lambda: cache.stats.hits > hits_before + 10 or bool(errors), "cache hits from Redis again")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors and not wrong
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and len(recovered) == 1
    assert backend.breaker.opened == 1


def test_a_stalled_redis_costs_a_bounded_wait_and_is_then_skipped(
        own_redis: RedisServer, prefix: str, reference: dict[int, list[Record]],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    clock = Clock()
    cache = shared_cache(own_redis, prefix, clock, timeout=0.2)
    backend = cache.backend
    assert isinstance(backend, RedisBackend)
    engine = Engine(cache=cache)
    engine.generate(request(1))
    # CLIENT PAUSE returns at once and then holds every client's commands: a server that accepts
    # connections but does not answer, for 1.5 s of real time.
    own_redis.client().execute_command("CLIENT", "PAUSE", "1500", "ALL")
    results = [engine.generate(request(seed)) for seed in SEEDS]  # the first times out, the rest skip Redis
    assert [r.records for r in results] == [reference[s] for s in SEEDS]
    assert not any(r.metadata.cache_hit for r in results)
    assert backend.breaker.state == "open" and backend.breaker.opened == 1
    eventually(lambda: own_redis.client().ping() is True, "the paused server to answer again")
    clock.now += COOLDOWN
    engine.generate(request(1))  # the trial: Redis answers again
    assert backend.breaker.state == "closed"
    assert engine.generate(request(1)).metadata.cache_hit
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and "Timeout" in failed[0] and len(recovered) == 1


def test_a_redis_that_is_down_from_the_start_never_fails_a_request(
        reference: dict[int, list[Record]], caplog: pytest.LogCaptureFixture) -> None:
    from redis_server import free_port

    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    clock = Clock()
    backend = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", cooldown=COOLDOWN, clock=clock)
    engine = Engine(cache=TestdataCache(backend, pool_size=100))
    for seed in SEEDS:
        assert engine.generate(request(seed)).records == reference[seed]
    assert len(engine.generate(request(None, 10)).records) == 10
    assert engine.fill_pool(request(None)) == 0
    clock.now += COOLDOWN  # a trial against a server that is still not there reopens quietly
    assert engine.generate(request(0)).records == reference[0]
    assert backend.breaker.state == "open" and backend.breaker.opened == 1
    failed, _ = outage_logs(caplog)
    assert len(failed) == 1 and "ConnectionError" in failed[0]
    assert backend.health()["status"] == "degraded"
