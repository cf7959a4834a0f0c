"""The default in-process cache and pools, through the engine as every door uses it."""

from __future__ import annotations

import pickle

import pytest

from pytest_testdata.cache import MemoryBackend, TestdataCache, build_cache
from pytest_testdata.cache.keys import KEY_FORMAT, result_key
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.report import RunStats
from pytest_testdata.types import (
    EncodedResult,
    GenerationRequest,
    GenerationResult,
    ResultMetadata,
    Violation,
    records_json,
)


def engine_with(cache: TestdataCache | None) -> Engine:
    return Engine(cache=cache)


def request(count: int = 3, **kwargs) -> GenerationRequest:
    return GenerationRequest.checked("cart", count, **kwargs)


def test_a_repeated_seeded_request_is_a_cache_hit_with_the_same_records() -> None:
    engine = engine_with(build_cache({}))
    stats = RunStats()
    engine.listeners.append(stats)
    first = engine.generate(request(seed=11))
    second = engine.generate(request(seed=11))
    assert not first.metadata.cache_hit
    assert second.metadata.cache_hit
    assert second.records == first.records
    assert second.metadata.seed == 11 and second.metadata.strategy == "traditional"
    assert stats.by_path["traditional"].cache_hits == 1
    assert "1 cache hits" in stats.lines()[0]


def test_cached_results_match_uncached_generation() -> None:
    fresh = engine_with(None).generate(request(5, seed=99))
    cached_engine = engine_with(build_cache({}))
    cached_engine.generate(request(5, seed=99))
    hit = cached_engine.generate(request(5, seed=99))
    assert hit.metadata.cache_hit and hit.records == fresh.records
    assert hit.metadata.coherence == fresh.metadata.coherence


def test_a_hit_is_a_copy_so_a_test_mutating_its_records_cannot_poison_the_next() -> None:
    engine = engine_with(build_cache({}))
    original = engine.generate(request(seed=3)).records
    snapshot = [dict(r) for r in original]
    hit = engine.generate(request(seed=3))
    hit.records[0]["total"] = -1
    hit.records.append({"junk": True})
    again = engine.generate(request(seed=3))
    assert again.metadata.cache_hit and again.records == snapshot


def test_other_inputs_miss() -> None:
    engine = engine_with(build_cache({}))
    engine.generate(request(seed=3))
    assert not engine.generate(request(seed=4)).metadata.cache_hit
    assert not engine.generate(request(4, seed=3)).metadata.cache_hit
    assert not engine.generate(request(seed=3, constraints={"total": {"max": 400}})).metadata.cache_hit


def test_cache_none_turns_caching_off() -> None:
    assert build_cache({"cache": "none"}) is None
    engine = engine_with(build_cache({"cache": "none"}))
    engine.generate(request(seed=3))
    assert not engine.generate(request(seed=3)).metadata.cache_hit


def test_the_memory_cache_is_bounded_and_evicts_the_least_recently_used() -> None:
    backend = MemoryBackend(max_bytes=40_000)
    engine = engine_with(TestdataCache(backend))
    for seed in range(40):
        engine.generate(request(seed=seed))
    assert backend.size_bytes <= 40_000
    assert backend.evictions > 0
    assert not engine.generate(request(seed=0)).metadata.cache_hit  # the oldest went first
    assert engine.generate(request(seed=39)).metadata.cache_hit


def test_a_result_too_large_for_the_budget_is_not_cached() -> None:
    backend = MemoryBackend(max_bytes=20_000)
    engine = engine_with(TestdataCache(backend))
    engine.generate(request(200, seed=1))
    assert len(backend) == 0
    assert not engine.generate(request(200, seed=1)).metadata.cache_hit


def test_a_corrupt_entry_is_ignored_and_replaced() -> None:
    cache = build_cache({})
    assert cache is not None
    engine = engine_with(cache)
    good = engine.generate(request(seed=5)).records
    schema = engine.registry.get("cart")
    key = result_key(request(seed=5), schema, "traditional")
    cache.backend.set(key, b"\x80\x05garbage")
    result = engine.generate(request(seed=5))
    assert not result.metadata.cache_hit and result.records == good
    assert cache.stats.corrupt == 1
    assert engine.generate(request(seed=5)).metadata.cache_hit  # replaced by the fresh result


