"""Cache and pool benchmark: ``python benchmarks/bench_cache.py``.

Measures, in one run:

1. cache-hit latency of ``Engine.generate`` for a one-record request, in-process and over Redis
   (targets: under 50 microseconds and under 1 millisecond), against generating the same record fresh;
2. a 1,000-record request without a seed served from a data pool vs generated fresh, as a ratio.

Redis: ``REDIS_URL`` if set, else a ``redis-server`` started on a free loopback port for the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pytest_testdata.cache import TestdataCache, build_cache
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest

HIT_ROUNDS = 3000
POOL_ROUNDS = 7
ENTITY = "cart"


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} us"


@contextmanager
def redis_url() -> Iterator[str]:
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench_cache: set REDIS_URL or install redis-server (apt-get install -y redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", workdir], stdout=subprocess.DEVNULL)
        try:
            import redis

            client = redis.Redis(port=port)
            for _ in range(200):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)


def hit_latency(label: str, cache: TestdataCache, fresh: list[float]) -> None:
    engine = Engine(cache=cache)
    request = GenerationRequest.checked(ENTITY, 1, seed=1234)
    assert not engine.generate(request).metadata.cache_hit
    assert engine.generate(request).metadata.cache_hit
    times = timed(lambda: engine.generate(request), HIT_ROUNDS)
    median, p99 = statistics.median(times), sorted(times)[int(len(times) * 0.99)]
    print(f"  {label:<22} hit: median {us(median)}, p99 {us(p99)}; "
          f"{statistics.median(fresh) / median:.1f}x faster than generating fresh")


def pool_vs_fresh(label: str, cache: TestdataCache, fresh: list[float]) -> None:
    engine = Engine(cache=cache)
    request = GenerationRequest.checked(ENTITY, 1000)
    times = []
    for _ in range(POOL_ROUNDS):
        cache.wait_for_refills()
        engine.fill_pool(request)  # tops the pool up synchronously, so every timed take is served
        start = time.perf_counter()
        result = engine.generate(request)
        times.append(time.perf_counter() - start)
        assert result.metadata.details.get("pooled_records") == 1000, result.metadata.details
    cache.wait_for_refills()
    median = statistics.median(times)
    base = statistics.median(fresh)
    print(f"  {label:<22} pooled: median {median * 1000:,.2f} ms vs fresh {base * 1000:,.2f} ms"
          f" -> {base / median:.1f}x faster from the pool")


def main() -> None:
    print(f"bench_cache: python {sys.version.split()[0]}, {os.cpu_count()} CPUs; entity {ENTITY!r}")
    plain = Engine()
    one = GenerationRequest.checked(ENTITY, 1, seed=1234)
    plain.generate(one)
    fresh_one = timed(lambda: plain.generate(one), 500)
    print("\n1. one-record request, cache hit vs generated fresh "
          f"(fresh: median {us(statistics.median(fresh_one))})")
    memory = build_cache({"cache": "memory"})
    assert memory is not None
    hit_latency("in-process (target <50 us)", memory, fresh_one)
    with redis_url() as url:
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        shared = build_cache({"redis_url": url, "cache_prefix": prefix, "cache_ttl": "600"})
        assert shared is not None
        hit_latency("redis (target <1 ms)", shared, fresh_one)

        thousand = GenerationRequest.checked(ENTITY, 1000)
        fresh_bulk = timed(lambda: plain.generate(thousand), POOL_ROUNDS)
        print("\n2. 1,000-record request without a seed: data pool vs generated fresh")
        pool_memory = build_cache({"cache": "memory", "pool_size": "1000"})
        assert pool_memory is not None
        pool_vs_fresh("in-process pool", pool_memory, fresh_bulk)
        pool_redis = build_cache({"redis_url": url, "cache_prefix": prefix, "pool_size": "1000",
                                  "cache_ttl": "600"})
        assert pool_redis is not None
        pool_vs_fresh("redis pool", pool_redis, fresh_bulk)


if __name__ == "__main__":
    main()
