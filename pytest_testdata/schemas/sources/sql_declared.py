"""What a SQLAlchemy model declares for its records beyond what its table says, in SQLAlchemy's own place for
an application's notes about a schema item: ``info={"testdata": {...}}``.

On a column (``mapped_column(..., info={"testdata": {...}})``): the keywords a JSON Schema property of an entity
takes: a generator (``x-gen``), a reference's cardinality (``x-cardinality``), a reference the database does
not declare (``x-ref``, a column holding ids with no foreign key), uniqueness (``x-unique``), and bounds and
shapes (``minimum``, ``maxLength``, ``pattern``, ``enum``, ``format``...). A bound merges with what the column
and its CHECK constraints say (the tighter wins); the others are set.

On the table (``__table_args__ = {"info": {"testdata": {...}}}``): the rules of the entity, as a JSON Schema
entity declares them: ``x-coherence`` (rules within a record), ``x-dataset-coherence`` (rules across the
records it refers to) and ``x-unique-together``.

Any other key, or a value that is not a mapping, is an error naming it: a key nothing reads would be ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table

from pytest_testdata.errors import TestdataUsageError, suggest

KEY = "testdata"
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "enum")
"""Column keywords merged with what the table says (the tighter wins: sql_checks.apply_checks)."""
SET = ("x-gen", "x-cardinality", "x-ref", "x-unique", "format", "multipleOf", "description", "examples")
"""Column keywords set as given."""
TABLE = ("x-coherence", "x-dataset-coherence", "x-unique-together")
"""Table keywords: the entity's rules."""


def column_keywords(table: Table, where: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per column: the bounds declared (to merge) and the other keywords (to set)."""
    bounds: dict[str, dict[str, Any]] = {}
    others: dict[str, dict[str, Any]] = {}
    for column in table.columns:
        declared = _declared(column.info, f"{where}: column {column.name!r}", (*BOUNDS, *SET),
                             "mapped_column(..., info={'testdata': {'x-gen': 'company'}})")
        for key, value in declared.items():
            (bounds if key in BOUNDS else others).setdefault(column.name, {})[key] = value
    return bounds, others


def table_keywords(table: Table, where: str) -> dict[str, Any]:
    """The entity's rules declared on the table."""
    declared = _declared(table.info, where, TABLE,
                         "__table_args__ = {'info': {'testdata': {'x-coherence': [...]}}}")
    for key, value in declared.items():
        if not isinstance(value, list):
            raise TestdataUsageError(f"{where}: info['testdata'][{key!r}] must be a list, as in a JSON Schema "
                                     f"entity, got {value!r}.")
    return declared


def _declared(info: Mapping[str, Any] | None, where: str, allowed: tuple[str, ...], example: str) -> dict[str, Any]:
    found = (info or {}).get(KEY)
    if found is None:
        return {}
    if not isinstance(found, Mapping):
        raise TestdataUsageError(f"{where}: info['testdata'] must be a mapping of keywords, got {found!r}. "
                                 f"Write it as {example}.")
    for key in found:
        if key not in allowed:
            raise TestdataUsageError(
                f"{where}: info['testdata'] has {key!r}{suggest(str(key), allowed)}, which is not read here. "
                f"Allowed: {', '.join(allowed)}.")
    return dict(found)