def test_an_entry_for_an_older_schema_version_is_never_returned() -> None:
    cache = build_cache({})
    assert cache is not None
    engine = engine_with(cache)
    good = engine.generate(request(seed=5))
    schema = engine.registry.get("cart")
    key = result_key(request(seed=5), schema, "traditional")
    stale = good.records[:1]
    stale[0] = {**stale[0], "total": "old shape"}
    good.metadata.count = 1
    payload = {"format": KEY_FORMAT, "schema": "cart@0#0000000000000000",
               "result": type(good)(stale, good.metadata)}
    cache.backend.set(key, pickle.dumps(payload))
    result = engine.generate(request(seed=5))
    assert not result.metadata.cache_hit and len(result.records) == 3
    assert all(r["total"] != "old shape" for r in result.records)
    assert cache.stats.corrupt == 1


def test_bad_cache_settings_name_the_option_and_the_fix() -> None:
    with pytest.raises(TestdataUsageError, match=r"redis_url.*'http://x'.*redis://HOST:PORT"):
        build_cache({"redis_url": "http://x"})
    with pytest.raises(TestdataUsageError, match=r"no Redis URL is set.*REDIS_URL"):
        build_cache({"cache": "redis"})
    with pytest.raises(TestdataUsageError, match=r"'memry' is not allowed \(did you mean 'memory'\?\)"):
        build_cache({"cache": "memry"})
    with pytest.raises(TestdataUsageError, match=r"--testdata-pool-size.*-1.*0 or more"):
        build_cache({"pool_size": "-1"})
    with pytest.raises(TestdataUsageError, match=r"not a whole number"):
        build_cache({"cache_ttl": "an hour"})


