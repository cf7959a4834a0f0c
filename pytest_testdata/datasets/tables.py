"""SQL tables for a dataset's entities (SQLAlchemy Core), and the rows of their records.

An entity from a JSON Schema becomes a table named after it: nested objects are flattened into columns
(``totals.total`` -> ``totals_total``), lists of objects become child tables (``order.items`` ->
``order_items`` with ``order_order_id``, ``position`` and the item's fields), lists of plain values a
JSON column. References (``x-ref``) become foreign keys, ``x-unique`` a unique constraint, the key field
the primary key. An entity that came from a SQLAlchemy model keeps the model's own table.

Imported only where a database or SQL output is used: it imports SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from pytest_testdata.datasets.graph import DatasetPlan
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.quality.paths import getter
from pytest_testdata.schemas.model import Schema

Record = dict[str, Any]
Read = Callable[[Any], Any]


@dataclass
class TableMap:
    """One SQL table and how to read each of its columns from a record (or a list element)."""

    entity: str
    table: Table
    columns: list[tuple[str, Read]]
    """(column name, value reader) in table column order."""
    list_path: str | None = None
    """For a child table: the list it holds (``items``); rows come one per element."""
    parent_key: Read | None = None
    """For a child table: reads the owning record's key."""
    json_columns: frozenset[str] = frozenset()
    fields: dict[str, str] = field(default_factory=dict)
    """Record path -> column name (to name a field in an error)."""
    paths: list[tuple[str, str]] = field(default_factory=list)
    """(column name, record path, relative to the list element for a child table) in column order."""
    only: tuple[str, frozenset[Any]] | None = None
    """For a joined subclass's table: (discriminator field, identities), the records that are rows of it (see
    :meth:`picked`); None: every record."""
    _compiled: Callable[[list[Record]], list[tuple[Any, ...]]] | None = None
    _flat: Callable[[list[Record]], list[Any]] | None = None

    def picked(self, records: list[Record]) -> list[Record]:
        """The records that are rows of the table (all of them but for a joined subclass's table)."""
        return records if self.only is None else [r for r in records if self.takes(r)]

    def takes(self, record: Record) -> bool:
        """Whether the record is a row of the table (see :attr:`only`)."""
        return self.only is None or record.get(self.only[0]) in self.only[1]

    def by_field(self, convert: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """``(column, what)`` pairs (a column's converter) keyed by the record's field instead (a joined
        subclass's key column holds its base's key field); a column the record has no field for is left out."""
        field = dict(self.paths)
        return [(field[name], what) for name, what in convert if name in field]

    def rows(self, records: list[Record]) -> list[tuple[Any, ...]]:
        """Row tuples in column order (lists and dicts in JSON columns as JSON text)."""
        return self._rows_function()(records)

    def values(self, records: list[Record]) -> list[Any]:
        """The values of :meth:`rows` in one flat list, row after row (what a multi-row ``INSERT`` binds).

        Read with subscripts (``r['a']``), each row's tuple dropped as soon as its values are in the list:
        with no row tuple kept, building the rows starts none of the garbage collector's passes (a pass every
        700 kept tuples, which then walked them: an eighth of the rows' cost), and a subscript costs less than
        a ``get`` call. Records that are not plain dicts all the way down, or lack a key (``rows`` gives
        None for it), or hold None for a nested object, raise in the quick reading: then the whole list is
        read as :meth:`rows` reads it, so the values are the same either way."""
        try:
            return self._values_function()(records)
        except (LookupError, TypeError, AttributeError, _NotPlain):
            return list(chain.from_iterable(self.rows(records)))

    def _values_function(self) -> Callable[[list[Record]], list[Any]]:
        if self._flat is None:
            names: dict[tuple[str, ...], str] = {}
            body: list[str] = []
            child = self.list_path is not None

            def read(root: str, path: str) -> str:
                """``r['a']``; a nested object is named (and checked to be a dict) before the row is built."""
                keys = path.split(".")
                holder = root
                for depth in range(1, len(keys)):
                    prefix = (root, *keys[:depth])
                    if prefix not in names:
                        names[prefix] = f"_{len(names)}"
                        body.append(f"{names[prefix]} = {holder}[{keys[depth - 1]!r}]")
                        body.append(f"if type({names[prefix]}) is not dict: raise _NotPlain")
                    holder = names[prefix]
                return f"{holder}[{keys[-1]!r}]"

            parts = ["k", "p"] if child else []
            for name, path in self.paths[2 if child else 0:]:
                expr = read("e" if child else "r", path)
                parts.append(f"_dump({expr})" if name in self.json_columns else expr)
            lines = ["def values(records):", "    out = []", "    add = out.extend", "    for r in records:",
                     "        if type(r) is not dict: raise _NotPlain"]
            indent = "        "
            if child:
                key = self.paths[0][1]
                lines.append(indent + (f"k = r[{key!r}]" if "." not in key else "k = _key(r)"))
                lines.append(indent + f"for p, e in enumerate(r[{self.list_path!r}]):")
                indent += "    "
                lines.append(indent + "if type(e) is not dict: raise _NotPlain")
            lines += [indent + line for line in body]
            lines.append(indent + f"add(({', '.join(parts)},))")
            lines.append("    return out")
            scope: dict[str, Any] = {"_dump": _dump, "_key": self.parent_key, "_NotPlain": _NotPlain}
            exec(compile("\n".join(lines) + "\n", f"<values of {self.table.name}>", "exec"), scope)
            self._flat = scope["values"]
        return self._flat

    def _rows_function(self) -> Callable[[list[Record]], list[tuple[Any, ...]]]:
        """One compiled list comprehension per table: a nested object is looked up once per record (an
        order's ``totals``, read for six columns), and each column costs one dict lookup, with no call per
        row. A child table's comprehension runs over each record's list, the owner's key read once per
        element (as the key's own ``get`` chain)."""
        if self._compiled is None:
            names: dict[tuple[str, ...], str] = {}

            def read(root: str, path: str) -> str:
                """The expression of a path, ``r.get('a')``; a nested object is named where it is first read,
                ``(_0 := (r.get('a') or _EMPTY)).get('b')``, and read by its name after that."""
                keys = path.split(".")
                expr = f"{root}.get({keys[0]!r})"
                for depth in range(1, len(keys)):
                    prefix = (root, *keys[:depth])
                    if prefix in names:
                        holder = names[prefix]
                    else:
                        names[prefix] = f"_{len(names)}"
                        holder = f"({names[prefix]} := ({expr} or _EMPTY))"
                    expr = f"{holder}.get({keys[depth]!r})"
                return expr

            skip = 2 if self.list_path is not None else 0
            parts = []
            if self.list_path is not None:  # the owner's key: a top-level field, else its getter
                key = self.paths[0][1]
                parts = [read("r", key) if "." not in key else "_key(r)", "p"]
            for name, path in self.paths[skip:]:
                expr = read("e" if self.list_path is not None else "r", path)
                parts.append(f"_dump({expr})" if name in self.json_columns else expr)
            loop = "for r in records"
            if self.list_path is not None:
                loop += f" for p, e in enumerate(r.get({self.list_path!r}) or ())"
            source = f"def rows(records):\n    return [({', '.join(parts)},) {loop}]\n"
            scope: dict[str, Any] = {"_EMPTY": {}, "_dump": _dump, "_key": self.parent_key}
            exec(compile(source, f"<rows of {self.table.name}>", "exec"), scope)  # keys quoted with repr()
            self._compiled = scope["rows"]
        return self._compiled


class _NotPlain(Exception):
    """A record or nested object that is not a plain dict: :meth:`TableMap.values` reads it with ``get``."""


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _column_type(sub: Mapping[str, Any]) -> TypeEngine[Any]:
    types = sub.get("type")
    kinds = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
    kind = kinds[0] if kinds else ("string" if "enum" in sub else None)
    if kind == "string":
        fmt = sub.get("format")
        if fmt == "date-time":
            return String(32).with_variant(DateTime(timezone=True), "postgresql")
        if fmt == "uuid":
            return String(36)
        enum = sub.get("enum")
        if enum:
            return String(max(len(str(v)) for v in enum))
        limit = sub.get("maxLength")
        return String(int(limit)) if isinstance(limit, int) and limit <= 10_000 else Text()
    if kind == "integer":
        return Integer()
    if kind == "number":
        step = sub.get("multipleOf")
        if step == 0.01:
            return Numeric(14, 2, asdecimal=False)
        return Float()
    if kind == "boolean":
        return Boolean()
    return JSON()


def _nullable(sub: Mapping[str, Any], required: bool) -> bool:
    types = sub.get("type")
    return not required or (isinstance(types, list) and "null" in types)


def _flatten(node: Mapping[str, Any], prefix: str, required: bool) -> list[tuple[str, Mapping[str, Any], bool]]:
    """(record path, subschema, nullable) for each column of an object (nested objects flattened)."""
    out = []
    needed = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        is_required = required and name in needed
        if "properties" in sub and sub.get("type") in ("object", ["object"], None):
            out.extend(_flatten(sub, f"{path}.", is_required))
        else:
            out.append((path, sub, _nullable(sub, is_required)))
    return out


def _is_object_list(sub: Mapping[str, Any]) -> bool:
    items = sub.get("items")
    return sub.get("type") == "array" and isinstance(items, Mapping) and "properties" in items


def build_tables(plan: DatasetPlan, metadata: MetaData) -> dict[str, list[TableMap]]:
    """The tables of every entity of the plan (parents first); model entities keep their own table."""
    out: dict[str, list[TableMap]] = {}
    refs = {(e.child, e.path): e for e in plan.edges}
    for entity in plan.order:  # (classes of one model may share a table: datasets/shared_tables.py)
        schema = plan.schemas[entity]
        if model_table_of(schema) is not None:
            out[entity] = _model_maps(entity, schema)
        else:
            out[entity] = _schema_tables(entity, schema, plan, refs, metadata)
    return out


def model_table_of(schema: Schema) -> Table | None:
    """The SQLAlchemy table a model-derived schema came from (see ``schemas/sources/sqlalchemy.py``)."""
    from pytest_testdata.schemas.sources.sqlalchemy import table_of

    return table_of(schema)


def _model_maps(entity: str, schema: Schema) -> list[TableMap]:
    """A model's tables (a joined subclass's too, each read for the records that are its rows), parents first."""
    from pytest_testdata.schemas.sources.sqlalchemy import rows_of

    maps = []
    for each in rows_of(schema):
        paths = [(c.name, each.fields[c.name]) for c in each.table.columns if each.fields[c.name] in schema.properties]
        maps.append(TableMap(entity, each.table, [(c, getter(f)) for c, f in paths], fields={f: c for c, f in paths},
                             paths=paths, only=each.only))
    return maps


def _column_name(path: str) -> str:
    return path.replace(".", "_")


def _schema_tables(entity: str, schema: Schema, plan: DatasetPlan, refs: Mapping[tuple[str, str], Any],
                   metadata: MetaData) -> list[TableMap]:
    key = plan.keys[entity][0] if plan.keys[entity] else None
    top = dict(schema.json_schema)
    lists = {name: sub for name, sub in top.get("properties", {}).items() if _is_object_list(sub)}
    plain = {**top, "properties": {n: s for n, s in top.get("properties", {}).items() if n not in lists}}
    cols: list[Column[Any]] = []
    reads: list[tuple[str, Read]] = []
    json_cols: set[str] = set()
    fields: dict[str, str] = {}
    paths: list[tuple[str, str]] = []
    for path, sub, nullable in _flatten(plain, "", True):
        name = _column_name(path)
        ctype = _column_type(sub)
        args: list[Any] = []
        edge = refs.get((entity, path))
        if edge is not None and edge.parent not in plan.external:
            args.append(ForeignKey(f"{edge.parent}.{_column_name(edge.parent_field)}"))
        unique = bool(sub.get("x-unique")) or path in plan.keys[entity]
        cols.append(Column(name, ctype, *args, primary_key=path == key, nullable=nullable and path != key,
                           unique=unique and path != key))
        reads.append((name, getter(path)))
        paths.append((name, path))
        fields[path] = name
        if isinstance(ctype, JSON):
            json_cols.add(name)
    # x-unique-together (datasets/together.py): the database holds each combination once too.
    combos = [UniqueConstraint(*(_column_name(f) for f in combo)) for combo in plan.together.get(entity, ())]
    maps = [TableMap(entity, Table(entity, metadata, *cols, *combos), reads, json_columns=frozenset(json_cols),
                     fields=fields, paths=paths)]
    for list_name, sub in lists.items():
        maps.append(_child_table(entity, list_name, sub, key, plan, refs, metadata))
    return maps


def _child_table(entity: str, list_name: str, sub: Mapping[str, Any], key: str | None, plan: DatasetPlan,
                 refs: Mapping[tuple[str, str], Any], metadata: MetaData) -> TableMap:
    if key is None:
        raise TestdataUsageError(
            f"dataset to SQL: {entity}.{list_name} is a list of objects (a child table) but {entity} has no key "
            f"field to link its rows to. Add \"x-primary-key\" to the {entity} schema, or a {entity}_id field."
        )
    item_fields = {_column_name(path) for path, _, _ in _flatten(sub["items"], "", True)}
    owner_col = _column_name(key) if _column_name(key) not in item_fields | {"position"} else f"{entity}_{key}"
    parent_type = _column_type(plan.schemas[entity].properties[key])
    cols: list[Column[Any]] = [
        Column(owner_col, parent_type, ForeignKey(f"{entity}.{_column_name(key)}"), primary_key=True),
        Column("position", Integer(), primary_key=True),
    ]
    reads: list[tuple[str, Read]] = [(owner_col, getter(key)), ("position", getter("position"))]
    fields = {f"{list_name}.*": owner_col}
    paths: list[tuple[str, str]] = [(owner_col, key), ("position", "position")]
    json_cols: set[str] = set()
    for path, item_sub, nullable in _flatten(sub["items"], "", True):
        name = _column_name(path)
        ctype = _column_type(item_sub)
        args: list[Any] = []
        edge = refs.get((entity, f"{list_name}.*.{path}"))
        if edge is not None and edge.parent not in plan.external:
            args.append(ForeignKey(f"{edge.parent}.{_column_name(edge.parent_field)}"))
        cols.append(Column(name, ctype, *args, nullable=nullable))
        reads.append((name, getter(path)))
        paths.append((name, path))
        fields[f"{list_name}.*.{path}"] = name
        if isinstance(ctype, JSON):
            json_cols.add(name)
    table = Table(f"{entity}_{list_name}", metadata, *cols)
    return TableMap(entity, table, reads, list_path=list_name, parent_key=getter(key),
                    json_columns=frozenset(json_cols), fields=fields, paths=paths)
