"""Models as applications write them (shapes found in an open-source recipe manager's models): column types of
their own (SQLAlchemy's backend-agnostic GUID recipe, a DateTime stored as naive UTC, a slug), an ``__init__``
that needs a session, a ``@reconstructor``, and a child keyed by ``(id, parent_id)``; loaded into SQLite through
the plugin and checked in SQL."""

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
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, reconstructor
from sqlalchemy.types import CHAR, TypeDecorator


class GUID(TypeDecorator):
    """SQLAlchemy's backend-agnostic GUID recipe: takes uuid.UUID (or its text), stores 32 hex digits."""
    impl = CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(CHAR(32))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return f"{(value if isinstance(value, uuid.UUID) else uuid.UUID(value)).int:032x}"

    def process_result_value(self, value, dialect):
        return None if value is None else uuid.UUID(value)


class NaiveUTC(TypeDecorator):
    """Stores a moment in UTC without its zone, gives it back with it."""
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class Slug(TypeDecorator):
    """Stores a name as its slug."""
    impl = sa.String(80)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.lower().replace(" ", "-")


class JSONEncodedDict(TypeDecorator):
    """SQLAlchemy's documented recipe: takes a dict, stores its JSON text."""
    impl = sa.VARCHAR
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class Trimmed(TypeDecorator):
    """Converts only what it reads: a string as stored, stripped when read."""
    impl = sa.String(40)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else value.strip()


class Base(DeclarativeBase):
    pass


class Group(Base):
    __tablename__ = "groups"
    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(sa.String(60))
    slug: Mapped[str] = mapped_column(Slug)
    created_at: Mapped[dt.datetime] = mapped_column(NaiveUTC)
    settings = sa.Column(JSONEncodedDict)
    motto = sa.Column(Trimmed)

    def __init__(self, session, name, **kwargs):  # the application's own: it looks things up
        if session is None:
            raise ValueError("a session is required to make a Group")
        super().__init__(name=name, **kwargs)

    @reconstructor
    def _loaded(self):
        self.seen = []


class Food(Base):
    __tablename__ = "foods"
    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    group_id: Mapped[uuid.UUID] = mapped_column(GUID, sa.ForeignKey("groups.id"))
    name: Mapped[str] = mapped_column(sa.String(60))
    rating: Mapped[float | None]


