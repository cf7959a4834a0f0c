"""Dataset files: JSON Lines or CSV per entity, SQL (CREATE TABLE + INSERT statements), a SQLite file.

Every writer is a :class:`~pytest_testdata.datasets.build.Sink`: entities are written as they are built.
Files appear all at once: each is written beside its destination under a temporary name and renamed into
place only when the whole dataset is done, so a failed run never leaves a partial file that looks whole.
Each file's bytes are flushed to the disk (``fsync``) before the rename, and the folder's entry after it: a
file that has appeared is whole even after a power cut (a SQLite file is written without ``fsync`` at its
commit, see :data:`~pytest_testdata.datasets.db.TEST_PRAGMAS`; this one ``fsync`` at the end is its
durability).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pytest_testdata.datasets.graph import DatasetPlan

Record = dict[str, Any]
FORMATS = ("jsonl", "csv", "sql", "sqlite")
SQL_BATCH = 500
"""Rows per INSERT statement in SQL output."""


class AtomicFiles:
    """Files written under temporary names in their destination folder, renamed into place on commit."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def path(self, destination: Path) -> Path:
        """A temporary path beside ``destination``; it replaces ``destination`` on :meth:`commit`."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
        os.close(handle)
        self._pending.append((Path(name), destination))
        return Path(name)

    def open(self, destination: Path) -> TextIO:
        return self.path(destination).open("w", encoding="utf-8", newline="")

    def commit(self) -> None:
        """Rename every file into place, each flushed to the disk first (see the module docstring)."""
        umask = os.umask(0)
        os.umask(umask)
        folders = set()
        for temporary, destination in self._pending:
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp made it private; a finished file gets the usual mode
            _flush(temporary)
            os.replace(temporary, destination)
            folders.add(destination.parent)
        for folder in sorted(folders):
            _flush(folder, folder=True)
        self._pending.clear()

    def discard(self) -> None:
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending.clear()


def _flush(path: Path, *, folder: bool = False) -> None:
    """``fsync`` a file, or a folder's entries (where the system can open a folder: not on Windows)."""
    if folder and os.name == "nt":
        return
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class RecordFiles:
    """``<folder>/<entity>.jsonl`` or ``.csv`` per entity (CSV: nested values as JSON text)."""

    def __init__(self, folder: Path, fmt: str, files: AtomicFiles) -> None:
        self.folder, self.fmt, self.files = folder, fmt, files
        self.written: list[Path] = []
        self._held: dict[str, list[Record]] = {}

    def write(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None:
        if deferred:
            self._held[entity] = records  # written once the cycle's references are filled in
            return
        self._write(plan, entity, records)

    def fill(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None:
        self._write(plan, entity, self._held.pop(entity, records))

    def _write(self, plan: DatasetPlan, entity: str, records: list[Record]) -> None:
        destination = self.folder / f"{entity}.{self.fmt}"
        with self.files.open(destination) as out:
            if self.fmt == "jsonl":
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                writer = csv.writer(out)
                fields = list(plan.schemas[entity].fields)
                writer.writerow(fields)
                for record in records:
                    writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                                     for v in (record.get(f) for f in fields)])
        self.written.append(destination)


def sql_literal(value: Any, dialect: str) -> str:
    """A SQL literal: quoted text, numbers, NULL, booleans (1/0 for SQLite), JSON text for lists and dicts."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE") if dialect == "postgresql" else ("1" if value else "0")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


class SqlScript:
    """CREATE TABLE statements and multi-row INSERTs in foreign-key order, in one transaction."""

    def __init__(self, out: TextIO, dialect: str = "sqlite") -> None:
        self.out, self.dialect = out, dialect
        self.tables: dict[str, Any] = {}
        self.statements = 0
        self._metadata: Any = None

    def _prepare(self, plan: DatasetPlan) -> None:
        if self.tables:
            return
        from sqlalchemy import MetaData
        from sqlalchemy.schema import CreateTable

        from pytest_testdata.datasets.tables import build_tables

        self._metadata = MetaData()
        self.tables = build_tables(plan, self._metadata)
        dialect = _dialect(self.dialect)
        self.out.write("BEGIN;\n")
        for maps in self.tables.values():
            for tmap in maps:
                self.out.write(str(CreateTable(tmap.table).compile(dialect=dialect)).strip() + ";\n\n")

    def write(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None:
        self._prepare(plan)
        for tmap in self.tables[entity]:
            names = [name for name, _ in tmap.columns]
            blank = {i for i, name in enumerate(names) if any(tmap.fields.get(p) == name for p in deferred)} \
                if tmap.list_path is None else set()
            quoted = ", ".join(f'"{n}"' for n in names)
            rows = tmap.rows(tmap.picked(records))
            for start in range(0, len(rows), SQL_BATCH):
                values = ",\n  ".join(
                    "(" + ", ".join("NULL" if i in blank else sql_literal(v, self.dialect) for i, v in enumerate(row))
                    + ")" for row in rows[start:start + SQL_BATCH])
                self.out.write(f'INSERT INTO "{tmap.table.name}" ({quoted}) VALUES\n  {values};\n')
                self.statements += 1

    def fill(self, plan: DatasetPlan, entity: str, records: list[Record], deferred: Sequence[str]) -> None:
        key = plan.keys[entity][0]
        for path in deferred:
            tmap = next(m for m in self.tables[entity] if path in m.fields)  # (a joined subclass's table may hold it)
            for record in records:
                if record.get(path) is not None:
                    self.out.write(f'UPDATE "{tmap.table.name}" SET "{tmap.fields[path]}" = '
                                   f'{sql_literal(record[path], self.dialect)} WHERE "{tmap.fields[key]}" = '
                                   f'{sql_literal(record.get(key), self.dialect)};\n')

    def close(self) -> None:
        self.out.write("COMMIT;\n")


def _dialect(name: str) -> Any:
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.dialect()  # type: ignore[no-untyped-call]
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

    return SQLiteDialect_pysqlite()
