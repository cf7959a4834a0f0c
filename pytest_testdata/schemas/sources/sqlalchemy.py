"""SQLAlchemy 2.x models (and plain ``Table`` objects) as entities.

Read from the model: each column's type and length, nullability, single-column unique constraints
(``x-unique``), the primary key (``x-primary-key``), foreign keys (``x-ref`` to ``table.column``) and the
combinations a composite key or a multi-column unique constraint holds once (``x-unique-together``). The
entity is named after the table (a single-table subclass after its class: :mod:`.sql_inheritance`), so a
foreign key ``orders.user_id -> users.id`` refers to the ``users`` entity. A polymorphic model's records are rows
of its joined subclasses' tables too (:func:`rows_of`). A column type with no JSON Schema
counterpart or a foreign key on several columns is refused with a message saying so; a type of the
application's that converts its values is asked which it takes (:mod:`.sql_decorated`); a generated column
(``Computed``) is left to the database, ``CHECK`` constraints are read as rules (:mod:`.sql_checks`), and what
the model declares in ``info={"testdata": {...}}`` (a column's generator or cardinality, the table's rules) is
read too (:mod:`.sql_declared`). Records become model instances through :func:`instance`, with values
converted to the column's Python type (datetimes, dates, times, decimals, UUIDs, bytes from hex).

Imports SQLAlchemy: used only when a model is passed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Table, UniqueConstraint, inspect, types

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.int_formats import FORMAT_KEY, INT_FORMAT_BOUNDS
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.model_tables import KIND_FIELD, PARTIAL_TABLES, TABLES
from pytest_testdata.schemas.sources.sql_checks import Checks, apply_checks, left_to_database, read_checks
from pytest_testdata.schemas.sources.sql_declared import column_keywords, table_keywords
from pytest_testdata.schemas.sources.sql_decorated import converts, taken_kind
from pytest_testdata.schemas.sources.sql_inheritance import apply_kinds, kinds_of, subclass_name

_TABLES: dict[str, Table] = {}
_ROWS: dict[str, list[ModelRows]] = {}
_RENAMED: dict[Column[Any], str] = {}
"""A joined subclass's key column named apart from its base's key (``engineers.person_id``): the key's field."""
_MODELS: dict[str, type[Any]] = {}
PREFIX = "sqlalchemy:"
BINARY_BYTES = 32
"""At most this many bytes in a ``LargeBinary`` value (a column's smaller ``length`` wins)."""
UNIQUE_TOGETHER = "x-unique-together"  # read by datasets/together.py (the schema layer does not import datasets)


def is_sqlalchemy_model(obj: Any) -> bool:
    """True for a mapped class (declarative model) or a ``Table``."""
    if isinstance(obj, Table):
        return True
    return isinstance(obj, type) and isinstance(getattr(obj, "__table__", None), Table) \
        and hasattr(obj, "__mapper__")


def referenced_models(obj: Any) -> list[Any]:
    """The models a mapped class (or Table) reaches through its foreign keys, one step after another: each
    target table's mapped class in the same declarative registry (or the table itself, when no class maps
    it), so a dataset asked for ``root=OrderLine`` can pull in its orders and their customers."""
    own = [obj] if isinstance(obj, Table) else _tables_of_model(obj)  # (a polymorphic model's: every table)
    classes: dict[Table, Any] = {}
    registry = getattr(obj, "registry", None)
    for mapper in getattr(registry, "mappers", ()):
        if not mapper.single and isinstance(mapper.local_table, Table):  # (a joined subclass's table: the class)
            classes.setdefault(mapper.local_table, mapper.class_)
    found: list[Any] = []
    seen, todo = set(own), list(own)
    while todo:
        table = todo.pop(0)
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.target_fullname):
            target = _target_table(fk, obj)
            if target not in seen and isinstance(target, Table):
                seen.add(target)
                todo.append(target)
                found.append(classes.get(target, target))
    return found