class FoodAlias(Base):
    __tablename__ = "food_aliases"
    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True, default=uuid.uuid4)
    food_id: Mapped[uuid.UUID] = mapped_column(GUID, sa.ForeignKey("foods.id"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
'''
_models = types.ModuleType("app_type_models")
sys.modules[_models.__name__] = _models  # (SQLAlchemy reads the annotations in the class's module)
exec(MODELS, _models.__dict__)


def test_a_converting_type_is_read_by_the_values_it_takes() -> None:
    """The GUID refuses the text offered first and takes a uuid.UUID; the others take their stored type."""
    group = schema_from_object(_models.Group).json_schema["properties"]
    assert group["id"] == {"type": "string", "format": "uuid", "x-unique": True}
    assert group["slug"] == {"type": "string", "maxLength": 80}
    assert group["created_at"] == {"type": "string", "format": "date-time"}
    assert group["settings"]["type"] == ["object", "null"]  # a dict, stored as its JSON text
    assert group["motto"] == {"type": ["string", "null"], "maxLength": 40}  # (a dict would reach the driver)
    alias = schema_from_object(_models.FoodAlias).json_schema
    assert alias["x-unique-together"] == [["id", "food_id"]] and "x-primary-key" not in alias


def test_the_models_load_and_read_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS, test_app='''
import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from models import Base, Food, FoodAlias, Group


@pytest.fixture
def db(testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    return testdata_db


@pytest.mark.parametrize("seed", range(4))
def test_loaded(testdata, db, seed):
    ds = testdata.dataset(counts={Group: 3, Food: 12, FoodAlias: 30}, into=db, seed=seed)
    assert any(isinstance(g["settings"], dict) for g in ds["groups"]) or seed == 3
    assert ds.valid, ds.violations
    groups = ds.objects["groups"]
    # made as SQLAlchemy makes the rows it loads: no __init__ (it needs a session), the reconstructor runs
    assert all(isinstance(g, Group) and isinstance(g.id, uuid.UUID) and g.seen == [] for g in groups)
    assert all(isinstance(g.created_at, dt.datetime) for g in groups)
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM groups WHERE length(id) = 32 AND id NOT LIKE '%-%'") == 3  # the GUID's hex
    assert q("SELECT count(*) FROM foods f JOIN groups g ON g.id = f.group_id") == 12
    assert q("SELECT count(*) FROM food_aliases a JOIN foods f ON f.id = a.food_id") == 30
    assert q("SELECT count(*) FROM groups WHERE slug = lower(replace(slug, ' ', '-'))") == 3
    stored = {r[0]: r[1] for r in db.execute(sa.text("SELECT id, settings FROM groups"))}
    assert {uuid.UUID(k): v and json.loads(v) for k, v in stored.items()} == {
        uuid.UUID(g["id"]): g["settings"] for g in ds["groups"]}
    assert {r[0] for r in db.execute(sa.text("SELECT slug FROM groups"))} == {
        g["slug"].lower().replace(" ", "-") for g in ds["groups"]}
    ratings = [f["rating"] for f in ds["foods"] if f["rating"] is not None]
    assert ratings and all(0 <= r <= 10 for r in ratings)  # a rating, though the Float column says only >= 0
    db.expire_all()
    food = db.scalars(sa.select(Food).where(Food.group_id == groups[0].id)).first()
    assert food is None or food.group_id == groups[0].id
    assert db.get(Group, groups[0].id) is groups[0]


def test_one_record_is_added_as_a_new_object(testdata, db):
    group = testdata(Group)
    assert isinstance(group, Group) and group.seen == []
    db.add(group)
    db.flush()
    assert db.execute(sa.select(sa.func.count()).select_from(Group)).scalar() == 1
    assert db.execute(sa.text("SELECT id FROM groups")).scalar() == group.id.hex


def test_a_root_pulls_in_its_parents(testdata, db):
    ds = testdata.dataset(root=FoodAlias, count=8, into=db)
    assert ds.entities == ("groups", "foods", "food_aliases") and len(ds["food_aliases"]) == 8
    assert db.execute(sa.text("SELECT count(*) FROM food_aliases a JOIN foods f ON f.id = a.food_id "
                              "JOIN groups g ON g.id = f.group_id")).scalar() == 8
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=6)


def test_a_converting_type_that_takes_no_value_offered_is_refused_naming_each() -> None:
    class Point(sa.types.TypeDecorator):  # takes an (x, y) pair only
        impl = sa.String(40)
        cache_ok = True

        def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
            x, y = value
            return f"{x:.6f},{y:.6f}"

    class Base(sa.orm.DeclarativeBase):
        pass

    class Place(Base):
        __tablename__ = "places"
        id: sa.orm.Mapped[int] = sa.orm.mapped_column(primary_key=True)
        where: sa.orm.Mapped[str] = sa.orm.mapped_column(Point)

    with pytest.raises(TestdataUsageError) as raised:
        schema_from_object(Place)
    assert str(raised.value) == (
        "SQLAlchemy model test_a_converting_type_that_takes_no_value_offered_is_refused_naming_each.<locals>.Place "
        "(table 'places'): column 'where' has type Point(length=40), a TypeDecorator that converts its values "
        "(stored as String(length=40)), and it took none of the values offered to it: dict {'probe': 1} raised "
        "ValueError: not enough values to unpack (expected 2, got 1); str 'testdata probe' raised ValueError: too "
        "many values to unpack (expected 2); UUID UUID('7d9a2f6e-0c1b-4e8a-9f3d-5b6c7a8e9d01') raised TypeError: "
        "cannot unpack non-iterable UUID object. Give the column a type that stores values as they are (String, "
        "Integer, Uuid...), let its process_bind_param take a value of the type it stores (or, over text, a dict "
        "it stores as JSON, or a uuid.UUID), or leave the model out of the dataset.")
