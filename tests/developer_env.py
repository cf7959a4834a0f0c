"""The developer's own service settings, taken out of the test process's environment when the suite starts.

The agent reads the service names a deployment uses (``REDIS_URL``, ``VLLM_URL``, ``ANTHROPIC_API_KEY``...: the
``service_env`` of :data:`pytest_testdata.config.OPTIONS` and ``SECRETS``). A developer's shell often holds
them for their own application, and an agent a test starts (some for a whole module) would take that Redis as
its cache. So they are removed from ``os.environ`` before any test runs, for this process and every process
it starts; a test that wants one sets it (``dev_project`` does). The live runs, which a developer turns on with
them, read theirs from :data:`SAVED` (tests/llm/test_claude_live.py, tests/rag/conftest.py).
"""

from __future__ import annotations

import os

from pytest_testdata.config import OPTIONS, SECRETS

SERVICE_NAMES = frozenset(name for spec in (*OPTIONS, *SECRETS) for name in spec.service_env)
KEPT = "PYTEST_TESTDATA_DEVELOPER_"
"""Where a removed value is kept, so that pytest-xdist's workers (started from this process, after the removal)
and the tests' own subprocesses find it too: nothing else reads these names."""
for _name in sorted(SERVICE_NAMES):
    if _name in os.environ:
        os.environ[KEPT + _name] = os.environ.pop(_name)
SAVED: dict[str, str] = {name: os.environ[KEPT + name] for name in sorted(SERVICE_NAMES) if KEPT + name in os.environ}
"""What the developer's environment held under those names."""