def _tables_of_model(model: type[Any]) -> list[Table]:
    """The tables a mapped class's records are rows of (its joined subclasses' too, :mod:`.sql_inheritance`)."""
    kinds = kinds_of(model, f"SQLAlchemy model {model.__qualname__}")
    return list(kinds.tables) if kinds is not None else [model.__table__]


_IMPORT_IT = "Import the module that defines it first: an application's models package, as the application does"
"""How to fix a foreign key to a table that no model imported so far defines."""


def _target_table(fk: Any, obj: Any) -> Table:
    """The table a foreign key points at; one that no model imported so far defines is an error saying to import
    it (SQLAlchemy's own is a traceback from deep in its schema code)."""
    from sqlalchemy.exc import NoReferencedTableError

    try:  # (fk.column resolves the "table.column" string against the metadata's tables)
        return fk.column.table  # type: ignore[no-any-return]
    except NoReferencedTableError:
        name = obj.__qualname__ if isinstance(obj, type) else f"Table {obj.name!r}"
        raise TestdataUsageError(
            f"SQLAlchemy model {name}: the foreign key {fk.parent.table.name}.{fk.parent.name} -> "
            f"{fk.target_fullname} points at table {fk.target_fullname.rpartition('.')[0]!r}, which no model "
            f"imported so far defines, so the dataset cannot pull it in. {_IMPORT_IT} (on the command line, name a "
            "class of a module that imports every model), or pass its rows' keys as external ids.") from None


def table_of(schema: Schema) -> Table | None:
    """The table a schema was read from (a polymorphic model's first table; None for other schemas)."""
    return _TABLES.get(schema.source)


@dataclass(frozen=True)
class ModelRows:
    """One table a model's records are rows of: which field each column holds, and which records have a row."""

    table: Table
    fields: dict[str, str]
    """Column name -> the record's field (a joined subclass's key column holds its base's key field)."""
    only: tuple[str, frozenset[Any]] | None = None
    """(discriminator field, identities) when only the records of those kinds are rows of the table (a joined
    subclass's table, when its base model is asked for); None: every record."""


def rows_of(schema: Schema) -> list[ModelRows]:
    """The tables a model's records are rows of, parents first (empty for other schemas)."""
    return _ROWS.get(schema.source, [])


def _rows_of(tables: list[Table], kinds: Any) -> list[ModelRows]:
    """:class:`ModelRows` of the tables: a key column of a joined subclass's table that refers to a table before
    it holds that column's field (``engineers.person_id`` -> ``people.id``: ``id``)."""
    out: list[ModelRows] = []
    for table in tables:
        fields = {}
        for column in table.columns:
            fields[column.name] = column.name
            if column.primary_key:
                for fk in column.foreign_keys:
                    earlier = next((r for r in out if r.table is fk.column.table), None)
                    if earlier is not None:
                        fields[column.name] = earlier.fields.get(fk.column.name, fk.column.name)
                        _RENAMED[column] = fields[column.name]
        identities = None if kinds is None else kinds.only.get(table.name)
        only = None if identities is None else (kinds.column, frozenset(identities))
        out.append(ModelRows(table, fields, only))
    return out


def _qualified(table: Table) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def model_of(schema: Schema) -> type[Any] | None:
    """The mapped class a schema was read from (None for a plain Table or other schemas)."""
    return _MODELS.get(schema.source)


