"""The Redis backend against a real redis-server: sharing, TTLs, corrupt entries, atomic pools."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from redis_server import RedisServer

from pytest_testdata.cache import TestdataCache, build_cache
from pytest_testdata.cache.codec import JsonCodec
from pytest_testdata.cache.keys import pool_key, result_key
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest


def redis_cache(server: RedisServer, prefix: str, **settings) -> TestdataCache:
    cache = build_cache({"redis_url": server.url, "cache_prefix": prefix, **settings})
    assert cache is not None and cache.backend.name == "redis"
    return cache


def request(count: int = 3, **kwargs) -> GenerationRequest:
    return GenerationRequest.checked("cart", count, **kwargs)


def test_a_result_stored_by_one_engine_is_a_hit_for_another(redis_server: RedisServer, prefix: str) -> None:
    first = Engine(cache=redis_cache(redis_server, prefix)).generate(request(seed=21))
    other = Engine(cache=redis_cache(redis_server, prefix))  # another worker or replica: its own client
    hit = other.generate(request(seed=21))
    assert not first.metadata.cache_hit and hit.metadata.cache_hit
    assert hit.records == first.records
    assert hit.metadata.violations == first.metadata.violations
    assert hit.metadata.coherence_scores == first.metadata.coherence_scores


def test_redis_keys_carry_the_prefix_and_the_ttl(redis_server: RedisServer, prefix: str) -> None:
    Engine(cache=redis_cache(redis_server, prefix, cache_ttl="120")).generate(request(seed=1))
    client = redis_server.client()
    keys = client.keys(f"{prefix}:r:cart:*")
    assert len(keys) == 1
    assert 0 < client.ttl(keys[0]) <= 120
    Engine(cache=redis_cache(redis_server, prefix + "-forever", cache_ttl="0")).generate(request(seed=1))
    assert client.ttl(client.keys(f"{prefix}-forever:r:*")[0]) == -1  # no expiry


def test_the_testdata_environment_variables_configure_the_shared_cache(
    redis_server: RedisServer, prefix: str
) -> None:
    from pytest_testdata.config import resolve

    settings = resolve({}, {}, {"TESTDATA_REDIS_URL": redis_server.url, "TESTDATA_CACHE_TTL": "77",
                                "TESTDATA_CACHE_PREFIX": prefix})
    cache = build_cache(settings)
    assert cache is not None and cache.backend.describe().startswith(f"redis at {redis_server.url}")
    Engine(cache=cache).generate(request(seed=1))
    assert 0 < redis_server.client().ttl(redis_server.client().keys(f"{prefix}:r:*")[0]) <= 77


def test_the_agent_reads_the_service_names_for_its_cache(redis_server: RedisServer, prefix: str) -> None:
    from pytest_testdata.agent.settings import engine_settings

    cache = build_cache(engine_settings({"REDIS_URL": redis_server.url, "CACHE_TTL_SECONDS": "55",
                                         "TESTDATA_CACHE_PREFIX": prefix}))
    assert cache is not None and cache.backend.name == "redis"
    Engine(cache=cache).generate(request(seed=2))
    assert 0 < redis_server.client().ttl(redis_server.client().keys(f"{prefix}:r:*")[0]) <= 55


def test_corrupt_json_in_redis_is_ignored_and_replaced(redis_server: RedisServer, prefix: str) -> None:
    engine = Engine(cache=redis_cache(redis_server, prefix))
    good = engine.generate(request(seed=8)).records
    redis_key = f"{prefix}:r:{result_key(request(seed=8), engine.registry.get('cart'), 'traditional')}"
    client = redis_server.client()
    for junk in (b"{not json", b'{"format": 1}', b"[]", json.dumps({"records": "x"}).encode()):
        client.set(redis_key, junk)
        result = engine.generate(request(seed=8))
        assert not result.metadata.cache_hit and result.records == good
        json.loads(client.get(redis_key))  # replaced by a whole, readable entry
    assert engine.generate(request(seed=8)).metadata.cache_hit


def test_an_entry_written_for_an_older_schema_version_is_ignored(
        redis_server: RedisServer, prefix: str) -> None:
    import dataclasses

    engine = Engine(cache=redis_cache(redis_server, prefix))
    schema = engine.registry.get("cart")
    good = engine.generate(request(seed=9))
    old_schema = dataclasses.replace(schema, version=schema.version - 1 or 0, digest="feedfacefeedface")
    tampered = type(good)([{**r, "total": "old"} for r in good.records], good.metadata)
    redis_key = f"{prefix}:r:{result_key(request(seed=9), schema, 'traditional')}"
    redis_server.client().set(redis_key, JsonCodec().encode(old_schema, tampered))
    result = engine.generate(request(seed=9))
    assert not result.metadata.cache_hit
    assert all(r["total"] != "old" for r in result.records)


def test_pools_live_in_redis_and_serve_another_engine(redis_server: RedisServer, prefix: str) -> None:
    filler = Engine(cache=redis_cache(redis_server, prefix, pool_size="300"))
    assert filler.fill_pool(request(1)) == 300
    taker = Engine(cache=redis_cache(redis_server, prefix, pool_size="300"))
    result = taker.generate(request(120))
    assert result.metadata.details == {"pooled_records": 120} and result.valid
    client = redis_server.client()
    pool = f"{prefix}:p:{pool_key(request(1), taker.registry.get('cart'))}"
    assert client.ttl(pool) > 0


def test_threads_taking_from_one_redis_pool_never_share_a_record(
        redis_server: RedisServer, prefix: str) -> None:
    engine = Engine(cache=redis_cache(redis_server, prefix, pool_size="1000"))
    engine.fill_pool(request(1))
    # Separate cache objects: each thread is its own client, like separate workers.
    takers = [Engine(cache=redis_cache(redis_server, prefix, pool_size="1000")) for _ in range(8)]
    got: list[list[str]] = [[] for _ in takers]

    def take(i: int) -> None:
        for _ in range(25):
            result = takers[i].generate(request(7))
            if "pooled_records" in result.metadata.details:
                got[i] += [r["cart_id"] for r in result.records]

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(takers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for taker in takers:
        assert taker.cache is not None
        taker.cache.wait_for_refills()  # type: ignore[attr-defined]
    ids = [i for chunk in got for i in chunk]
    assert len(ids) > 700  # most requests were pooled
    assert len(ids) == len(set(ids))


TAKER = """
import json, sys
from pytest_testdata.cache import build_cache
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest
url, prefix = sys.argv[1], sys.argv[2]
engine = Engine(cache=build_cache({"redis_url": url, "cache_prefix": prefix, "pool_size": "1000"}))
ids = []
for _ in range(40):
    result = engine.generate(GenerationRequest.checked("cart", 5))
    if "pooled_records" in result.metadata.details:
        ids += [r["cart_id"] for r in result.records]
engine.cache.wait_for_refills()
print(json.dumps(ids))
"""


def test_processes_taking_from_one_redis_pool_never_share_a_record(
        redis_server: RedisServer, prefix: str, tmp_path: Path) -> None:
    Engine(cache=redis_cache(redis_server, prefix, pool_size="1000")).fill_pool(request(1))
    procs = [subprocess.Popen([sys.executable, "-c", TAKER, redis_server.url, prefix], stdout=subprocess.PIPE,
                              text=True) for _ in range(4)]
    ids: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        ids += json.loads(out)
    assert len(ids) >= 500
    assert len(ids) == len(set(ids))


def test_many_fillers_do_not_overfill_a_pool(redis_server: RedisServer, prefix: str) -> None:
    caches = [redis_cache(redis_server, prefix, pool_size="400") for _ in range(6)]
    engine = Engine()
    schema = engine.registry.get("cart")
    refill = engine._refill_for(request(1), schema)
    threads = [threading.Thread(target=c.fill_pool, args=(request(1), schema, refill)) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert caches[0].pool_length(request(1), schema) == 400
