"""Fixtures for the LLM strategy's tests: engines wired to loopback servers, valid records to serve."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.llm.structured import uuid_paths
from pytest_testdata.recording.cassettes import BOOK
from pytest_testdata.types import GenerationRequest
from tests.llm.servers import PROVIDER_ENV, LoopbackServer, MessagesApiDouble, Respond

FAST = {"llm_timeout": 60.0, "llm_max_retries": 1}
"""Generous: every server these tests talk to answers (a loaded machine must not turn an answer into a
timeout). Tests about timing stage the delay themselves (see test_openai_faults.py)."""


@pytest.fixture
def loopback() -> Iterator[Callable[[Respond], LoopbackServer]]:
    """Start scripted HTTP servers on free loopback ports; all are shut down after the test."""
    started: list[LoopbackServer] = []

    def start(respond: Respond) -> LoopbackServer:
        server = LoopbackServer(respond)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def messages_api_double() -> Iterator[Callable[..., MessagesApiDouble]]:
    """Start a Messages API test double (see :class:`MessagesApiDouble`)."""
    started: list[MessagesApiDouble] = []

    def start(
        records: Callable[[int, dict[str, Any]], list[dict[str, Any]]] | None = None, faults: Any = None
    ) -> MessagesApiDouble:
        server = MessagesApiDouble(records or valid_records("cart"), faults)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def valid_records(entity: str, seed: int = 99) -> Callable[[int, dict[str, Any]], list[dict[str, Any]]]:
    """Valid records of ``entity`` (from the traditional strategy), without the ids the generator assigns."""
    engine = Engine()
    schema = engine.registry.get(entity)

    def make(count: int, body: Any = None) -> list[dict[str, Any]]:
        records = engine.generate(
            GenerationRequest.checked(entity, count, strategy="traditional", seed=seed)
        ).records
        for record in records:
            for path in uuid_paths(schema):
                parts = path.split(".")
                if len(parts) == 1:
                    record.pop(parts[0], None)
                elif parts[1] == "*":
                    for item in record.get(parts[0], []):
                        item.pop(parts[2], None)
        return records

    return make


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure providers explicitly; a developer's keys and URLs must not leak in."""
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)


def make_engine(**options: Any) -> Engine:
    """An engine with LLM options (generous timeouts unless given)."""
    return Engine(options={**FAST, **options})


def llm_request(
    entity: str = "cart", count: int = 2, *, cassette: Path | None = None, **kwargs: Any
) -> GenerationRequest:
    options = dict(kwargs.pop("options", {}))
    if cassette is not None:
        options.update(_cassette=str(cassette), _test=f"tests/llm/test_x.py::{cassette.stem}")
    return GenerationRequest.checked(
        entity, count, strategy="llm", seed=kwargs.pop("seed", 7), options=options, **kwargs
    )


@pytest.fixture
def close_cassettes() -> Iterator[None]:
    yield
    BOOK.close()


def quietly(engine: Engine, request: GenerationRequest) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return engine.generate(request)
