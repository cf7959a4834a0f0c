"""Joined-table inheritance (shapes of an open-source CTF platform's models): a subclass with a table of its own,
whose key is also a foreign key to its base's table. A record of that kind is a row in each table, with one key;
the base model's records include that kind, and only theirs are rows of its table. Checked in SQL, through the
plugin, the command line's SQL and SQLite outputs, and a refused row naming its record."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy
import sqlalchemy.orm  # noqa: F401

from pytest_testdata.cli import main

MODELS = '''
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column


class Base(DeclarativeBase):
    pass


class Challenge(Base):
    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class Player(Base):
    __tablename__ = "players"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(120), unique=True)


class Submission(Base):  # no identity of its own: every record is one of its subclasses
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"))
    player_id: Mapped[int] = mapped_column(sa.ForeignKey("players.id"))
    provided: Mapped[str] = mapped_column(sa.Text)
    type: Mapped[str] = mapped_column(sa.String(32))
    __mapper_args__ = {"polymorphic_on": "type"}


class Solve(Submission):  # as CTFd writes it: its own table, the base's columns repeated there
    __tablename__ = "solves"
    __table_args__ = (sa.UniqueConstraint("challenge_id", "player_id"),)
    id = sa.Column(None, sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    challenge_id = column_property(sa.Column(sa.Integer, sa.ForeignKey("challenges.id")), Submission.challenge_id)
    player_id = column_property(sa.Column(sa.Integer, sa.ForeignKey("players.id")), Submission.player_id)
    points: Mapped[int] = mapped_column(sa.Integer)
    __mapper_args__ = {"polymorphic_identity": "correct"}


class Fail(Submission):  # single-table
    __mapper_args__ = {"polymorphic_identity": "incorrect"}


class Vehicle(Base):
    __tablename__ = "vehicles"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "car"}


class Truck(Vehicle):  # a key column named apart from its base's
    __tablename__ = "trucks"
    vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("vehicles.id"), primary_key=True)
    payload_kg: Mapped[int] = mapped_column(sa.Integer)
    __mapper_args__ = {"polymorphic_identity": "truck"}


class Boat(Base):
    __tablename__ = "boats"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "boat"}


class Node(Base):  # three levels of joined tables (as a CMS's node, content and image)
    __tablename__ = "nodes"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("nodes.id"))
    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "node"}


class Content(Node):
    __tablename__ = "contents"
    id: Mapped[int] = mapped_column(sa.ForeignKey("nodes.id"), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    __mapper_args__ = {"polymorphic_identity": "content"}


class Image(Content):
    __tablename__ = "images"
    id: Mapped[int] = mapped_column(sa.ForeignKey("contents.id"), primary_key=True)
    width: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "image"}


class Ticket(Base):  # no identity of its own, and one kind
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    __mapper_args__ = {"polymorphic_on": "kind"}


class Bug(Ticket):
    __mapper_args__ = {"polymorphic_identity": "bug"}


class Ferry(Boat):  # its table refuses every row, and records are not held to that
    __tablename__ = "ferries"
    __table_args__ = (sa.CheckConstraint("seats < 0", info={"testdata": "database"}),)
    id: Mapped[int] = mapped_column(sa.ForeignKey("boats.id"), primary_key=True)
    seats: Mapped[int] = mapped_column(sa.Integer)
    __mapper_args__ = {"polymorphic_identity": "ferry"}
'''

TESTS = '''
import collections

import pytest
import sqlalchemy as sa

from test_models import (Base, Boat, Bug, Challenge, Content, Fail, Image, Node, Player, Solve, Submission, Ticket,
                         Truck, Vehicle)


@pytest.fixture
def db(testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    return testdata_db


@pytest.mark.parametrize("seed", range(3))
def test_submissions_are_rows_of_their_tables(testdata, db, seed):
    ds = testdata.dataset({Challenge: 8, Player: 10, Submission: 40}, into=db, seed=seed)
    kinds = collections.Counter(s["type"] for s in ds["submissions"])
    assert set(kinds) == {"correct", "incorrect"} and ds.valid
    assert [type(s) for s in ds.objects["submissions"]] == [
        Solve if s["type"] == "correct" else Fail for s in ds["submissions"]]
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM solves") == kinds["correct"]
    assert q("SELECT count(*) FROM solves s JOIN submissions b ON b.id = s.id AND b.type = 'correct' "
             "AND b.challenge_id = s.challenge_id AND b.player_id = s.player_id") == kinds["correct"]
    assert q("SELECT count(*) FROM solves WHERE points IS NULL") == 0
    assert all((s["points"] is None) == (s["type"] != "correct") for s in ds["submissions"])
    db.expire_all()
    loaded = {s.id: (type(s), getattr(s, "points", None)) for s in db.scalars(sa.select(Submission))}
    assert loaded == {s["id"]: (type(o), s["points"]) for s, o in zip(ds["submissions"], ds.objects["submissions"])}


def test_a_joined_subclass_alone_with_a_key_column_of_its_own(testdata, db):
    ds = testdata.dataset({Truck: 5}, into=db, seed=1)
    assert ds.entities == ("trucks",) and set(ds["trucks"][0]) == {"id", "kind", "payload_kg"}
    assert all(type(t) is Truck and t.vehicle_id == t.id and t.payload_kg for t in ds.objects["trucks"])
    rows = db.execute(sa.text("SELECT t.vehicle_id, t.payload_kg FROM trucks t JOIN vehicles v ON v.id = t.vehicle_id "
                              "WHERE v.kind = 'truck'")).all()
    assert sorted(rows) == sorted((t["id"], t["payload_kg"]) for t in ds["trucks"])


def test_kinds_asked_for_by_their_classes(testdata, db):
    # Submission keeps the kinds Solve does not ask for, and no solve's (challenge_id, player_id) rule: twelve
    # submissions of 2 x 3 pairs.
    ds = testdata.dataset({Challenge: 2, Player: 3, Submission: 12, Solve: 4}, into=db, seed=1)
    assert {s["type"] for s in ds["submissions"]} == {"incorrect"} and {s["type"] for s in ds["solves"]} == {"correct"}
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM submissions") == q("SELECT count(DISTINCT id) FROM submissions") == 16
    assert q("SELECT count(*) FROM solves s JOIN submissions b ON b.id = s.id AND b.type = 'correct'") == 4
    assert [type(s) for s in ds.objects["solves"]] == [Solve] * 4 and ds.valid


def test_three_levels_of_tables(testdata, db):
    # Each record is a row of its kind's tables, from the root's down: a node, a content, an image.
    ds = testdata.dataset({Node: 4, Content: 8, Image: 3}, into=db, seed=2)
    kinds = {e: sorted({r["type"] for r in ds[e]}) for e in ds.entities}
    assert kinds == {"nodes": ["node"], "contents": ["content"], "images": ["image"]}
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert (q("SELECT count(*) FROM nodes"), q("SELECT count(*) FROM contents"), q("SELECT count(*) FROM images")) \
        == (15, 11, 3)
    assert q("SELECT count(*) FROM images i JOIN contents c ON c.id = i.id JOIN nodes n ON n.id = c.id "
             "WHERE n.type = 'image' AND c.title IS NOT NULL AND i.width IS NOT NULL") == 3
    db.expire_all()
    assert sorted(type(n).__name__ for n in db.scalars(sa.select(Node))) == ["Content"] * 8 + ["Image"] * 3 + [
        "Node"] * 4


@pytest.mark.parametrize("counts, said", [
    ({Submission: 2, Solve: 2, Fail: 2}, "every kind of 'submissions' ('correct', 'incorrect') is asked for by "
                                         "another entity of its table, so its records would have none left"),
    ({Ticket: 2, Bug: 2}, "entities 'bug' and 'tickets' are rows of the same kinds of table ('bug'): there is "
                          "no telling their records apart"),
])
def test_kinds_that_cannot_be_told_apart(testdata, counts, said):
    from pytest_testdata.errors import TestdataUsageError

    with pytest.raises(TestdataUsageError) as refused:
        testdata.dataset({Challenge: 2, Player: 2, **counts} if Submission in counts else counts)
    assert said in str(refused.value)


def test_a_refused_row_of_a_joined_table_names_its_record(testdata, db):
    for seed in range(20):  # a seed whose first boat is no ferry: the ferries' rows are not the records' places
        kinds = [b["kind"] for b in testdata.dataset({Boat: 6}, seed=seed)["boats"]]
        if kinds[0] == "boat" and "ferry" in kinds:
            break
    with pytest.raises(Exception) as refused:
        testdata.dataset({Boat: 6}, into=db, seed=seed)
    message = str(refused.value)
    assert f"boats record {kinds.index('ferry')} (table 'ferries') was refused: CHECK constraint failed" in message
    assert "'kind': 'ferry'" in message
'''


def test_the_models_load_and_read_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_models=MODELS)
    pytester.makepyfile(test_joined=TESTS)
    result = pytester.runpytest("-p", "no:randomly", "test_joined.py")
    result.assert_outcomes(passed=9)


def test_the_command_lines_sql_and_sqlite_write_each_kinds_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "joined_cli_models.py").write_text(MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    entities = ["joined_cli_models:Challenge=5", "joined_cli_models:Player=6", "joined_cli_models:Submission=20"]
    code = main(["dataset", *entities, "--format", "sql", "--seed", "2"])
    script, err = capsys.readouterr()
    assert code == 0, err
    from_sql = sqlite3.connect(tmp_path / "from-sql.db")
    from_sql.execute("PRAGMA foreign_keys = ON")
    from_sql.executescript(script)
    target = tmp_path / "out.db"
    code = main(["dataset", *entities, "--format", "sqlite", "--seed", "2", "--out", str(target)])
    assert code == 0, capsys.readouterr().err
    for db in (from_sql, sqlite3.connect(target)):
        correct = db.execute("SELECT id, challenge_id, player_id FROM submissions WHERE type = 'correct'").fetchall()
        assert 0 < len(correct) < 20
        assert sorted(db.execute("SELECT id, challenge_id, player_id FROM solves").fetchall()) == sorted(correct)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_explain_names_the_classes_sharing_a_table(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "joined_explain_models.py").write_text(MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    code = main(["dataset", "joined_explain_models:Challenge=2", "joined_explain_models:Player=3",
                 "joined_explain_models:Submission=6", "joined_explain_models:Solve=2", "--explain", "--seed", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.endswith("  classes of one model, sharing its table (each built after those it names):\n"
                        "    submissions: kinds 'incorrect'; after solves\n")
