"""Claude itself, when ``ANTHROPIC_API_KEY`` is set (skipped otherwise: CI here cannot reach the API).

Run it with: ``ANTHROPIC_API_KEY=sk-ant-... pytest tests/llm/test_claude_live.py`` (``TESTDATA_CLAUDE_MODEL`` picks
the model). It sends one small request and records nothing.
"""

from __future__ import annotations

import os

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest
from tests.developer_env import SAVED

KEY = SAVED.get("ANTHROPIC_API_KEY")  # the developer's: the suite takes it out of the environment (developer_env)
MODEL = os.environ.get("TESTDATA_CLAUDE_MODEL")  # read at import (every TESTDATA_* name is cleared for each test)
pytestmark = pytest.mark.skipif(
    not KEY, reason="ANTHROPIC_API_KEY is not set (the live Claude test needs the real API)"
)


def test_claude_writes_coherent_carts_for_a_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", str(KEY))
    # named on purpose: the SDK then reads ANTHROPIC_API_KEY itself
    engine = Engine(options={"llm_provider": "anthropic", "claude_max_tokens": 2000,
                             **({"claude_model": MODEL} if MODEL else {})})
    result = engine.generate(
        GenerationRequest.checked(
            "cart",
            2,
            strategy="llm",
            seed=1,
            context="holiday shopping, electronics",
            constraints={"total": {"max": 500}},
        )
    )
    meta = result.metadata
    assert meta.provider == "anthropic" and meta.strategy == "llm"
    assert result.valid and all(r["total"] <= 500 for r in result.records)
    assert meta.details["tokens_out"] > 0
    assert meta.coherence >= 0.75  # Claude keeps totals adding up; the tiny local model does not
