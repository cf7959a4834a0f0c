"""Many-to-many links: combinations that must not repeat (``x-unique-together``), from JSON Schema and from a
SQLAlchemy link table, kept apart by the dataset, checked in SQL and reported when they cannot be kept apart."""

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


def _engine(tmp_path: Path, *schemas: dict) -> Engine:
    for schema in schemas:
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    return Engine(SchemaRegistry([tmp_path]))


def _entity(name: str) -> dict:
    return {"title": name, "type": "object", "required": [f"{name}_id", "name"],
            "properties": {f"{name}_id": {"type": "string", "format": "uuid", "x-unique": True},
                           "name": {"type": "string", "maxLength": 40}}}


def _membership(together: object = (("team_id", "player_id"),), role: dict | None = None) -> dict:
    props = {"team_id": {"type": "string", "format": "uuid", "x-ref": "team.team_id"},
             "player_id": {"type": "string", "format": "uuid", "x-ref": "player.player_id"},
             "role": role or {"type": "string", "enum": ["captain", "member", "coach"]}}
    return {"title": "membership", "type": "object", "required": list(props), "properties": props,
            "x-unique-together": [list(c) for c in together] if isinstance(together, tuple) else together}


def test_a_json_schema_link_entity_holds_each_pair_once(tmp_path: Path) -> None:
    engine = _engine(tmp_path, _entity("team"), _entity("player"), _membership())
    # 6 x 10 = 60 pairs for 45 memberships: a long-tailed draw repeats pairs unless they are kept apart
    ds = generate_dataset({"team": 6, "player": 10, "membership": 45}, seed=3, engine=engine)
    pairs = [(m["team_id"], m["player_id"]) for m in ds["membership"]]
    assert len(set(pairs)) == 45
    teams, players = ds.lookup("team"), ds.lookup("player")
    assert all(t in teams and p in players for t, p in pairs)
    per_team = collections.Counter(t for t, _ in pairs)
    assert max(per_team.values()) > min(per_team.values())  # still skewed: some teams are bigger
    assert ds.valid
    again = generate_dataset({"team": 6, "player": 10, "membership": 45}, seed=3, engine=engine)
    assert again["membership"] == ds["membership"]


def test_more_links_than_pairs_is_one_clear_error(tmp_path: Path) -> None:
    engine = _engine(tmp_path, _entity("team"), _entity("player"), _membership())
    with pytest.raises(TestdataUsageError, match=(
            r"^dataset: 61 membership record\(s\) cannot each have a different \(team_id, player_id\): there are "
            r"only 6 team x 10 player = 60 combinations \(x-unique-together of membership\)\. Ask for at most 60 "
            r"membership records, or more team or player\.$")):
        generate_dataset({"team": 6, "player": 10, "membership": 61}, seed=3, engine=engine)


def test_past_every_pair_a_nullable_reference_is_left_empty(tmp_path: Path) -> None:
    """A membership's player may be empty (an open seat): 3 x 2 = 6 pairs for 10 memberships, each pair once
    and the other four with no player, as SQL's unique constraint lets NULLs repeat. It was the error "no free
    combination is left"."""
    membership = _membership()
    membership["properties"]["player_id"]["type"] = ["string", "null"]
    engine = _engine(tmp_path, _entity("team"), _entity("player"), membership)
    for seed in range(3):
        ds = generate_dataset({"team": 3, "player": 2, "membership": 10}, seed=seed, engine=engine)
        pairs = [(m["team_id"], m["player_id"]) for m in ds["membership"]]
        filled = [pair for pair in pairs if pair[1] is not None]
        assert len(filled) == len(set(filled)) == 6 and ds.valid, pairs


def test_a_drawn_value_in_the_combination_that_repeats_is_reported(tmp_path: Path) -> None:
    """(team_id, role) with one possible role: the references cannot keep it apart, and the check says so."""
    membership = _membership(together=(("team_id", "role"),), role={"type": "string", "enum": ["member"]})
    engine = _engine(tmp_path, _entity("team"), _entity("player"), membership)
    ds = generate_dataset({"team": 2, "player": 5, "membership": 6}, seed=3, engine=engine)
    repeated = [v for v in ds.violations if v.rule == "unique_together"]
    assert len(repeated) == 4 and not ds.valid
    assert "(team_id, role) = (" in repeated[0].message and "repeats record" in repeated[0].message