def test_without_the_redis_package_auto_keeps_the_in_process_cache_and_says_so(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from pytest_testdata.errors import MissingDependencyError

    monkeypatch.setitem(__import__("sys").modules, "redis", None)  # makes `import redis` fail
    cache = build_cache({"redis_url": "redis://127.0.0.1:1/0"})
    assert cache is not None and cache.backend.name == "memory"
    assert "pip install 'pytest-testdata-agent[redis]'" in caplog.text
    with pytest.raises(MissingDependencyError, match=r"pytest-testdata-agent\[redis\]"):
        build_cache({"cache": "redis", "redis_url": "redis://127.0.0.1:1/0"})


# pools ---------------------------------------------------------------------------------------------

def warm(engine: Engine, **kwargs) -> int:
    return engine.fill_pool(request(1, **kwargs))


def test_unseeded_requests_are_served_from_a_warm_pool() -> None:
    cache = build_cache({"pool_size": "300"})
    engine = engine_with(cache)
    assert warm(engine) == 300
    result = engine.generate(request(100))
    assert result.metadata.details == {"pooled_records": 100}
    assert "pool of pre-generated records" in result.metadata.reason
    assert result.valid and len(result.records) == 100
    assert len(result.metadata.coherence_scores) == 100 and 0 < result.metadata.coherence <= 1


def test_no_pooled_record_is_handed_out_twice() -> None:
    cache = build_cache({"pool_size": "400"})
    assert cache is not None
    engine = engine_with(cache)
    warm(engine)
    ids: list[str] = []
    for _ in range(30):
        ids += [r["cart_id"] for r in engine.generate(request(10)).records]
    cache.wait_for_refills()
    assert len(ids) == len(set(ids)) == 300


def test_a_pool_running_low_is_refilled_in_the_background() -> None:
    cache = build_cache({"pool_size": "200"})
    assert cache is not None
    engine = engine_with(cache)
    warm(engine)
    engine.generate(request(150))  # leaves 50: under half
    cache.wait_for_refills()
    assert cache.pool_length(request(1), engine.registry.get("cart")) == 200
    assert cache.stats.refilled_records == 350


def test_a_cold_pool_does_not_make_the_request_wait() -> None:
    cache = build_cache({"pool_size": "200"})
    assert cache is not None
    engine = engine_with(cache)
    first = engine.generate(request(20))
    assert "pooled_records" not in first.metadata.details and len(first.records) == 20
    cache.wait_for_refills()
    assert engine.generate(request(20)).metadata.details == {"pooled_records": 20}


def test_seeded_requests_never_come_from_a_pool() -> None:
    engine = engine_with(build_cache({"pool_size": "300"}))
    warm(engine)
    result = engine.generate(request(10, seed=42))
    assert "pooled_records" not in result.metadata.details
    assert result.records == engine_with(None).generate(request(10, seed=42)).records


def test_pools_are_kept_per_constraint_set_and_honour_it() -> None:
    engine = engine_with(build_cache({"pool_size": "100"}))
    warm(engine, constraints={"total": {"max": 150}})
    result = engine.generate(request(50, constraints={"total": {"max": 150}}))
    assert result.metadata.details == {"pooled_records": 50}
    assert all(r["total"] <= 150 for r in result.records) and result.valid
    other = engine.generate(request(50))
    assert "pooled_records" not in other.metadata.details


def test_requests_the_pool_cannot_serve_are_generated_fresh() -> None:
    engine = engine_with(build_cache({"pool_size": "100"}))
    warm(engine)
    assert len(engine.generate(request(150)).records) == 150  # more than a pool holds
    invalid = engine.generate(request(5, variant="invalid"))
    assert "pooled_records" not in invalid.metadata.details and not invalid.valid
    seeded = engine.generate(request(5, strategy="traditional", seed=1))
    assert "pooled_records" not in seeded.metadata.details


def test_pool_size_zero_turns_pools_off() -> None:
    engine = engine_with(build_cache({"pool_size": 0}))
    assert warm(engine) == 0
    assert "pooled_records" not in engine.generate(request(5)).metadata.details


def test_the_agents_wire_form_is_cached_and_a_repeat_sends_the_same_bytes() -> None:
    engine = engine_with(build_cache({}))
    first = engine.generate_json(request(seed=8))
    again = engine.generate_json(request(seed=8))
    assert not first.metadata.cache_hit and again.metadata.cache_hit
    assert again.records_json == first.records_json == records_json(engine_with(None).generate(request(seed=8)).records)
    assert again.metadata.coherence_scores == first.metadata.coherence_scores and again.metadata.seed == 8


def test_a_wire_form_entry_never_serves_a_caller_wanting_records() -> None:
    # Records read back from JSON need not equal the ones generated (values JSON lacks become strings), so
    # such a caller generates, and its records form then serves both kinds of caller.
    engine = engine_with(build_cache({}))
    wire = engine.generate_json(request(seed=4))
    records = engine.generate(request(seed=4))
    assert not records.metadata.cache_hit and records_json(records.records) == wire.records_json
    assert engine.generate(request(seed=4)).metadata.cache_hit
    again = engine.generate_json(request(seed=4))
    assert again.metadata.cache_hit and again.records_json == wire.records_json


def test_an_unseeded_traditional_result_is_not_stored_and_its_seed_regenerates_it() -> None:
    backend = MemoryBackend()
    engine = engine_with(TestdataCache(backend))
    result = engine.generate(request())
    assert len(backend) == 0
    again = engine.generate(request(seed=result.metadata.seed))
    assert not again.metadata.cache_hit and again.records == result.records


def test_a_hit_carries_every_metadata_field_of_the_stored_result() -> None:
    cache = build_cache({})
    assert cache is not None
    schema = Engine().registry.get("cart")
    meta = ResultMetadata(entity="cart", count=1, strategy="llm", reason="asked", seed=3, coherence=0.5,
                          coherence_scores=[0.5], violations=[Violation(0, "total", "max", "too big")],
                          cache_hit=True, cassette="c.yaml", provider="openai", model="gpt", timings={"total": 1.0},
                          details={"tokens": 12})
    default = ResultMetadata(entity="", count=0, strategy="", reason="", seed=0)
    assert all(getattr(meta, name) != getattr(default, name) for name in ResultMetadata.__dataclass_fields__)
    result = GenerationResult([{"total": 1}], meta)
    cache.store("records", schema, result)
    cache.store_encoded("wire", schema, result, EncodedResult(meta, records_json(result.records)))
    hit, wire = cache.lookup("records", schema), cache.lookup_encoded("wire", schema)
    assert hit == result and hit is not None and hit.metadata is not meta
    assert wire is not None and wire.metadata == meta and wire.records_json == records_json(result.records)

