"""Fixtures for the pattern store and the rag/hybrid strategies' tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.store import PatternStore
from tests.developer_env import SAVED
from tests.llm.servers import closed_port as closed_port  # re-exported: the rag tests import it from here

BACKENDS = ["embedded", "weaviate"]
WEAVIATE_URL = SAVED.get("WEAVIATE_URL")  # the developer's (the suite takes it out of the environment)
WEAVIATE_API_KEY = SAVED.get("WEAVIATE_API_KEY")
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"


def _open(backend: str, tmp_path: Path) -> PatternStore:
    if backend == "embedded":
        from pytest_testdata.store.embedded import EmbeddedStore

        return EmbeddedStore(tmp_path / "store" / "patterns.sqlite3")
    url = WEAVIATE_URL
    if not url:
        pytest.skip("WEAVIATE_URL is not set: the Weaviate contract run needs a server (see docs/rag.md)")
    from pytest_testdata.store.weaviate_store import WeaviateStore

    store = WeaviateStore(url, WEAVIATE_API_KEY or None)
    store.drop_all()  # the suite owns the three collections of the instance it is pointed at
    return store


@pytest.fixture(params=BACKENDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PatternStore]:
    """An empty pattern store of each backend (Weaviate only when WEAVIATE_URL is set)."""
    store = _open(request.param, tmp_path)
    yield store
    if request.param == "weaviate":
        store.drop_all()  # type: ignore[attr-defined]
    store.close()


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "store" / "patterns.sqlite3"


@pytest.fixture
def engine(store_file: Path) -> Engine:
    """An engine whose rag/hybrid strategies use a fresh embedded store (seeded on first use)."""
    return Engine(options={"store": "embedded", "store_path": str(store_file)})


def ids_of(record: Any, found: set[str] | None = None) -> set[str]:
    """Every UUID-shaped string in a record."""
    import re

    found = set() if found is None else found
    if isinstance(record, dict):
        for value in record.values():
            ids_of(value, found)
    elif isinstance(record, list):
        for value in record:
            ids_of(value, found)
    elif isinstance(record, str) and re.fullmatch(UUID4, record):
        found.add(record)
    return found
