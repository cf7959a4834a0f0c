"""Shared fixtures for the pytest-testdata test suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_testdata_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs under test must not see TESTDATA_* settings from the developer's shell."""
    import os

    for name in list(os.environ):
        if name.startswith("TESTDATA_"):
            monkeypatch.delenv(name)


@pytest.fixture
def llm_not_built(monkeypatch: pytest.MonkeyPatch) -> str:
    """Stage a release in which the ``llm`` strategy is designed but not built (PLANNED, not in GENERATORS).

    The tests of "a strategy not built yet fails with a clear message" must not depend on which
    strategies happen to be built on this branch. Applies to this process, so to inline pytester runs.
    """
    from pytest_testdata.generators import base

    monkeypatch.delitem(base.GENERATORS, "llm", raising=False)
    monkeypatch.setitem(base.PLANNED, "llm", "the LLM strategy (Claude, OpenAI-compatible servers, a local model)")
    return "llm"
