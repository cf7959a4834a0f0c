"""Datasets in a real SQLite database, through the plugin's fixtures, checked by independent SQL queries."""

from __future__ import annotations

from typing import Any

import pytest

# Imported here, outside the runs: pytester's in-process runs drop the modules a run imported, and
# SQLAlchemy's compiled extensions do not survive being imported a second time in one process.
import sqlalchemy
import sqlalchemy.orm

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


def test_an_enum_stored_by_its_values_comes_back_as_members(pytester: pytest.Pytester) -> None:
    """``Enum(Status, values_callable=...)`` stores the members' values, not their names: the records hold
    the values, and the instances the members (they held the plain strings)."""
    pytester.makepyfile(test_enums=MODELS + '''
    import enum

    class Status(enum.Enum):
        ACTIVE = "active"
        ON_HOLD = "on-hold"

    class Plan(Base):
        __tablename__ = "plans"
        id: Mapped[int] = mapped_column(primary_key=True)
        status: Mapped[Status] = mapped_column(sa.Enum(Status, values_callable=lambda e: [m.value for m in e]))
        tier: Mapped[Status]  # by name, SQLAlchemy's default

    def test_it(testdata, db):
        ds = testdata.dataset({Plan: 20}, into=db)
        assert {p["status"] for p in ds["plans"]} == {"active", "on-hold"}
        assert {p["tier"] for p in ds["plans"]} == {"ACTIVE", "ON_HOLD"}
        assert all(isinstance(p.status, Status) and isinstance(p.tier, Status) for p in ds.objects["plans"])
        assert [p.status.value for p in ds.objects["plans"]] == [p["status"] for p in ds["plans"]]
        db.expire_all()
        assert {p.status for p in db.scalars(sa.select(Plan))} == set(Status)
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_float_columns_are_read_and_generated_columns_left_to_the_database(pytester: pytest.Pytester) -> None:
    """``Mapped[float]`` (SQLAlchemy 2.1's ``Double``, a ``Float`` that is no longer a ``Numeric``) and
    ``Float`` are numbers; a ``Computed`` column gets no value (the database refuses one) and reads back."""
    pytester.makepyfile(test_kinds=MODELS + '''
    class Line(Base):
        __tablename__ = "lines"
        id: Mapped[int] = mapped_column(primary_key=True)
        quantity: Mapped[int]
        price: Mapped[float]
        weight: Mapped[float] = mapped_column(sa.Float)
        total: Mapped[float] = mapped_column(sa.Computed("quantity * price"))

    def test_it(testdata, db):
        ds = testdata.dataset({Line: 12}, into=db)
        assert all(isinstance(r["price"], float) and isinstance(r["weight"], float) for r in ds["lines"])
        assert all("total" not in r for r in ds["lines"])
        db.expire_all()
        totals = {line.id: line.total for line in db.scalars(sa.select(Line))}
        assert totals == pytest.approx({r["id"]: r["quantity"] * r["price"] for r in ds["lines"]})
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_rows_already_in_the_tables_are_not_repeated(pytester: pytest.Pytester) -> None:
    """A fixture's rows (and an earlier dataset's, in the same transaction) are in the tables first: whole-number
    keys follow them, as the database's own would, and no unique value repeats one of theirs."""
    pytester.makepyfile(test_before=MODELS + '''
    def test_it(testdata, db):
        db.execute(sa.insert(Customer), [{"id": i, "email": f"seed{i}@example.com", "first_name": "Seed",
                                          "signed_up": dt.datetime(2024, 1, 1)} for i in range(1, 301)])
        first = testdata.dataset({Customer: 25, Purchase: 40}, into=db)
        ids = {c["id"] for c in first["customers"]}
        assert min(ids) > 300 and len(ids) == 25
        second = testdata.dataset({Customer: 25, Purchase: 40}, into=db)  # the same tables, 325 rows in them
        assert min(c["id"] for c in second["customers"]) > max(ids)
        assert db.scalar(sa.select(sa.func.count()).select_from(Customer)) == 350
        assert db.scalar(sa.select(sa.func.count(sa.distinct(Customer.email)))) == 350
        shop = testdata.dataset({"user": 20, "product": 10, "order": 30}, into=db)
        again = testdata.dataset({"user": 20, "product": 10, "order": 30}, into=db)  # its own tables, again
        assert db.execute(sa.text('SELECT count(*) FROM "order"')).scalar() == 60
        assert shop.valid and again.valid
''')
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


def test_what_is_read_of_the_rows_already_there(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-number field gives its largest value alone; text values are read from a small table only."""
    from pytest_testdata.datasets import DatasetRequest, sqlite_engine
    from pytest_testdata.datasets import load as load_module
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.engine import Engine
    from pytest_testdata.schemas.sources.sqlalchemy import schema_from_model

    badges = sqlalchemy.Table("badges", sqlalchemy.MetaData(),
                              sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
                              sqlalchemy.Column("code", sqlalchemy.String(12), unique=True, nullable=False))
    database = sqlite_engine(tmp_path / "t.db")
    badges.metadata.create_all(database)
    with database.begin() as conn:
        conn.execute(sqlalchemy.insert(badges), [{"id": i * 7, "code": f"B{i}"} for i in range(1, 9)])
    engine = Engine()
    engine.registry.register(schema_from_model(badges))
    plan = plan_dataset(DatasetRequest.checked({"badges": 3}), engine.registry)
    try:
        sink = load_module.DatabaseSink(database)
        assert sink.taken(plan) == {"badges": {"id": {56}, "code": {f"B{i}" for i in range(1, 9)}}}
        sink.abort()
        monkeypatch.setattr(load_module, "TAKEN_ROWS", 5)  # 8 rows: more than a table whose text is read
        sink = load_module.DatabaseSink(database)
        assert sink.taken(plan) == {"badges": {"id": {56}}}
        sink.abort()
    finally:
        database.dispose()


def test_into_an_async_session_says_to_use_run_sync_and_run_sync_loads(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_async=MODELS + '''
    import asyncio
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    def test_it(testdata, tmp_path):
        async def scenario():
            engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/app.db")
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            async with AsyncSession(engine) as session:
                with pytest.raises(Exception) as refused:
                    testdata.dataset({Customer: 4, Purchase: 9}, into=session)
                ds = await session.run_sync(lambda sync: testdata.dataset({Customer: 4, Purchase: 9}, into=sync))
                joined = await session.scalar(sa.select(sa.func.count()).select_from(Purchase).join(Customer))
            await engine.dispose()
            return refused.value, ds, joined

        refused, ds, joined = asyncio.run(scenario())
        assert type(refused).__name__ == "TestdataUsageError"
        assert str(refused).startswith("dataset: into= got an AsyncSession; the dataset is loaded synchronously. "
                                       "Call it through the async object's run_sync")
        assert joined == 9 and len(ds.objects["purchases"]) == 9

    def test_something_else(testdata):
        testdata.dataset({Customer: 2}, into="sqlite:///x.db")
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*TestdataUsageError: dataset: into= takes a SQLAlchemy Session, Connection or "
                                 "Engine, got str ('sqlite:///x.db').*"])


def test_a_model_whose_foreign_key_points_outside_the_dataset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_outside=MODELS + '''
    def test_it(testdata, db):
        testdata.dataset({Purchase: 3}, into=db)
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    # (the Customer model, reached through the foreign key, is known: the error says how to bring it in)
    result.stdout.fnmatch_lines([
        "*TestdataUsageError: dataset: purchases.customer_id refers to customers, which is not in the dataset. Add "
        "a count for it (counts={'customers': N, ...}; customers=N on the command line), pass external="
        "{'customers': [[]ids...[]]} (--external customers=ID,ID,...) for customers records that exist elsewhere, "
        "or ask for root='purchases' (--root purchases) to pull it in."])
    assert "Traceback" not in result.stdout.str() and "pytest_testdata/datasets" not in result.stdout.str()


def test_a_database_error_names_entity_record_and_field(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_check=MODELS + '''
    class Line(Base):
        __tablename__ = "lines"
        id: Mapped[int] = mapped_column(primary_key=True)
        quantity: Mapped[int] = mapped_column(sa.Integer)
        # A CHECK left to the database (not read as a rule for the records): realistic quantities (a few
        # items) break it.
        __table_args__ = (sa.CheckConstraint("quantity >= 1000", name="bulk_quantity",
                                             info={"testdata": "database"}),)

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
    import sqlite3
    from contextlib import closing

    from pytest_testdata.datasets import sqlite_engine

    fast = sqlite_engine(tmp_path / "fast.db")
    with fast.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("synchronous"), pragma("journal_mode"), pragma("foreign_keys")) == (0, "memory", 1)
        assert pragma("secure_delete") == 0  # freed space not zeroed, whatever the system SQLite's default
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
        with closing(sqlite3.connect(":memory:")) as plain:
            default = plain.execute("PRAGMA secure_delete").fetchone()[0]
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == default
    durable.dispose()


def _loaded(tmp_path: Any, name: str, counts: dict[str, int], seed: int, change: Any = None) -> Any:
    """A dataset generated in this process (``change`` may edit its records), loaded into a new SQLite file."""
    from pytest_testdata.datasets import DatasetRequest, generate_dataset, sqlite_engine
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.datasets.load import load_dataset
    from pytest_testdata.engine import Engine

    engine = Engine()
    dataset = generate_dataset(counts, seed=seed, engine=engine, processes=1)
    if change is not None:
        change(dataset)
    target = sqlite_engine(tmp_path / name)
    try:
        load_dataset(dataset, plan_dataset(DatasetRequest.checked(counts, seed=seed), engine.registry), target)
    finally:
        target.dispose()
    return dataset


def test_many_rows_to_a_statement_give_the_database_one_row_a_statement_gives(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    from contextlib import closing

    from pytest_testdata.datasets import load

    # 450 users, 900 addresses, 410 orders: whole statements of 200 rows and a shorter last one for each table.
    counts = {"user": 450, "product": 130, "order": 410}
    adapters = dict(sqlite3.adapters)
    dumps = []
    for per in (1, load.ROWS_PER_INSERT):
        monkeypatch.setattr(load, "ROWS_PER_INSERT", per)
        dataset = _loaded(tmp_path, f"{per}.db", counts, seed=5)
        with closing(sqlite3.connect(tmp_path / f"{per}.db")) as db:
            dumps.append(list(db.iterdump()))
            nulls = db.execute('SELECT count(*) FROM "order" WHERE delivered_at IS NULL').fetchone()[0]
            stocked = db.execute("SELECT count(*) FROM product WHERE in_stock = 1").fetchone()[0]
            kinds = {r[0] for r in db.execute("SELECT DISTINCT typeof(in_stock) FROM product")}
        assert nulls == sum(1 for r in dataset["order"] if r["delivered_at"] is None) > 0
        assert stocked == sum(1 for r in dataset["product"] if r["in_stock"] is True) > 0
        assert kinds == {"integer"}  # booleans as 1 and 0, NULL as NULL (not the text 'None')
    assert dumps[0] == dumps[1]
    assert dict(sqlite3.adapters) == adapters  # the load's own adapters are taken off again


def test_an_adapter_of_the_process_for_booleans_is_still_used(tmp_path: Any) -> None:
    import sqlite3
    from contextlib import closing

    sqlite3.register_adapter(bool, lambda value: "yes" if value else "no")
    try:
        _loaded(tmp_path, "yes.db", {"product": 250}, seed=3)
    finally:
        del sqlite3.adapters[(bool, sqlite3.PrepareProtocol)]
    with closing(sqlite3.connect(tmp_path / "yes.db")) as db:
        assert {r[0] for r in db.execute("SELECT DISTINCT in_stock FROM product")} <= {"yes", "no"}


def test_a_refused_row_in_the_middle_of_a_statement_names_its_record(tmp_path: Any) -> None:
    from pytest_testdata.datasets.load import DatasetLoadError

    def repeat_an_email(dataset: Any) -> None:
        dataset["user"][321]["email"] = dataset["user"][5]["email"]

    with pytest.raises(DatasetLoadError) as failed:
        _loaded(tmp_path, "refused.db", {"user": 450}, seed=4, change=repeat_an_email)
    assert (failed.value.entity, failed.value.record, failed.value.field) == ("user", 321, "email")
    assert "UNIQUE constraint failed: user.email" in failed.value.reason


def _tables(counts: dict[str, int], seed: int) -> tuple[Any, dict[str, Any]]:
    from sqlalchemy import MetaData

    from pytest_testdata.datasets import DatasetRequest, generate_dataset
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.datasets.tables import build_tables
    from pytest_testdata.engine import Engine

    engine = Engine()
    dataset = generate_dataset(counts, seed=seed, engine=engine, processes=1)
    plan = plan_dataset(DatasetRequest.checked(counts, seed=seed), engine.registry)
    return dataset, build_tables(plan, MetaData())


def test_a_tables_flat_values_are_its_rows_values_whatever_the_records_hold() -> None:
    import copy
    from collections import defaultdict
    from itertools import chain

    dataset, tables = _tables({"user": 30, "product": 20, "order": 40}, seed=8)
    orders, users = copy.deepcopy(dataset["order"]), copy.deepcopy(dataset["user"])
    order, items, user, addresses = tables["order"][0], tables["order"][1], tables["user"][0], tables["user"][1]

    def same(tmap: Any, records: list[Any]) -> None:
        values, rows = tmap.values(records), list(chain.from_iterable(tmap.rows(records)))
        assert values == rows and [type(v) for v in values] == [type(v) for v in rows]

    for tmap, records in ((order, orders), (items, orders), (user, users), (addresses, users)):
        same(tmap, records)  # plain records: read with subscripts
        assert tmap._values_function()(records) == tmap.values(records)
    del orders[3]["paid_at"]  # a missing key: None, as rows() gives
    orders[5]["totals"] = None  # an empty nested object: its columns None
    orders[7]["billing_address"] = defaultdict(lambda: "default", orders[7]["billing_address"])
    del orders[7]["billing_address"]["state"]  # a dict that answers a missing key: read with get, so None
    orders[9]["items"][0].pop("sku")
    orders[11]["items"] = None
    users[2] = defaultdict(str, users[2])
    del users[2]["phone"]
    for tmap, records in ((order, orders), (items, orders), (user, users), (addresses, users)):
        same(tmap, records)
    values = order.values(orders)
    columns = [name for name, _ in order.columns]
    row = lambda i: values[i * len(columns):(i + 1) * len(columns)]  # noqa: E731
    assert row(3)[columns.index("paid_at")] is None
    assert row(5)[columns.index("totals_total")] is None
    assert row(7)[columns.index("billing_address_state")] is None


def test_a_refused_row_of_a_later_chunk_names_its_record(tmp_path: Any) -> None:
    from pytest_testdata.datasets import DatasetRequest, generate_dataset, sqlite_engine
    from pytest_testdata.datasets.graph import plan_dataset
    from pytest_testdata.datasets.load import DatabaseSink, DatasetLoadError
    from pytest_testdata.engine import Engine

    engine = Engine()
    counts = {"user": 450}
    dataset = generate_dataset(counts, seed=4, engine=engine, processes=1)
    plan = plan_dataset(DatasetRequest.checked(counts, seed=4), engine.registry)
    users = dataset["user"]
    owner = next(i for i, r in enumerate(users) if i > 250 and len(r.get("addresses") or ()) > 1)
    users[owner]["addresses"][1]["street"] = None  # NOT NULL: a row of the child table, past the first chunk
    target = sqlite_engine(tmp_path / "chunks.db")
    sink = DatabaseSink(target, chunk=100)
    try:
        with pytest.raises(DatasetLoadError) as failed:
            sink.write(plan, "user", users, ())
    finally:
        sink.abort()
        target.dispose()
    assert (failed.value.entity, failed.value.table, failed.value.record, failed.value.field) == (
        "user", "user_addresses", owner, "addresses.*.street")
    assert "NOT NULL constraint failed: user_addresses.street" in failed.value.reason
