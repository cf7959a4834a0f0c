"""References of a dataset loaded into a SQLite file the loader owns: checked by the loader (SQLite's own
checks off for the load, back on after), refused and named as SQLite refused them, and ending in the same
database as a load SQLite checks row by row."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

# Imported here, outside any in-process pytester run (see test_sqlite.py).
import sqlalchemy
import sqlalchemy.orm

from pytest_testdata.datasets import DatasetRequest, generate_dataset, sqlite_engine
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.load import DatasetLoadError, load_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.registry import SchemaRegistry

SHOP = {"user": 40, "product": 30, "order": 120, "payment": 60}
ACCOUNT: dict[str, Any] = {
    "title": "account", "type": "object", "required": ["id", "email"],
    "properties": {"id": {"type": "integer", "x-unique": True}, "email": {"type": "string", "format": "email"}}}
NOTE: dict[str, Any] = {
    "title": "note", "type": "object", "required": ["id", "author_id", "text"],
    "properties": {"id": {"type": "integer", "x-unique": True},
                   "author_id": {"type": "integer", "x-ref": "account.id"},
                   "reply_to": {"type": ["integer", "null"], "x-ref": "note.id"},
                   "text": {"type": "string", "maxLength": 40}}}


def _load(engine: Engine, counts: dict[str, int], seed: int, path: Path, change: Any = None,
          into: str = "engine") -> Any:
    """Generate, let ``change`` edit the records, load into a new SQLite file (through an Engine the loader
    owns, or a Session whose transaction is the caller's: SQLite checks every row then)."""
    dataset = generate_dataset(counts, seed=seed, engine=engine, processes=1)
    if change is not None:
        change(dataset)
    plan = plan_dataset(DatasetRequest.checked(counts, seed=seed), engine.registry)
    database = sqlite_engine(path)
    try:
        if into == "engine":
            load_dataset(dataset, plan, database)
        else:
            with database.connect() as connection, connection.begin():
                load_dataset(dataset, plan, sqlalchemy.orm.Session(bind=connection))
        with database.connect() as connection:  # the engine's pooled connection: foreign keys on again
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()
    return dataset


def _dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        return list(db.iterdump())


def _notes(tmp_path: Path) -> Engine:
    for document in (ACCOUNT, NOTE):
        (tmp_path / f"{document['title']}.json").write_text(json.dumps(document))
    return Engine(SchemaRegistry([tmp_path]))


def test_a_load_the_loader_checks_gives_the_database_sqlite_checking_every_row_gives(tmp_path: Path) -> None:
    _load(Engine(), SHOP, 6, tmp_path / "engine.db")
    _load(Engine(), SHOP, 6, tmp_path / "session.db", into="session")
    assert _dump(tmp_path / "engine.db") == _dump(tmp_path / "session.db")
    notes = _notes(tmp_path)
    _load(notes, {"account": 10, "note": 80}, 2, tmp_path / "notes-engine.db")  # a cycle, filled in after
    _load(notes, {"account": 10, "note": 80}, 2, tmp_path / "notes-session.db", into="session")
    dump = _dump(tmp_path / "notes-engine.db")
    assert dump == _dump(tmp_path / "notes-session.db")
    assert sum("INSERT INTO \"note\"" in line for line in dump) == 80


@pytest.mark.parametrize("into", ["engine", "session"])
def test_a_reference_to_no_row_is_refused_and_named(tmp_path: Path, into: str) -> None:
    def lose_a_customer(dataset: Any) -> None:
        dataset["order"][77]["customer_id"] = "no-such-user"

    with pytest.raises(DatasetLoadError) as failed:
        _load(Engine(), SHOP, 7, tmp_path / "order.db", lose_a_customer, into)
    assert (failed.value.entity, failed.value.table, failed.value.record, failed.value.field) == (
        "order", "order", 77, "customer_id")
    assert "FOREIGN KEY constraint failed" in failed.value.reason
    with closing(sqlite3.connect(tmp_path / "order.db")) as db:  # the load's transaction is rolled back
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'order'").fetchone()[0] == 0

    def lose_a_product(dataset: Any) -> None:
        owner = next(i for i, r in enumerate(dataset["order"]) if i > 50 and len(r["items"]) > 1)
        dataset["order"][owner]["items"][1]["product_id"] = dataset["user"][0]["user_id"]  # a key, of a user

    with pytest.raises(DatasetLoadError) as failed:
        _load(Engine(), SHOP, 7, tmp_path / "item.db", lose_a_product, into)
    assert (failed.value.entity, failed.value.table, failed.value.field) == (
        "order", "order_items", "items.*.product_id")
    assert failed.value.record is not None and failed.value.record > 50


@pytest.mark.parametrize("into", ["engine", "session"])
def test_what_the_loader_cannot_prove_is_left_to_sqlite_s_affinities(tmp_path: Path, into: str) -> None:
    notes = _notes(tmp_path)

    def as_text(dataset: Any) -> None:  # '3' in an integer column is stored as 3: the account is found
        dataset["note"][5]["author_id"] = str(dataset["note"][5]["author_id"])

    _load(notes, {"account": 10, "note": 40}, 3, tmp_path / "text.db", as_text, into)
    with closing(sqlite3.connect(tmp_path / "text.db")) as db:
        assert {r[0] for r in db.execute("SELECT DISTINCT typeof(author_id) FROM note")} == {"integer"}

    def not_a_number(dataset: Any) -> None:
        dataset["note"][6]["author_id"] = f"x{dataset['note'][6]['author_id']}"

    with pytest.raises(DatasetLoadError) as failed:
        _load(notes, {"account": 10, "note": 40}, 3, tmp_path / "x.db", not_a_number, into)
    assert (failed.value.entity, failed.value.record, failed.value.field) == ("note", 6, "author_id")


def test_a_filled_in_reference_to_no_row_is_named(tmp_path: Path) -> None:
    notes = _notes(tmp_path)
    state: dict[str, int] = {}

    def answer_nothing(dataset: Any) -> None:
        state["index"] = index = next(i for i, r in enumerate(dataset["note"]) if r.get("reply_to") is not None)
        dataset["note"][index]["reply_to"] = 10**9

    with pytest.raises(DatasetLoadError) as failed:
        _load(notes, {"account": 10, "note": 80}, 2, tmp_path / "cycle.db", answer_nothing)
    assert (failed.value.entity, failed.value.record, failed.value.field) == ("note", state["index"], "reply_to")
    assert "FOREIGN KEY constraint failed" in failed.value.reason


def test_the_sets_prove_only_one_column_references_to_a_key() -> None:
    # A reference the loader's sets cannot prove is left to SQLite's own check: the two columns of a
    # composite foreign key each in its own set would accept a mixed pair, and a parent column that is
    # not a key is one SQLite refuses to use ("foreign key mismatch").
    from pytest_testdata.datasets.references import _one_key

    meta = sqlalchemy.MetaData()
    sqlalchemy.Table(  # the parent, registered in meta for the foreign keys below
        "team", meta, sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
        sqlalchemy.Column("code", sqlalchemy.String(8), unique=True), sqlalchemy.Column("city", sqlalchemy.String(8)),
        sqlalchemy.Column("season", sqlalchemy.Integer), sqlalchemy.Column("slug", sqlalchemy.String(8)),
        sqlalchemy.UniqueConstraint("city", "season"), sqlalchemy.Index("one_slug", "slug", unique=True))
    player = sqlalchemy.Table(
        "player", meta, sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
        sqlalchemy.Column("team_id", sqlalchemy.ForeignKey("team.id")),
        sqlalchemy.Column("team_code", sqlalchemy.ForeignKey("team.code")),
        sqlalchemy.Column("team_slug", sqlalchemy.ForeignKey("team.slug")),
        sqlalchemy.Column("team_city", sqlalchemy.ForeignKey("team.city")),
        sqlalchemy.Column("city", sqlalchemy.String(8)), sqlalchemy.Column("season", sqlalchemy.Integer),
        sqlalchemy.ForeignKeyConstraint(["city", "season"], ["team.city", "team.season"]))
    proved = {column.name: [_one_key(fk) for fk in column.foreign_keys] for column in player.c if column.foreign_keys}
    assert proved == {"team_id": [True], "team_code": [True], "team_slug": [True], "team_city": [False],
                      "city": [False], "season": [False]}