def schema_from_model(obj: Any, name: str | None = None) -> Schema:
    """The entity schema of a mapped class or Table (a polymorphic model's: the columns of every table its
    records are rows of, :mod:`.sql_inheritance`)."""
    if not is_sqlalchemy_model(obj):
        raise TestdataUsageError(f"expected a SQLAlchemy mapped class or Table, got {obj!r}.")
    table: Table = obj if isinstance(obj, Table) else obj.__table__
    label = obj.__qualname__ if isinstance(obj, type) else f"Table {table.name!r}"
    where = f"SQLAlchemy model {label} (table {table.name!r})"
    kinds = kinds_of(obj, where)  # a polymorphic model's identities (sql_inheritance.py)
    name = name or subclass_name(obj) or table.name  # a subclass in its base's table is named after its class
    rows = _rows_of(kinds.tables if kinds is not None else [table], kinds)
    root = rows[0].table
    pk = list(root.primary_key.columns)
    props: dict[str, Any] = {}
    required = []
    for each in rows:
        for column in each.table.columns:
            field = each.fields.get(column.name)
            if column.computed is not None or field is None or field in props:
                continue  # (a generated column: the database computes it; a joined table's key: the root's)
            # (a joined subclass's column is empty in the other kinds' records, which have no row in its table)
            nullable = column.nullable or each.only is not None
            props[field] = _property(column, where, single_key=len(pk) == 1, nullable=nullable)
            if not nullable:
                required.append(field)
    # A composite key (a link table's, a child's (id, parent_id)) and a multi-column unique constraint: each
    # combination once (datasets/together.py). No other table can refer to a composite key's rows by one column.
    # (A joined subclass's constraint is held by all the entity's records: more than its rows need.)
    together = [[c.name for c in pk]] if len(pk) > 1 else []
    declared: dict[str, Any] = {}
    partial: dict[str, dict[str, Any]] = {}  # a joined subclass's table that some records are no rows of
    for each in rows:
        named = each.fields.get
        combos = [[named(col.name, col.name) for col in u.columns] for u in each.table.constraints
                  if isinstance(u, UniqueConstraint) and len(u.columns) > 1]
        combos += [[named(c, c) for c in names] for names in unique_indexes(each.table, where) if len(names) > 1]
        together += combos
        if each.only is not None:  # (a dataset that narrows the kinds drops what no kind left needs)
            partial[_qualified(each.table)] = {"kinds": sorted(each.only[1], key=str), UNIQUE_TOGETHER: combos}
        for key, value in table_keywords(each.table, where).items():  # info={"testdata": {...}} (sql_declared)
            declared[key] = [*declared.get(key, []), *value]
        for constraint in each.table.foreign_key_constraints:
            if len(constraint.columns) > 1:
                raise TestdataUsageError(
                    f"{where}: the foreign key on ({', '.join(c.name for c in constraint.columns)}) spans several "
                    "columns; datasets link records through one column. Use a single-column foreign key.")
    together += declared.get(UNIQUE_TOGETHER, [])
    source = f"{PREFIX}{obj.__module__}.{obj.__qualname__}" if isinstance(obj, type) else f"{PREFIX}table.{table.name}"
    document: dict[str, Any] = {"title": name, "type": "object", "properties": props,
                                "required": required, "additionalProperties": False,
                                "description": (table.comment or f"rows of the {table.name} table")}
    for each in rows:
        apply_checks(document, read_checks(each.table, where), where)
    apply_checks(document, Checks(keywords=_field_constraints(obj, props)), where)
    for each in rows:
        bounds, others = column_keywords(each.table, where)  # info={"testdata": {...}} on the columns
        apply_checks(document, Checks(keywords={c: k for c, k in bounds.items() if c in props}), where)
        for column_name, keywords in others.items():
            if column_name in props:
                props[column_name].update(keywords)
    if kinds is not None:  # the discriminator holds an identity of the class or its subclasses in its table
        apply_kinds(document, kinds)
    document.setdefault("x-coherence", []).extend(declared.get("x-coherence", []))
    if not document["x-coherence"]:
        del document["x-coherence"]
    if "x-dataset-coherence" in declared:
        document["x-dataset-coherence"] = declared["x-dataset-coherence"]
    if len(pk) == 1:
        document["x-primary-key"] = pk[0].name
    # The tables the records are rows of, and a polymorphic model's discriminator: a dataset plan reads them
    # (datasets/shared_tables.py) on the agent too, where an inline schema comes without its model.
    document[TABLES] = [_qualified(r.table) for r in rows]
    if kinds is not None:
        document[KIND_FIELD] = kinds.column
    if partial:
        document[PARTIAL_TABLES] = partial
    if together:
        document[UNIQUE_TOGETHER] = together
    schema = Schema.from_json_schema(document, source=source, name=name)
    _TABLES[source] = root
    _ROWS[source] = rows
    if isinstance(obj, type):
        _MODELS[source] = obj
    return schema


