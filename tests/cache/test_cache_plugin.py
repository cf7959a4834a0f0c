"""The plugin's cache options, and a Redis cache shared by xdist workers (through pytester)."""

from __future__ import annotations

import pytest
from redis_server import RedisServer

SEEDED_TESTS = """
import os

def test_cart(testdata):
    testdata("cart", count=3)
    assert testdata.last.metadata.cache_hit is (os.environ["EXPECT_HIT"] == "1")

def test_user(testdata):
    testdata("user", count=2)
    assert testdata.last.metadata.cache_hit is (os.environ["EXPECT_HIT"] == "1")

def test_order(testdata):
    testdata("order")
    assert testdata.last.metadata.cache_hit is (os.environ["EXPECT_HIT"] == "1")

def test_product(testdata):
    testdata("product", count=4)
    assert testdata.last.metadata.cache_hit is (os.environ["EXPECT_HIT"] == "1")
"""


def test_help_lists_the_cache_options_with_their_twins(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    for flag in ("--testdata-cache", "--testdata-redis-url", "--testdata-cache-ttl",
                 "--testdata-cache-prefix", "--testdata-pool-size", "--testdata-cache-max-mb"):
        assert flag in text
    assert "TESTDATA_REDIS_URL" in text and "TESTDATA_CACHE_TTL" in text
    assert "CACHE_TTL_SECONDS" not in text  # the agent's name: the plugin does not read it


@pytest.fixture(autouse=True)
def _no_redis_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REDIS_URL", "TESTDATA_REDIS_URL", "TESTDATA_CACHE", "TESTDATA_POOL_SIZE"):
        monkeypatch.delenv(name, raising=False)


def test_without_redis_the_plugin_keeps_no_result_cache_by_default(pytester: pytest.Pytester) -> None:
    # Every call gets its own derived seed, so an in-process cache would only cost a key and a copy.
    pytester.makepyfile("""
        def test_same_seed_twice(testdata):
            first = testdata.result("cart", 2, seed=5)
            second = testdata.result("cart", 2, seed=5)
            assert not first.metadata.cache_hit and not second.metadata.cache_hit
            assert first.records == second.records
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "cache memory" not in result.stdout.str()
    assert "cache hits" not in result.stdout.str()


def test_the_in_process_cache_when_asked_for_serves_a_repeated_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_same_seed_twice(testdata):
            first = testdata.result("cart", 2, seed=5)
            second = testdata.result("cart", 2, seed=5)
            assert not first.metadata.cache_hit and second.metadata.cache_hit
            assert first.records == second.records
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "--testdata-cache", "memory")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["testdata: seed *cache memory*", "traditional: 2 requests*1 cache hits*"])


def test_the_ini_twin_switches_the_cache_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntestdata_cache = none\n")
    pytester.makepyfile("""
        def test_same_seed_twice(testdata):
            testdata("cart", seed=5)
            assert not testdata.result("cart", seed=5).metadata.cache_hit
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_bad_cache_setting_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("--testdata-cache", "redis", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--testdata-cache redis (cache): no Redis URL is set*REDIS_URL*"])
    result = pytester.runpytest("--testdata-pool-size", "lots", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--testdata-pool-size*'lots' is not a whole number*"])


def test_xdist_workers_share_a_redis_cache_across_runs(
        pytester: pytest.Pytester, redis_server: RedisServer, prefix: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(SEEDED_TESTS)
    pytester.makeini(f"[pytest]\ntestdata_redis_url = {redis_server.url}\ntestdata_cache_prefix = {prefix}\n")
    args = ("-n", "2", "--testdata-seed", "4242", "-p", "no:cacheprovider")
    monkeypatch.setenv("EXPECT_HIT", "0")
    first = pytester.runpytest_subprocess(*args)
    first.assert_outcomes(passed=4)
    first.stdout.fnmatch_lines([f"testdata: seed 4242*cache redis at {redis_server.url}*"])
    assert len(redis_server.client().keys(f"{prefix}:r:*")) == 4
    monkeypatch.setenv("EXPECT_HIT", "1")  # new worker processes, the same seed: every request is a hit
    second = pytester.runpytest_subprocess(*args)
    second.assert_outcomes(passed=4)
    second.stdout.fnmatch_lines(["traditional: 4 requests, 10 records*4 cache hits*"])


def test_a_dead_redis_does_not_fail_the_run(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    from redis_server import free_port

    pytester.makepyfile(SEEDED_TESTS)
    monkeypatch.setenv("EXPECT_HIT", "0")
    monkeypatch.setenv("TESTDATA_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_loading_the_plugin_with_the_default_cache_imports_no_redis(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(testdata):\n    testdata('cart', seed=1)\n")
    result = pytester.run(
        __import__("sys").executable, "-c",
        "import sys, pytest; code = pytest.main(['-q', '-p', 'no:cacheprovider']); "
        "print('REDIS_LOADED' if 'redis' in sys.modules else 'NO_REDIS'); sys.exit(code)",
    )
    assert result.ret == 0
    result.stdout.fnmatch_lines(["NO_REDIS"])
