"""A model's CHECK constraints become rules for its records (bounds, enums, lengths, not null), kept in every
record and by the database that loads them; a form that is not read is one clear error, unless the model
leaves the constraint to the database."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.orm import Mapped, mapped_column

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.sources import schema_from_object

LISTING = '''
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Listing(Base):
    __tablename__ = "listings"
    id: Mapped[int] = mapped_column(primary_key=True)
    age: Mapped[int] = mapped_column(sa.SmallInteger, sa.CheckConstraint("age >= 18"))  # a column's own
    rating: Mapped[int]
    price: Mapped[float] = mapped_column(sa.Numeric(10, 2, asdecimal=False))
    stock: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20))
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None]
    listed: Mapped[dt.datetime]
    sold: Mapped[dt.datetime | None]
    max_stock: Mapped[int]
    __table_args__ = (
        sa.CheckConstraint("sold >= listed AND max_stock >= stock"),  # two columns in order
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="stars"),
        sa.CheckConstraint('("price" > 0) AND listings.price < 1000'),
        sa.CheckConstraint(sa.column("stock") > 2),  # an expression, not text
        sa.CheckConstraint("status IN (\'open\', \'closed or merged\', \'won\'\'t fix\')"),  # (an OR in text)
        sa.CheckConstraint("length(code) = 8 AND name <> \'\'"),
        sa.CheckConstraint("note IS NOT NULL"),
    )
'''
"""The models of the first tests: the module a pytester run imports, and here one of this process's."""
_models = types.ModuleType("listing_models")
sys.modules[_models.__name__] = _models  # (SQLAlchemy reads the annotations in the class's module)
exec(LISTING, _models.__dict__)
Base, Listing = _models.Base, _models.Listing


def test_the_forms_read_become_keywords() -> None:
    schema = schema_from_object(Listing).json_schema
    props = schema["properties"]
    assert (props["age"]["minimum"], props["age"]["maximum"]) == (18, 32767)
    assert (props["rating"]["minimum"], props["rating"]["maximum"]) == (1, 5)
    assert (props["price"]["exclusiveMinimum"], props["price"]["exclusiveMaximum"]) == (0, 1000)
    assert props["stock"]["minimum"] == 3  # an integer's strict bound, made inclusive
    assert props["status"]["enum"] == ["open", "closed or merged", "won't fix"]
    assert (props["code"]["minLength"], props["code"]["maxLength"]) == (8, 8)
    assert props["name"]["minLength"] == 1 and props["name"]["type"] == ["string", "null"]
    assert props["note"]["type"] == "string" and "note" in schema["required"]
    assert schema["x-coherence"] == [{"kind": "ordered", "fields": ["listed", "sold"]},
                                     {"kind": "ordered", "fields": ["stock", "max_stock"]}]
    assert props["max_stock"]["minimum"] == 3  # the rule may swap the two: each keeps the other's bounds


def test_records_keep_the_constraints_and_the_database_agrees(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=LISTING, test_listings='''
import sqlalchemy as sa
from models import Base, Listing


def test_loaded(testdata, testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset({Listing: 300}, into=testdata_db)  # refused by SQLite if one row broke a CHECK
    rows = ds["listings"]
    assert all(r["age"] >= 18 and 1 <= r["rating"] <= 5 and 0 < r["price"] < 1000 and r["stock"] >= 3
               for r in rows)
    assert {r["status"] for r in rows} == {"open", "closed or merged", "won't fix"}
    assert all(len(r["code"]) == 8 and r["name"] != "" and r["note"] is not None for r in rows)
    assert all(r["sold"] is None or r["sold"] >= r["listed"] for r in rows)
    assert all(r["stock"] <= r["max_stock"] for r in rows)
    assert sum(r["sold"] is not None for r in rows) > 200  # (an order, not emptied columns)
    q = lambda sql: testdata_db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM listings WHERE age >= 18 AND rating BETWEEN 1 AND 5 AND length(code) = 8") \\
        == 300
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


class Email(Base):
    __tablename__ = "emails"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(80))
    __table_args__ = (sa.CheckConstraint("address LIKE '%@%'", name="has_at"),)


class Window(Base):
    __tablename__ = "windows"
    id: Mapped[int] = mapped_column(primary_key=True)
    opens: Mapped[int]
    closes: Mapped[int | None]
    __table_args__ = (sa.CheckConstraint("opens <= closes OR closes IS NULL"),)


class Renamed(Base):  # two text columns: a tie has no next value to move on to
    __tablename__ = "renamed"
    id: Mapped[int] = mapped_column(primary_key=True)
    old_name: Mapped[str]
    new_name: Mapped[str]
    __table_args__ = (sa.CheckConstraint("old_name <> new_name"),)


class Mixed(Base):  # a date and a date-time: the rule swapping them would put each in the wrong column
    __tablename__ = "mixed_windows"
    id: Mapped[int] = mapped_column(primary_key=True)
    opens: Mapped[dt.date]
    closes: Mapped[dt.datetime]
    __table_args__ = (sa.CheckConstraint("closes >= opens"),)


@pytest.mark.parametrize(("model", "label", "part"), [
    (Email, "CHECK constraint 'has_at' (address LIKE '%@%')", "\"address LIKE '%@%'\" is not one of the forms"),
    (Window, "a CHECK constraint (opens <= closes OR closes IS NULL)",
     "'opens <= closes OR closes IS NULL' is not one of the forms"),
    (Renamed, "a CHECK constraint (old_name <> new_name)", "'old_name <> new_name': only two foreign keys to one "
     "table, or two integer, date or date-time columns, are kept apart"),
    (Mixed, "a CHECK constraint (closes >= opens)", "'closes >= opens' orders a DateTime column and a Date one; "
     "only two columns of one kind are ordered"),
])
def test_a_form_not_read_is_one_clear_error(model: type, label: str, part: str) -> None:
    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(model)
    assert str(raised.value) == (
        f"SQLAlchemy model {model.__qualname__} (table {model.__tablename__!r}): {label} cannot be read as a "
        f"rule for the records ({part}), so records could break it and the database would refuse them. Forms "
        "read: col >= n (>, <=, <, =); col BETWEEN a AND b; col IN ('a', 'b'); length(col) <= n; col <> ''; "
        "col IS NOT NULL; col_b >= col_a (or >) for two dates, date-times or integers; col_a <> col_b for two "
        "foreign keys to one table, integers, dates or date-times; joined by AND. Write it in these forms, or let "
        "the database alone keep it: "
        "CheckConstraint(..., info={'testdata': 'database'}) (a record that breaks it is then refused at load, "
        "naming the record).")


BOOKING = '''
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Booking(Base):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    check_in: Mapped[dt.date]
    check_out: Mapped[dt.date]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime | None]
    min_guests: Mapped[int] = mapped_column(sa.CheckConstraint("min_guests BETWEEN 1 AND 4"))
    max_guests: Mapped[int] = mapped_column(sa.CheckConstraint("max_guests <= 4"))
    __table_args__ = (
        sa.CheckConstraint("check_out > check_in"),
        sa.CheckConstraint("starts_at < ends_at"),
        sa.CheckConstraint("max_guests > min_guests"),  # from 1 to 4: drawn pairs tie one time in four
    )
