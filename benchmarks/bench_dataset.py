"""A linked e-commerce dataset: generation, loading into SQLite, and factory_boy building the same graph.

    python benchmarks/bench_dataset.py               # 100,000 records (the issue's size), peer at 1/10 scale
    python benchmarks/bench_dataset.py --quick       # a smoke run: 1/50 of the size
    python benchmarks/bench_dataset.py --peer-scale 1    # factory_boy at full size too (minutes)

The dataset: 10,000 users, 5,000 products, 30,000 orders with their items, 30,000 payments, 25,000 reviews
(plus the users' addresses and the orders' items as rows of their own tables in SQL).

Measured in the same run:

1. ``generate``: ``generate_dataset`` in memory, which includes validating every record against its schema,
   scoring it against its coherence rules and checking every cross-entity rule. Records per second.
2. ``load``: the generated dataset loaded into an empty SQLite file (foreign keys on, one transaction),
   in foreign-key order. The loader owns the transaction and creates the tables, so it checks the
   references itself (``datasets/references.py``) instead of SQLite checking each row; factory_boy's
   SQLite checks each of its rows. Rows per second, counting the rows of every table (order items, user addresses),
   and again counting the dataset's records (an order and its items one), as the issue counts its 100,000.
3. ``generate + load``: both streamed (each entity goes into the database as soon as it is built).
4. factory_boy: ``SQLAlchemyModelFactory`` factories with ``SubFactory`` for every relation and Faker for
   values, creating the same graph (users, products, orders with items, payments with the order's total,
   reviews) into an empty SQLite file through a session (one commit at the end). Its time is scaled to the
   full size by rows, and the ratio compares rows per second.

Entities of 10,000 records or more are built by several processes, this one and workers (``--processes``,
default one per core, this one included; the records are the same with any number). Each step prints wall time
and CPU time: this process's plus its worker processes' (SQLite runs in this process); on a shared machine
read the CPU columns, and on a quiet one the wall columns (the processes run side by side). factory_boy's
SQLite gets the same test PRAGMAs as ours.

Rounds: the steps run ``--rounds`` times (default 3), each round ours and then factory_boy, and each step's
round with the shortest wall time is kept, as ``bench_traditional.py`` keeps each contender's best round. This
VM's host takes CPU time from it now and then (the ``steal`` column of ``/proc/stat``, printed for the run):
one round of a few seconds can lose a second to it, on either side of the ratio. The VM's speed also moves by
a fifth or more from minute to minute without any steal (factory_boy alone, the same graph five times in four
minutes: 2,229 to 3,133 rows/s), so a step's best of two rounds was sometimes a slow minute's; with three
rounds each side's best is less often one (docs/performance.md, "Measuring through the VM's swings").

Memory: the peak resident size grows with the dataset (records are held once, for the references), so
the run also reports the growth per 1,000 records, and the largest worker's peak. The machine may be
shared: read the ratios.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

import datetime as dt

import factory
import factory.random
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session, sessionmaker

from pytest_testdata.datasets import DatasetRequest, generate_dataset, sqlite_engine
from pytest_testdata.datasets.db import TEST_PRAGMAS
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.load import build_into, load_dataset
from pytest_testdata.datasets.workers import available_cores
from pytest_testdata.engine import Engine

COUNTS = {"user": 10_000, "product": 5_000, "order": 30_000, "payment": 30_000, "review": 25_000}


def scaled(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in COUNTS.items()}


def children_cpu() -> float:
    """CPU time of this process's finished children (the dataset's worker processes, joined at its end)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall time and CPU time of one step: this process's plus its worker processes' (CPU time is what
    neighbours on a shared machine disturb least; SQLite runs in this process, so its work counts)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time() + children_cpu()
        self._usage = usages()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() + children_cpu() - self.cpu
        # User and system CPU seconds of this process, then of its finished worker processes.
        self.split = [after - before for before, after in zip(self._usage, usages(), strict=True)]

    def split_text(self) -> str:
        own_user, own_sys, workers_user, workers_sys = self.split
        return (f"this process {own_user + own_sys:.2f} s (user {own_user:.2f}, sys {own_sys:.2f}), "
                f"workers {workers_user + workers_sys:.2f} s (user {workers_user:.2f}, sys {workers_sys:.2f})")


