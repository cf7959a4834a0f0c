"""Load a dataset into a database as it is built: entities in foreign-key order, bulk inserts.

``DatabaseSink(target)`` takes a SQLAlchemy ``Session`` or ``Connection`` (rows go into the caller's
transaction: the ``testdata_db`` fixture rolls it back after the test) or an ``Engine`` (its own
transaction, committed at the end: the CLI's SQLite file). Tables of JSON-Schema entities are created
when missing (see :mod:`pytest_testdata.datasets.tables`); model entities use the model's table.

Bulk paths: PostgreSQL through psycopg 3 uses ``COPY ... FROM STDIN``; SQLite the driver's
``executemany`` of multi-row ``INSERT`` statements (:data:`ROWS_PER_INSERT` rows each); other databases
SQLAlchemy's ``executemany``. On SQLite, when the loader owns the transaction and creates every table, it
checks the references itself (:mod:`pytest_testdata.datasets.references`). A database error becomes a
:class:`DatasetLoadError` naming the entity, the record and the field, found by bisecting the failed
batch inside savepoints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, func, inspect, select, text, update
from sqlalchemy import Sequence as DatabaseSequence
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from pytest_testdata.datasets.graph import DatasetPlan
from pytest_testdata.datasets.references import REFUSED, ReferenceCheck, ReferenceRefused
from pytest_testdata.datasets.result import Dataset
from pytest_testdata.datasets.tables import TableMap, build_tables
from pytest_testdata.errors import DatasetLoadError as DatasetLoadError  # re-exported; its home is errors.py
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.sources.sql_checks import whole_numbers
from pytest_testdata.schemas.sources.sqlalchemy import (
    bind_processors,
    converters,
    instance,
    json_columns,
    model_of,
    python_values,
)

Record = dict[str, Any]
CHUNK = 10_000
TAKEN_ROWS = 100_000
"""A table with more rows than this before a dataset is loaded into it has its unique text values left to the
database (:meth:`DatabaseSink.taken`): reading them all would cost more than the rare repeat they prevent."""
ROWS_PER_INSERT = 200
"""Rows in one SQLite ``INSERT ... VALUES (...), (...)``: a statement run costs about as much as a row's
binding, so 200 rows a run take about 8% fewer instructions than one (more than a few hundred cost more:
the statement's program grows with its rows)."""


class DatabaseSink:
    """Writes each finished entity into the database (see the module docstring)."""

    def __init__(self, target: Engine | Connection | Session, *, create: bool = True, chunk: int = CHUNK) -> None:
        check_target(target)
        self.session = target if isinstance(target, Session) else None
        self._owned: Any = None
        """The transaction of an Engine's connection (begun by :meth:`_prepare`), committed by :meth:`finish`."""
        self._own_engine = isinstance(target, Engine)
        self.references: ReferenceCheck | None = None
        """The load's references, when the loader checks them instead of SQLite (see :meth:`_begin`)."""
        if isinstance(target, Engine):
            self.connection = target.connect()
        elif isinstance(target, Session):
            self.connection = target.connection()
        else:
            self.connection = target
        self.create, self.chunk = create, chunk
        self.metadata = MetaData()
        self.tables: dict[str, list[TableMap]] = {}
        self.schemas: dict[str, Any] = {}
        self.rows_written = 0
        self.existed: set[tuple[str | None, str]] = set()
        """The tables that were there before this load, when :meth:`taken` asked (rows may be in them)."""
        dialect = self.connection.dialect
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.raw = dialect.name == "sqlite"
        self.variables = _variable_limit(self.connection) if self.raw else 0
        self.errors: tuple[type[BaseException], ...] = (DBAPIError, StatementError, dialect.loaded_dbapi.Error,
                                                        ReferenceRefused)

    def _prepare(self, plan: DatasetPlan, look: bool = False) -> None:
        """Begin the load: the tables made (those missing created). ``look``: note first which were there
        (:attr:`existed`, for :meth:`taken`; a load of a finished dataset does not look)."""
        if self.tables:
            return
        self.schemas = dict(plan.schemas)
        self.tables = build_tables(plan, self.metadata)
        if self._own_engine:
            self._begin()
        if look:
            found = inspect(self.connection)
            self.existed = {(m.table.schema, m.table.name) for maps in self.tables.values() for m in maps
                            if found.has_table(m.table.name, schema=m.table.schema)}
        if self.create:
            ours = [m.table for maps in self.tables.values() for m in maps if m.table.metadata is self.metadata]
            self.metadata.create_all(self.connection, tables=ours, checkfirst=True)
            models = [m.table for maps in self.tables.values() for m in maps if m.table.metadata is not self.metadata]
            for table in models:
                table.create(self.connection, checkfirst=True)

    def taken(self, plan: DatasetPlan) -> dict[str, dict[str, set[Any]]]:
        """The values of each entity's unique top-level fields already in its table (rows from before the
        dataset: a fixture's, an earlier dataset's in the same transaction), which the build keeps records
        from repeating. A whole-number field gives its largest value alone: the build's keys follow it
        (:attr:`~pytest_testdata.datasets.chunks.EntityJob.shift`), so none can repeat one below, and a
        unique reference points at this dataset's records, whose keys follow theirs. A text field gives its
        values, from a table of at most :data:`TAKEN_ROWS` rows (a larger one is left to the database:
        drawn text rarely repeats seeded text). Other values
        (a UUID or a date in the driver's type) are not compared: random UUIDs do not repeat. Prepares the
        load (creates the tables) first."""
        self._prepare(plan, look=True)
        out: dict[str, dict[str, set[Any]]] = {}
        for entity, maps in self.tables.items():
            main = next((m for m in maps if m.list_path is None), None)
            if main is None or (main.table.schema, main.table.name) not in self.existed:
                continue  # (a table this load created holds nothing yet)
            rows: int | None = None
            for path in self.schemas[entity].unique_fields():
                column = main.fields.get(path) if "." not in path else None
                if column is None or column not in main.table.c:
                    continue
                col = main.table.c[column]
                values: set[Any]
                if whole_numbers(col):
                    top = self.connection.execute(select(func.max(col))).scalar()
                    values = {top} if type(top) is int else set()
                else:
                    if rows is None:
                        rows = int(self.connection.execute(select(func.count()).select_from(main.table)).scalar()
                                   or 0)
                    found = self.connection.execute(select(col).where(col.is_not(None)).distinct()) \
                        if rows <= TAKEN_ROWS else ()
                    values = {v for (v,) in found if type(v) is str}
                if values:
                    out.setdefault(entity, {})[path] = values
        return out

    def _begin(self) -> None:
        """Begin an Engine's transaction. On SQLite, when the load creates every table of the dataset and
        the connection enforces foreign keys, the loader checks the references itself
        (:mod:`pytest_testdata.datasets.references`): SQLite's checks are switched off before ``BEGIN``
        (the PRAGMA does nothing inside a transaction) and back on by :meth:`finish` or :meth:`abort`."""
        maps = [m for ms in self.tables.values() for m in ms]
        if self.raw and self.create and all(m.table.metadata is self.metadata for m in maps):
            raw: Any = self.connection.connection.driver_connection
            names = {m.table.name for m in maps}
            existing = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not raw.in_transaction and _foreign_keys(raw) and not names & existing:
                raw.execute("PRAGMA foreign_keys=OFF")
                if not _foreign_keys(raw):
                    self.references = ReferenceCheck(self.connection, maps)
        self._owned = self.connection.begin()

    def _restore(self) -> None:
        """SQLite's foreign-key checks back on (the connection goes back to the engine's pool)."""
        if self.references is not None:
            raw: Any = self.connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=ON")

    writes_in_parts = True
    """:meth:`write` may be given an entity's records in consecutive parts (the dataset writes a piece while
    its workers build: :meth:`~pytest_testdata.datasets.build.Builder.write_piece`)."""

    def write(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str], *,
              offset: int = 0) -> None:
        """Insert the records' rows (``offset``: the first record's place in the entity, when the entity comes
        in parts, each part's rows after the last part's: the same rows in the same order as written whole;
        an error names the record by its place in the entity)."""
        self._prepare(plan)
        for tmap in self.tables[entity]:
            if self.raw and tmap.table.metadata is self.metadata and not (deferred and tmap.list_path is None):
                self._write_values(tmap, records, offset)
                continue
            rows = self._rows(tmap, tmap.picked(records))
            if deferred and tmap.list_path is None:
                empty = {i for i, (name, _) in enumerate(tmap.columns) if any(
                    tmap.fields.get(p) == name for p in deferred)}
                rows = [tuple(None if i in empty else v for i, v in enumerate(row)) for row in rows]
            for start in range(0, len(rows), self.chunk):
                self._insert(tmap, rows[start:start + self.chunk], start, records, offset)
            self.rows_written += len(rows)

    def fill(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None:
        """Set the fields of a reference cycle, now that the records they point at are in."""
        key = plan.keys[entity][0]
        for path in deferred:
            tmap = next(m for m in self.tables[entity] if path in m.fields)  # (a joined subclass's table may hold it)
            key_col = tmap.table.c[tmap.fields[key]]
            col = tmap.fields[path]
            stmt = update(tmap.table).where(key_col == bindparam("_key")).values({col: bindparam("_value")})
            params = [{"_key": r.get(key), "_value": r.get(path)} for r in records if r.get(path) is not None]
            if params:
                self.connection.execute(stmt, params)
                self._check_filled(tmap, path, records, [p["_value"] for p in params])

    def _check_filled(self, tmap: TableMap, path: str, records: list[Record], values: list[Any]) -> None:
        """When the loader checks the references: the filled-in field's values find their rows."""
        checks, column = self.references, tmap.fields[path]
        if checks is None or checks.column_holds(tmap.table.name, column, values) or not checks.violated(
                tmap.table.name):
            return
        fk = next(iter(tmap.table.c[column].foreign_keys)).column
        for index, record in enumerate(records):
            value = record.get(path)
            if value is not None and self.connection.execute(select(fk).where(fk == value).limit(1)).first() is None:
                raise DatasetLoadError(tmap.entity, tmap.table.name, index, path, REFUSED, record)
        raise DatasetLoadError(tmap.entity, tmap.table.name, None, path, REFUSED)

    def _rows(self, tmap: TableMap, records: list[Record]) -> list[tuple[Any, ...]]:
        if tmap.table.metadata is not self.metadata:  # a model's table: values in the columns' Python types
            convert = converters(tmap.table)
            if self.copy:  # COPY takes JSON as text, and a converting type's values as it binds them; an INSERT
                dumped = json_columns(tmap.table)  # lets the column's type do both
                convert += [(name, json.dumps) for name in sorted(dumped)]
                convert += bind_processors(tmap.table, self.connection.dialect)
            convert = tmap.by_field(convert)
            rows = []
            for record in records:
                values = python_values(tmap.table, record, convert)
                rows.append(tuple(values.get(path) for _, path in tmap.paths))
            return rows
        return tmap.rows(records)

    def _execute(self, tmap: TableMap, rows: list[tuple[Any, ...]]) -> None:
        names = [name for name, _ in tmap.columns]
        table = tmap.table
        if self.copy:
            raw = self.connection.connection.driver_connection
            quoted = ", ".join(f'"{n}"' for n in names)
            target = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
            with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        elif self.raw and table.metadata is self.metadata:
            self._sqlite_rows(table.name, names, list(chain.from_iterable(rows)))
        else:
            self.connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])

    def _write_values(self, tmap: TableMap, records: list[Record], offset: int = 0) -> None:
        """SQLite, a table of ours: the rows' values read straight into one flat list
        (:meth:`TableMap.values`) and inserted :data:`CHUNK` rows at a time, each chunk inside a savepoint.
        A chunk the database refuses is rolled back and inserted again as rows (:meth:`_insert`), which
        finds and names the refused record."""
        names = [name for name, _ in tmap.columns]
        width = max(1, len(names))
        values = tmap.values(records)
        step = self.chunk * width
        for start in range(0, len(values), step):
            part = values[start:start + step]
            savepoint = self.connection.begin_nested()
            try:
                self._sqlite_rows(tmap.table.name, names, part)
            except self.errors:
                savepoint.rollback()
                first = start // width
                self._insert(tmap, tmap.rows(records)[first:first + self.chunk], first, records, offset)
            else:
                savepoint.commit()
                if self.references is not None:
                    self.references.written(tmap.table.name, part, width)
            self.rows_written += len(part) // width

    def _sqlite_rows(self, table: str, names: list[str], values: list[Any]) -> None:
        """:meth:`_sqlite_insert`, then the rows' references checked when the loader checks them."""
        self._sqlite_insert(table, names, values)
        if self.references is not None:
            self.references.check(table, values, max(1, len(names)))

    def _sqlite_insert(self, table: str, names: list[str], values: list[Any]) -> None:
        """Rows given as their values, row after row, inserted in order, :data:`ROWS_PER_INSERT` to a
        statement (the last ones one by one): the same rows, row ids and constraint checks as one ``INSERT``
        a row. Through SQLAlchemy's exec_driver_sql, not the driver's cursor: the cursor saved about 1% of a
        load's instructions, and a test's before_cursor_execute listeners would no longer see the statements.

        ``INSERT OR FAIL``: a refused row stops the statement without undoing the rows it inserted before,
        so SQLite keeps no statement journal (a copy of each page a multi-row statement changes, to undo
        it: 11% of the benchmark dataset's load, growing with the tables). Every insert here runs inside a
        savepoint that is rolled back when a row is refused, so the rows left are the same as with the
        default (``ABORT``). With SQLite's foreign-key checks on (a transaction the loader does not own)
        SQLite still keeps the journal: an enforced reference is checked at the statement's end."""
        quoted = ", ".join(f'"{n}"' for n in names)
        insert = f'INSERT OR FAIL INTO "{table}" ({quoted}) VALUES'
        width = max(1, len(names))
        one = f"({', '.join('?' for _ in names)})"
        per = max(1, min(ROWS_PER_INSERT, self.variables // width))
        size = per * width
        whole = len(values) - len(values) % size
        with _quick_binds():
            if whole:
                batches = [tuple(values[i:i + size]) for i in range(0, whole, size)]
                self.connection.exec_driver_sql(f'{insert} {", ".join([one] * per)}', batches)
            if whole < len(values):
                rest = [tuple(values[i:i + width]) for i in range(whole, len(values), width)]
                self.connection.exec_driver_sql(f"{insert} {one}", rest)

    def _insert(self, tmap: TableMap, rows: list[tuple[Any, ...]], start: int, records: list[Record],
                offset: int = 0) -> None:
        """Insert rows ``start``.. of the records' rows (inside a savepoint); a failure names the record (by
        its place in the entity: ``offset`` plus its place in ``records``)."""
        savepoint = self.connection.begin_nested()
        try:
            self._execute(tmap, rows)
        except self.errors as exc:
            savepoint.rollback()
            bad = self._bisect(tmap, rows)
            index = _owner(tmap, records, start + bad) if bad is not None else None
            reason = _reason(exc)
            column = _column(reason, tmap.table) or (self._missing_reference(tmap, rows[bad]) if bad is not None
                                                     else None)
            field = next((p for p, c in tmap.fields.items() if c == column), column)
            raise DatasetLoadError(tmap.entity, tmap.table.name, None if index is None else offset + index, field,
                                   reason, records[index] if index is not None else None) from None
        savepoint.commit()
        if self.references is not None:
            self.references.written(tmap.table.name, list(chain.from_iterable(rows)), max(1, len(tmap.columns)))

    def _bisect(self, tmap: TableMap, rows: list[tuple[Any, ...]]) -> int | None:
        """The first row the database refuses (each probe inside a savepoint that is rolled back)."""
        def fails(upto: int) -> bool:
            probe = self.connection.begin_nested()
            try:
                self._execute(tmap, rows[:upto])
            except self.errors:
                return True
            finally:
                probe.rollback()
            return False

        if not rows or not fails(len(rows)):
            return None
        lo, hi = 1, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if fails(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo - 1

    def _missing_reference(self, tmap: TableMap, row: tuple[Any, ...]) -> str | None:
        """For a foreign-key failure that names no column (SQLite): the column whose key is not there."""
        names = [name for name, _ in tmap.columns]
        for column in tmap.table.columns:
            for fk in column.foreign_keys:
                value = row[names.index(column.name)] if column.name in names else None
                if value is None:
                    continue
                found = self.connection.execute(select(fk.column).where(fk.column == value).limit(1)).first()
                if found is None:
                    return column.name
        return None

    def finish(self, dataset: Dataset) -> Dataset:
        """Commit an Engine's transaction; give model entities their instances (attached to a Session)."""
        from sqlalchemy.orm import make_transient_to_detached

        for entity in dataset.entities:
            maps = self.tables.get(entity) or []
            model = model_of(self.schemas[entity]) if maps else None
            if model is None:
                continue
            # (the key's converter once: a joined subclass's table has the key too)
            convert = list(dict(c for m in maps for c in m.by_field(converters(m.table))).items())
            objects = [instance(model, python_values(maps[0].table, r, convert)) for r in dataset[entity]]
            if self.session is not None:
                for obj in objects:
                    make_transient_to_detached(obj)
                self.session.add_all(objects)
            dataset.objects[entity] = objects
        if self.connection.dialect.name == "postgresql":
            self._advance_sequences()
        if self._owned is not None:
            self._owned.commit()
            self._owned = None
            self._restore()
        if self._own_engine:
            self.connection.close()
        return dataset

    def _advance_sequences(self) -> None:
        """PostgreSQL: each loaded table's sequence (a ``SERIAL`` or identity key, a column's ``Sequence``)
        moved past the largest value loaded. The dataset writes its keys itself, which does not advance
        the sequence, so the application's own inserts after the load (``session.add(Note(...))``) would
        be given those keys again and fail on the primary key. A sequence is only ever moved forward. (SQLite
        and MySQL take the next key from the rows themselves.)"""
        for maps in self.tables.values():
            for tmap in maps:
                table = tmap.table
                target = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
                for column in table.columns:
                    named = column.default if isinstance(column.default, DatabaseSequence) else None
                    if named is None and column is not table.autoincrement_column and column.identity is None:
                        continue
                    sequence = (f'"{named.schema}"."{named.name}"' if named.schema else f'"{named.name}"') \
                        if named is not None else None
                    self.connection.execute(text(
                        f"SELECT setval(s::regclass, m) FROM (SELECT coalesce(:sequence, "
                        f"pg_get_serial_sequence(:table, :column)) AS s, (SELECT max(\"{column.name}\") FROM "
                        f"{target}) AS m) AS top WHERE s IS NOT NULL AND m IS NOT NULL "
                        f"AND m > coalesce(pg_sequence_last_value(s::regclass), 0)"),
                        {"sequence": sequence, "table": target, "column": column.name})

    def abort(self) -> None:
        """Roll back an Engine's transaction after a failure."""
        if self._owned is not None:
            self._owned.rollback()
            self._owned = None
            self._restore()
        if self._own_engine:
            self.connection.close()


def check_target(target: Any) -> None:
    """A usage error for ``into=`` anything but a SQLAlchemy Engine, Connection or Session (an async one
    included: the loader is synchronous, and ``run_sync`` hands it the session's own synchronous side)."""
    if isinstance(target, (Engine, Connection, Session)):
        return
    kind = type(target).__name__
    if any(hasattr(target, name) for name in ("sync_session", "sync_connection", "sync_engine")):
        raise TestdataUsageError(
            f"dataset: into= got an {kind}; the dataset is loaded synchronously. Call it through the async "
            f"object's run_sync, which hands it the synchronous side in the same transaction: "
            f"await session.run_sync(lambda sync: testdata.dataset({{...}}, into=sync)) (docs/datasets.md, "
            f"\"Async sessions\").")
    raise TestdataUsageError(f"dataset: into= takes a SQLAlchemy Session, Connection or Engine, got {kind} "
                             f"({target!r}).")


def _foreign_keys(raw: Any) -> bool:
    """Whether a SQLite connection enforces foreign keys."""
    return bool(raw.execute("PRAGMA foreign_keys").fetchone()[0])


def _variable_limit(connection: Connection) -> int:
    """The most ``?`` one SQLite statement takes (999 before SQLite 3.32, 32,766 since)."""
    import sqlite3  # here: a Python built without sqlite3 still loads PostgreSQL

    raw = connection.connection.driver_connection
    limit, which = getattr(raw, "getlimit", None), getattr(sqlite3, "SQLITE_LIMIT_VARIABLE_NUMBER", None)  # 3.11
    return int(limit(which)) if limit is not None and which is not None else 999


_NULL: Callable[[Any], Any] = {}.get
"""Returns None for None (an empty dict's ``get``: no Python frame)."""


@contextmanager
def _quick_binds() -> Iterator[None]:
    """Adapters for ``None`` and ``bool`` while rows are inserted, giving what the driver binds anyway (NULL,
    1 and 0). Without one, the driver looks for a ``__adapt__`` on its protocol for every None and bool it
    binds, and formats the AttributeError it then drops: about 2,000 instructions a value, 5% of a load's
    inserts. Only added where the process has no adapter of its own for the type, and taken off after."""
    import sqlite3

    added: list[tuple[Any, Callable[[Any], Any]]] = []
    quick: tuple[tuple[type, Callable[[Any], Any]], ...] = ((type(None), _NULL), (bool, int))
    for kind, adapter in quick:
        key = (kind, sqlite3.PrepareProtocol)
        if key not in sqlite3.adapters:
            sqlite3.register_adapter(kind, adapter)
            added.append((key, adapter))
    try:
        yield
    finally:
        for key, adapter in added:
            if sqlite3.adapters.get(key) is adapter:
                del sqlite3.adapters[key]


def _owner(tmap: TableMap, records: list[Record], row: int) -> int:
    """The record a row of the table came from (a child table has a row per element of the record's list)."""
    if tmap.only is not None:  # a joined subclass's table: the rows of some records
        return [i for i, r in enumerate(records) if tmap.takes(r)][row]
    if tmap.list_path is None:
        return row
    owners = [i for i, r in enumerate(records) for _ in (r.get(tmap.list_path) or ())]
    return owners[row]


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return " ".join(text.split())[:400]


_COLUMN_PATTERNS = (
    re.compile(r'(?:NOT NULL|UNIQUE) constraint failed: [\w"]+\.(\w+)'),
    re.compile(r'null value in column "(\w+)"'),
    re.compile(r"Key \((\w+)\)="),
)


_CONSTRAINT = re.compile(r'(?:CHECK constraint failed: |violates check constraint ")(\w+)')


def _column(reason: str, table: Table) -> str | None:
    """The column a database error names (or, for a named CHECK constraint, the first column it reads)."""
    for pattern in _COLUMN_PATTERNS:
        found = pattern.search(reason)
        if found and found.group(1) in table.c:
            return found.group(1)
    named = _CONSTRAINT.search(reason)
    if named:
        for constraint in table.constraints:
            text = str(getattr(constraint, "sqltext", ""))
            if constraint.name == named.group(1) and text:
                return next((c.name for c in table.columns if re.search(rf"\b{re.escape(c.name)}\b", text)), None)
    return None



def build_into(engine: Any, request: Any, target: Engine | Connection | Session, *, progress: Any = None,
               processes: int | None = None) -> Dataset:
    """Build a dataset straight into a database (entity by entity, as each is finished)."""
    from pytest_testdata.datasets.build import build_dataset

    sink = DatabaseSink(target)
    try:
        dataset = build_dataset(engine, request, sink=sink, progress=progress, processes=processes)
    except BaseException:
        sink.abort()
        raise
    return sink.finish(dataset)


def load_dataset(dataset: Dataset, plan: DatasetPlan, target: Engine | Connection | Session) -> Dataset:
    """Load a dataset built elsewhere in foreign-key order."""
    return load_fetched(lambda taken: dataset, plan, target)


def load_fetched(fetch: Callable[[dict[str, dict[str, set[Any]]]], Dataset], plan: DatasetPlan,
                 target: Engine | Connection | Session) -> Dataset:
    """Load a dataset built elsewhere (the agent's, in remote mode), in foreign-key order: ``fetch`` is given the
    values already in the target's tables (:meth:`DatabaseSink.taken`) to build it apart from them, then its
    records are loaded in the same transaction."""
    sink = DatabaseSink(target)
    try:
        dataset = fetch(sink.taken(plan))
        cycle: dict[str, list[str]] = {}
        for edge in plan.edges:
            if edge.deferred:
                cycle.setdefault(edge.child, []).append(edge.path)
        for entity in plan.order:
            sink.write(plan, entity, dataset[entity], cycle.get(entity, ()))
        for entity, paths in cycle.items():
            sink.fill(plan, entity, dataset[entity], paths)
    except BaseException:
        sink.abort()
        raise
    return sink.finish(dataset)