'''
_bookings = types.ModuleType("booking_models")
sys.modules[_bookings.__name__] = _bookings
exec(BOOKING, _bookings.__dict__)


def test_a_strict_order_is_a_strict_rule_and_its_bounds_leave_room_for_it() -> None:
    schema = schema_from_object(_bookings.Booking).json_schema
    assert schema["x-coherence"] == [
        {"kind": "ordered", "fields": ["check_in", "check_out"], "strict": True},
        {"kind": "ordered", "fields": ["starts_at", "ends_at"], "strict": True},
        {"kind": "ordered", "fields": ["min_guests", "max_guests"], "strict": True},
    ]
    props = schema["properties"]
    # a tie's second value moves on by one: the second starts above the first's least, the first stops below
    # the second's most
    assert (props["min_guests"]["minimum"], props["min_guests"]["maximum"]) == (1, 3)
    assert (props["max_guests"]["minimum"], props["max_guests"]["maximum"]) == (2, 4)


def test_records_keep_a_strict_order_and_the_database_agrees(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=BOOKING, test_bookings='''
import pytest
import sqlalchemy as sa
from models import Base, Booking


@pytest.mark.parametrize("seed", range(5))
def test_loaded(testdata, testdata_db, seed):
    Base.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset({Booking: 300}, into=testdata_db, seed=seed)  # SQLite refuses a row that ties
    rows = ds["bookings"]
    assert ds.valid
    assert all(r["check_in"] < r["check_out"] and r["min_guests"] < r["max_guests"] for r in rows)
    assert all(r["ends_at"] is None or r["starts_at"] < r["ends_at"] for r in rows)
    assert {r["max_guests"] - r["min_guests"] for r in rows} == {1, 2, 3}
    assert sum(r["ends_at"] is not None for r in rows) > 200
    q = lambda sql: testdata_db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM bookings WHERE check_out > check_in AND max_guests > min_guests "
             "AND (ends_at IS NULL OR ends_at > starts_at)") == 300
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_a_constraint_left_to_the_database_and_a_types_own_are_not_read() -> None:
    class Left(Base):
        __tablename__ = "left_alone"
        id: Mapped[int] = mapped_column(primary_key=True)
        address: Mapped[str] = mapped_column(sa.String(80))
        active: Mapped[bool] = mapped_column(sa.Boolean(create_constraint=True))  # its CHECK: active IN (0, 1)
        __table_args__ = (sa.CheckConstraint("address LIKE '%@%'", info={"testdata": "database"}),)

    props = schema_from_object(Left).json_schema["properties"]
    assert props["active"] == {"type": "boolean"} and props["address"] == {"type": "string", "maxLength": 80}


def test_a_mark_other_than_database_is_an_error_not_ignored() -> None:
    """``info={"testdata": "databse"}`` would have left the constraint read as if unmarked, without a word."""
    class Typo(Base):
        __tablename__ = "typos"
        id: Mapped[int] = mapped_column(primary_key=True)
        address: Mapped[str] = mapped_column(sa.String(80))
        __table_args__ = (sa.CheckConstraint("address LIKE '%@%'", name="has_at", info={"testdata": "databse"}),
                          sa.Index("ix_lower", sa.func.lower(sa.column("address")), unique=True,
                                   info={"testdata": "database"}))

    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(Typo)
    assert str(raised.value) == (
        f"SQLAlchemy model {Typo.__qualname__} (table 'typos'): CheckConstraint 'has_at' has info={{'testdata': "
        "'databse'}; the one value read there is 'database' (the database alone keeps it, and records are not "
        "held to it).")


def test_constraints_that_allow_no_value_of_the_type_are_an_error() -> None:
    class Clash(Base):
        __tablename__ = "clashes"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[str] = mapped_column(sa.Enum("a", "b", name="kinds"))
        __table_args__ = (sa.CheckConstraint("kind IN ('c')"),)

    with pytest.raises(TestdataUsageError, match=(
            r"^SQLAlchemy model .*Clash \(table 'clashes'\): column 'kind': its CHECK constraints and its type "
            r"allow no value in common\. Fix the constraint\.$")):
        schema_from_object(Clash)