def usages() -> tuple[float, float, float, float]:
    """User and system CPU seconds of this process and of its finished children (see :class:`Clock`)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime, own.ru_stime, children.ru_utime, children.ru_stime


def rss_mb() -> float:
    """This process's peak resident size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Forget this process's peak resident size (Linux: ``/proc/self/clear_refs``), so that the next
    :func:`rss_mb` is the peak from now on. Without it the machine: line's million dicts, built before the
    dataset, would set a peak that the build never passes, and the growth would read 0 MB. Returns False
    where the platform cannot reset it (the growth printed is then a lower bound, and says so)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def reference_steps() -> tuple[float, float]:
    """CPU seconds of two fixed pure-Python steps: 20,000,000 additions in a loop (the interpreter's speed),
    and 1,000,000 small dicts built and read back in a shuffled order (the memory's: cache misses and
    allocations, as a dataset's build makes). Printed with the figures so that runs on different machines,
    or on one VM whose speed moves from session to session, can be compared; the ratios need no such help
    (the peer runs in the same run). On this project's VM the second moved by 2x or more between sessions
    while the first stayed put."""
    started = time.process_time()
    total = 0
    for i in range(20_000_000):
        total += i
    loop = time.process_time() - started
    started = time.process_time()
    rows: list[dict[str, Any]] = [{"id": i, "name": str(i), "value": i * 0.5} for i in range(1_000_000)]
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    read = 0.0
    for i in order:
        read += rows[i]["value"]
    del rows, order
    return loop, time.process_time() - started


def table_rows(path: Path) -> int:
    db = sqlite3.connect(path)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    total = sum(db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names)
    db.close()
    return int(total)


