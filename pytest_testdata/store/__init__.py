"""Pattern stores for the ``rag`` and ``hybrid`` strategies: an embedded SQLite/FTS5 default and Weaviate.

:func:`open_store` builds one from settings; :func:`curated_patterns` are the 35 shipped seed patterns
(``testdata rag seed`` loads them, and an empty embedded store loads them on first use).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_testdata.config import OPTION_BY_NAME
from pytest_testdata.errors import TestdataUsageError, choice_error
from pytest_testdata.store.base import (
    COLLECTIONS,
    DEFECTS,
    PATTERNS,
    PROD_SAMPLES,
    Hit,
    Pattern,
    PatternStore,
    StoreUnavailableError,
    collection_name,
)

__all__ = [
    "COLLECTIONS", "DEFAULT_STORE_PATH", "DEFECTS", "PATTERNS", "PROD_SAMPLES", "STORE_BACKENDS", "Hit",
    "Pattern", "PatternStore", "StoreUnavailableError", "collection_name", "curated_patterns",
    "ensure_seeded", "open_store", "seed", "store_settings",
]

STORE_BACKENDS: tuple[str, ...] = ("auto", "embedded", "weaviate")
DEFAULT_STORE_PATH = ".testdata/patterns.sqlite3"
DEFAULT_TOP_K: int = OPTION_BY_NAME["rag_top_k"].default
"""The one default, declared with the option in :mod:`pytest_testdata.config`."""
STORE_KEYS = ("store", "store_path", "weaviate_url", "weaviate_api_key", "weaviate_grpc_port", "rag_top_k",
              "rag_alpha")


def store_settings(options: Mapping[str, Any]) -> dict[str, Any]:
    """The store settings from ``options`` (engine options, or the ``testdata rag`` flags) over the defaults.

    Keys: ``store`` (auto | embedded | weaviate), ``store_path``, ``weaviate_url``, ``weaviate_api_key``,
    ``weaviate_grpc_port``, ``rag_top_k``, ``rag_alpha``, ``rootdir`` (what a relative ``store_path`` is
    relative to; default the working directory). Never reads the environment: the settings resolver
    (:mod:`pytest_testdata.config`) did that, and an option missing from ``options`` is taken from the
    resolved ``options["settings"]`` when there is one.
    """
    resolved = options.get("settings")
    out: dict[str, Any] = {"rootdir": None}
    for key in STORE_KEYS:
        value = resolved.get(key) if resolved is not None and hasattr(resolved, "get") else None
        default = OPTION_BY_NAME[key].default if key in OPTION_BY_NAME else None  # secrets have none
        out[key] = default if value in (None, "") else value
    out.update({k: v for k, v in options.items() if k in out and v not in (None, "")})
    if out["store"] not in STORE_BACKENDS:
        raise choice_error("store (--testdata-store, testdata_store, TESTDATA_STORE)", out["store"],
                           STORE_BACKENDS)
    try:
        top_k = int(out["rag_top_k"])
    except (TypeError, ValueError):
        top_k = 0
    if top_k < 1 or top_k > 1000:
        raise TestdataUsageError(
            f"rag_top_k (--testdata-rag-top-k, TESTDATA_RAG_TOP_K): expected a whole number from 1 to 1000, got "
            f"{out['rag_top_k']!r}. It is how many patterns each request retrieves (default {DEFAULT_TOP_K})."
        )
    out["rag_top_k"] = top_k
    return out


def open_store(options: Mapping[str, Any] | None = None) -> PatternStore:
    """Open the configured store. ``auto`` means Weaviate when a Weaviate URL is set, else embedded."""
    settings = store_settings(options or {})
    backend = settings["store"]
    if backend == "auto":
        backend = "weaviate" if settings["weaviate_url"] else "embedded"
    if backend == "weaviate":
        if not settings["weaviate_url"]:
            raise TestdataUsageError(
                "store: 'weaviate' needs the server's address. Set --testdata-weaviate-url (TESTDATA_WEAVIATE_URL; "
                "the agent reads WEAVIATE_URL), e.g. http://localhost:8080, or use --testdata-store embedded."
            )
        from pytest_testdata.store.weaviate_store import WeaviateStore

        return WeaviateStore(settings["weaviate_url"], settings["weaviate_api_key"] or None,
                             grpc_port=int(settings["weaviate_grpc_port"]), alpha=float(settings["rag_alpha"]))
    from pytest_testdata.store.embedded import EmbeddedStore

    path = Path(settings["store_path"] or DEFAULT_STORE_PATH)
    if str(path) != ":memory:" and not path.is_absolute():
        path = Path(settings["rootdir"] or Path.cwd()) / path
    return EmbeddedStore(path)


def curated_patterns() -> list[Pattern]:
    """The curated seed patterns shipped with the package (realistic records and defect shapes)."""
    folder = resources.files("pytest_testdata.store") / "seeds"
    out: list[Pattern] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            for item in json.loads(entry.read_text(encoding="utf-8")):
                out.append(Pattern.from_dict(item))
    return out


def seed(store: PatternStore) -> int:
    """Load (or reload) the curated patterns into a store; returns how many were written."""
    return store.add(curated_patterns())


def ensure_seeded(store: PatternStore) -> bool:
    """Seed a store whose patterns and defects collections are both empty; True if it did."""
    if store.count(PATTERNS) or store.count(DEFECTS):
        return False
    seed(store)
    return True