@pytest.mark.parametrize(("together", "expected"), [
    ("team_id", "x-unique-together must be a list of lists of property names, got 'team_id'"),
    ([["team_id"]], "x-unique-together entry ['team_id'] is not a list of two or more property names"),
    ([["team_id", "club_id"]], "x-unique-together names 'club_id', which the schema's top-level properties do "
                               "not define (it has: player_id, role, team_id)"),
])
def test_a_malformed_declaration_names_the_schema_and_the_fix(tmp_path: Path, together: object,
                                                             expected: str) -> None:
    engine = _engine(tmp_path, _entity("team"), _entity("player"), _membership(together=together))
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"team": 2, "player": 2, "membership": 2}, engine=engine)
    assert str(err.value).startswith(f"dataset: the membership schema: {expected}")
    assert 'e.g. "x-unique-together": [["post_id", "tag_id"]]' in str(err.value)


BLOG = '''
    import pytest
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    post_tags = sa.Table(
        "post_tags", Base.metadata,
        sa.Column("post_id", sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True),
    )

    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(40), unique=True)

    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(200))
        tags: Mapped[list[Tag]] = relationship(secondary=post_tags)

    class Vote(Base):
        __tablename__ = "votes"
        __table_args__ = (sa.UniqueConstraint("post_id", "voter_id"),)
        id: Mapped[int] = mapped_column(primary_key=True)
        post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id"))
        voter_id: Mapped[int] = mapped_column(sa.ForeignKey("tags.id"))

    @pytest.fixture
    def db(testdata_db):
        Base.metadata.create_all(testdata_db.connection())
        return testdata_db
'''


def test_a_sqlalchemy_link_table_and_a_unique_pair_load_and_hold_in_sql(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_blog=BLOG + '''
    def test_links(testdata, db):
        ds = testdata.dataset({Tag: 8, Post: 12, post_tags: 60, Vote: 80}, into=db)
        q = lambda sql: db.execute(sa.text(sql)).scalar()
        assert q("SELECT count(*) FROM post_tags") == 60
        assert q("SELECT count(*) FROM (SELECT DISTINCT post_id, tag_id FROM post_tags)") == 60
        joined = "SELECT count(*) FROM post_tags l JOIN posts p ON p.id = l.post_id JOIN tags t ON t.id = l.tag_id"
        assert q(joined) == 60
        assert q("SELECT count(*) FROM (SELECT DISTINCT post_id, voter_id FROM votes)") == 80
        assert sum(len(p.tags) for p in ds.objects["posts"]) == 60  # the relationship reads the links
        assert ds.valid

    def test_a_composite_key_of_plain_columns_holds_each_pair_once(testdata, db):
        class Shelf(Base):  # no other table can refer to one shelf by one column
            __tablename__ = "shelves"
            aisle: Mapped[int] = mapped_column(primary_key=True)
            position: Mapped[int] = mapped_column(primary_key=True)
        Shelf.__table__.create(db.connection())
        ds = testdata.dataset({Shelf: 30}, into=db)
        assert len(ds.objects["shelves"]) == 30
        assert db.execute(sa.text("SELECT count(*) FROM (SELECT DISTINCT aisle, position FROM shelves)")
                          ).scalar() == 30
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_link_table_dataset_is_the_same_through_the_agent(pytester: pytest.Pytester, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Remote mode sends the models' schemas to a real agent on loopback: the same links, the same records."""
    from tests.agent.conftest import start_agent

    pytester.makepyfile(test_blog=BLOG + '''
    import hashlib, json, os
    from pathlib import Path

    def test_links(testdata, db):
        ds = testdata.dataset({Tag: 6, Post: 10, post_tags: 25, Vote: 20}, into=db)
        pairs = "SELECT count(*) FROM (SELECT DISTINCT post_id, tag_id FROM post_tags)"
        assert db.execute(sa.text(pairs)).scalar() == 25
        records = json.dumps(ds.as_dict()["records"], sort_keys=True, default=str)
        Path(os.environ["DIGESTS"], "blog").write_text(hashlib.sha256(records.encode()).hexdigest())
''')

    def digest(folder: Path, *args: str) -> str:
        folder.mkdir()
        monkeypatch.setenv("DIGESTS", str(folder))
        pytester.runpytest_subprocess("--testdata-seed", "77", "-p", "no:randomly", *args).assert_outcomes(passed=1)
        return (folder / "blog").read_text()

    local = digest(tmp_path / "local")
    running = start_agent()
    try:
        remote = digest(tmp_path / "remote", "--testdata-remote", running.address)
        served = [line for line in running.log_lines() if line.get("method") == "GenerateDataset"]
        assert len(served) == 1 and served[0]["status"] == "OK"
    finally:
        running.server.stop(grace=1)
    assert remote == local
