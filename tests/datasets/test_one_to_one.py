"""One-to-one references (a unique foreign key) and polymorphic models: each parent
is referred to at most once, from JSON Schema and from SQLAlchemy models, checked in SQL; what cannot be kept
is one clear error."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy
import sqlalchemy.orm  # noqa: F401

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry

ACCOUNT = {"title": "account", "type": "object", "required": ["account_id", "email"],
           "properties": {"account_id": {"type": "integer", "minimum": 1, "x-unique": True},
                          "email": {"type": "string", "format": "email", "x-unique": True}},
           "x-primary-key": "account_id"}


def _profile(nullable: bool = False) -> dict:
    ref = {"type": ["integer", "null"] if nullable else "integer", "minimum": 1, "x-ref": "account.account_id",
           "x-unique": True}
    return {"title": "profile", "type": "object", "required": ["profile_id", "account_id", "bio"],
            "properties": {"profile_id": {"type": "integer", "minimum": 1, "x-unique": True},
                           "account_id": ref, "bio": {"type": "string", "maxLength": 80}},
            "x-primary-key": "profile_id"}


def _engine(tmp_path: Path, *schemas: dict) -> Engine:
    for schema in schemas:
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    return Engine(SchemaRegistry([tmp_path]))


def test_a_unique_reference_refers_to_each_parent_once(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, _profile())
    for seed in range(40):  # (a long-tailed draw of 12 among 12 repeats an account in almost every seed)
        ds = generate_dataset({"account": 12, "profile": 12}, seed=seed, engine=engine)
        owners = [p["account_id"] for p in ds["profile"]]
        assert sorted(owners) == sorted(ds.lookup("account")), seed  # every account has exactly one profile
        assert ds.valid, ds.violations
    fewer = generate_dataset({"account": 12, "profile": 5}, seed=1, engine=engine)
    assert len(set(p["account_id"] for p in fewer["profile"])) == 5
    assert fewer.plan["references"]["profile.account_id"]["cardinality"] == "0..1 (mean 1, even)"


def test_a_nullable_unique_reference_leaves_some_empty_and_repeats_none(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, _profile(nullable=True))
    ds = generate_dataset({"account": 10, "profile": 14}, seed=2, engine=engine,
                          cardinality={"profile.account_id": {"empty": 0.3}})
    owners = collections.Counter(p["account_id"] for p in ds["profile"])
    assert owners.pop(None) == 4  # 30% of 14, rounded
    assert len(owners) == 10 and set(owners.values()) == {1}
    assert ds.valid


def test_more_children_than_parents_of_a_unique_reference_is_one_clear_error(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, _profile())
    with pytest.raises(TestdataUsageError, match=(
            r"^dataset: 13 profile record\(s\) cannot be spread over 12 account record\(s\) with at most 1 each "
            r"\(profile\.account_id is unique, so each account record is referred to at most once\)\. Ask for "
            r"at most 12 profile records or more account records\.$")):
        generate_dataset({"account": 12, "profile": 13}, seed=1, engine=engine)


@pytest.mark.parametrize(("card", "bounds"), [((1, 3), "a max of 3"), ({"min": 2}, "no max")])
def test_a_cardinality_of_more_than_one_on_a_unique_reference_is_refused(tmp_path: Path, card: object,
                                                                         bounds: str) -> None:
    engine = _engine(tmp_path, ACCOUNT, _profile())
    with pytest.raises(TestdataUsageError, match=(
            rf"^cardinality\['profile\.account_id'\]: {bounds} lets one record be referred to by several, but "
            r"profile\.account_id is unique \(x-unique: a unique or primary-key column\), so each is referred to "
            r"at most once\. Give a max of 1")):
        generate_dataset({"account": 12, "profile": 6}, seed=1, engine=engine, cardinality={"profile.account_id": card})


def test_a_root_with_a_unique_reference_pulls_in_one_parent_each(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, _profile())
    ds = generate_dataset(root="profile", count=7, seed=1, engine=engine)
    assert ds.counts == {"account": 7, "profile": 7}


MODELS = '''
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(120), unique=True)


class Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), unique=True)
    bio: Mapped[str] = mapped_column(sa.Text)


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "person"}


class Engineer(Person):
    __tablename__ = "engineers"
    id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(30))
    __mapper_args__ = {"polymorphic_identity": "engineer"}


class Manager(Person):  # single-table: its rows are people rows
    __mapper_args__ = {"polymorphic_identity": "manager"}


@pytest.fixture
def db(testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    return testdata_db
'''


def test_a_unique_foreign_key_of_a_model_is_one_to_one_in_sql(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_models=MODELS + '''
@pytest.mark.parametrize("n", range(8))  # (before, most of these datasets repeated an account or a profile's key)
def test_profiles(testdata, db, n):
    ds = testdata.dataset({Account: 15, Profile: 15}, into=db)
    q = lambda sql: db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(DISTINCT account_id) FROM profiles") == 15
    assert q("SELECT count(*) FROM profiles p JOIN accounts a ON a.id = p.account_id") == 15
    assert all(isinstance(p, Profile) for p in ds.objects["profiles"])


def test_counts_given_as_one_model(testdata):
    testdata.dataset(Profile)
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines([
        "*TestdataUsageError: dataset counts: expected a mapping of entity name to record count such as "
        "{'user': 10, 'order': 30}, got <class 'test_models.Profile'>. For one entity with what it references, "
        "pass root=Profile (and count=N)."])


def test_a_polymorphic_model_loads_as_the_classes_of_its_tables(pytester: pytest.Pytester) -> None:
    """Person's records are people, managers (single-table) and engineers (joined-table: a row in ``engineers``
    too, with the person's key), each read back from SQL as its own class; Manager alone gives managers and
    Engineer alone engineers. Classes of one model asked for together share its table: each keeps the kinds no
    narrower class asks for, and their keys never meet. A model with a joined subclass's table as an entity of
    its own is refused: their rows would compete for it."""
    pytester.makepyfile(test_models=MODELS + '''
def test_base_rows_load_as_their_classes(testdata, db):
    ds = testdata.dataset({Person: 20}, into=db, seed=3)
    kinds = [p["kind"] for p in ds["people"]]
    assert set(kinds) == {"person", "manager", "engineer"}
    made = [type(p) for p in ds.objects["people"]]
    assert made == [{"manager": Manager, "engineer": Engineer}.get(k, Person) for k in kinds]
    engineers = {p["id"]: p["language"] for p in ds["people"] if p["kind"] == "engineer"}
    assert all(p["language"] is None for p in ds["people"] if p["kind"] != "engineer")
    rows = db.execute(sa.text("SELECT e.id, e.language FROM engineers e JOIN people p ON p.id = e.id "
                              "WHERE p.kind = 'engineer'")).all()
    assert dict(rows) == engineers and db.execute(sa.text("SELECT count(*) FROM engineers")).scalar() == len(rows)
    db.expire_all()
    loaded = {p.id: (type(p).__name__, getattr(p, "language", None)) for p in db.scalars(sa.select(Person))}
    assert loaded == {p["id"]: (t.__name__, p["language"]) for p, t in zip(ds["people"], made)}


def test_a_single_table_subclass(testdata, db):
    ds = testdata.dataset({Manager: 5}, into=db)
    assert ds.entities == ("manager",) and all(type(m) is Manager for m in ds.objects["manager"])
    assert db.execute(sa.text("SELECT count(*) FROM people WHERE kind = 'manager'")).scalar() == 5


def test_a_joined_subclass(testdata, db):
    ds = testdata.dataset({Engineer: 4}, into=db)
    assert ds.entities == ("engineers",) and all(type(e) is Engineer and e.language for e in ds.objects["engineers"])
    assert db.execute(sa.text("SELECT count(*) FROM engineers e JOIN people p ON p.id = e.id "
                              "WHERE p.kind = 'engineer'")).scalar() == 4


def test_classes_of_one_model_together(testdata, db):
    ds = testdata.dataset({Person: 6, Manager: 4, Engineer: 3}, into=db, seed=2)
    kinds = {e: sorted({r["kind"] for r in ds[e]}) for e in ds.entities}
    assert kinds == {"people": ["person"], "manager": ["manager"], "engineers": ["engineer"]}
    keys = [r["id"] for e in ds.entities for r in ds[e]]
    assert len(set(keys)) == 13 and ds.valid
    q = lambda sql: db.execute(sa.text(sql)).all()
    assert q("SELECT kind, count(*) FROM people GROUP BY kind ORDER BY kind") == [
        ("engineer", 3), ("manager", 4), ("person", 6)]
    assert q("SELECT count(*) FROM engineers e JOIN people p ON p.id = e.id AND p.kind = 'engineer'") == [(3,)]


def test_base_and_joined_table(testdata):
    testdata.dataset({Person: 6, Engineer.__table__: 4})
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines([
        "*TestdataUsageError: dataset: entities 'engineers' and 'people' are both rows of table 'engineers', and "
        "they are not classes of one polymorphic model (a model and its table, or one table twice), so their rows "
        "would compete for it. Ask for one of them; for a joined subclass's table, ask for its class."])


def _chain(timed: bool) -> dict:
    props: dict = {"step_id": {"type": "integer", "minimum": 1, "x-unique": True},
                   "name": {"type": "string", "maxLength": 20},
                   "previous_id": {"type": ["integer", "null"], "x-ref": "step.step_id", "x-unique": True}}
    if timed:  # (then the reference is filled by the time rule inferred for it: datasets/deferred.py)
        props["created_at"] = {"type": "string", "format": "date-time"}
    return {"title": "step", "type": "object", "required": [p for p in props if p != "previous_id"],
            "properties": props, "x-primary-key": "step_id"}


@pytest.mark.parametrize("timed", [False, True])
def test_a_unique_reference_to_the_entity_itself_points_at_each_record_once(tmp_path: Path, timed: bool) -> None:
    engine = _engine(tmp_path, _chain(timed))
    for seed in range(10):
        ds = generate_dataset({"step": 40}, seed=seed, engine=engine)
        previous = [s["previous_id"] for s in ds["step"] if s.get("previous_id") is not None]
        assert len(previous) == len(set(previous)) >= 24, seed  # each step follows at most one (most follow one)
        keys = ds.lookup("step")
        assert all(p in keys and p != s["step_id"] for s in ds["step"] if (p := s.get("previous_id")) is not None)
        if timed:
            assert all(keys[s["previous_id"]]["created_at"] < s["created_at"] for s in ds["step"]
                       if s.get("previous_id") is not None)
        assert ds.valid
