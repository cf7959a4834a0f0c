"""Datasets: linked entities with referential integrity and cross-entity coherence (``x-dataset-coherence``),
generated in dependency order and optionally loaded into a database. See docs/datasets.md.

Importing this package is light (the plugin imports its fixtures): names load on first use, and
SQLAlchemy and psycopg are imported only by the database modules.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "build_dataset": "build", "generate_dataset": "build", "Cardinality": "cardinality",
    "DatasetRequest": "request", "BrokenRule": "result", "Dataset": "result", "DatasetViolation": "result",
    "EntityMetadata": "result", "sqlite_engine": "db",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_testdata.datasets' has no attribute {name!r}")
    return getattr(importlib.import_module(f"pytest_testdata.datasets.{module}"), name)
