"""A failure is replayable from its report; ``--lf`` / ``--ff`` rerun failures on the same data."""

from __future__ import annotations

import re
import shlex

import pytest

FAILING = """
import json

def test_cheap_cart(testdata):
    cart = testdata("cart")
    users = testdata("user", count=2)
    print("RECORDS " + json.dumps([cart, users], sort_keys=True))
    assert cart["total"] < 0, "the application rejected this cart"

def test_passes(testdata):
    testdata("product")

def test_no_data():
    assert 1 == 2
"""
SECTION = re.compile(r"^replay this test's data: (pytest .*)$")


def header_seed(result: pytest.RunResult) -> tuple[int, str]:
    for line in result.outlines:
        match = re.match(r"^testdata: seed (\d+) \((.*?); replay with", line)
        if match:
            return int(match.group(1)), match.group(2)
    raise AssertionError("no testdata header in:\n" + result.stdout.str())


def records(result: pytest.RunResult) -> list[str]:
    return [line[line.index("RECORDS ["):] for line in result.outlines if "RECORDS [" in line]


def replay_commands(result: pytest.RunResult) -> list[str]:
    return [m.group(1) for line in result.outlines if (m := SECTION.match(line))]


def test_a_failed_test_that_used_data_reports_how_to_replay_it(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(test_shop=FAILING)
    first = dev_project.runpytest()
    first.assert_outcomes(passed=1, failed=2)
    seed, _ = header_seed(first)
    # One section for the failed test with data; none for the passing one or the one without data.
    commands = replay_commands(first)
    assert commands == [f"pytest test_shop.py::test_cheap_cart --testdata-seed {seed}"]
    first.stdout.fnmatch_lines([
        "*- testdata -*",
        f"replay this test's data: pytest test_shop.py::test_cheap_cart --testdata-seed {seed}",
        f"session seed {seed}, test seed *",
        "call 0: cart x1 (traditional, seed *)",
        "call 1: user x2 (traditional, seed *)",
    ])
    # Running the printed command (in a later, otherwise random run) gives the same records.
    replay = dev_project.runpytest(*shlex.split(commands[0])[1:], "-s")
    replay.assert_outcomes(failed=1)
    assert len(records(replay)) == 1 and records(replay) == records(first)
    assert header_seed(replay) == (seed, "given")


def test_the_section_is_there_for_markers_and_under_xdist(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(test_orders="""
        import pytest

        @pytest.mark.testdata("order", count=2)
        def test_refund(order):
            assert order[0]["status"] == "no such status"
    """)
    result = dev_project.runpytest("-n", "2", "--testdata-seed", "31")
    result.assert_outcomes(failed=1)
    assert replay_commands(result) == ["pytest test_orders.py::test_refund --testdata-seed 31"]
    result.stdout.fnmatch_lines(["call 0: order x2 (traditional, seed *)"])


def test_lf_reruns_the_failures_on_the_same_data(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(test_shop=FAILING)
    first = dev_project.runpytest("-s")
    seed, note = header_seed(first)
    assert note == "random"
    for flag in ("--lf", "--ff"):
        rerun = dev_project.runpytest(flag, "-s")
        assert header_seed(rerun) == (seed, "the last run's seed, reused by --lf/--ff so failures rerun on the same "
                                             "data")
        assert records(rerun) == records(first)
    # A seed given on purpose wins over the reuse, also "random" for fresh data.
    fresh = dev_project.runpytest("--lf", "--testdata-seed", "random", "-s")
    fresh_seed, fresh_note = header_seed(fresh)
    assert fresh_note == "random" and fresh_seed != seed and records(fresh) != records(first)
    given = dev_project.runpytest("--lf", "--testdata-seed", "5", "-s")
    assert header_seed(given) == (5, "given")


def test_a_plain_run_still_gets_a_new_seed(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(test_shop=FAILING)
    seeds = {header_seed(dev_project.runpytest())[0] for _ in range(2)}
    assert len(seeds) == 2
