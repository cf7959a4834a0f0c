"""Polymorphic SQLAlchemy models: which classes a record of a table can be, told by its discriminator.

A hierarchy in one table (single-table inheritance: ``Submission`` with ``Fail(Submission)`` and
``Partial(Submission)``, told apart by ``type``) gives each record one of the identities of the class asked
for and of its subclasses (``Submission``: every kind; ``Fail``: ``incorrect`` and its own subclasses'), drawn
like any enum. A column that only some of those classes map (a ``Partial``'s ``score``) is filled for their
records and left empty for the others' (a ``present_iff`` rule), and each record becomes an instance of its
identity's class (:func:`~pytest_testdata.schemas.sources.sqlalchemy.instance`).

A subclass with a table of its own (joined-table inheritance: ``Solve(Submission)`` in ``solves``, whose key is
also a foreign key to ``submissions``) adds its table to the entity: a record of that kind is a row in each
table, with one key, and the subclass's columns are its kind's own (:attr:`Kinds.tables`, :attr:`Kinds.only`).
A column of the same name in two of the tables (the key, or a ``column_property`` over both) is one field.

A single-table subclass is an entity of its own, named after the class (``Fail``: ``fail``), since its table is
its base's; a joined subclass is named after its own table (``solves``). Classes of one model asked for together
share their table, each with the kinds no narrower one asks for (:mod:`pytest_testdata.datasets.shared_tables`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table

from pytest_testdata.errors import TestdataUsageError


@dataclass(frozen=True)
class Kinds:
    """The discriminator of the records of a polymorphic model and what each of its identities maps."""

    column: str
    identities: list[Any]
    """The identities a record can have, in the order the classes were declared."""
    mapped: dict[str, list[Any]]
    """For each column (by name) that not every class of the hierarchy maps (a kind's own column): the
    identities of those that do."""
    tables: list[Table]
    """The tables the model's records are rows of: its hierarchy's first table, then each joined subclass's
    (of the class asked for, its parents' and its subclasses'), parents first."""
    only: dict[str, list[Any]]
    """For each of :attr:`tables` that not every record is a row of (a joined subclass's, when its base is asked
    for): the identities whose records are."""


def kinds_of(obj: Any, where: str) -> Kinds | None:
    """The :class:`Kinds` of a mapped class in a polymorphic hierarchy (None for any other model)."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    if mapper is None:
        return None
    column = mapper.polymorphic_on
    if column is None:
        return None
    if not isinstance(column, Column) or column.table not in mapper.tables:
        raise TestdataUsageError(
            f"{where}: the model's polymorphic_on is {column!r}, not a column of its table; datasets can only "
            "give each record the model's identity in a discriminator column. Use a column for polymorphic_on.")
    members = [m for m in mapper.self_and_descendants if m.polymorphic_identity is not None]
    if not members:
        raise TestdataUsageError(
            f"{where}: the model is the base of a polymorphic hierarchy (polymorphic_on={column.name!r}) but "
            f"neither it nor a subclass has a polymorphic_identity, so no value of {column.name!r} "
            f"would load as a class. Give it one (__mapper_args__ = {{'polymorphic_identity': ...}}).")
    identities = [m.polymorphic_identity for m in members]
    tables: list[Table] = []
    for member in [mapper, *members]:  # each class's tables from its root's down (a mapper's own list is unordered)
        for table in [m.local_table for m in reversed(list(member.iterate_to_root()))]:
            if table not in tables:  # (a single-table subclass's is its parent's)
                tables.append(table)
    # A column that not every class of the hierarchy maps is its kinds' own: filled for their records (even when
    # every record of this model is of those kinds: a ChallengeFile's challenge_id), empty for the others'.
    everyone = [m for m in mapper.base_mapper.self_and_descendants if m.polymorphic_identity is not None]
    mapped_by = {id(m): {c for prop in m.column_attrs for c in prop.columns} for m in everyone}
    mapped: dict[str, list[Any]] = {}
    for table in tables:
        for table_column in table.columns:
            known = mapped.setdefault(table_column.name, [])  # (a name in two tables: one field)
            known += [m.polymorphic_identity for m in everyone
                      if table_column in mapped_by[id(m)] and m.polymorphic_identity not in known]
    mapped = {name: by for name, by in mapped.items() if len(by) < len(everyone)}
    only = {}
    for table in tables:
        rows = [m.polymorphic_identity for m in members if table in m.tables]
        if len(rows) < len(identities):
            only[table.name] = rows
    return Kinds(column.name, identities, mapped, tables, only)


def apply_kinds(document: dict[str, Any], kinds: Kinds) -> None:
    """Give the entity's JSON Schema the identities (the discriminator's ``enum``) and, for each kind's own
    column, a ``present_iff`` rule, filled exactly for the classes that map it (nullable columns of the
    hierarchy's table: a ``NOT NULL`` one that a class does not map would refuse that class's rows, so it is the
    application's to fix; any column of a joined subclass's table), or ``null`` when no class of the entity
    maps it."""
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


def subclass_name(obj: Any) -> str | None:
    """The entity name of a subclass in its base's table (``UserComment``: ``user_comment``), None for a class
    with a table of its own."""
    mapper = getattr(obj, "__mapper__", None) if isinstance(obj, type) else None
    if mapper is None or mapper.inherits is None or not mapper.single:
        return None
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", obj.__name__).lower()


__all__ = ["Kinds", "apply_kinds", "kinds_of", "subclass_name"]
