"""References that must point at different records: a transfer's two accounts (a model's ``CHECK
(from_account_id <> to_account_id)``, or a ``different`` rule), a link table's two ends in one entity (a person
does not follow themselves); and a ``different`` rule on plain values."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy as sa  # noqa: F401
import sqlalchemy.orm  # noqa: F401

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources import schema_from_object

MODELS = '''
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)


class Transfer(Base):
    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(primary_key=True)
    from_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    to_account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    __table_args__ = (sa.CheckConstraint("from_account_id <> to_account_id"),)


follows = sa.Table("follows", Base.metadata,
                   sa.Column("follower_id", sa.ForeignKey("accounts.id"), primary_key=True),
                   sa.Column("followed_id", sa.ForeignKey("accounts.id"), primary_key=True))
'''
_models = types.ModuleType("apart_models")
sys.modules[_models.__name__] = _models  # (SQLAlchemy reads the annotations in the class's module)
exec(MODELS, _models.__dict__)


def test_a_check_that_two_foreign_keys_differ_is_a_different_rule() -> None:
    schema = schema_from_object(_models.Transfer).json_schema
    assert schema["x-coherence"] == [{"kind": "different", "fields": ["from_account_id", "to_account_id"]}]


def test_transfers_and_follows_point_at_two_records_in_the_database(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(models=MODELS, test_transfers='''
import pytest
import sqlalchemy as sa  # noqa: F401
from models import Account, Base, Transfer, follows


@pytest.mark.parametrize("seed", range(4))
def test_loaded(testdata, testdata_db, seed):
    Base.metadata.create_all(testdata_db.connection())
    # 3 accounts: drawn apart, about a third of the transfers and follows would point at one account twice;
    # 6 follows fill every pair of two different accounts
    ds = testdata.dataset({Account: 3, Transfer: 60, follows: 6}, into=testdata_db, seed=seed)
    assert ds.valid, ds.violations[:3]
    q = lambda sql: testdata_db.execute(sa.text(sql)).scalar()
    assert q("SELECT count(*) FROM transfers WHERE from_account_id = to_account_id") == 0
    assert q("SELECT count(*) FROM follows WHERE follower_id = followed_id") == 0
    assert q("SELECT count(*) FROM (SELECT DISTINCT follower_id, followed_id FROM follows)") == 6
    assert q("SELECT count(DISTINCT from_account_id) FROM transfers") == 3
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)


def test_more_links_than_pairs_of_two_records_is_one_error() -> None:
    with pytest.raises(TestdataUsageError, match=(
            r"^dataset: 7 follows record\(s\) cannot each have a different \(follower_id, followed_id\): there "
            r"are only 3 accounts x 2 accounts = 6 combinations \(x-unique-together of follows, each pointing at "
            r"different records\)\. Ask for at most 6 follows records, or more accounts\.$")):
        generate_dataset({_models.Account: 3, _models.follows: 7}, seed=1)
    with pytest.raises(TestdataUsageError, match=(
            r"^dataset: each transfers record's from_account_id, to_account_id point at different accounts "
            r"records, and there are 1 accounts record\(s\)\. Ask for at least 2 accounts records\.$")):
        generate_dataset({_models.Account: 1, _models.Transfer: 5}, seed=1)


MATCH = {"title": "match", "type": "object", "required": ["match_id", "home_team", "away_team", "home_kit",
                                                          "away_kit", "round", "replay_round"],
         "properties": {"match_id": {"type": "string", "format": "uuid"},
                        "home_team": {"type": "string", "format": "uuid", "x-ref": "team.team_id"},
                        "away_team": {"type": "string", "format": "uuid", "x-ref": "team.team_id"},
                        "home_kit": {"type": "integer", "minimum": 1, "maximum": 2},
                        "away_kit": {"type": "integer", "minimum": 1, "maximum": 2},
                        "round": {"type": "integer", "minimum": 1, "maximum": 3},
                        "replay_round": {"type": "integer", "minimum": 1, "maximum": 3}},
         "x-coherence": [{"kind": "different", "fields": ["home_team", "away_team"]},
                         {"kind": "different", "fields": ["round", "replay_round"]}]}
TEAM = {"title": "team", "type": "object", "required": ["team_id"],
        "properties": {"team_id": {"type": "string", "format": "uuid"}}}


def test_a_different_rule_in_a_users_schema(tmp_path: Path) -> None:
    for document in (MATCH, TEAM):
        (tmp_path / f"{document['title']}.json").write_text(json.dumps(document))
    engine = Engine(SchemaRegistry([tmp_path], builtins=False))
    ds = generate_dataset({"team": 2, "match": 50}, seed=3, engine=engine)
    assert ds.valid, ds.violations[:3]
    assert all(m["home_team"] != m["away_team"] for m in ds["match"])
    assert {frozenset((m["home_team"], m["away_team"])) for m in ds["match"]} == {
        frozenset(t["team_id"] for t in ds["team"])}
    assert all(m["round"] != m["replay_round"] and m["replay_round"] <= 3 for m in ds["match"])  # a tie moved
    from pytest_testdata.quality.coherence import CoherenceScorer

    scorer = CoherenceScorer(engine.registry.get("match"))
    tie = {**ds["match"][0], "away_team": ds["match"][0]["home_team"]}
    assert scorer.failed_rules(tie) == ["different(fields=['home_team', 'away_team'])"]
