"""Shared fixtures for the pytest-testdata test suite."""

from __future__ import annotations

import os

import pytest

# pytest-randomly is in the dev extra (the plugin's seeding is tested with it), but it would shuffle and
# reseed every pytest run the tests start: subprocess runs read this variable, and the `pytester` fixture
# below sets it again for in-process runs (pytester clears it). A test that wants randomly passes
# `-p randomly`, which re-enables it. The suite's own run disables it in pyproject.toml's addopts.
NO_RANDOMLY = "-p no:randomly"
os.environ["PYTEST_ADDOPTS"] = NO_RANDOMLY

# Modules a `pytester` in-process run imports first are dropped after it (see PyYAML below). httpcore, which
# httpx imports only when a client is first made, is imported here so that it never is. Once it was dropped,
# httpx's table of httpcore errors to wrap (built once, on the first error) could hold the classes of one
# httpcore while a client raised those of another: its ReadTimeout or ConnectError then escaped the provider's
# own fallback, and tests/llm/test_openai_faults.py failed (DID NOT WARN) whenever, under xdist, an in-process
# run had been the first to use httpx on that worker.
import httpcore  # noqa: E402, F401  (httpx's transport; httpx is a core dependency)
import httpx  # noqa: E402, F401

# PyYAML's C extension is initialised once per process, but `pytester` drops the modules an in-process run
# imported: a `yaml` imported again after that gets libyaml nodes of the first import, and vcrpy's cassette
# loader (libyaml's CSafeLoader) fails with "could not determine a constructor for the tag None" in whichever
# test happens to come next. Importing it here keeps one `yaml` for the whole session. (Our own schema loader
# checks for this itself: schemas/sources/files.py, _libyaml_usable.)
import yaml  # noqa: E402, F401  (vcrpy, a core dependency, depends on PyYAML)

# The same for protobuf's upb extension and the agent's generated messages: after an in-process run dropped
# `testdata_pb2`, importing it again and reading `DESCRIPTOR.services_by_name` crashed the whole test process
# (SIGSEGV in upb's PyUpb_ByNameMap_New, protobuf 7.36 with grpcio 1.85), taking every later test with it.
try:
    import grpc  # noqa: F401

    import pytest_testdata.agent.testdata_pb2  # noqa: F401
except ImportError:  # the agent extra is not installed: no in-process run can import them either
    pass

# The developer's REDIS_URL, VLLM_URL, API keys...: out of the environment before any agent starts (module-scoped
# agents start before a test's own fixtures run). See tests/developer_env.py.
import tests.developer_env  # noqa: E402, F401

# SQLAlchemy's asyncio extension and greenlet (a C extension), which in-process runs use for an AsyncSession's
# run_sync (tests/datasets/test_sqlite.py, docs/datasets.md), imported once for the same reason.
try:
    import greenlet  # noqa: F401
    import sqlalchemy.ext.asyncio  # noqa: F401
except ImportError:  # the dev extra is not installed: those tests fail on their own import, loudly
    pass


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytest's own ``pytester``, with pytest-randomly off in its runs unless a test passes ``-p randomly``."""
    monkeypatch.setenv("PYTEST_ADDOPTS", NO_RANDOMLY)
    return pytester


@pytest.fixture(autouse=True)
def _clean_testdata_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs under test must not see TESTDATA_* settings from the developer's shell (nor the service names the
    agent reads: removed once, above, for the whole session)."""
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


@pytest.fixture
def dev_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's own project (its own rootdir and ini) on a developer's machine.

    The environment holds what a developer's shell has: an Anthropic key and the application's own Redis
    (a port where nothing listens, so a plugin that wrongly used it would still not touch a real one).
    """
    import socket

    pytester.makeini("[pytest]\nxfail_strict = true\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-a-developers-own-key")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    return pytester
