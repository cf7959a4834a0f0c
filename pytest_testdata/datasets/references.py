"""Foreign keys of a SQLite load checked by the loader, with SQLite's own check as the fallback.

When the loader owns the database's transaction and creates every table of the dataset in it (the CLI's
SQLite file, ``load_dataset`` or ``build_into`` given an ``Engine``), SQLite's row-by-row foreign-key
checks are switched off for the load (``PRAGMA foreign_keys=OFF`` before ``BEGIN``; back on after the
commit or rollback) and the references are checked here instead: each referenced column's values are kept
in a set as its rows go in, and a chunk of child rows is accepted when every reference is in its parent's
set (a C-level ``issuperset``: about a tenth of what SQLite's index seek a reference costs).

The sets prove a reference only where Python's equality is SQLite's: text in a text column referencing
text, whole numbers in an integer column referencing whole numbers. Anything else (another type, a
parent row the sets do not know) is checked by SQLite itself, ``PRAGMA foreign_key_check`` on the table,
which applies the columns' affinities as the enforced check would. The database at commit holds the same
rows either way, and a refused reference is still found and named by the loader's bisection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, String, Table, UniqueConstraint

from pytest_testdata.datasets.tables import TableMap

REFUSED = "FOREIGN KEY constraint failed"
"""The reason given for a refused reference (SQLite's own words for it)."""


class ReferenceRefused(Exception):
    """A chunk of rows holds a reference to no row: raised inside the chunk's savepoint, which is rolled back."""

    def __init__(self) -> None:
        super().__init__(REFUSED)


def _kind(table: Table, column: str) -> type | None:
    """The Python type whose equality is SQLite's for the column (None: leave the column to SQLite)."""
    import sqlite3

    ctype = table.c[column].type
    kind = int if isinstance(ctype, Integer) else str if isinstance(ctype, String) else None
    # Text columns: text affinity, binary collation (the tables declare none). An adapter the process
    # registered for the type would change what is stored: then SQLite checks.
    if kind is None or (kind, sqlite3.PrepareProtocol) in sqlite3.adapters:
        return None
    return kind


def _one_key(fk: Any) -> bool:
    """True for a one-column foreign key to a one-column primary key or unique column: what a set of the
    parent's values proves. A multi-column key (each column in a set of its own would accept mixed pairs) or
    a parent column that is not a key (SQLite refuses such a foreign key) is left to SQLite's check."""
    constraint, parent = fk.constraint, fk.column
    if constraint is not None and len(constraint.elements) > 1:
        return False
    table = parent.table
    if parent.primary_key and len(table.primary_key.columns) == 1:
        return True
    if parent.unique:
        return True
    keys: list[Any] = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [i for i in table.indexes if i.unique]
    return any([c.name for c in key.columns] == [parent.name] for key in keys)


class ReferenceCheck:
    """The references of one load's tables (see the module docstring)."""

    def __init__(self, connection: Connection, maps: list[TableMap]) -> None:
        self.connection = connection
        self.links: dict[str, list[tuple[int, tuple[str, str], type | None]]] = {}
        """Table -> (column's place in a row, referenced (table, column), type both hold, or None)."""
        self.keys: dict[tuple[str, str], set[Any]] = {}
        """Referenced (table, column) -> the values written so far (and None: a NULL references nothing)."""
        self.pure: dict[tuple[str, str], bool] = {}
        """Referenced (table, column) -> every value written so far is of the column's type."""
        self.kinds: dict[tuple[str, str], type | None] = {}
        """Referenced (table, column) -> the type whose equality is SQLite's for it (:func:`_kind`)."""
        self.places: dict[str, list[tuple[int, tuple[str, str]]]] = {}
        """Table -> (column's place in a row, (table, column)) of its columns that other rows reference."""
        self.tables = {m.table.name: m.table for m in maps}
        self.names = {m.table.name: [name for name, _ in m.columns] for m in maps}
        for tmap in maps:
            names = [name for name, _ in tmap.columns]
            for place, name in enumerate(names):
                for fk in tmap.table.c[name].foreign_keys:
                    parent = (fk.column.table.name, fk.column.name)
                    own, theirs = _kind(tmap.table, name), _kind(fk.column.table, fk.column.name)
                    if not _one_key(fk):
                        own = theirs = None  # SQLite decides (and reports a key it cannot use)
                    self.links.setdefault(tmap.table.name, []).append(
                        (place, parent, own if own is theirs else None))
                    self.keys.setdefault(parent, {None})
                    self.pure.setdefault(parent, theirs is not None)
                    self.kinds[parent] = theirs
        for tmap in maps:
            names = [name for name, _ in tmap.columns]
            self.places[tmap.table.name] = [(names.index(c), (t, c)) for t, c in self.keys
                                            if t == tmap.table.name and c in names]

    def holds(self, table: str, values: list[Any], width: int) -> bool:
        """True when the sets prove every reference of these rows (flat, ``width`` values a row)."""
        for place, parent, kind in self.links.get(table, ()):
            if kind is None or not self.pure[parent]:
                return False
            if not self.keys[parent].issuperset(values[place::width]):
                return False
        return True

    def check(self, table: str, values: list[Any], width: int) -> None:
        """Raise :class:`ReferenceRefused` unless every reference of the rows just inserted (inside the
        caller's savepoint) finds its row: by the sets, else by SQLite's ``foreign_key_check``."""
        if table not in self.links or self.holds(table, values, width):
            return
        if self.violated(table):
            raise ReferenceRefused

    def written(self, table: str, values: list[Any], width: int) -> None:
        """Rows now in the table (their savepoint released): their referenced values join the sets."""
        for place, key in self.places.get(table, ()):
            column = values[place::width]
            if self.pure[key] and not set(map(type, column)) <= {self.kinds[key], type(None)}:
                self.pure[key] = False
            self.keys[key].update(column)

    def column_holds(self, table: str, column: str, values: list[Any]) -> bool:
        """True when the sets prove these values of one referencing column (a cycle's filled-in field)."""
        place = self.names[table].index(column)
        for at, parent, kind in self.links.get(table, ()):
            if at == place and (kind is None or not self.pure[parent] or not self.keys[parent].issuperset(values)):
                return False
        return True

    def violated(self, table: str) -> bool:
        """SQLite's own check of the table's references (its affinities and collations)."""
        quoted = table.replace('"', '""')
        return self.connection.exec_driver_sql(f'PRAGMA foreign_key_check("{quoted}")').first() is not None
