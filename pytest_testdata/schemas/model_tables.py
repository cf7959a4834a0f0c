"""The keywords a model entity's schema carries about the SQL tables its records are rows of.

Written by the SQLAlchemy source (:mod:`pytest_testdata.schemas.sources.sqlalchemy`) and read by a dataset's
plan (:mod:`pytest_testdata.datasets.shared_tables`), in the test's process and on the agent, where an inline
schema comes without its model. A module of its own so that the plan reads them without importing SQLAlchemy.
"""

from __future__ import annotations

TABLES = "x-tables"
"""The SQL tables a model entity's records are rows of (``schema.table`` for a table in a schema), root first."""
KIND_FIELD = "x-kind-field"
"""A polymorphic model's discriminator field: which class each record is."""
PARTIAL_TABLES = "x-partial-tables"
"""A joined subclass's table whose rows only some kinds' records are: those kinds, and the table's unique
combinations (held by every record of the entity, so by the kinds' ones)."""

__all__ = ["KIND_FIELD", "PARTIAL_TABLES", "TABLES"]
