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
