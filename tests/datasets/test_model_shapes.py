"""Shapes of SQLAlchemy models that applications have, loaded into SQLite through the plugin: a table named
with capitals, unique indexes, a (parent, number) pair unique together, an Interval column."""

from __future__ import annotations

import sys
import types

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy as sa
import sqlalchemy.orm

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.sources import schema_from_object

MODELS = '''
import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "Accounts"  # capitals: the foreign key below names it so
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    handle: Mapped[str] = mapped_column(sa.String(30), unique=True, index=True)  # a unique index
    grace: Mapped[dt.timedelta | None]


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("Accounts.id"))
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(80))
    __table_args__ = (sa.UniqueConstraint("account_id", "seq"), sa.Index("ix_title", "title", unique=True))
'''
_models = types.ModuleType("shape_models")
sys.modules[_models.__name__] = _models  # (SQLAlchemy reads the annotations in the class's module)
exec(MODELS, _models.__dict__)


def test_unique_indexes_are_read_as_unique() -> None:
    account = schema_from_object(_models.Account).json_schema
    ticket = schema_from_object(_models.Ticket).json_schema
    assert account["properties"]["handle"]["x-unique"] is True
    assert ticket["properties"]["title"]["x-unique"] is True
    assert account["properties"]["grace"] == {"type": ["string", "null"], "format": "duration"}


def test_the_models_load_and_their_constraints_hold_in_sql(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS, test_tickets='''
import datetime as dt

import pytest
import sqlalchemy as sa
from models import Account, Base, Ticket


@pytest.mark.parametrize("seed", range(8))
def test_loaded(testdata, testdata_db, seed):
    Base.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset({Account: 4, Ticket: 40}, into=testdata_db, seed=seed)
    assert ds.valid, ds.violations
    accounts = ds.objects["Accounts"]
    assert ds.objects.get("ACCOUNTS") is accounts and ds.objects.get("nope") is None
    assert all(a.grace is None or isinstance(a.grace, dt.timedelta) for a in accounts)
    assert any(a.grace is not None for a in accounts) or seed != 0
    q = lambda sql: testdata_db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM tickets t JOIN Accounts a ON a.id = t.account_id") == 40
    assert q("SELECT count(*) FROM (SELECT DISTINCT account_id, seq FROM tickets)") == 40
    assert q("SELECT count(DISTINCT title) FROM tickets") == 40
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=8)


def test_a_unique_index_on_an_expression_is_refused_unless_left_to_the_database() -> None:
    class Base(sa.orm.DeclarativeBase):
        pass

    class Member(Base):
        __tablename__ = "members"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        email: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(80))
        __table_args__ = (sa.Index("ix_email_lower", sa.func.lower(sa.column("email")), unique=True),)

    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(Member)
    assert str(raised.value) == (
        "SQLAlchemy model test_a_unique_index_on_an_expression_is_refused_unless_left_to_the_database.<locals>."
        "Member (table 'members'): the unique index 'ix_email_lower' is on an expression (lower(email)), which "
        "datasets do not read: records could repeat its value and the database would refuse them. Index the "
        "columns themselves, or let the database alone keep it: Index(..., info={'testdata': 'database'}) (a "
        "record that repeats it is then refused at load, naming the record).")

    class Left(Base):
        __tablename__ = "left_members"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        email: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(80))
        __table_args__ = (sa.Index("ix_left_lower", sa.func.lower(sa.column("email")), unique=True,
                                   info={"testdata": "database"}),)

    assert "x-unique" not in schema_from_object(Left).json_schema["properties"]["email"]


def test_a_root_model_pulls_in_the_models_its_foreign_keys_reach(pytester: pytest.Pytester) -> None:
    """``root=Ticket`` in a fresh session: the Accounts model, never named, is pulled in from the model's own
    declarative registry (it was "not in the dataset")."""
    pytester.makepyfile(models=MODELS, test_root='''
import sqlalchemy as sa
from models import Base, Ticket


def test_root(testdata, testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset(root=Ticket, count=12, into=testdata_db)
    assert ds.entities == ("accounts", "tickets") and ds.plan["pulled_in"] == {
        "accounts": "referenced by tickets.account_id"}
    assert testdata_db.execute(sa.text("SELECT count(*) FROM tickets t JOIN Accounts a ON a.id = t.account_id"
                                       )).scalar() == 12
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_a_foreign_key_to_a_table_no_imported_model_defines_says_to_import_it() -> None:
    """A model imported alone (``myapp.models.recipe``, whose ``groups`` model lives in another module the
    application imports first): SQLAlchemy's own error was a traceback from its schema code."""
    from pytest_testdata.datasets import generate_dataset

    class Base(sa.orm.DeclarativeBase):
        pass

    class Recipe(Base):
        __tablename__ = "recipes"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        group_id: sa.orm.Mapped[int] = sa.orm.mapped_column(sa.Integer, sa.ForeignKey("groups.id"))

    class Tool(Base):  # its column's type was to come from the target column
        __tablename__ = "tools"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        group_id = sa.Column(sa.ForeignKey("groups.id"))

    with pytest.raises(TestdataUsageError) as untyped:
        generate_dataset(root=Tool, count=3)
    assert str(untyped.value).endswith(
        "Tool (table 'tools'): column 'group_id' takes its type from its foreign key to groups.id, and no model "
        "imported so far defines table 'groups'. Import the module that defines it first: an application's models "
        "package, as the application does, or give the column its type.")
    with pytest.raises(TestdataUsageError) as raised:
        generate_dataset(root=Recipe, count=3)
    assert str(raised.value) == (
        "SQLAlchemy model test_a_foreign_key_to_a_table_no_imported_model_defines_says_to_import_it.<locals>.Recipe: "
        "the foreign key recipes.group_id -> groups.id points at table 'groups', which no model imported so far "
        "defines, so the dataset cannot pull it in. Import the module that defines it first: an application's "
        "models package, as the application does (on the command line, name a class of a module that imports "
        "every model), or pass its rows' keys as external ids.")
