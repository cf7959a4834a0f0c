"""Polymorphic SQLAlchemy models: which classes a record of a table can be, told by its discriminator.

A hierarchy in one table (single-table inheritance: ``Submission`` with ``Fail(Submission)`` and
``Partial(Submission)``, told apart by ``type``) gives each record one of the identities of the class asked
for and of its subclasses in that table (``Submission``: every kind; ``Fail``: ``incorrect`` and its own
subclasses'), drawn like any enum. A column that only some of those classes map (a ``Partial``'s ``score``) is
filled for their records and left empty for the others' (a ``present_iff`` rule), and each record becomes an
instance of its identity's class (:func:`~pytest_testdata.schemas.sources.sqlalchemy.instance`).

A subclass is an entity of its own, named after the class (``Fail``: ``fail``), since its table is its base's:
one dataset may hold only one entity of a table (two would draw the same keys), which the dataset's plan
refuses by name (:func:`pytest_testdata.datasets.graph.plan_dataset`). A subclass with a table of its own
(joined-table inheritance: a row in each table per record) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column

from pytest_testdata.errors import TestdataUsageError


@dataclass(frozen=True)
class Kinds:
    """The discriminator of the records of a polymorphic model and what each of its identities maps."""

    column: str
    identities: list[Any]
    """The identities a record can have, in the order the classes were declared."""
    mapped: dict[str, list[Any]]
    """For each column that not every class of the table maps (a kind's own column): the identities of those
    that do, whichever of them the model's records can be."""


def kinds_of(obj: Any, where: str) -> Kinds | None:
    """The :class:`Kinds` of a mapped class in a polymorphic hierarchy (None for any other model)."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    if mapper is None:
        return None
    if mapper.inherits is not None and not mapper.single:
        parent = mapper.inherits.class_.__qualname__
        raise TestdataUsageError(
            f"{where}: the model inherits from {parent} (joined-table inheritance: its rows are in "
            f"{mapper.local_table.name!r} and {mapper.inherits.local_table.name!r}), and datasets do not build "
            f"models whose records need a row in each of two tables, with keys shared with {parent}'s records. Ask "
            f"for {parent} instead, or pass the subclass's own table ({obj.__qualname__}.__table__) to build its "
            f"rows alone (one per {parent} record at most, returned as rows, not {obj.__qualname__} instances). "
            "(Single-table inheritance is read.)")
    column = mapper.polymorphic_on
    if column is None:
        return None
    if not isinstance(column, Column) or column.table is not mapper.local_table:
        raise TestdataUsageError(
            f"{where}: the model's polymorphic_on is {column!r}, not a column of its table; datasets can only "
            "give each record the model's identity in a discriminator column. Use a column for polymorphic_on.")
    everyone = [m for m in _table_root(mapper).self_and_descendants  # every class of the table
                if m.polymorphic_identity is not None and m.local_table is mapper.local_table]
    members = [m for m in everyone if m.isa(mapper)]  # the classes a record of this model can be
    if not members:
        raise TestdataUsageError(
            f"{where}: the model is the base of a polymorphic hierarchy (polymorphic_on={column.name!r}) but "
            f"neither it nor a subclass in its table has a polymorphic_identity, so no value of {column.name!r} "
            f"would load as a class. Give it one (__mapper_args__ = {{'polymorphic_identity': ...}}).")
    identities = [m.polymorphic_identity for m in members]
    mapped: dict[str, list[Any]] = {}
    for table_column in mapper.local_table.columns:
        by = [m.polymorphic_identity for m in everyone if table_column in m.columns.values()]
        if len(by) < len(everyone):
            mapped[table_column.name] = by
    return Kinds(column.name, identities, mapped)


def apply_kinds(document: dict[str, Any], kinds: Kinds) -> None:
    """Give the entity's JSON Schema the identities (the discriminator's ``enum``) and, for each kind's own
    column, a ``present_iff`` rule, filled exactly for the classes that map it (nullable columns: a ``NOT NULL``
    one that a class does not map would refuse that class's rows, so it is the application's to fix), or
    ``null`` when no class of the entity maps it."""
    props = document["properties"]
    props[kinds.column]["enum"] = list(kinds.identities)
    for name, by in kinds.mapped.items():
        prop = props.get(name)
        if prop is None or name in document["required"]:
            continue
        if not set(by) & set(kinds.identities):  # no class of this entity maps it
            props[name] = {"type": "null"}
            continue
        document.setdefault("x-coherence", []).append(
            {"kind": "present_iff", "field": name, "when": kinds.column, "in": list(by)})


def table_base(obj: Any) -> str | None:
    """The name of the first class of a mapped class's table (the base of a single-table hierarchy), None for
    anything else."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    return None if mapper is None else str(_table_root(mapper).class_.__qualname__)


def _table_root(mapper: Any) -> Any:
    """The first mapper of ``mapper``'s table: up its single-table parents."""
    while mapper.inherits is not None and mapper.single:
        mapper = mapper.inherits
    return mapper


def subclass_name(obj: Any) -> str | None:
    """The entity name of a subclass in its base's table (``UserComment``: ``user_comment``), None for a class
    with a table of its own."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    if mapper is None or mapper.inherits is None or not mapper.single:
        return None
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", obj.__name__).lower()


__all__ = ["Kinds", "apply_kinds", "kinds_of", "subclass_name", "table_base"]
