"""Datasets in a real SQLite database, through the plugin's fixtures, checked by independent SQL queries."""

from __future__ import annotations

from typing import Any

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy
import sqlalchemy.orm  # noqa: F401

SQL_CHECKS = '''
    import pytest
    import sqlalchemy as sa

    def q(session, sql):
        return session.execute(sa.text(sql)).scalar()

    def test_loaded_dataset_holds_together_in_sql(testdata, testdata_db):
        ds = testdata.dataset({"user": 40, "product": 30, "order": 120, "payment": 120, "review": 60},
                              into=testdata_db)
        assert q(testdata_db, "PRAGMA foreign_keys") == 1
        for table, n in [("user", 40), ("product", 30), ("order", 120), ("payment", 120), ("review", 60)]:
            assert q(testdata_db, f'SELECT count(*) FROM "{table}"') == n
        assert q(testdata_db, "SELECT count(*) FROM order_items") == sum(len(o["items"]) for o in ds["order"])
        # every reference resolves (joins that drop nothing), independent of the generator's own checks
        assert q(testdata_db, 'SELECT count(*) FROM "order" o LEFT JOIN "user" u ON u.user_id = o.customer_id '
                              'WHERE u.user_id IS NULL') == 0
        assert q(testdata_db, "SELECT count(*) FROM order_items i LEFT JOIN product p ON p.product_id = i.product_id "
                              "WHERE p.product_id IS NULL") == 0
        # cross-entity coherence, joined in SQL
        assert q(testdata_db, 'SELECT count(*) FROM payment p JOIN "order" o ON o.order_id = p.order_id '
                              'WHERE abs(p.amount - o.totals_total) > 0.001 OR p.currency != o.totals_currency '
                              'OR p.created_at < o.created_at') == 0
        assert q(testdata_db, "SELECT count(*) FROM order_items i JOIN product p ON p.product_id = i.product_id "
                              "WHERE i.unit_price != p.price OR i.sku != p.sku OR i.name != p.name") == 0
        assert q(testdata_db, 'SELECT count(*) FROM payment p JOIN "order" o ON o.order_id = p.order_id '
                              "WHERE (p.status = 'refunded') != (o.status = 'refunded')") == 0
        assert q(testdata_db, 'SELECT count(*) FROM review r WHERE NOT EXISTS (SELECT 1 FROM "order" o '
                              'JOIN order_items i ON i.order_id = o.order_id WHERE o.customer_id = r.user_id '
                              'AND i.product_id = r.product_id AND o.delivered_at <= r.created_at)') == 0
        assert q(testdata_db, 'SELECT count(*) FROM (SELECT email FROM "user" GROUP BY email HAVING count(*) > 1)') == 0
        # foreign keys are enforced: a payment for an order that does not exist is refused
        with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
            with testdata_db.begin_nested():
                testdata_db.execute(sa.text(
                    "INSERT INTO payment (payment_id, order_id, method, amount, currency, status, created_at, "
                    "updated_at) VALUES ('p', 'no-such-order', 'paypal', 1, 'USD', 'captured', 'x', 'y')"))

    def test_the_next_test_finds_the_database_empty(testdata_db):
        names = sa.inspect(testdata_db.connection()).get_table_names()
        assert "order" not in names and "payment" not in names  # the tables' creation was rolled back too
'''


def test_dataset_into_sqlite_checked_in_sql_and_rolled_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_shop=SQL_CHECKS)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


MODELS = '''
    import datetime as dt
    import decimal
    import pytest
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

    class Base(DeclarativeBase):
        pass

    class Customer(Base):
        __tablename__ = "customers"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(120), unique=True)
        first_name: Mapped[str] = mapped_column(sa.String(40))
        signed_up: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
        orders: Mapped[list["Purchase"]] = relationship(back_populates="customer")

    class Purchase(Base):
        __tablename__ = "purchases"
        id: Mapped[int] = mapped_column(primary_key=True)
        customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
        total: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(10, 2))
        note: Mapped[str | None] = mapped_column(sa.String(200))
        customer: Mapped[Customer] = relationship(back_populates="orders")

    @pytest.fixture
    def db(testdata_db):
        Base.metadata.create_all(testdata_db.connection())
        return testdata_db
'''