_CONSTRAINT_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum",
                        "min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"}
"""A pydantic field's constraints (``annotated_types`` metadata) and their JSON Schema keywords."""


def _field_constraints(obj: Any, props: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """For a mapped class that is also a pydantic model (SQLModel's ``table=True``): each column's field
    constraints (``Field(ge=0, le=150)``, ``max_length``...), which the table itself does not hold."""
    fields = getattr(obj, "model_fields", None) if isinstance(obj, type) else None
    if not isinstance(fields, Mapping):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, info in fields.items():
        if name not in props:
            continue
        for item in getattr(info, "metadata", ()):
            for attribute, keyword in _CONSTRAINT_KEYWORDS.items():
                value = getattr(item, attribute, None)
                if value is not None and not isinstance(value, bool):
                    out.setdefault(name, {})[keyword] = value
    return out


def unique_indexes(table: Table, where: str) -> list[list[str]]:
    """The columns of each unique index of the table (``Index(..., unique=True)``, ``mapped_column(unique=True,
    index=True)``), in the order they were declared: each combination once, as a unique constraint's. An index
    on an expression (``lower(email)``) holds more than its columns' values apart, so records could break it:
    refused, unless marked ``info={"testdata": "database"}`` (the database alone keeps it)."""
    found = []
    for index in sorted(table.indexes, key=lambda i: getattr(i, "_creation_order", 0)):
        if not index.unique or left_to_database(index, where):
            continue
        names = [c.name for c in index.columns]
        if not all(map(_plain_column, index.expressions)):
            shown = ", ".join(str(e) for e in index.expressions)
            raise TestdataUsageError(
                f"{where}: the unique index {index.name!r} is on an expression ({shown}), which datasets do not "
                "read: records could repeat its value and the database would refuse them. Index the columns "
                "themselves, or let the database alone keep it: Index(..., info={'testdata': 'database'}) (a "
                "record that repeats it is then refused at load, naming the record).")
        found.append(names)
    return found


def _plain_column(expression: Any) -> bool:
    """Whether an index's expression is a column itself (by name, or ``title.desc()``), not a computed value."""
    from sqlalchemy.sql.elements import ColumnClause, UnaryExpression

    if isinstance(expression, UnaryExpression) and expression.modifier is not None:  # ASC / DESC
        expression = expression.element
    return isinstance(expression, (str, ColumnClause))


def _property(column: Column[Any], where: str, single_key: bool, nullable: bool) -> dict[str, Any]:
    prop = _kind_schema(_plain(column.type), column, where)
    if nullable:
        prop["type"] = [prop["type"], "null"]
    unique = bool(column.unique or (column.primary_key and single_key)) or any(
        isinstance(c, UniqueConstraint) and list(c.columns.keys()) == [column.name] for c in column.table.constraints
    ) or [column.name] in unique_indexes(column.table, where)
    if unique:
        prop["x-unique"] = True
    fks = list(column.foreign_keys)
    if fks:
        target = fks[0].target_fullname  # "users.id"
        prop["x-ref"] = target
    if column.comment:
        prop["description"] = column.comment
    return prop


def _plain(kind: Any) -> Any:
    """A column's type, or for a ``TypeDecorator`` that passes values through unchanged (SQLModel's
    ``AutoString``) the type it stores them as. One that converts them (an application's ``GUID``) is kept:
    the values it takes are asked of it (:mod:`.sql_decorated`). (A type class, as an ``ARRAY``'s item type may
    be given, is made one.)"""
    if isinstance(kind, type):
        kind = kind()
    while isinstance(kind, types.TypeDecorator) and not converts(kind):
        kind = kind.impl_instance
    return kind


ARRAY_ITEMS = 5
"""At most this many items in a PostgreSQL ``ARRAY`` value (tags, scores: a few each)."""
_PG_TEXT_KINDS = {"INET": {"type": "string", "format": "ipv4"}, "CIDR": {"type": "string", "format": "ipv4"},
                  "MACADDR": {"type": "string", "pattern": "^([0-9a-f]{2}:){5}[0-9a-f]{2}$"}}
"""PostgreSQL's network types, by class name (the dialect is imported only by a user who uses them)."""


def _kind_schema(kind: Any, column: Column[Any], where: str) -> dict[str, Any]:
    """The JSON Schema of values of ``kind`` (the column's type, or an ``ARRAY``'s item type)."""
    if isinstance(kind, types.ARRAY):  # PostgreSQL: a list of the item type's values
        if kind.dimensions not in (None, 1):
            raise TestdataUsageError(f"{where}: column {column.name!r} is an ARRAY of {kind.dimensions} "
                                     "dimensions; datasets generate one-dimensional arrays. Give it one dimension, "
                                     "or leave the model out of the dataset.")
        item = _kind_schema(_plain(kind.item_type), column, where)
        return {"type": "array", "items": item, "maxItems": ARRAY_ITEMS}
    if type(kind).__name__ in _PG_TEXT_KINDS and type(kind).__module__.startswith("sqlalchemy.dialects.postgresql"):
        return dict(_PG_TEXT_KINDS[type(kind).__name__])
    if isinstance(kind, types.Enum):
        return {"type": "string", "enum": list(kind.enums)}
    if isinstance(kind, types.JSON):  # JSONB too: any JSON object (the record holds it, the driver dumps it)
        return {"type": "object"}
    if isinstance(kind, types.Time):
        return {"type": "string", "format": "time"}
    if isinstance(kind, types.Interval):  # a timedelta, written in the record as an ISO 8601 duration
        return {"type": "string", "format": "duration"}
    if isinstance(kind, types.LargeBinary):  # bytes, written in the record as hex (converted for the model)
        size = min(kind.length or BINARY_BYTES, BINARY_BYTES)
        return {"type": "string", "pattern": f"^([0-9a-f]{{2}}){{1,{size}}}$"}
    if isinstance(kind, types.Boolean):
        return {"type": "boolean"}
    if isinstance(kind, types.Integer):
        # The column's width bounds what the database accepts; it says nothing of the field's range, so it is
        # marked as the type's limits (schemas/int_formats.py) and a `rating` is a few stars, a `views` a count.
        width = "int16" if isinstance(kind, types.SmallInteger) else "int64" if isinstance(
            kind, types.BigInteger) else "int32"
        low, high = INT_FORMAT_BOUNDS[width]
        if column.primary_key or column.foreign_keys:
            low = 1  # keys are positive (a key of 1 is the first row)
        return {"type": "integer", "minimum": low, "maximum": high, FORMAT_KEY: width}
    if isinstance(kind, (types.Numeric, types.Float)):  # (SQLAlchemy 2.1's Float is no Numeric)
        scale = kind.scale if isinstance(kind, types.Numeric) and not isinstance(kind, types.Float) else None
        prop: dict[str, Any] = {"type": "number", "minimum": 0}
        if scale is not None:
            prop["multipleOf"] = 10 ** -scale if scale else 1
            if kind.precision:
                prop["maximum"] = round(10 ** (kind.precision - scale) - 10 ** -scale, scale)
        return prop
    if isinstance(kind, types.DateTime):
        return {"type": "string", "format": "date-time"}
    if isinstance(kind, types.Date):
        return {"type": "string", "format": "date"}
    if isinstance(kind, types.Uuid):
        return {"type": "string", "format": "uuid"}
    if isinstance(kind, types.String):  # String, Unicode, Text, VARCHAR...
        prop = {"type": "string"}
        if kind.length:
            prop["maxLength"] = int(kind.length)
        return prop
    if converts(kind) and not isinstance(kind, types.PickleType):  # (a pickle holds any object: refused below)
        taken, refusals = taken_kind(kind, _plain)
        if taken is not None:
            return _kind_schema(taken, column, where)
        raise TestdataUsageError(
            f"{where}: column {column.name!r} has type {kind!r}, a TypeDecorator that converts its values "
            f"(stored as {kind.impl_instance!r}), and it took none of the values offered to it: "
            f"{'; '.join(refusals)}. Give the column a type that stores values as they are (String, Integer, "
            "Uuid...), let its process_bind_param take a value of the type it stores (or, over text, a dict it "
            "stores as JSON, or a uuid.UUID), or leave the model out of the dataset.")
    if isinstance(kind, types.NullType) and column.foreign_keys:  # its type was to come from the target column
        target = next(iter(column.foreign_keys)).target_fullname
        raise TestdataUsageError(
            f"{where}: column {column.name!r} takes its type from its foreign key to {target}, and no model imported "
            f"so far defines table {target.rpartition('.')[0]!r}. {_IMPORT_IT}, or give the column its type.")
    raise TestdataUsageError(
        f"{where}: column {column.name!r} has type {kind!r}, which datasets cannot generate yet. Supported: "
        "String/Text/Unicode, Integer kinds, Numeric/Float, Boolean, Enum, DateTime, Date, Time, Interval, Uuid, "
        "JSON, LargeBinary, and PostgreSQL's ARRAY (of those), INET, CIDR and MACADDR. Give the "
        "column one of these types, or leave the model out of the dataset.")


def _converter(column: Column[Any]) -> Callable[[Any], Any] | None:
    return _kind_converter(_plain(column.type))


def _kind_converter(kind: Any) -> Callable[[Any], Any] | None:
    """How a record's JSON value of ``kind`` becomes the Python value the model takes (None: as it is)."""
    if isinstance(kind, types.ARRAY):
        each = _kind_converter(_plain(kind.item_type))
        return None if each is None else lambda v: [each(x) for x in v] if isinstance(v, list) else v
    if isinstance(kind, types.DateTime):
        def to_datetime(value: Any) -> Any:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
            return moment if kind.timezone or not isinstance(moment, dt.datetime) else moment.replace(tzinfo=None)
        return to_datetime
    if isinstance(kind, types.Date):
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(kind, types.Time):
        def to_time(value: Any) -> Any:
            moment = dt.time.fromisoformat(value) if isinstance(value, str) else value
            return moment if kind.timezone or not isinstance(moment, dt.time) else moment.replace(tzinfo=None)
        return to_time
    if isinstance(kind, types.Interval):
        return _to_timedelta
    if isinstance(kind, types.LargeBinary):
        return lambda v: bytes.fromhex(v) if isinstance(v, str) else v
    if isinstance(kind, types.Uuid) and kind.as_uuid:
        return lambda v: uuid.UUID(v) if isinstance(v, str) else v
    if isinstance(kind, types.Numeric) and not isinstance(kind, types.Float) and kind.asdecimal:
        return lambda v: decimal.Decimal(str(v)) if isinstance(v, float) else v
    if isinstance(kind, types.Enum) and kind.enum_class is not None:
        # The stored strings and their members as the type pairs them: the members' names, or what its
        # values_callable gives (their values), in the same order (SQLAlchemy's own _object_lookup).
        members: Mapping[Any, Any] = getattr(kind, "_object_lookup", None) or {m.name: m for m in kind.enum_class}
        return lambda v: members.get(v, v) if isinstance(v, str) else v
    if converts(kind):  # the Python values it takes (read by _kind_schema, which refuses a decorator taking none)
        taken = taken_kind(kind, _plain)[0]
        return None if taken is None else _kind_converter(taken)
    return None


def _to_timedelta(value: Any) -> Any:
    """An ISO 8601 duration (``P3DT4H``) as a ``timedelta``, read as pydantic reads one (a month 30 days, a
    year 365: an ``Interval`` column holds a length of time, not calendar months)."""
    return _durations().validate_python(value) if isinstance(value, str) else value


@lru_cache(maxsize=1)
def _durations() -> Any:
    """pydantic's reader of durations, made on first use."""
    from pydantic import TypeAdapter

    return TypeAdapter(dt.timedelta)


def converters(table: Table) -> list[tuple[str, Callable[[Any], Any]]]:
    """(column, convert) for the columns whose Python type differs from the record's JSON value."""
    out = []
    for column in table.columns:
        convert = _converter(column)
        if convert is not None:
            out.append((column.name, convert))
    return out


def python_values(table: Table, record: Mapping[str, Any],
                  convert: list[tuple[str, Callable[[Any], Any]]] | None = None) -> dict[str, Any]:
    """The record with each value in its column's Python type (what the model and the DB driver take)."""
    row = dict(record)
    for name, fn in convert if convert is not None else converters(table):
        if row.get(name) is not None:
            row[name] = fn(row[name])
    return row


def instance(model: type[Any], values: Mapping[str, Any]) -> Any:
    """A model instance from converted values (attribute names from the mapper, which may differ from columns),
    made as SQLAlchemy makes the instances it loads from rows: the model's ``__init__`` is not called (an
    application's may take other arguments, such as a session, or look rows up), the values are set with no
    change history, and the model's ``@reconstructor``, if it has one, is called. A session it is added to
    inserts it as a new object's values are inserted. A polymorphic model's record is an instance of the class
    of its identity (a ``Submission`` whose ``type`` is ``incorrect`` is a ``Fail``)."""
    from sqlalchemy.orm.attributes import set_committed_value

    mapper = inspect(model)
    key = getattr(mapper.polymorphic_on, "name", None)
    if key is not None and values.get(key) in mapper.polymorphic_map:  # the class of the record's identity
        mapper = mapper.polymorphic_map[values[key]]
    obj = mapper.class_manager.new_instance()
    for prop in mapper.column_attrs:
        for column in prop.columns:  # (a joined subclass's key: its own column and its base's, one field)
            field = _RENAMED.get(column, column.name)
            if field in values:
                set_committed_value(obj, prop.key, values[field])
                break
    rebuild = getattr(mapper, "_reconstructor", None)  # what SQLAlchemy calls on a loaded instance
    if rebuild is not None:
        rebuild(obj)
    return obj


def bind_processors(table: Table, dialect: Any) -> list[tuple[str, Callable[[Any], Any]]]:
    """(column, bind) for the columns whose type converts values (an application's ``GUID``): what the type
    hands the driver for a Python value, for a bulk path that passes SQLAlchemy by (PostgreSQL's ``COPY``)."""
    out: list[tuple[str, Callable[[Any], Any]]] = []
    for column in table.columns:
        if converts(column.type) and column.computed is None:
            bind = column.type.dialect_impl(dialect).bind_processor(dialect)
            if bind is not None:
                out.append((column.name, bind))
    return out


def json_columns(table: Table) -> frozenset[str]:
    """The table's JSON columns (a bulk ``COPY`` writes their values as JSON text)."""
    return frozenset(c.name for c in table.columns if isinstance(c.type, types.JSON))


__all__ = ["bind_processors", "converters", "instance", "is_sqlalchemy_model", "json_columns", "model_of",
           "python_values", "schema_from_model", "table_of"]
