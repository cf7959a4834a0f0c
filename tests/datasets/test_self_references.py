"""References filled in once both records exist (a reply's parent comment, an employee's manager, a
department's head) point at a record that meets the rules on them: declared ones, and for a reference to the
entity itself, inferred ones (the same article, written before). Checked on the records, through SQL on the
loaded database, in an invalid variant, and with worker processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.cli import explain
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry

ACCOUNT: dict[str, Any] = {
    "title": "account", "type": "object", "required": ["id", "email", "created_at"],
    "properties": {"id": {"type": "integer", "x-unique": True},
                   "email": {"type": "string", "format": "email"},
                   "created_at": {"type": "string", "format": "date-time"}}}
ARTICLE: dict[str, Any] = {
    "title": "article", "type": "object", "required": ["id", "author_id", "title", "published_at"],
    "properties": {"id": {"type": "integer", "x-unique": True},
                   "author_id": {"type": "integer", "x-ref": "account.id"},
                   "title": {"type": "string", "maxLength": 80},
                   "published_at": {"type": "string", "format": "date-time"}}}


def _comment(**extra: Any) -> dict[str, Any]:
    return {"title": "comment", "type": "object", "required": ["id", "article_id", "author_id", "body", "created_at"],
            "properties": {"id": {"type": "integer", "x-unique": True},
                           "article_id": {"type": "integer", "x-ref": "article.id"},
                           "author_id": {"type": "integer", "x-ref": "account.id"},
                           "parent_id": {"type": ["integer", "null"], "x-ref": "comment.id"},
                           "body": {"type": "string", "maxLength": 300},
                           "created_at": {"type": "string", "format": "date-time"}}, **extra}


def _engine(tmp_path: Path, *documents: dict[str, Any]) -> Engine:
    for document in documents:
        (tmp_path / f"{document['title']}.json").write_text(json.dumps(document))
    return Engine(SchemaRegistry([tmp_path]))


def _threads(ds: Any) -> tuple[int, int, int, int]:
    """(replies, on another article, not after their parent, by their parent's author)."""
    comments = ds.lookup("comment")
    replies = [c for c in ds["comment"] if c.get("parent_id") is not None]
    parents = [comments[c["parent_id"]] for c in replies]
    return (len(replies),
            sum(p["article_id"] != c["article_id"] for c, p in zip(replies, parents, strict=True)),
            sum(p["created_at"] >= c["created_at"] for c, p in zip(replies, parents, strict=True)),
            sum(p["author_id"] == c["author_id"] for c, p in zip(replies, parents, strict=True)))


def test_a_reply_answers_an_earlier_comment_of_its_own_article(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, ARTICLE, _comment())
    ds = generate_dataset({"account": 20, "article": 40, "comment": 400}, seed=3, engine=engine)
    replies, elsewhere, early, own_author = _threads(ds)
    assert replies > 200  # most comments answer another; the first of each article cannot
    assert (elsewhere, early) == (0, 0)
    assert own_author < replies / 4  # the author is not shared: people answer other people
    assert ds.violations == []
    rules = ds.plan["rules"]
    assert rules["comment.same_article_id_as_parent_id"] == {"kind": "same_as_ref", "inferred": True}
    assert rules["comment.created_at_after_parent_id"] == {"kind": "after_ref", "inferred": True}
    assert "comment.same_author_id_as_parent_id" not in rules
    text = explain(ds.plan, 3)
    assert "comment.same_article_id_as_parent_id (same_as_ref; inferred: a reference to its own entity" in text


def test_declared_rules_on_a_reference_to_itself_are_met_by_choosing_the_parent(tmp_path: Path) -> None:
    # Before, such rules made the entity depend on itself: "the references  form a cycle".
    declared = _comment(**{"x-dataset-coherence": [
        {"name": "same_article", "kind": "same_as_ref", "ref": "parent_id", "fields": {"article_id": "article_id"}},
        {"name": "after_parent", "kind": "after_ref", "ref": "parent_id", "field": "created_at",
         "after": "created_at"}]})
    engine = _engine(tmp_path, ACCOUNT, ARTICLE, declared)
    ds = generate_dataset({"account": 10, "article": 20, "comment": 200}, seed=5, engine=engine)
    replies, elsewhere, early, _ = _threads(ds)
    assert replies > 80 and (elsewhere, early) == (0, 0)
    assert ds.metadata["comment"].dataset_coherence == 1.0 and ds.violations == []
    assert set(ds.plan["rules"]) == {"article.published_at_after_author_id", "comment.same_article",
                                     "comment.after_parent"}


@pytest.mark.parametrize("rule", ["comment.created_at_after_parent_id", "comment.same_article_id_as_parent_id"])
def test_an_invalid_variant_breaks_one_rule_of_the_reference_by_its_choice(tmp_path: Path, rule: str) -> None:
    engine = _engine(tmp_path, ACCOUNT, ARTICLE, _comment())
    ds = generate_dataset({"account": 20, "article": 40, "comment": 400}, seed=3, engine=engine,
                          variant="invalid", break_rule=rule)
    (broken,) = ds.broken
    assert (broken.rule, broken.entity, broken.field) == (rule, "comment", "parent_id")
    assert [(v.entity, v.record, v.rule) for v in ds.violations] == [("comment", broken.record, rule)]
    record = ds["comment"][broken.record]
    parent = ds.lookup("comment")[record["parent_id"]]
    if rule.endswith("after_parent_id"):
        assert parent["created_at"] > record["created_at"] and parent["article_id"] == record["article_id"]
    else:
        assert parent["article_id"] != record["article_id"] and parent["created_at"] < record["created_at"]
    assert ds.metadata["comment"].dataset_coherence < 1.0


def test_no_record_is_its_own_ancestor_when_no_timestamp_orders_them(tmp_path: Path) -> None:
    department = {"title": "department", "type": "object", "required": ["department_id", "name"], "properties": {
        "department_id": {"type": "string", "format": "uuid", "x-unique": True},
        "name": {"type": "string", "minLength": 2, "maxLength": 40}}}
    employee = {"title": "employee", "type": "object", "required": ["employee_id", "department_id", "first_name"],
                "properties": {
                    "employee_id": {"type": "string", "format": "uuid", "x-unique": True},
                    "first_name": {"type": "string", "minLength": 1, "maxLength": 40},
                    "department_id": {"type": "string", "format": "uuid", "x-ref": "department.department_id"},
                    "manager_id": {"type": ["string", "null"], "format": "uuid",
                                   "x-ref": "employee.employee_id"}}}
    engine = _engine(tmp_path, department, employee)
    ds = generate_dataset({"department": 5, "employee": 120}, seed=2, engine=engine)
    staff = ds.lookup("employee")
    managed = [e for e in ds["employee"] if e["manager_id"] is not None]
    assert len(managed) > 80
    assert all(staff[e["manager_id"]]["department_id"] == e["department_id"] for e in managed)
    for e in ds["employee"]:  # walk up: the chain ends without meeting the employee again
        seen, boss = {e["employee_id"]}, e["manager_id"]
        while boss is not None:
            assert boss not in seen
            seen.add(boss)
            boss = staff[boss]["manager_id"]
    assert ds.violations == []


def test_a_declared_rule_on_a_cycle_s_nullable_link_holds(tmp_path: Path) -> None:
    # A department's head works in that department: the rule looks through the link filled in last.
    department = {"title": "department", "type": "object", "required": ["department_id", "name"], "properties": {
        "department_id": {"type": "string", "format": "uuid", "x-unique": True},
        "name": {"type": "string", "minLength": 2, "maxLength": 40},
        "head_id": {"type": ["string", "null"], "format": "uuid", "x-ref": "employee.employee_id"}},
        "x-dataset-coherence": [{"name": "head_works_here", "kind": "same_as_ref", "ref": "head_id",
                                 "fields": {"department_id": "department_id"}}]}
    employee = {"title": "employee", "type": "object", "required": ["employee_id", "department_id"], "properties": {
        "employee_id": {"type": "string", "format": "uuid", "x-unique": True},
        "department_id": {"type": "string", "format": "uuid", "x-ref": "department.department_id"}}}
    engine = _engine(tmp_path, department, employee)
    ds = generate_dataset({"department": 6, "employee": 60}, seed=4, engine=engine)
    staff = ds.lookup("employee")
    heads = [d for d in ds["department"] if d["head_id"] is not None]
    assert len(heads) >= 4
    assert all(staff[d["head_id"]]["department_id"] == d["department_id"] for d in heads)
    assert ds.violations == []


def test_a_cycle_closed_by_a_rule_alone_names_the_rule(tmp_path: Path) -> None:
    # The link is not nullable, so it cannot wait: the error names the reference and the rule that close it.
    department = {"title": "department", "type": "object", "required": ["department_id", "head_id"], "properties": {
        "department_id": {"type": "string", "format": "uuid", "x-unique": True},
        "head_id": {"type": "string", "format": "uuid", "x-ref": "employee.employee_id"}},
        "x-dataset-coherence": [{"name": "head_works_here", "kind": "same_as_ref", "ref": "head_id",
                                 "fields": {"department_id": "department_id"}}]}
    employee = {"title": "employee", "type": "object", "required": ["employee_id", "department_id"], "properties": {
        "employee_id": {"type": "string", "format": "uuid", "x-unique": True},
        "department_id": {"type": "string", "format": "uuid", "x-ref": "department.department_id"}}}
    engine = _engine(tmp_path, department, employee)
    with pytest.raises(TestdataUsageError) as caught:
        generate_dataset({"department": 3, "employee": 10}, seed=4, engine=engine)
    message = str(caught.value)
    assert "department.head_id -> employee" in message and "employee.department_id -> department" in message
    assert "department.head_works_here (x-dataset-coherence) -> employee" in message


def test_large_threads_built_by_worker_processes_keep_the_rules(tmp_path: Path) -> None:
    engine = _engine(tmp_path, ACCOUNT, ARTICLE, _comment())
    ds = generate_dataset({"account": 500, "article": 1000, "comment": 12000}, seed=6, engine=engine, processes=2)
    replies, elsewhere, early, _ = _threads(ds)
    assert replies > 6000 and (elsewhere, early) == (0, 0)
    assert ds.violations == []
    serial = generate_dataset({"account": 500, "article": 1000, "comment": 12000}, seed=6, engine=engine, processes=1)
    assert serial["comment"] == ds["comment"]


SQL_MODELS = '''
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
    published_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
'''


def test_threads_hold_in_sql_on_the_loaded_database(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(blog_models=SQL_MODELS)
    pytester.makepyfile(test_threads='''
        import pytest
        import sqlalchemy as sa
        from blog_models import Account, Article, Base, Comment


        @pytest.fixture
        def db(testdata_db):
            Base.metadata.create_all(testdata_db.connection())
            return testdata_db


        def test_threads(testdata, db):
            ds = testdata.dataset({Account: 10, Article: 30, Comment: 300}, into=db, seed=4)
            assert ds.violations == []
            def count(sql):
                return db.execute(sa.text(sql)).scalar()
            replies = count("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL")
            elsewhere = count("SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id "
                              "WHERE p.article_id != c.article_id")
            early = count("SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id "
                          "WHERE p.created_at >= c.created_at")
            assert replies > 150 and (elsewhere, early) == (0, 0)
    ''')
    # In a process of its own: an in-process run's module cleanup re-imports SQLAlchemy's compiled modules, which
    # then broke the next in-process run with SQLAlchemy models in the same worker (test_inferred_time_rules).
    pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider").assert_outcomes(passed=1)
