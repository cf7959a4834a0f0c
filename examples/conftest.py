"""Example conftest: call defaults for every example test, through the overridable config fixture.

Run the examples from the repository root with ``pytest examples``; the schema folder
``examples/schemas`` is named in ``testdata_schemas`` in pyproject.toml (paths are relative to the
rootdir), so ``testdata("invoice")`` works next to the six built-in entities.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# The examples import their "application" (shop.py) as a plain module.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def testdata_config() -> dict[str, Any]:
    """Defaults for every testdata call and marker below this folder (a call's own arguments win)."""
    return {"strategy": "traditional"}
