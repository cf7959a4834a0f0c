"""Datasets in a real PostgreSQL server (started by the tests): COPY loading, SQL checks, rollback, errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.orm  # kept loaded across pytester in-process runs (see test_sqlite.py)

# imported once: importing it again re-registers its functions
from sqlalchemy.dialects.postgresql import ARRAY, INET, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pytest_testdata.datasets.load import DatabaseSink, DatasetLoadError, build_into
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.result import Dataset
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.sources.sqlalchemy import schema_from_model
from tests.datasets.postgres_server import PostgresServer


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def loaded(postgres: PostgresServer, base: Any, models: Sequence[Any], counts: dict[str, int],
           seed: int) -> Iterator[tuple[sa.Connection, Dataset]]:
    """The models' tables created in the server and the dataset built into them, in a transaction rolled back
    after the block."""
    engine = sa.create_engine(postgres.url)
    try:
        gen = Engine()
        for model in models:
            gen.registry.register(schema_from_model(model))
        with engine.connect() as conn, conn.begin() as tx:
            base.metadata.create_all(conn)
            yield conn, build_into(gen, DatasetRequest.checked(counts, seed=seed), conn)
            tx.rollback()
    finally:
        engine.dispose()


CONFTEST = '''
    import pytest
    import sqlalchemy as sa

    @pytest.fixture(scope="session")
    def testdata_db_engine():
        engine = sa.create_engine("{url}")
        yield engine
        engine.dispose()
'''

CHECKS = '''
    import pytest
    import sqlalchemy as sa

    def q(session, sql):
        return session.execute(sa.text(sql)).scalar()

    def test_loaded_and_coherent(testdata, testdata_db):
        ds = testdata.dataset({"user": 50, "product": 30, "order": 150, "payment": 150, "review": 80},
                              into=testdata_db)
        assert testdata_db.connection().dialect.name == "postgresql"
        assert q(testdata_db, 'SELECT count(*) FROM "order"') == 150
        assert q(testdata_db, "SELECT count(*) FROM order_items") == sum(len(o["items"]) for o in ds["order"])
        assert q(testdata_db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'order' "
                              "AND column_name = 'created_at'") == "timestamp with time zone"
        assert q(testdata_db, 'SELECT count(*) FROM payment p JOIN "order" o ON o.order_id = p.order_id '
                              'WHERE p.amount != o.totals_total OR p.currency != o.totals_currency '
                              'OR p.created_at < o.created_at') == 0
        assert q(testdata_db, "SELECT count(*) FROM order_items i JOIN product p USING (product_id) "
                              "WHERE i.unit_price != p.price OR i.sku != p.sku") == 0
        assert q(testdata_db, 'SELECT count(*) FROM review r WHERE NOT EXISTS (SELECT 1 FROM "order" o '
                              'JOIN order_items i ON i.order_id = o.order_id WHERE o.customer_id = r.user_id '
                              'AND i.product_id = r.product_id AND o.delivered_at <= r.created_at)') == 0
        assert q(testdata_db, "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = "
                              "'FOREIGN KEY' AND table_name IN ('order', 'order_items', 'payment', 'review')") == 6
        with pytest.raises(sa.exc.IntegrityError, match="violates foreign key constraint"):
            with testdata_db.begin_nested():
                testdata_db.execute(sa.text('UPDATE payment SET order_id = \\'nope\\''))

    def test_rolled_back(testdata_db):
        assert not sa.inspect(testdata_db.connection()).has_table("order")
'''


def test_dataset_into_postgres_checked_in_sql(pytester: pytest.Pytester, postgres: PostgresServer) -> None:
    pytester.makeconftest(CONFTEST.format(url=postgres.url))
    pytester.makepyfile(test_pg=CHECKS)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_copy_is_used_and_a_refused_record_is_named(postgres: PostgresServer) -> None:
    class Base(DeclarativeBase):
        pass

    class Member(Base):
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(primary_key=True)
        nickname: Mapped[str] = mapped_column(sa.String(30))  # unique in the database only (below)

    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as conn:
            assert DatabaseSink(conn).copy is True  # psycopg 3: COPY ... FROM STDIN
        gen = Engine()
        gen.registry.register(schema_from_model(Member))
        with engine.connect() as conn, conn.begin() as tx:
            Base.metadata.create_all(conn)
            # A constraint the model does not declare (a migration's): the dataset cannot keep it, the database
            # refuses the row, and the error names the record.
            conn.execute(sa.text("ALTER TABLE members ADD CONSTRAINT members_nickname_key UNIQUE (nickname)"))
            first = build_into(gen, DatasetRequest.checked({"members": 20}, seed=1), conn)
            taken = first["members"][7]["nickname"]
            conn.execute(sa.delete(Member.__table__))
            conn.execute(sa.insert(Member.__table__).values(id=-1, nickname=taken))
            with pytest.raises(DatasetLoadError) as err:
                build_into(gen, DatasetRequest.checked({"members": 20}, seed=1), conn)
            tx.rollback()
        message = str(err.value)
        assert message.startswith("loading the dataset into the database: members record 7, field 'nickname' "
                                  "(table 'members') was refused: duplicate key value violates unique constraint")
        assert f"Key (nickname)=({taken}) already exists" in message
    finally:
        engine.dispose()


def test_json_time_and_binary_columns_copy_into_postgres_and_the_link_table_holds(postgres: PostgresServer) -> None:
    """JSONB, TIME and BYTEA columns through COPY (JSON as text, times and bytes in the driver's types), and a
    link table's pairs each once, checked in SQL."""
    class Base(DeclarativeBase):
        pass

    class Device(Base):
        __tablename__ = "devices"
        id: Mapped[int] = mapped_column(primary_key=True)
        settings: Mapped[dict] = mapped_column(JSONB)
        wakes_at: Mapped[dt.time] = mapped_column(sa.Time)
        firmware: Mapped[bytes] = mapped_column(sa.LargeBinary(8))

    class Owner(Base):
        __tablename__ = "owners"
        id: Mapped[int] = mapped_column(primary_key=True)

    owns = sa.Table("device_owners", Base.metadata,
                    sa.Column("device_id", sa.ForeignKey("devices.id"), primary_key=True),
                    sa.Column("owner_id", sa.ForeignKey("owners.id"), primary_key=True))

    counts = {"devices": 12, "owners": 5, "device_owners": 40}
    with loaded(postgres, Base, (Device, Owner, owns), counts, seed=2) as (conn, _):
        q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        assert q("SELECT count(*) FROM devices WHERE jsonb_typeof(settings) = 'object' "
                 "AND octet_length(firmware) BETWEEN 1 AND 8 AND wakes_at IS NOT NULL") == 12
        assert q("SELECT count(*) FROM (SELECT DISTINCT device_id, owner_id FROM device_owners) d") == 40


def test_array_and_network_columns_copy_into_postgres(postgres: PostgresServer) -> None:
    """PostgreSQL's ARRAY (of text, and of dates: each item converted for the model) and INET columns, read
    from the model and loaded through COPY, checked in SQL; so is an application's GUID type (a TypeDecorator
    that takes uuid.UUID and stores its hex), whose conversion COPY would otherwise pass by."""
    class Base(DeclarativeBase):
        pass

    class Event(Base):
        __tablename__ = "events"
        id: Mapped[int] = mapped_column(primary_key=True)
        tags: Mapped[list[str]] = mapped_column(ARRAY(sa.String(20)))
        days: Mapped[list[dt.date]] = mapped_column(ARRAY(sa.Date))
        source_ip: Mapped[str] = mapped_column(INET)

    with loaded(postgres, Base, (Event,), {"events": 20}, seed=4) as (conn, ds):
        q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        assert q("SELECT count(*) FROM events WHERE cardinality(tags) BETWEEN 0 AND 5 "
                 "AND family(source_ip) = 4") == 20
        rows = conn.execute(sa.text("SELECT id, tags, days FROM events"))
        stored = {row.id: (row.tags, row.days) for row in rows}
        assert stored == {e["id"]: (e["tags"], [dt.date.fromisoformat(d) for d in e["days"]]) for e in ds["events"]}
        assert any(e["tags"] for e in ds["events"]) and any(e["days"] for e in ds["events"])

    class Guid(sa.types.TypeDecorator):  # an application's own: takes uuid.UUID, stores its hex
        impl = sa.CHAR(32)
        cache_ok = True

        def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
            return None if value is None else value.hex

    class Slug(sa.types.TypeDecorator):  # stores a name as its slug
        impl = sa.String(80)
        cache_ok = True

        def process_bind_param(self, value, dialect):  # type: ignore[no-untyped-def]
            return None if value is None else value.lower().replace(" ", "-")

    class Thing(Base):
        __tablename__ = "things"
        id: Mapped[str] = mapped_column(Guid, primary_key=True)
        name: Mapped[str] = mapped_column(Slug)

    assert schema_from_model(Thing).json_schema["properties"]["id"] == {
        "type": "string", "format": "uuid", "x-unique": True}
    with loaded(postgres, Base, (Thing,), {"things": 10}, seed=4) as (conn, ds):
        stored = {tuple(row) for row in conn.execute(sa.text("SELECT id, name FROM things"))}
        # COPY passes SQLAlchemy by: the loader binds the decorators' values itself (uuid.UUID -> hex)
        assert stored == {(uuid.UUID(t["id"]).hex, t["name"].lower().replace(" ", "-")) for t in ds["things"]}
        assert len(stored) == 10 and any(" " in t["name"] for t in ds["things"])


def test_check_constraints_read_back_from_postgres_as_declared(postgres: PostgresServer) -> None:
    """A table reflected from PostgreSQL (``autoload_with``) has its CHECK constraints as the server writes
    them (casts, ``= ANY (ARRAY[...])``): they are read as the declared ones are."""
    metadata = sa.MetaData()
    declared = sa.Table(
        "shelves", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("label", sa.String(40)),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed or merged', 'won''t fix')", name="known_status"),
        sa.CheckConstraint("length(code) = 8 AND label <> ''", name="shapes"),
        sa.CheckConstraint("price > 0 AND price < 1000", name="priced"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="stars"),
    )
    engine = sa.create_engine(postgres.url)
    try:
        with engine.connect() as conn, conn.begin() as tx:
            metadata.create_all(conn)
            reflected = sa.Table("shelves", sa.MetaData(), autoload_with=conn)
            texts = sorted(str(c.sqltext) for c in reflected.constraints if isinstance(c, sa.CheckConstraint))
            assert any("ANY" in t and "::" in t for t in texts), texts  # the server's own way of writing them
            mine = schema_from_model(declared).json_schema["properties"]
            theirs = schema_from_model(reflected).json_schema["properties"]
            for column in ("status", "code", "label", "price", "rating"):
                keys = ("enum", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
                assert {k: theirs[column].get(k) for k in keys} == {k: mine[column].get(k) for k in keys}, column
            assert mine["status"]["enum"] == ["open", "closed or merged", "won't fix"]
            tx.rollback()
    finally:
        engine.dispose()


def test_the_applications_own_inserts_after_a_load_get_fresh_keys(postgres: PostgresServer) -> None:
    """The dataset writes its keys itself; the sequences behind SERIAL, identity and Sequence keys are moved
    past them, so rows the application then adds (the ORM leaving the key to the database) do not collide,
    and a sequence already further on is left where it is. An Interval column holds timedeltas."""
    class Base(DeclarativeBase):
        pass

    class Note(Base):  # SERIAL
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(sa.String(40))
        grace: Mapped[dt.timedelta]

    class Item(Base):  # GENERATED BY DEFAULT AS IDENTITY
        __tablename__ = "items"
        id: Mapped[int] = mapped_column(sa.Identity(), primary_key=True)
        body: Mapped[str] = mapped_column(sa.String(40))

    class Tag(Base):  # a sequence of its own, not owned by the column
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(sa.Sequence("tag_numbers"), primary_key=True)
        body: Mapped[str] = mapped_column(sa.String(40))

    engine = sa.create_engine(postgres.url)
    try:
        gen = Engine()
        for model in (Note, Item, Tag):
            gen.registry.register(schema_from_model(model))
        with sa.orm.Session(engine) as session:
            Base.metadata.create_all(session.connection())
            session.execute(sa.text("SELECT setval('tag_numbers', 100000)"))  # further on than any drawn key
            ds = build_into(gen, DatasetRequest.checked({"notes": 30, "items": 30, "tags": 30}, seed=3), session)
            assert all(isinstance(n.grace, dt.timedelta) and n.grace > dt.timedelta(0) for n in ds.objects["notes"])
            for model, entity in ((Note, "notes"), (Item, "items"), (Tag, "tags")):
                top = max(r["id"] for r in ds[entity])
                extra = {"grace": dt.timedelta(days=1)} if model is Note else {}
                added = [model(body=f"own {i}", **extra) for i in range(top + 1)]  # past every key loaded
                session.add_all(added)
                session.flush()
                assert min(a.id for a in added) > top
            assert min(t.id for t in session.scalars(sa.select(Tag).where(Tag.body.like("own %")))) == 100001
            session.rollback()
    finally:
        engine.dispose()


def test_a_joined_subclass_copies_its_rows_into_its_own_table(postgres: PostgresServer) -> None:
    """Joined-table inheritance through COPY: a vehicle's records are cars and trucks, and each truck is a row of
    ``trucks`` too, keyed by a column of its own named apart from the base's key (the key's value), with its
    payload; no car is."""
    class Base(DeclarativeBase):
        pass

    class Vehicle(Base):
        __tablename__ = "vehicles"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[str] = mapped_column(sa.String(20))
        __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "car"}

    class Truck(Vehicle):
        __tablename__ = "trucks"
        vehicle_id: Mapped[int] = mapped_column(sa.ForeignKey("vehicles.id"), primary_key=True)
        payload_kg: Mapped[int] = mapped_column(sa.Integer)
        __mapper_args__ = {"polymorphic_identity": "truck"}

    with loaded(postgres, Base, (Vehicle,), {"vehicles": 30}, seed=5) as (conn, ds):
        trucks = sorted((v["id"], v["payload_kg"]) for v in ds["vehicles"] if v["kind"] == "truck")
        assert 0 < len(trucks) < 30
        rows = conn.execute(sa.text("SELECT t.vehicle_id, t.payload_kg FROM trucks t JOIN vehicles v "
                                    "ON v.id = t.vehicle_id AND v.kind = 'truck'")).all()
        assert sorted(tuple(r) for r in rows) == trucks
        assert conn.execute(sa.text("SELECT count(*) FROM trucks")).scalar() == len(trucks)
