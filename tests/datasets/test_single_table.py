"""Single-table inheritance as an open-source CTF platform's models have it: files of several kinds in one table,
each kind with a foreign key of its own, and submissions whose base has no identity of its own. Loaded into
SQLite through the plugin and checked in SQL and through the ORM."""

from __future__ import annotations

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy as sa
import sqlalchemy.orm

MODELS = '''
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Challenge(Base):
    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class Page(Base):
    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80))


class File(Base):
    __tablename__ = "files"
    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(20))
    location: Mapped[str] = mapped_column(sa.String(120))
    __mapper_args__ = {"polymorphic_identity": "standard", "polymorphic_on": "type"}


class ChallengeFile(File):
    challenge_id: Mapped[int | None] = mapped_column(sa.ForeignKey("challenges.id"))
    __mapper_args__ = {"polymorphic_identity": "challenge"}


class PageFile(File):
    page_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pages.id"))
    __mapper_args__ = {"polymorphic_identity": "page"}


class Submission(Base):  # no identity of its own: every submission is one of its kinds
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"))
    type: Mapped[str] = mapped_column(sa.String(20))
    __mapper_args__ = {"polymorphic_on": "type"}


class Fail(Submission):
    __mapper_args__ = {"polymorphic_identity": "incorrect"}


class Partial(Submission):
    score: Mapped[int | None]
    __mapper_args__ = {"polymorphic_identity": "partial"}


@pytest.fixture
def db(testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    return testdata_db
'''


def test_each_kind_of_a_table_with_its_own_columns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ctf=MODELS + '''
@pytest.mark.parametrize("seed", range(4))
def test_files(testdata, db, seed):
    ds = testdata.dataset({Challenge: 4, Page: 3, File: 30, Submission: 20}, into=db, seed=seed)
    assert ds.valid, ds.violations
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert {f["type"] for f in ds["files"]} == {"standard", "challenge", "page"}
    # each kind's own foreign key is set for its files, and only for them, and finds its row
    assert q("SELECT count(*) FROM files WHERE (type = 'challenge') != (challenge_id IS NOT NULL)") == 0
    assert q("SELECT count(*) FROM files WHERE (type = 'page') != (page_id IS NOT NULL)") == 0
    assert q("SELECT count(*) FROM files f JOIN challenges c ON c.id = f.challenge_id") == q(
        "SELECT count(*) FROM files WHERE type = 'challenge'") > 0
    assert q("SELECT count(*) FROM files f JOIN pages p ON p.id = f.page_id") == q(
        "SELECT count(*) FROM files WHERE type = 'page'") > 0
    kinds = {"standard": File, "challenge": ChallengeFile, "page": PageFile}
    assert [type(f) for f in ds.objects["files"]] == [kinds[f["type"]] for f in ds["files"]]
    # a base with no identity: its records are its subclasses'
    assert {s["type"] for s in ds["submissions"]} == {"incorrect", "partial"}
    assert q("SELECT count(*) FROM submissions WHERE (type = 'partial') != (score IS NOT NULL)") == 0
    db.expire_all()
    loaded = {s.id: type(s) for s in db.scalars(sa.select(Submission))}
    assert loaded == {s["id"]: Partial if s["type"] == "partial" else Fail for s in ds["submissions"]}


def test_one_kind(testdata, db):
    ds = testdata.dataset(root=ChallengeFile, count=6, into=db)
    assert ds.entities == ("challenges", "challenge_file")
    assert all(type(f) is ChallengeFile and f.challenge_id is not None for f in ds.objects["challenge_file"])
    assert db.execute(sa.text("SELECT count(*) FROM files WHERE type = 'challenge' AND page_id IS NULL")
                      ).scalar() == 6
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_a_base_whose_table_has_no_identity_is_refused_naming_the_column() -> None:
    from pytest_testdata.errors import TestdataUsageError
    from pytest_testdata.schemas.sources import schema_from_object

    class Base(sa.orm.DeclarativeBase):
        pass

    class Event(Base):
        __tablename__ = "events"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        type: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(20))
        __mapper_args__ = {"polymorphic_on": "type"}

    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(Event)
    assert str(raised.value) == (
        "SQLAlchemy model test_a_base_whose_table_has_no_identity_is_refused_naming_the_column.<locals>.Event "
        "(table 'events'): the model is the base of a polymorphic hierarchy (polymorphic_on='type') but neither it "
        "nor a subclass has a polymorphic_identity, so no value of 'type' would load as a class. Give "
        "it one (__mapper_args__ = {'polymorphic_identity': ...}).")
