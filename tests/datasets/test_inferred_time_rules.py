"""A record is created after the record it refers to, read from timestamp names in schemas that declare no
cross-entity rule (SQLAlchemy models, plain JSON Schema): comments after their article, articles after their
author signed up. Checked by SQL on the loaded database, as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.cli import explain
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.registry import SchemaRegistry

MODELS = '''
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    published_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
'''


def test_comments_follow_their_article_and_author_in_sql(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(blog_models=MODELS)
    pytester.makepyfile(test_blog='''
        import sqlalchemy as sa
        import pytest
        from blog_models import Account, Article, Base, Comment


        @pytest.fixture
        def db(testdata_db):
            Base.metadata.create_all(testdata_db.connection())
            return testdata_db


        def test_blog(testdata, db):
            ds = testdata.dataset({Account: 20, Article: 60, Comment: 300}, into=db, seed=4)
            assert ds.violations == []
            early = db.execute(sa.text(
                "SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id "
                "WHERE a.published_at IS NOT NULL AND c.created_at < a.published_at")).scalar()
            before_author = db.execute(sa.text(
                "SELECT count(*) FROM comments c JOIN accounts u ON u.id = c.author_id "
                "WHERE c.created_at < u.created_at")).scalar()
            article_early = db.execute(sa.text(
                "SELECT count(*) FROM articles a JOIN accounts u ON u.id = a.author_id "
                "WHERE a.published_at < u.created_at")).scalar()
            unordered = db.execute(sa.text(
                "SELECT count(*) FROM comments WHERE updated_at < created_at")).scalar()
            published = db.execute(sa.text(
                "SELECT count(*) FROM articles WHERE published_at IS NOT NULL")).scalar()
            assert (early, before_author, article_early, unordered) == (0, 0, 0, 0)
            assert published > 30  # the rule had articles to follow
    ''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def _schemas(tmp_path: Path, *documents: dict[str, Any]) -> Engine:
    for document in documents:
        (tmp_path / f"{document['title']}.json").write_text(json.dumps(document))
    return Engine(SchemaRegistry([tmp_path]))


ACCOUNT: dict[str, Any] = {"title": "account", "type": "object", "required": ["account_id", "opened_at"],
           "properties": {"account_id": {"type": "string", "format": "uuid", "x-unique": True},
                          "opened_at": {"type": "string", "format": "date-time"}}}


def _transfer(**extra: Any) -> dict[str, Any]:
    return {"title": "transfer", "type": "object", "required": ["transfer_id", "account_id", "created_at"],
            "properties": {"transfer_id": {"type": "string", "format": "uuid", "x-unique": True},
                           "account_id": {"type": "string", "format": "uuid", "x-ref": "account.account_id"},
                           "created_at": {"type": "string", "format": "date-time"}}, **extra}


def test_the_inferred_rule_holds_is_checked_and_shown(tmp_path: Path) -> None:
    engine = _schemas(tmp_path, ACCOUNT, _transfer())
    bank = generate_dataset({"account": 15, "transfer": 200}, seed=8, engine=engine)
    accounts = bank.lookup("account")
    assert all(t["created_at"] > accounts[t["account_id"]]["opened_at"] for t in bank["transfer"])
    assert bank.plan["rules"] == {"transfer.created_at_after_account_id": {"kind": "after_ref", "inferred": True}}
    assert bank.metadata["transfer"].dataset_coherence == 1.0
    assert "transfer.created_at_after_account_id (after_ref; inferred from timestamp names)" in \
        explain(bank.plan, 8)
    # The same rule breaks alone in an invalid variant, and the check reports it.
    broken = generate_dataset({"account": 15, "transfer": 200}, seed=8, engine=engine, variant="invalid",
                              break_rule="transfer.created_at_after_account_id")
    assert [(v.entity, v.rule) for v in broken.violations] == [("transfer", "transfer.created_at_after_account_id")]


def test_the_rule_is_the_same_in_worker_processes(tmp_path: Path) -> None:
    engine = _schemas(tmp_path, ACCOUNT, _transfer())
    serial = generate_dataset({"account": 50, "transfer": 10_000}, seed=2, engine=engine, processes=1)
    pooled = generate_dataset({"account": 50, "transfer": 10_000}, seed=2, engine=engine, processes=2)
    assert pooled.metadata["transfer"].details["processes"] == 2
    assert pooled["transfer"] == serial["transfer"]
    accounts = pooled.lookup("account")
    assert all(t["created_at"] > accounts[t["account_id"]]["opened_at"] for t in pooled["transfer"])


def test_a_schema_with_rules_of_its_own_keeps_them_alone(tmp_path: Path) -> None:
    declared = [{"name": "same_account", "kind": "same_as_ref", "ref": "account_id",
                 "fields": {"account_id": "account_id"}}]
    engine = _schemas(tmp_path, ACCOUNT, _transfer(**{"x-dataset-coherence": declared}))
    bank = generate_dataset({"account": 5, "transfer": 20}, seed=1, engine=engine)
    assert bank.plan["rules"] == {"transfer.same_account": {"kind": "same_as_ref", "inferred": False}}


def test_no_rule_without_a_timestamp_on_both_ends_or_for_a_reference_by_name_only(tmp_path: Path) -> None:
    no_time = {k: v for k, v in ACCOUNT["properties"].items() if k != "opened_at"}
    account = {**ACCOUNT, "required": ["account_id"], "properties": no_time}
    engine = _schemas(tmp_path, account, _transfer())
    assert generate_dataset({"account": 5, "transfer": 20}, seed=1, engine=engine).plan["rules"] == {}
    by_name = _transfer()
    del by_name["properties"]["account_id"]["x-ref"]  # linked by its name only
    other = tmp_path / "by_name"
    other.mkdir()
    engine = _schemas(other, ACCOUNT, by_name)
    linked = generate_dataset({"account": 5, "transfer": 20}, seed=1, engine=engine)
    assert linked.plan["references"]["transfer.account_id"]["by_field_name"] is True
    assert linked.plan["rules"] == {}
