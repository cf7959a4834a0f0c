"""The embedded pattern store: one SQLite file with an FTS5 full-text index ranked by BM25.

Needs no server and nothing beyond the standard library. The ``patterns`` table holds the records; an
external-content FTS5 table indexes their title and search text, kept in step by triggers. Collection
and (collection, entity) are tokens of a third FTS column (weighted 0 in the ranking), so a filtered
query is one index intersection rather than a scan of every match. Several processes (pytest-xdist workers) may
share the file: WAL mode lets readers run while one writes, and writers wait for each other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.store.base import Hit, Pattern, collection_name, query_terms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS patterns (
    id INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    entity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    scope TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (collection, key)
);
CREATE INDEX IF NOT EXISTS patterns_scope ON patterns (collection, entity, key);
CREATE VIRTUAL TABLE IF NOT EXISTS patterns_fts USING fts5(
    title, body, scope, content='patterns', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS patterns_ai AFTER INSERT ON patterns BEGIN
    INSERT INTO patterns_fts (rowid, title, body, scope) VALUES (new.id, new.title, new.body, new.scope);
END;
CREATE TRIGGER IF NOT EXISTS patterns_ad AFTER DELETE ON patterns BEGIN
    INSERT INTO patterns_fts (patterns_fts, rowid, title, body, scope)
    VALUES ('delete', old.id, old.title, old.body, old.scope);
END;
CREATE TABLE IF NOT EXISTS fingerprints (hash TEXT PRIMARY KEY) WITHOUT ROWID;
"""
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0
OPTIMIZE_AFTER = 256
"""An ``add`` writing at least this many patterns merges the index's segments afterwards."""


def _scope_token(kind: str, value: str) -> str:
    # Only letters and digits survive the unicode61 tokenizer intact (entity names may hold "_"), and the
    # trailing digit keeps the porter stemmer from folding "carts" into "cart".
    return kind + "x" + "".join(ch if ch.isalnum() else f"u{ord(ch):x}" for ch in value.lower()) + "0"


class EmbeddedStore:
    """Pattern store in a SQLite file (``":memory:"`` for a throwaway one)."""

    backend = "embedded"

    def __init__(self, path: str | Path) -> None:
        self.location = str(path)
        if self.location != ":memory:":
            target = Path(path)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TestdataUsageError(
                    f"store_path: cannot create the folder for the pattern store file {self.location!r} ({exc}). "
                    "Set testdata_store_path (ini), --testdata-store-path or TESTDATA_STORE_PATH to a writable file."
                ) from None
        try:
            self._conn = sqlite3.connect(self.location, timeout=30.0, check_same_thread=False,
                                         isolation_level=None)
            if self.location != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise TestdataUsageError(
                f"store_path: {self.location!r} is not a usable pattern store ({exc}). Point "
                "testdata_store_path at a new file, or delete this one and run `testdata rag seed`."
            ) from None
        self._lock = threading.Lock()

    def add(self, patterns: Iterable[Pattern]) -> int:
        rows = []
        hashes: set[str] = set()
        for p in patterns:
            coll = collection_name(p.collection)
            data = json.dumps(p.as_dict(), ensure_ascii=False)  # key order kept: records read back as stored
            scope = f"{_scope_token('c', coll)} {_scope_token('s', coll + '/' + p.entity)}"
            rows.append((coll, p.key, p.entity, p.title, p.search_text(), scope, data))
            hashes.update(p.pii_hashes)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                # Delete then insert (not UPSERT) so the delete trigger removes the old index entry.
                self._conn.executemany("DELETE FROM patterns WHERE collection = ? AND key = ?",
                                       [(r[0], r[1]) for r in rows])
                self._conn.executemany(
                    "INSERT INTO patterns (collection, key, entity, title, body, scope, data) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                self._conn.executemany("INSERT OR IGNORE INTO fingerprints (hash) VALUES (?)",
                                       [(h,) for h in sorted(hashes)])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            if len(rows) >= OPTIMIZE_AFTER:
                # Bulk writes leave the index in many segments; merging them keeps queries fast.
                self._conn.execute("INSERT INTO patterns_fts (patterns_fts) VALUES ('optimize')")
        return len(rows)

    def search(self, collection: str, query: str, *, entity: str | None = None, limit: int = 5) -> list[Hit]:
        coll = collection_name(collection)
        terms = query_terms(query)
        if not terms:
            sql = "SELECT data, 0.0 FROM patterns WHERE collection = ?"
            args: list[object] = [coll]
            if entity is not None:
                sql += " AND entity = ?"
                args.append(entity)
            sql += " ORDER BY key LIMIT ?"
            args.append(limit)
        else:
            scope = _scope_token("c", coll) if entity is None else _scope_token("s", coll + "/" + entity)
            words = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
            match = f"scope:{scope} AND ({words})"
            # Rank inside the FTS table first and join only the top rows: joining every match costs more.
            sql = ("SELECT p.data, r.rank FROM ("
                   f"SELECT rowid, bm25(patterns_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0) AS rank "
                   "FROM patterns_fts WHERE patterns_fts MATCH ? ORDER BY rank, rowid LIMIT ?"
                   ") AS r JOIN patterns p ON p.id = r.rowid ORDER BY r.rank, r.rowid")
            args = [match, limit]
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        # FTS5's bm25() is lower-is-better (negative); flip it so every backend's score is higher-is-better.
        return [Hit(Pattern.from_dict(json.loads(data)), -float(rank)) for data, rank in rows]

    def count(self, collection: str, entity: str | None = None) -> int:
        coll = collection_name(collection)
        sql, args = "SELECT COUNT(*) FROM patterns WHERE collection = ?", [coll]
        if entity is not None:
            sql += " AND entity = ?"
            args.append(entity)
        with self._lock:
            (n,) = self._conn.execute(sql, args).fetchone()
        return int(n)

    def fingerprints(self) -> frozenset[str]:
        with self._lock:
            return frozenset(h for (h,) in self._conn.execute("SELECT hash FROM fingerprints"))

    def clear(self, collection: str) -> None:
        coll = collection_name(collection)
        with self._lock:
            self._conn.execute("DELETE FROM patterns WHERE collection = ?", (coll,))
            if coll.endswith("prod_samples"):
                self._conn.execute("DELETE FROM fingerprints")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"EmbeddedStore({self.location!r})"
