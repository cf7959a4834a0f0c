"""Database helpers for datasets: a SQLite engine set up for tests, and the ``testdata_db`` fixtures.

SQLite through Python's ``sqlite3`` needs three things to behave like a real database in tests: foreign
keys enforced (``PRAGMA foreign_keys=ON``, per connection), transactional DDL and working savepoints
(the driver's own transaction handling is switched off and SQLAlchemy emits ``BEGIN``, the recipe from
SQLAlchemy's SQLite documentation). :func:`sqlite_engine` does all three.

It also sets PRAGMAs for a test database, which trade durability for speed (see :data:`TEST_PRAGMAS`):
no ``fsync`` at commit, the rollback journal in memory, freed space left as it is (not zeroed).
Transactions, rollbacks and savepoints work as before (the ``testdata_db`` fixture still rolls every test
back); what is lost is the database surviving a power cut or a crash of the process in the middle of a
transaction. ``durable=True`` keeps SQLite's defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_testdata.errors import MissingDependencyError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise MissingDependencyError("sqlalchemy", "db", "loading datasets into a database") from None
    return sqlalchemy


TEST_PRAGMAS = (
    "PRAGMA synchronous=OFF",  # no fsync at commit: a power cut can lose or corrupt the file
    "PRAGMA journal_mode=MEMORY",  # rollback journal in memory: a crash mid-transaction can corrupt the file
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-65536",  # 64 MiB of page cache per connection (the default is 2 MiB)
    # Freed space is not overwritten with zeros (Debian's SQLite turns secure_delete on by default): the
    # B-tree's page splits no longer clear the bytes they move, about 1% of a dataset load's instructions.
    "PRAGMA secure_delete=OFF",
)
"""What :func:`sqlite_engine` sets on each connection unless ``durable=True``."""


def sqlite_engine(path: str | Path | None = None, *, durable: bool = False, **kwargs: Any) -> Engine:
    """A SQLAlchemy engine for a SQLite file (in memory when ``path`` is None) with foreign keys enforced,
    transactional DDL and savepoints; set up for a test database (:data:`TEST_PRAGMAS`) unless
    ``durable=True``. Other keyword arguments go to ``sqlalchemy.create_engine``."""
    sa = _sqlalchemy()
    if path is None:
        from sqlalchemy.pool import StaticPool

        engine = sa.create_engine("sqlite://", poolclass=StaticPool, **kwargs)
    else:
        engine = sa.create_engine(f"sqlite:///{path}", **kwargs)

    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        if not durable:
            for pragma in TEST_PRAGMAS:
                dbapi_connection.execute(pragma)

    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    sa.event.listen(engine, "connect", _connect)
    sa.event.listen(engine, "begin", _begin)
    return engine  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def testdata_db_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The database ``testdata_db`` works in: a SQLite file per test session (per xdist worker).

    Override it in a conftest.py to use your own database, for example PostgreSQL::

        @pytest.fixture(scope="session")
        def testdata_db_engine():
            return sqlalchemy.create_engine("postgresql+psycopg://...")
    """
    engine = sqlite_engine(tmp_path_factory.mktemp("testdata-db") / "testdata.db")
    yield engine
    engine.dispose()


@pytest.fixture
def testdata_db(testdata_db_engine: Engine) -> Iterator[Session]:
    """A SQLAlchemy Session inside a transaction that is rolled back after the test (as pytest-django's
    ``db``): load a dataset with ``testdata.dataset(..., into=testdata_db)``; the test's own commits
    become savepoints, so nothing it writes outlives it."""
    from sqlalchemy.orm import Session

    connection = testdata_db_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        if transaction.is_active:
            transaction.rollback()
        connection.close()
