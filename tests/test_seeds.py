"""Seeds: given, random, last (replayed from the cache); same records across runs, processes and xdist."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

# Tests that dump their records to DUMP_DIR/<nodeid>.json, so runs can be compared record for record.
DUMPING_TESTS = """
import json, os, re
import pytest

def dump(request, data):
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.nodeid) + ".json"
    with open(os.path.join(os.environ["DUMP_DIR"], name), "w") as f:
        json.dump(data, f, sort_keys=True)

@pytest.mark.parametrize("i", range(8))
def test_calls(testdata, request, i):
    dump(request, {"cart": testdata("cart"), "users": testdata("user", count=2),
                   "product": testdata.result("product").records, "seed": testdata.seed})

@pytest.mark.testdata("order", count=2)
def test_marker(order, request):
    dump(request, order)

@pytest.mark.testdata("review", variant="invalid")
def test_invalid(review, request):
    dump(request, review)

class TestInAClass:
    def test_method(self, testdata, request):
        dump(request, testdata("payment", count=3))
"""

HEADER = re.compile(r"^testdata: seed (\d+) \((.*?); replay with --testdata-seed (\d+)\)")


def header(result: pytest.RunResult) -> tuple[int, str]:
    for line in result.outlines:
        match = HEADER.match(line)
        if match:
            assert match.group(1) == match.group(3)
            return int(match.group(1)), match.group(2)
    raise AssertionError("no testdata header line in:\n" + "\n".join(result.outlines))


def dumps(folder: Path) -> dict[str, object]:
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.iterdir())}


def run_dumping(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, name: str, *args: str,
                subprocess: bool = False) -> tuple[pytest.RunResult, dict[str, object]]:
    folder = pytester.path / name
    folder.mkdir()
    monkeypatch.setenv("DUMP_DIR", str(folder))
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run(*args)
    assert result.ret == 0, result.stdout.str()
    return result, dumps(folder)


def test_given_seed_is_shown_in_the_header(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(testdata): testdata('cart')")
    result = pytester.runpytest("--testdata-seed", "12345")
    assert header(result) == (12345, "given")


def test_random_seed_differs_between_runs_and_is_shown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(testdata): testdata('cart')")
    seeds = {header(pytester.runpytest())[0] for _ in range(3)}
    assert len(seeds) == 3


def test_last_replays_the_previous_runs_seed(pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(DUMPING_TESTS)
    first, first_records = run_dumping(pytester, monkeypatch, "first")
    seed, note = header(first)
    assert note == "random"
    replay, replay_records = run_dumping(pytester, monkeypatch, "replay", "--testdata-seed", "last")
    assert header(replay) == (seed, "replaying the last run's seed")
    assert replay_records == first_records
    # The replayed seed is stored again, so `last` keeps replaying it.
    again = pytester.runpytest("--testdata-seed", "last")
    assert header(again) == (seed, "replaying the last run's seed")


def test_last_without_a_previous_run_picks_a_new_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(testdata): testdata('cart')")
    result = pytester.runpytest("--testdata-seed", "last")
    seed, note = header(result)
    assert note == "no previous run's seed found, so a new random one"
    assert header(pytester.runpytest("--testdata-seed", "last")) == (seed, "replaying the last run's seed")


def test_seed_from_ini_and_environment(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\ntestdata_seed = 99\n")
    pytester.makepyfile("def test_it(testdata): testdata('cart')")
    assert header(pytester.runpytest()) == (99, "given")
    monkeypatch.setenv("TESTDATA_SEED", "100")
    assert header(pytester.runpytest()) == (100, "given")
    assert header(pytester.runpytest("--testdata-seed", "101")) == (101, "given")


def test_same_seed_same_records_across_runs_and_processes(pytester: pytest.Pytester,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(DUMPING_TESTS)
    _, inline = run_dumping(pytester, monkeypatch, "inline", "--testdata-seed", "2024")
    _, again = run_dumping(pytester, monkeypatch, "again", "--testdata-seed", "2024")
    _, other_process = run_dumping(pytester, monkeypatch, "sub", "--testdata-seed", "2024", subprocess=True)
    assert len(inline) == 8 + 1 + 1 + 23  # calls, marker, class method, one per breakable review rule
    assert inline == again == other_process
    _, different = run_dumping(pytester, monkeypatch, "different", "--testdata-seed", "2025")
    assert set(different) == set(inline)
    assert all(different[name] != inline[name] for name in inline)


def test_a_tests_records_do_not_depend_on_which_other_tests_run(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(DUMPING_TESTS)
    _, everything = run_dumping(pytester, monkeypatch, "all", "--testdata-seed", "3")
    _, alone = run_dumping(pytester, monkeypatch, "alone", "--testdata-seed", "3", "-k", "test_method")
    name = next(n for n in everything if "test_method" in n)
    assert alone == {name: everything[name]}


def test_xdist_gives_each_test_the_same_records_as_a_serial_run(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(DUMPING_TESTS)
    serial_result, serial = run_dumping(pytester, monkeypatch, "serial", "--testdata-seed", "77",
                                        "-p", "no:xdist")
    result, parallel = run_dumping(pytester, monkeypatch, "parallel", "--testdata-seed", "77", "-n", "2",
                                   subprocess=True)
    assert len(serial) == 33
    assert parallel == serial
    # The controller prints the session seed and a summary merged from both workers.
    assert header(result) == (77, "given")
    counts = next(line for line in serial_result.outlines if line.startswith("traditional: ")).split(" ms")[0]
    requests_and_records = counts.rsplit(",", 1)[0]  # "traditional: 57 requests, 80 records"
    result.stdout.fnmatch_lines(["*testdata (session seed 77)*", f"{requests_and_records}, * ms, "
     f"coherence *"])


def test_xdist_workers_share_a_random_session_seed(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(DUMPING_TESTS)
    result, parallel = run_dumping(pytester, monkeypatch, "parallel", "-n", "2", subprocess=True)
    seed, _ = header(result)
    _, serial = run_dumping(pytester, monkeypatch, "serial", "--testdata-seed", str(seed), "-p", "no:xdist")
    assert parallel == serial


def test_per_test_and_per_call_seeds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from pytest_testdata.seeding import derive_seed

        def test_one(testdata, testdata_seed, request):
            assert testdata_seed == derive_seed(5, request.node.nodeid) == testdata.seed
            first, second = testdata("cart"), testdata("cart")
            assert first != second  # each call has its own seed
            assert testdata.results[0].metadata.seed != testdata.results[1].metadata.seed

        def test_explicit_seed_wins(testdata):
            assert testdata("user", seed=1) == testdata("user", seed=1)
            assert testdata.last.metadata.seed == 1

        def test_adding_a_call_keeps_earlier_records(testdata, testdata_seed):
            from pytest_testdata.fixture import TestdataFactory
            a = testdata("cart", count=2)
            b = TestdataFactory(testdata.engine, testdata_seed)
            assert b("cart", count=2) == a
    """)
    pytester.runpytest("--testdata-seed", "5").assert_outcomes(passed=3)


def test_faker_and_factory_boy_are_reseeded_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import json
        import factory.random
        from faker import Faker

        def test_a():
            print("VALUES " + json.dumps([Faker().name(), factory.random.randgen.random()]))
    """)
    lines = []
    for _ in range(2):
        result = pytester.runpytest("-s", "--testdata-seed", "8")
        result.assert_outcomes(passed=1)
        lines.append(next(line for line in result.outlines if "VALUES" in line))
    assert lines[0] == lines[1]
