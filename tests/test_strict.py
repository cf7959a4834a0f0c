"""Unmet constraints and broken rules fail the call by default, at every door; best effort is an explicit opt-out.

``constraints={"total": {"max": 0.01}}`` cannot be met by a cart (its items cost at least a cent each, plus
tax), so it is the stock example of a request whose records would break what was asked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_testdata import ConstraintViolationError, TestdataError, generate

IMPOSSIBLE = '{"total": {"max": 0.01}}'
MESSAGE = ("cart: 1 of 1 records break the request's rules: record 0: total: * is above the maximum 0.01 [[]max]. "
           "Loosen or fix the constraint*or ask for best effort (strict=False, --testdata-best-effort)*")

FIXTURE_TEST = f"""
def test_cheap(testdata):
    cart = testdata("cart", constraints={IMPOSSIBLE})
    print("UNREACHED", cart)
"""
MARKER_TEST = f"""
import pytest

@pytest.mark.testdata("cart", constraints={IMPOSSIBLE})
def test_cheap(cart):
    print("UNREACHED", cart)
"""
BEST_EFFORT_TEST = f"""
def test_cheap(testdata):
    result = testdata.result("cart", constraints={IMPOSSIBLE}, **KWARGS)
    assert not result.valid
    assert [(v.record, v.field, v.rule) for v in result.metadata.violations] == [(0, "total", "max")]
"""


def test_the_fixture_fails_the_test_naming_entity_field_rule_and_value(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(FIXTURE_TEST)
    result = dev_project.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E   *ConstraintViolationError: {MESSAGE}"])
    out = result.stdout.str()
    assert "UNREACHED" not in out and "strictness.py" not in out  # the user's line, not our internals
    assert "replay this test's data: pytest test_the_fixture_fails_the_test_naming_entity_field_rule_and_value.py" \
           "::test_cheap --testdata-seed" in out


def test_the_marker_errors_the_test_at_setup(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(MARKER_TEST)
    result = dev_project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*::test_cheap: @pytest.mark.testdata('cart', ...): {MESSAGE}"])
    assert "UNREACHED" not in result.stdout.str()


@pytest.mark.parametrize("how", ["call", "flag", "ini", "env", "config-fixture", "marker"])
def test_best_effort_returns_the_records_with_their_violations(dev_project: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    args: list[str] = []
    kwargs = "{}"
    if how == "call":
        kwargs = '{"strict": False}'
    elif how == "flag":
        args = ["--testdata-best-effort"]
    elif how == "ini":
        dev_project.makeini("[pytest]\ntestdata_best_effort = true\n")
    elif how == "env":
        monkeypatch.setenv("TESTDATA_BEST_EFFORT", "1")
    elif how == "config-fixture":
        dev_project.makeconftest("""
            import pytest

            @pytest.fixture
            def testdata_config():
                return {"strict": False}
        """)
    if how == "marker":
        dev_project.makepyfile(f"""
            import pytest

            @pytest.mark.testdata("cart", constraints={IMPOSSIBLE}, strict=False)
            def test_cheap(cart, testdata):
                assert [(v.field, v.rule) for v in testdata.last.metadata.violations] == [("total", "max")]
        """)
    else:
        dev_project.makepyfile(f"KWARGS = {kwargs}\n" + BEST_EFFORT_TEST)
    result = dev_project.runpytest(*args)
    result.assert_outcomes(passed=1)
    if how in ("flag", "ini", "env"):
        result.stdout.fnmatch_lines(["testdata: seed *, best effort (records that break a constraint are returned*"])
        # ... and the summary counts the violations that were let through.
        result.stdout.fnmatch_lines(["traditional: 1 request, 1 record, *, 1 constraint violations*"])


def test_an_explicit_strict_call_wins_over_best_effort_settings(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile(FIXTURE_TEST.replace(f"constraints={IMPOSSIBLE}", f"constraints={IMPOSSIBLE}, strict=True"))
    dev_project.runpytest("--testdata-best-effort").assert_outcomes(failed=1)


def test_a_non_boolean_strict_is_a_usage_error(dev_project: pytest.Pytester) -> None:
    dev_project.makepyfile('def test_it(testdata):\n    testdata("cart", strict="no")\n')
    result = dev_project.runpytest()
    result.stdout.fnmatch_lines(["*strict: expected True (default: unmet constraints raise) or False (best effort*"
                                 "got 'no'."])


def test_the_python_api_raises_and_offers_best_effort() -> None:
    with pytest.raises(ConstraintViolationError) as info:
        generate("cart", 3, seed=1, constraints={"total": {"max": 0.01}})
    error = info.value
    assert isinstance(error, TestdataError) and error.entity == "cart"
    assert [(p[0], p[1], p[2]) for p in error.problems] == [(0, "total", "max"), (1, "total", "max"),
                                                            (2, "total", "max")]
    assert error.result is not None and len(error.result.records) == 3  # the refused records, to look at
    assert str(error).startswith("cart: 3 of 3 records break the request's rules: record 0: total: ")
    result = generate("cart", 3, seed=1, constraints={"total": {"max": 0.01}}, strict=False)
    assert result.records == error.result.records and len(result.metadata.violations) == 3
    # What can be met is not refused: the same API with a reachable bound.
    assert generate("cart", 3, seed=1, constraints={"total": {"max": 200}}).valid


def test_a_broken_coherence_rule_is_named_too() -> None:
    from pytest_testdata.engine import Engine
    from pytest_testdata.generators.base import GeneratorOutput
    from pytest_testdata.types import GenerationRequest

    class TotalsThatDoNotAddUpFake:
        """Stands in for a generator that returns incoherent carts (an LLM's, say): cannot be staged with
        the traditional strategy, which enforces every coherence rule."""

        def generate(self, request: GenerationRequest, schema: object, seed: int) -> GeneratorOutput:
            records = Engine().generate(request.replace(strategy="traditional")).records
            for record in records:
                record["total"] = round(record["total"] + 5, 2)
            return GeneratorOutput(records, strategy="traditional", reason="fake")

    engine = Engine()
    engine._generators["traditional"] = TotalsThatDoNotAddUpFake()  # type: ignore[assignment]
    request = GenerationRequest.checked("cart", 2, seed=3, strategy="traditional")
    with pytest.raises(ConstraintViolationError, match=r"cart: 2 of 2 records break the request's rules: record 0: "
                       r"total: [0-9.]+ breaks the coherence rule sum\(target=total, terms=\['subtotal', 'tax'\]\) "
                       r"\[coherence:sum\]"):
        engine.generate(request)
    lenient = engine.generate(request.replace(strict=False))
    assert lenient.metadata.coherence < 1
    assert lenient.metadata.details["coherence_failures"][0].startswith("record 0: total: ")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_testdata.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_cli_exits_1_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "carts.json"
    done = run_cli("generate", "cart", "-n", "2", "--seed", "4", "--constraint", "total:max=0.01", "-o", str(out),
                   cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "testdata: error: cart: 2 of 2 records break the request's rules: record 0: total: ")
    assert "[max]" in lines[0] and "--testdata-best-effort" in lines[0]
    assert not out.exists() and done.stdout == ""
    lenient = run_cli("generate", "cart", "-n", "2", "--seed", "4", "--constraint", "total:max=0.01",
                      "--best-effort", cwd=tmp_path)
    assert lenient.returncode == 0 and len(json.loads(lenient.stdout)) == 2