def test_sqlalchemy_models_are_entities_and_come_back_as_instances(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_models=MODELS + '''
    def test_models(testdata, db):
        ds = testdata.dataset({Customer: 6, Purchase: 20}, into=db)
        customers = ds.objects["customers"]
        assert len(customers) == 6 and all(isinstance(c, Customer) for c in customers)
        assert all(isinstance(c.signed_up, dt.datetime) for c in customers)
        assert all(isinstance(p.total, decimal.Decimal) and p.total <= decimal.Decimal("99999999.99")
                   for p in ds.objects["purchases"])
        assert all(len(c.email) <= 120 and "@" in c.email for c in customers)
        # instances are the session's own rows: relationships load from the database
        assert sum(len(c.orders) for c in customers) == 20
        assert db.scalar(sa.select(sa.func.count()).select_from(Purchase)) == 20
        assert db.scalar(sa.select(sa.func.count()).select_from(Purchase).join(Customer)) == 20
        assert all(p.note is None or len(p.note) <= 200 for p in ds.objects["purchases"])

    def test_root_model_pulls_in_its_parent(testdata, db):
        ds = testdata.dataset(root=Purchase, count=9, into=db)
        assert ds.counts == {"customers": 3, "purchases": 9}

    def test_rolled_back(db):
        assert db.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_json_time_and_binary_columns_come_back_in_their_python_types(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_kinds=MODELS + '''
    class Device(Base):
        __tablename__ = "devices"
        id: Mapped[int] = mapped_column(primary_key=True)
        settings: Mapped[dict | None] = mapped_column(sa.JSON)
        wakes_at: Mapped[dt.time] = mapped_column(sa.Time)
        firmware: Mapped[bytes] = mapped_column(sa.LargeBinary(8))

    def test_it(testdata, db):
        ds = testdata.dataset({Device: 10}, into=db)
        devices = ds.objects["devices"]
        assert all(isinstance(d.wakes_at, dt.time) and d.wakes_at.tzinfo is None for d in devices)
        assert all(isinstance(d.firmware, bytes) and 1 <= len(d.firmware) <= 8 for d in devices)
        assert all(d.settings is None or isinstance(d.settings, dict) for d in devices)
        db.expire_all()  # read back from the database, not the session's objects
        stored = {d.id: d.firmware for d in db.scalars(sa.select(Device))}
        assert stored == {d["id"]: bytes.fromhex(d["firmware"]) for d in ds["devices"]}
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_a_model_whose_foreign_key_points_outside_the_dataset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_outside=MODELS + '''
    def test_it(testdata, db):
        testdata.dataset({Purchase: 3}, into=db)
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*TestdataUsageError: dataset: the model of table 'purchases' has a foreign key purchases.customer_id -> "
        "customers.id, and table 'customers' is not in the dataset. Add its model to the dataset*"])
    assert "Traceback" not in result.stdout.str() and "pytest_testdata/datasets" not in result.stdout.str()


def test_a_database_error_names_entity_record_and_field(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_check=MODELS + '''
    class Line(Base):
        __tablename__ = "lines"
        id: Mapped[int] = mapped_column(primary_key=True)
        quantity: Mapped[int] = mapped_column(sa.Integer)
        # A CHECK the model cannot show the generator: realistic quantities (a few items) break it.
        __table_args__ = (sa.CheckConstraint("quantity >= 1000", name="bulk_quantity"),)

    def test_it(testdata, db):
        testdata.dataset({Line: 50}, into=db)
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.re_match_lines([
        r".*DatasetLoadError: loading the dataset into the database: lines record \d+, field 'quantity' "
        r"\(table 'lines'\) was refused: CHECK constraint failed: bulk_quantity\. The record: \{'id': \d+, "
        r"'quantity': \d{1,3}\}\..*"])


def test_sqlite_engine_trades_durability_not_rollbacks_and_durable_keeps_the_defaults(tmp_path: Any) -> None:
    from pytest_testdata.datasets import sqlite_engine

    fast = sqlite_engine(tmp_path / "fast.db")
    with fast.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("synchronous"), pragma("journal_mode"), pragma("foreign_keys")) == (0, "memory", 1)
        conn.rollback()
        with conn.begin() as outer:  # a rolled-back transaction leaves nothing, DDL included
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            nested = conn.begin_nested()
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            nested.rollback()
            assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
            outer.rollback()
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        assert names == []
    fast.dispose()
    durable = sqlite_engine(tmp_path / "durable.db", durable=True)
    with durable.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL, SQLite's default
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    durable.dispose()