def host_steal() -> float | None:
    """Seconds the hypervisor took from this VM's CPUs since boot (Linux ``/proc/stat``'s steal column), or
    None where the platform does not say. A run during which it grows was slowed by the host's other guests,
    whatever this machine was doing."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, AttributeError):
        return None


def best(clocks: list[Clock]) -> Clock:
    """The round with the shortest wall time (the one the machine disturbed least)."""
    return min(clocks, key=lambda clock: clock.wall)


def ours(counts: dict[str, int], folder: Path, processes: int | None, alone: bool = True) -> dict[str, Any]:
    engine = Engine()
    # Warm up plans (orders enough that some are delivered), in this process: workers fork from it.
    generate_dataset(scaled(0.01), seed=0, engine=engine, processes=1)
    gc.collect()
    reset = reset_peak_rss()
    before = rss_mb()
    with Clock() as generated:
        dataset = generate_dataset(counts, seed=1, engine=engine, processes=processes)
    grown = rss_mb() - before
    assert dataset.valid, dataset.violations[:3]
    request = DatasetRequest.checked(counts, seed=1)
    plan = plan_dataset(request, engine.registry)
    target = folder / "ours-load.db"
    database = sqlite_engine(target)
    with Clock() as loaded:
        load_dataset(dataset, plan, database)
    database.dispose()
    rows = table_rows(target)
    streamed_target = folder / "ours-stream.db"
    database = sqlite_engine(streamed_target)
    with Clock() as streamed:
        # Kept past the clock, as the generated dataset above and factory_boy's objects below are: what is
        # timed is the call, not the freeing of the 100,000 records it returns (about 0.2 s of this process).
        streamed_dataset = build_into(engine, DatasetRequest.checked(counts, seed=2), database, processes=processes)
    database.dispose()
    del streamed_dataset
    records = sum(counts.values())
    used = max(m.details.get("processes", 1) for m in dataset.metadata.values())
    by_one = None
    if used > 1 and alone:
        # The same generation in this process alone: what the other processes add (their wall time saved,
        # the CPU time they cost on top). A design that made the processes wait or compete shows here.
        del dataset
        gc.collect()
        with Clock() as by_one:
            generate_dataset(counts, seed=1, engine=engine, processes=1)
    return {"records": records, "rows": rows, "generate": generated, "load": loaded, "stream": streamed,
            "rss_growth_mb": grown, "rss_reset": reset, "processes": used, "alone": by_one}



# -- the peer: factory_boy over SQLAlchemy models of the same tables ----------------------------------------

SESSION = scoped_session(sessionmaker())


class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "user"
    user_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(60))
    last_name: Mapped[str] = mapped_column(sa.String(60))
    phone: Mapped[str] = mapped_column(sa.String(30))
    loyalty_tier: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[dt.datetime]

class Address(Base):
    __tablename__ = "user_addresses"
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("user.user_id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    street: Mapped[str] = mapped_column(sa.String(120))
    city: Mapped[str] = mapped_column(sa.String(80))
    postal_code: Mapped[str] = mapped_column(sa.String(10))
    country: Mapped[str] = mapped_column(sa.String(2))

class Product(Base):
    __tablename__ = "product"
    product_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    sku: Mapped[str] = mapped_column(sa.String(9), unique=True)
    price: Mapped[float] = mapped_column(sa.Numeric(14, 2, asdecimal=False))
    category: Mapped[str] = mapped_column(sa.String(20))

class Order(Base):
    __tablename__ = "order"
    order_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("user.user_id"))
    status: Mapped[str] = mapped_column(sa.String(12))
    total: Mapped[float] = mapped_column(sa.Numeric(14, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[dt.datetime]

class OrderItem(Base):
    __tablename__ = "order_items"
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("order.order_id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[str] = mapped_column(sa.ForeignKey("product.product_id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    sku: Mapped[str] = mapped_column(sa.String(9))
    quantity: Mapped[int]
    unit_price: Mapped[float] = mapped_column(sa.Numeric(14, 2, asdecimal=False))

class Payment(Base):
    __tablename__ = "payment"
    payment_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("order.order_id"))
    amount: Mapped[float] = mapped_column(sa.Numeric(14, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[dt.datetime]

class Review(Base):
    __tablename__ = "review"
    review_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    product_id: Mapped[str] = mapped_column(sa.ForeignKey("product.product_id"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("user.user_id"))
    rating: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime]


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = User
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    user_id = factory.Faker("uuid4")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    phone = factory.Faker("phone_number")
    loyalty_tier = factory.Faker("random_element", elements=["bronze", "silver", "gold", "platinum"])
    created_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.timezone.utc)

class AddressFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = Address
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    user = factory.SubFactory(UserFactory)
    user_id = factory.SelfAttribute("user.user_id")
    position = 0
    street = factory.Faker("street_address")
    city = factory.Faker("city")
    postal_code = factory.Faker("postcode")
    country = "US"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("user", None)
        return super()._create(model_class, *args, **kwargs)

class ProductFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = Product
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    product_id = factory.Faker("uuid4")
    name = factory.Faker("catch_phrase")
    sku = factory.Sequence(lambda n: f"SKU{n:06d}")
    price = factory.Faker("pyfloat", min_value=1, max_value=999, right_digits=2)
    category = factory.Faker("random_element", elements=["electronics", "books", "home", "toys"])

class OrderFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = Order
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    order_id = factory.Faker("uuid4")
    customer = factory.SubFactory(UserFactory)
    customer_id = factory.SelfAttribute("customer.user_id")
    status = factory.Faker("random_element", elements=["paid", "shipped", "delivered", "refunded"])
    total = 0.0
    currency = "USD"
    created_at = factory.Faker("date_time_between", start_date="-2y", tzinfo=dt.timezone.utc)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("customer", None)
        return super()._create(model_class, *args, **kwargs)

class OrderItemFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = OrderItem
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    order_id = factory.SelfAttribute("order.order_id")
    product_id = factory.SelfAttribute("product.product_id")
    name = factory.SelfAttribute("product.name")
    sku = factory.SelfAttribute("product.sku")
    unit_price = factory.SelfAttribute("product.price")
    quantity = factory.Faker("random_int", min=1, max=3)
    position = 0

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("order", None)
        kwargs.pop("product", None)
        return super()._create(model_class, *args, **kwargs)

class PaymentFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = Payment
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    payment_id = factory.Faker("uuid4")
    order = factory.SubFactory(OrderFactory)
    order_id = factory.SelfAttribute("order.order_id")
    amount = factory.SelfAttribute("order.total")
    currency = factory.SelfAttribute("order.currency")
    status = "captured"
    created_at = factory.SelfAttribute("order.created_at")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("order", None)
        return super()._create(model_class, *args, **kwargs)

class ReviewFactory(factory.alchemy.SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        model = Review
        sqlalchemy_session = SESSION
        sqlalchemy_session_persistence = "flush"
    review_id = factory.Faker("uuid4")
    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)
    user_id = factory.SelfAttribute("user.user_id")
    product_id = factory.SelfAttribute("product.product_id")
    rating = factory.Faker("random_int", min=1, max=5)
    title = factory.Faker("sentence")
    body = factory.Faker("paragraph")
    created_at = factory.Faker("date_time_between", start_date="-1y", tzinfo=dt.timezone.utc)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("user", None)
        kwargs.pop("product", None)
        return super()._create(model_class, *args, **kwargs)


def factory_boy_graph(counts: dict[str, int], folder: Path) -> dict[str, Any]:
    """The same graph with factory_boy's SQLAlchemyModelFactory and SubFactory (see the module docstring)."""
    target = folder / "factory_boy.db"
    engine = sa.create_engine(f"sqlite:///{target}")

    def connect(dbapi_connection: Any, record: Any) -> None:
        # The same database settings as ours (sqlite_engine's test PRAGMAs), so only the building differs.
        for pragma in ("PRAGMA foreign_keys=ON", *TEST_PRAGMAS):
            dbapi_connection.execute(pragma)
    sa.event.listen(engine, "connect", connect)
    Base.metadata.create_all(engine)
    SESSION.configure(bind=engine)
    session = SESSION()
    factory.random.reseed_random(1)
    rng = random.Random(1)
    clock = Clock()
    clock.__enter__()
    users = [UserFactory() for _ in range(counts["user"])]
    for user in users:
        AddressFactory(user=user)
    products = [ProductFactory() for _ in range(counts["product"])]
    bought = []
    orders = []
    for _ in range(counts["order"]):
        customer = rng.choice(users)
        order = OrderFactory(customer=customer)
        total = 0.0
        for position, product in enumerate(rng.sample(products, rng.randint(1, 3))):
            item = OrderItemFactory(order=order, product=product, position=position)
            total += item.quantity * item.unit_price
            bought.append((customer, product))
        order.total = round(total, 2)
        orders.append(order)
    for order in orders[:counts["payment"]]:
        PaymentFactory(order=order)
    for _ in range(counts["review"]):
        user, product = rng.choice(bought)
        ReviewFactory(user=user, product=product)
    session.commit()
    clock.__exit__(None, None, None)
    SESSION.remove()
    engine.dispose()
    return {"rows": table_rows(target), "seconds": clock}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1/50 of the size, peer at the same scale")
    parser.add_argument("--peer-scale", type=float, default=None, help="factory_boy's share of the size (0.1)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, each ours then factory_boy; each step's best round is kept (default 3)")
    parser.add_argument("--processes", type=int, default=None,
                        help="processes building the large entities, this one included (default: one per core; "
                             "1: this one alone)")
    args = parser.parse_args(argv)
    scale = 0.02 if args.quick else 1.0
    peer_scale = args.peer_scale if args.peer_scale is not None else (scale if args.quick else 0.1)
    counts = scaled(scale)
    if args.rounds < 1:
        parser.error(f"--rounds: expected a whole number from 1 (each round runs every step once), got {args.rounds}")
    rounds = args.rounds
    loop, memory = reference_steps()
    stolen = host_steal()
    runs, peers = [], []
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as tmp:
        for number in range(rounds):  # interleaved, so that a slow spell of the machine hits both sides
            folder = Path(tmp) / f"round-{number}"
            folder.mkdir()
            runs.append(ours(counts, folder, args.processes, alone=number == rounds - 1))
            peers.append(factory_boy_graph(scaled(peer_scale), folder))
    after = host_steal()
    mine = dict(runs[0])
    for step in ("generate", "load", "stream"):
        mine[step] = best([run[step] for run in runs])
    mine["alone"] = runs[-1]["alone"]
    peer = {"rows": peers[0]["rows"], "seconds": best([p["seconds"] for p in peers])}
    records, rows = mine["records"], mine["rows"]
    peer_rows = peer["rows"]
    steps = [("generate + validate + score (records)", mine["generate"], records),
             *([("  the same in one process (records)", mine["alone"], records)] if mine["alone"] else []),
             ("load into SQLite (table rows)", mine["load"], rows),
             ("  the same load counted by records", mine["load"], records),
             ("generate + load, streamed (table rows)", mine["stream"], rows),
             (f"factory_boy SubFactory graph x{peer_scale:g} (rows)", peer["seconds"], peer_rows)]
    print(f"dataset: {', '.join(f'{n:,} {e}' for e, n in counts.items())} = {records:,} records, "
          f"{rows:,} table rows in SQLite (with order items and user addresses); "
          f"{mine['processes']} process(es) for the large entities, {available_cores()} core(s)")
    print(f"best of {rounds} round(s) per step, each round ours then factory_boy" + (
        f"; the host took {after - stolen:.2f} s of CPU from this VM during the run (steal)"
        if stolen is not None and after is not None else ""))
    print(f"{'step':<44}{'wall s':>8}{'per s (wall)':>14}{'cpu s':>8}{'per s (cpu)':>13}")
    for name, clock, n in steps:
        print(f"{name:<44}{clock.wall:>8.2f}{n / clock.wall:>14,.0f}{clock.cpu:>8.2f}{n / clock.cpu:>13,.0f}")
    print(f"generate, cpu: {mine['generate'].split_text()}")
    if mine["alone"]:
        many, one = mine["generate"], mine["alone"]
        print(f"generate, {mine['processes']} processes against one: {one.wall / many.wall:.2f}x as fast (wall), "
              f"{many.cpu / one.cpu:.2f}x the CPU time")
    stream, fb = mine["stream"], peer["seconds"]
    print(f"ratio, ours streamed vs factory_boy (rows per second): {(rows / stream.wall) / (peer_rows / fb.wall):.1f}x "
          f"wall, {(rows / stream.cpu) / (peer_rows / fb.cpu):.1f}x cpu")
    print(f"machine: 20,000,000 Python additions {loop:.2f} s of CPU, 1,000,000 dicts built and read shuffled "
          f"{memory:.2f} s (compare runs on different machines by these)")
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bound = "" if mine["rss_reset"] else " (at least: this platform cannot reset the peak left by the machine: line)"
    print(f"memory: peak RSS grew {mine['rss_growth_mb']:.0f} MB while generating{bound} "
          f"({mine['rss_growth_mb'] * 1000 / records:.2f} MB per 1,000 records); largest worker process's "
          f"peak {worker_peak:.0f} MB (pages shared with this process included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
