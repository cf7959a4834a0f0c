"""A Redis that dies, restarts or stalls mid-run never fails a request nor returns anything wrong.

The faults are real: the tests stop, restart and stall (``DEBUG SLEEP``) a real redis-server.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from redis_server import RedisServer

from pytest_testdata.cache import TestdataCache
from pytest_testdata.cache.redis_backend import RedisBackend
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest, Record

COOLDOWN = 0.3
SEEDS = range(12)


def request(seed: int | None, count: int = 2) -> GenerationRequest:
    return GenerationRequest.checked("cart", count, seed=seed)


@pytest.fixture(scope="module")
def reference() -> dict[int, list[Record]]:
    """What each seed must give: generated with no cache at all."""
    engine = Engine()
    return {seed: engine.generate(request(seed)).records for seed in SEEDS}


def shared_cache(server: RedisServer, prefix: str, **kwargs) -> TestdataCache:
    return TestdataCache(RedisBackend(server.url, prefix=prefix, cooldown=COOLDOWN, **kwargs), pool_size=200)


def outage_logs(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    messages = [r.getMessage() for r in caplog.records if r.name == "pytest_testdata.cache"]
    return [m for m in messages if "failed" in m], [m for m in messages if "reachable again" in m]


def test_stop_and_restart_mid_run(own_redis: RedisServer, prefix: str, reference: dict[int, list[Record]],
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    cache = shared_cache(own_redis, prefix)
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
    assert backend.breaker.state in ("open", "half-open")
    assert backend.health()["status"] == "degraded"
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and own_redis.url.split("//")[1] in failed[0] and not recovered

    own_redis.start()  # same port, empty (no persistence)
    time.sleep(COOLDOWN * 1.5)
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
    engine = Engine(cache=shared_cache(own_redis, prefix))
    stop = threading.Event()
    wrong: list[str] = []
    errors: list[BaseException] = []
    served = [0]

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
            served[0] += 1
            i += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.4)
    own_redis.stop()
    time.sleep(0.8)
    own_redis.start()
    time.sleep(COOLDOWN * 3)
    hits_before = engine.cache.stats.hits  # type: ignore[union-attr]
    time.sleep(0.4)
    stop.set()
    for t in threads:
        t.join()
    assert not errors and not wrong
    assert served[0] > 20
    assert engine.cache.stats.hits > hits_before  # type: ignore[union-attr]  # using Redis again
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and len(recovered) == 1


def test_a_stalled_redis_costs_a_bounded_wait_and_is_then_skipped(
        own_redis: RedisServer, prefix: str, reference: dict[int, list[Record]],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    cache = shared_cache(own_redis, prefix, timeout=0.2)
    engine = Engine(cache=cache)
    engine.generate(request(1))
    # CLIENT PAUSE returns at once and then holds every client's commands: a server that accepts
    # connections but does not answer, for 1.5 s.
    own_redis.client().execute_command("CLIENT", "PAUSE", "1500", "ALL")
    paused_at = time.monotonic()
    results = [engine.generate(request(seed)) for seed in SEEDS]  # the first times out, the rest skip Redis
    assert [r.records for r in results] == [reference[s] for s in SEEDS]
    assert not any(r.metadata.cache_hit for r in results)
    assert cache.backend.breaker.state != "closed"  # type: ignore[attr-defined]
    time.sleep(max(0.0, paused_at + 1.6 - time.monotonic()) + COOLDOWN * 1.5)
    engine.generate(request(1))
    assert engine.generate(request(1)).metadata.cache_hit
    failed, recovered = outage_logs(caplog)
    assert len(failed) == 1 and "Timeout" in failed[0] and len(recovered) == 1


def test_a_redis_that_is_down_from_the_start_never_fails_a_request(
        reference: dict[int, list[Record]], caplog: pytest.LogCaptureFixture) -> None:
    from redis_server import free_port

    caplog.set_level(logging.INFO, "pytest_testdata.cache")
    backend = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", cooldown=COOLDOWN)
    engine = Engine(cache=TestdataCache(backend, pool_size=100))
    for seed in SEEDS:
        assert engine.generate(request(seed)).records == reference[seed]
    assert len(engine.generate(request(None, 10)).records) == 10
    assert engine.fill_pool(request(None)) == 0
    failed, _ = outage_logs(caplog)
    assert len(failed) == 1 and "ConnectionError" in failed[0]
    assert backend.health()["status"] == "degraded"
