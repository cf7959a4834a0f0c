"""What a SQLAlchemy model declares for its records in ``info={"testdata": {...}}``: a column's generator,
cardinality, bounds and a reference with no foreign key; the table's rules within a record and across the
records it refers to, held in the loaded database."""

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
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Supplier(Base):
    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), info={"testdata": {"x-gen": "company"}})
    joined_at: Mapped[dt.datetime]


class Part(Base):
    __tablename__ = "parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("suppliers.id"), info={"testdata": {"x-cardinality": {"min": 2, "max": 6, "mean": 4}}})
    price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), info={"testdata": {"minimum": 5, "maximum": 50}})
    listed_at: Mapped[dt.datetime]
    discontinued_at: Mapped[dt.datetime | None]
    __table_args__ = {"info": {"testdata": {
        "x-coherence": [{"kind": "ordered", "fields": ["listed_at", "discontinued_at"], "strict": True}],
        "x-dataset-coherence": [{"name": "listed_after_joining", "kind": "after_ref", "ref": "supplier_id",
                                 "field": "listed_at", "after": "joined_at"}],
    }}}


class Quote(Base):
    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("parts.id"))
    # an id kept with no foreign key (another service's table, say): declared a reference all the same
    supplier_ref: Mapped[int] = mapped_column(info={"testdata": {"x-ref": "suppliers.id"}})
    price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    __table_args__ = {"info": {"testdata": {"x-dataset-coherence": [
        {"name": "at_part_price", "kind": "same_as_ref", "ref": "part_id", "fields": {"price": "price"}}]}}}
'''
_models = types.ModuleType("declared_models")
sys.modules[_models.__name__] = _models  # (SQLAlchemy reads the annotations in the class's module)
exec(MODELS, _models.__dict__)


def test_the_declared_keywords_are_in_the_schema() -> None:
    supplier = schema_from_object(_models.Supplier).json_schema
    part = schema_from_object(_models.Part).json_schema
    assert supplier["properties"]["name"]["x-gen"] == "company"
    assert part["properties"]["supplier_id"]["x-cardinality"] == {"min": 2, "max": 6, "mean": 4}
    assert (part["properties"]["price"]["minimum"], part["properties"]["price"]["maximum"]) == (5, 50)
    assert part["x-coherence"] == [{"kind": "ordered", "fields": ["listed_at", "discontinued_at"], "strict": True}]
    assert [r["name"] for r in part["x-dataset-coherence"]] == ["listed_after_joining"]


def test_the_declared_rules_hold_in_the_loaded_database(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS, test_parts='''
import collections

import sqlalchemy as sa
from models import Base, Part, Quote, Supplier


def test_loaded(testdata, testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset({Supplier: 10, Part: 40, Quote: 60}, into=testdata_db, seed=4)
    assert ds.valid, ds.violations[:3]
    assert set(ds.plan["rules"]) >= {"parts.listed_after_joining", "quotes.at_part_price"}
    per_supplier = collections.Counter(p["supplier_id"] for p in ds["parts"])
    assert all(2 <= n <= 6 for n in per_supplier.values()) and len(per_supplier) == 10
    suppliers = {s["id"] for s in ds["suppliers"]}
    assert all(q["supplier_ref"] in suppliers for q in ds["quotes"])
    q = lambda sql: testdata_db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM parts WHERE price < 5 OR price > 50") == 0
    assert q("SELECT count(*) FROM parts p JOIN suppliers s ON s.id = p.supplier_id "
             "WHERE p.listed_at < s.joined_at") == 0
    assert q("SELECT count(*) FROM parts WHERE discontinued_at <= listed_at") == 0
    assert q("SELECT count(*) FROM quotes q JOIN parts p ON p.id = q.part_id WHERE q.price != p.price") == 0
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.parametrize(("where", "info", "message"), [
    ("column", {"testdata": {"x-gen": "company", "x-generator": "name"}},
     "column 'name': info['testdata'] has 'x-generator' (did you mean 'x-gen'?), which is not read here. Allowed: "
     "minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern, enum, x-gen, "
     "x-cardinality, x-ref, x-unique, format, multipleOf, description, examples."),
    ("column", {"testdata": "company"},
     "column 'name': info['testdata'] must be a mapping of keywords, got 'company'. Write it as "
     "mapped_column(..., info={'testdata': {'x-gen': 'company'}})."),
    ("table", {"testdata": {"x-coherence": {"kind": "ordered"}}},
     "info['testdata']['x-coherence'] must be a list, as in a JSON Schema entity, got {'kind': 'ordered'}."),
])
def test_a_declaration_that_is_not_read_is_an_error(where: str, info: dict, message: str) -> None:
    class Base(sa.orm.DeclarativeBase):
        pass

    column_info = info if where == "column" else {}
    table_args = {"info": info} if where == "table" else {}

    class Vendor(Base):
        __tablename__ = "vendors"
        __table_args__ = table_args
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        name: sa.orm.Mapped[str] = sa.orm.mapped_column(sa.String(80), info=column_info)

    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(Vendor)
    assert str(raised.value) == (
        f"SQLAlchemy model {Vendor.__qualname__} (table 'vendors'): {message}")
