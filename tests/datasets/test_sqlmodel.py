"""SQLModel table models (a pydantic model and a SQLAlchemy mapped class at once, as FastAPI applications
write them) as dataset entities: read as SQLAlchemy models (keys, foreign keys, instances), with their
fields' constraints, and loaded into the test's database."""

from __future__ import annotations

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy
import sqlalchemy.orm  # noqa: F401
import sqlmodel  # noqa: F401

HEROES = '''
import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=50, unique=True)
    headquarters: str


class Hero(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(index=True, min_length=2)
    age: int | None = Field(default=None, ge=16, le=90)
    team_id: int | None = Field(default=None, foreign_key="team.id")
'''


def test_sqlmodel_tables_are_entities_with_their_field_constraints(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(heroes=HEROES, test_heroes='''
import uuid

import sqlalchemy as sa
from sqlmodel import SQLModel

from heroes import Hero, Team
from pytest_testdata.schemas.sources import schema_from_object


def test_schema():
    team, hero = schema_from_object(Team).json_schema, schema_from_object(Hero).json_schema
    assert team["properties"]["name"]["maxLength"] == 50  # AutoString(50), a TypeDecorator over String
    assert team["properties"]["name"]["x-unique"] is True
    assert (hero["properties"]["age"]["minimum"], hero["properties"]["age"]["maximum"]) == (16, 90)  # Field()
    assert hero["properties"]["name"]["minLength"] == 2
    assert hero["properties"]["team_id"]["x-ref"] == "team.id"


def test_loaded(testdata, testdata_db):
    SQLModel.metadata.create_all(testdata_db.connection())
    ds = testdata.dataset({Team: 4, Hero: 30}, into=testdata_db)
    heroes = ds.objects["hero"]
    assert len(heroes) == 30 and all(isinstance(h, Hero) and isinstance(h.id, uuid.UUID) for h in heroes)
    assert all(h.age is None or 16 <= h.age <= 90 for h in heroes)
    joined = testdata_db.execute(sa.text("SELECT count(*) FROM hero h JOIN team t ON t.id = h.team_id")).scalar()
    assert joined == sum(h.team_id is not None for h in heroes) > 20
    testdata_db.expire_all()
    assert {t.name for t in testdata_db.scalars(sa.select(Team))} == {t["name"] for t in ds["team"]}
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
