"""Records per second of the traditional strategy against the libraries our users would otherwise use.

    python benchmarks/bench_traditional.py            # 10,000 carts and 10,000 users, best of 3 rounds
    python benchmarks/bench_traditional.py --quick    # a smoke run: 500 records, one round

Every contender builds the same two record shapes, seeded, as plain JSON-compatible dicts:

* cart: cart_id, customer_id, 1-8 items (product_id, sku, name, quantity, unit_price), subtotal, tax and
  total computed from the items, currency, created_at <= updated_at (ISO 8601 strings);
* user: user_id, email built from the name, first_name, last_name, phone, 1-3 addresses (street, city,
  state, postal_code, country), loyalty_tier, created_at <= updated_at.

Contenders: our engine on the full path (generation + constraint validation + coherence scoring of every
record), our generator alone, plain Faker, factory_boy + Faker, polyfactory (pydantic models) and mimesis.
All are measured in the same run, in interleaved rounds, and the best round of each is kept, so a loaded
machine slows all of them alike: the ratios are the figures to read, not the absolute rates.

The second table is what a ``testdata(...)`` fixture call costs on top of the generation: the median
per-call time of ``TestdataFactory.result`` (request checking, seed derivation) against
``Engine.generate`` (routing, cache key and store, validation, scoring, metadata), and of
``Engine.generate`` against the generator alone, for one record. The engine is built as the plugin builds
it (no result cache unless Redis is configured, run statistics); the throughput table uses a bare engine, so it measures
generation, validation and scoring only (the cache has its own benchmark, bench_cache.py).

The peers need the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import string
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from pytest_testdata.cache import build_cache
from pytest_testdata.engine import Engine
from pytest_testdata.fixture import TestdataFactory
from pytest_testdata.report import RunStats
from pytest_testdata.types import GenerationRequest

Record = dict[str, Any]
Make = Callable[[int, int], list[Record]]
"""Builds ``n`` records from a seed."""

ENTITIES = ("cart", "user")
CART_FIELDS = {"cart_id", "customer_id", "items", "subtotal", "tax", "total", "currency", "created_at",
               "updated_at"}
USER_FIELDS = {"user_id", "email", "first_name", "last_name", "phone", "addresses", "loyalty_tier",
               "created_at", "updated_at"}
FIELDS = {"cart": CART_FIELDS, "user": USER_FIELDS}
TIERS = ("bronze", "silver", "gold", "platinum")
CURRENCIES = ("USD", "EUR", "GBP", "CAD")
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
END = datetime(2026, 1, 1, tzinfo=timezone.utc)
ISO = "%Y-%m-%dT%H:%M:%SZ"


def _totals(items: list[Record], rate: float) -> tuple[float, float, float]:
    subtotal = round(sum(i["quantity"] * i["unit_price"] for i in items), 2)
    tax = round(subtotal * rate, 2)
    return subtotal, tax, round(subtotal + tax, 2)


# -- ours ---------------------------------------------------------------------------------------------

def ours_full(entity: str) -> Make:
    engine = Engine()

    def make(n: int, seed: int) -> list[Record]:
        request = GenerationRequest.checked(entity, n, strategy="traditional", seed=seed)
        return engine.generate(request).records
    return make


def ours_generator(entity: str) -> Make:
    engine = Engine()
    generator = engine.generator("traditional")
    schema = engine.registry.get(entity)

    def make(n: int, seed: int) -> list[Record]:
        request = GenerationRequest.checked(entity, n, strategy="traditional", seed=seed)
        return generator.generate(request, schema, seed).records
    return make


# -- plain Faker ----------------------------------------------------------------------------------------

def plain_faker(entity: str) -> Make:
    from faker import Faker

    fake = Faker("en_US")

    def address() -> Record:
        return {"street": fake.street_address(), "city": fake.city(), "state": fake.state_abbr(),
                "postal_code": fake.postcode(), "country": "US"}

    def user() -> Record:
        first, last = fake.first_name(), fake.last_name()
        created = fake.date_time_between(START, END, tzinfo=timezone.utc)
        updated = created + timedelta(seconds=fake.random_int(60, 14 * 86_400))
        return {
            "user_id": fake.uuid4(),
            "email": f"{first}.{last}{fake.random_int(1, 9999)}@{fake.free_email_domain()}".lower(),
            "first_name": first, "last_name": last, "phone": fake.phone_number(),
            "addresses": [address() for _ in range(fake.random_int(1, 3))],
            "loyalty_tier": fake.random_element(TIERS),
            "created_at": created.strftime(ISO), "updated_at": updated.strftime(ISO),
        }

    def item() -> Record:
        return {"product_id": fake.uuid4(), "sku": fake.bothify("???-#####", letters=string.ascii_uppercase),
                "name": " ".join(fake.words(2)).title(), "quantity": fake.random_int(1, 10),
                "unit_price": fake.pyfloat(min_value=0.5, max_value=999.99, right_digits=2)}

    def cart() -> Record:
        items = [item() for _ in range(fake.random_int(1, 8))]
        subtotal, tax, total = _totals(items, fake.random.uniform(0, 0.25))
        created = fake.date_time_between(START, END, tzinfo=timezone.utc)
        updated = created + timedelta(seconds=fake.random_int(60, 14 * 86_400))
        return {"cart_id": fake.uuid4(), "customer_id": fake.uuid4(), "items": items, "subtotal": subtotal,
                "tax": tax, "total": total, "currency": fake.random_element(CURRENCIES),
                "created_at": created.strftime(ISO), "updated_at": updated.strftime(ISO)}

    build = cart if entity == "cart" else user

    def make(n: int, seed: int) -> list[Record]:
        fake.seed_instance(seed)
        return [build() for _ in range(n)]
    return make


# -- factory_boy + Faker --------------------------------------------------------------------------------

def factory_boy(entity: str) -> Make:
    import factory
    import factory.random

    def ts(name: str) -> Any:
        return factory.LazyAttribute(lambda o: getattr(o, name).strftime(ISO))

    class AddressFactory(factory.DictFactory):
        street = factory.Faker("street_address")
        city = factory.Faker("city")
        state = factory.Faker("state_abbr")
        postal_code = factory.Faker("postcode")
        country = "US"

    class UserFactory(factory.DictFactory):
        class Meta:
            exclude = ("created", "updated")

        created = factory.Faker("date_time_between", start_date=START, end_date=END, tzinfo=timezone.utc)
        updated = factory.LazyAttribute(
            lambda o: o.created + timedelta(seconds=factory.random.randgen.randint(60, 14 * 86_400)))
        user_id = factory.Faker("uuid4")
        first_name = factory.Faker("first_name")
        last_name = factory.Faker("last_name")
        email = factory.LazyAttribute(lambda o: (
            f"{o.first_name}.{o.last_name}{factory.random.randgen.randint(1, 9999)}@example.com".lower()))
        phone = factory.Faker("phone_number")
        addresses = factory.LazyFunction(
            lambda: AddressFactory.build_batch(factory.random.randgen.randint(1, 3)))
        loyalty_tier = factory.Faker("random_element", elements=TIERS)
        created_at = ts("created")
        updated_at = ts("updated")

    class ItemFactory(factory.DictFactory):
        product_id = factory.Faker("uuid4")
        sku = factory.Faker("bothify", text="???-#####", letters=string.ascii_uppercase)
        name = factory.LazyFunction(lambda: " ".join(factory.Faker._get_faker().words(2)).title())
        quantity = factory.Faker("random_int", min=1, max=10)
        unit_price = factory.Faker("pyfloat", min_value=0.5, max_value=999.99, right_digits=2)

    class CartFactory(factory.DictFactory):
        class Meta:
            exclude = ("created", "updated", "rate")

        rate = factory.LazyFunction(lambda: factory.random.randgen.uniform(0, 0.25))
        created = factory.Faker("date_time_between", start_date=START, end_date=END, tzinfo=timezone.utc)
        updated = factory.LazyAttribute(
            lambda o: o.created + timedelta(seconds=factory.random.randgen.randint(60, 14 * 86_400)))
        cart_id = factory.Faker("uuid4")
        customer_id = factory.Faker("uuid4")
        items = factory.LazyFunction(lambda: ItemFactory.build_batch(factory.random.randgen.randint(1, 8)))
        subtotal = factory.LazyAttribute(lambda o: _totals(o.items, o.rate)[0])
        tax = factory.LazyAttribute(lambda o: _totals(o.items, o.rate)[1])
        total = factory.LazyAttribute(lambda o: _totals(o.items, o.rate)[2])
        currency = factory.Faker("random_element", elements=CURRENCIES)
        created_at = ts("created")
        updated_at = ts("updated")

    target = CartFactory if entity == "cart" else UserFactory

    def make(n: int, seed: int) -> list[Record]:
        factory.random.reseed_random(seed)
        return list(target.build_batch(n))
    return make


# -- polyfactory (pydantic models) ---------------------------------------------------------------------

def polyfactory(entity: str) -> Make:
    from typing import Literal

    from faker import Faker
    from polyfactory import PostGenerated, Use
    from polyfactory.factories.pydantic_factory import ModelFactory
    from pydantic import BaseModel, Field

    fake = Faker("en_US")
    rnd = random.Random()

    class Address(BaseModel):
        street: str
        city: str
        state: str
        postal_code: str
        country: str

    class User(BaseModel):
        user_id: uuid.UUID
        email: str
        first_name: str
        last_name: str
        phone: str
        addresses: list[Address] = Field(min_length=1, max_length=3)
        loyalty_tier: Literal["bronze", "silver", "gold", "platinum"]
        created_at: datetime
        updated_at: datetime

    class Item(BaseModel):
        product_id: uuid.UUID
        sku: str
        name: str
        quantity: int = Field(ge=1, le=10)
        unit_price: float = Field(ge=0.5, le=999.99)

    class Cart(BaseModel):
        cart_id: uuid.UUID
        customer_id: uuid.UUID
        items: list[Item] = Field(min_length=1, max_length=8)
        subtotal: float
        tax: float
        total: float
        currency: Literal["USD", "EUR", "GBP", "CAD"]
        created_at: datetime
        updated_at: datetime

    def later(name: str, values: dict[str, Any]) -> datetime:
        return values["created_at"] + timedelta(seconds=rnd.randint(60, 14 * 86_400))

    class AddressFactory(ModelFactory[Address]):
        __faker__ = fake
        street = Use(fake.street_address)
        city = Use(fake.city)
        state = Use(fake.state_abbr)
        postal_code = Use(fake.postcode)
        country = "US"

    class UserFactory(ModelFactory[User]):
        __faker__ = fake
        first_name = Use(fake.first_name)
        last_name = Use(fake.last_name)
        email = PostGenerated(lambda name, v: f"{v['first_name']}.{v['last_name']}{rnd.randint(1, 9999)}"
                                              f"@example.com".lower())
        phone = Use(fake.phone_number)
        addresses = Use(lambda: AddressFactory.batch(rnd.randint(1, 3)))
        created_at = Use(fake.date_time_between, START, END, timezone.utc)
        updated_at = PostGenerated(later)

    class ItemFactory(ModelFactory[Item]):
        __faker__ = fake
        sku = Use(fake.bothify, "???-#####", string.ascii_uppercase)
        name = Use(lambda: " ".join(fake.words(2)).title())
        unit_price = Use(lambda: round(rnd.uniform(0.5, 999.99), 2))

    class CartFactory(ModelFactory[Cart]):
        __faker__ = fake
        items = Use(lambda: ItemFactory.batch(rnd.randint(1, 8)))
        subtotal = PostGenerated(lambda name, v: round(sum(i.quantity * i.unit_price for i in v["items"]), 2))
        tax = PostGenerated(lambda name, v: round(v["subtotal"] * rnd.uniform(0, 0.25), 2))
        total = PostGenerated(lambda name, v: round(v["subtotal"] + v["tax"], 2))
        created_at = Use(fake.date_time_between, START, END, timezone.utc)
        updated_at = PostGenerated(later)

    target = CartFactory if entity == "cart" else UserFactory

    def make(n: int, seed: int) -> list[Record]:
        for f in (AddressFactory, UserFactory, ItemFactory, CartFactory):
            f.seed_random(seed)  # seeds the shared Faker and polyfactory's own random
        rnd.seed(seed)
        return [m.model_dump(mode="json") for m in target.batch(n)]
    return make


# -- mimesis ----------------------------------------------------------------------------------------------

def mimesis(entity: str) -> Make:
    from mimesis import Address, Cryptographic, Datetime, Person
    from mimesis.locales import Locale
    from mimesis.random import Random as MimesisRandom

    rnd = MimesisRandom()
    person = Person(Locale.EN, random=rnd)
    address = Address(Locale.EN, random=rnd)
    crypto = Cryptographic(random=rnd)
    dt = Datetime(Locale.EN, random=rnd)
    words = ("Classic", "Compact", "Eco", "Smart", "Ultra", "Speaker", "Lamp", "Kettle", "Backpack", "Mug")

    def stamps() -> tuple[str, str]:
        created = dt.datetime(2024, 2025)
        updated = created + timedelta(seconds=rnd.randint(60, 14 * 86_400))
        return created.strftime(ISO), updated.strftime(ISO)

    def user() -> Record:
        first, last = person.first_name(), person.last_name()
        created, updated = stamps()
        return {
            "user_id": crypto.uuid(), "email": f"{first}.{last}{rnd.randint(1, 9999)}@example.com".lower(),
            "first_name": first, "last_name": last, "phone": person.phone_number(),
            "addresses": [{"street": address.address(), "city": address.city(),
                           "state": address.state(abbr=True), "postal_code": address.postal_code(),
                           "country": "US"}
                          for _ in range(rnd.randint(1, 3))],
            "loyalty_tier": rnd.choice(TIERS), "created_at": created, "updated_at": updated,
        }

    def cart() -> Record:
        items = [{"product_id": crypto.uuid(), "sku": rnd.generate_string_by_mask("@@@-#####"),
                  "name": f"{rnd.choice(words)} {rnd.choice(words)}", "quantity": rnd.randint(1, 10),
                  "unit_price": rnd.uniform(0.5, 999.99, 2)} for _ in range(rnd.randint(1, 8))]
        subtotal, tax, total = _totals(items, rnd.uniform(0, 0.25))
        created, updated = stamps()
        return {"cart_id": crypto.uuid(), "customer_id": crypto.uuid(), "items": items, "subtotal": subtotal,
                "tax": tax, "total": total, "currency": rnd.choice(CURRENCIES), "created_at": created,
                "updated_at": updated}

    build = cart if entity == "cart" else user

    def make(n: int, seed: int) -> list[Record]:
        rnd.seed(seed)
        return [build() for _ in range(n)]
    return make


CONTENDERS: dict[str, Callable[[str], Make]] = {
    "ours (full path)": ours_full,
    "ours (generation only)": ours_generator,
    "plain Faker": plain_faker,
    "factory_boy + Faker": factory_boy,
    "polyfactory": polyfactory,
    "mimesis": mimesis,
}
OURS = ("ours (full path)", "ours (generation only)")
CLOCK = time.process_time
"""CPU time of this process: on a shared machine, wall time mostly measures the neighbours. Every
contender is single-threaded and CPU-bound, so CPU seconds are the seconds it needs. ``--wall`` switches."""


def check_shape(name: str, entity: str, records: list[Record], n: int) -> None:
    """Every contender must build the same fields, or its rate means nothing."""
    if len(records) != n or set(records[0]) != FIELDS[entity]:
        raise SystemExit(f"{name} built {len(records)} {entity} records with fields {sorted(records[0])}; "
                         f"expected {n} with {sorted(FIELDS[entity])}")


def measure_rates(n: int, rounds: int) -> dict[str, dict[str, float]]:
    """Best records/second of each contender for each entity over interleaved rounds."""
    makers: dict[tuple[str, str], Make] = {}
    for entity in ENTITIES:
        for name, setup in CONTENDERS.items():
            make = setup(entity)
            make(20, 1)  # warm-up: our pools, Faker's providers, pydantic's validators are built once
            makers[(entity, name)] = make
    best: dict[str, dict[str, float]] = {e: {} for e in ENTITIES}
    for r in range(rounds):
        for i, ((entity, name), make) in enumerate(makers.items()):
            # A fresh seed for every contender and round: a repeated seed would replay emails our
            # uniqueness tracker already handed out, and the redraws would be measured instead.
            seed = 10_000 * (r + 1) + i
            gc.collect()
            started = CLOCK()
            records = make(n, seed)
            elapsed = CLOCK() - started
            check_shape(name, entity, records, n)
            best[entity][name] = max(best[entity].get(name, 0.0), n / elapsed)
            if sys.stderr.isatty():  # progress for a person watching; the table is the output
                print(f"  round {r + 1}/{rounds} {entity:<4} {name:<24} {n / elapsed:>10,.0f} records/s",
                      file=sys.stderr)
    return best


def measure_overhead(entity: str, calls: int) -> dict[str, float]:
    """Median microseconds per one-record call: fixture factory, engine, generator alone."""
    # The engine as the plugin builds it: no result cache without Redis (per-call seeds never repeat, so
    # the plugin keeps none) and the run-statistics listener.
    engine = Engine(cache=build_cache({}, memory_by_default=False))
    engine.listeners.append(RunStats())
    generator = engine.generator("traditional")
    schema = engine.registry.get(entity)
    defaults = {"strategy": "auto"}  # the plugin's default call settings
    # Distinct seeds for each path: the same seed twice would collide with already-claimed unique values.
    engine_requests = [GenerationRequest.checked(entity, 1, seed=10**6 + i, **defaults) for i in range(calls)]
    gen_requests = [GenerationRequest.checked(entity, 1, seed=2 * 10**6 + i, **defaults)
                    for i in range(calls)]
    for i in range(50):  # warm-up
        engine.generate(GenerationRequest.checked(entity, 1, seed=3 * 10**6 + i, **defaults))
    timings: dict[str, list[float]] = {"fixture": [], "engine": [], "generator": []}
    clock = time.perf_counter_ns if CLOCK is time.perf_counter else time.process_time_ns
    factory = TestdataFactory(lambda: engine, seed=4242, defaults=defaults)
    gc.collect()
    for i in range(calls):
        if i % 100 == 0:  # a test makes a handful of calls, not thousands: start a new "test" now and then
            factory = TestdataFactory(lambda: engine, seed=4242 + i, defaults=defaults)
        t0 = clock()
        factory.result(entity)
        t1 = clock()
        engine.generate(engine_requests[i])
        t2 = clock()
        generator.generate(gen_requests[i], schema, gen_requests[i].seed or 0)
        t3 = clock()
        timings["fixture"].append((t1 - t0) / 1000)
        timings["engine"].append((t2 - t1) / 1000)
        timings["generator"].append((t3 - t2) / 1000)
    return {k: statistics.median(v) for k, v in timings.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 records, one round")
    parser.add_argument("-n", type=int, default=None, help="records per entity and round (default 10000)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds; the best is kept (default 3)")
    parser.add_argument("--wall", action="store_true", help="measure wall-clock time instead of CPU time")
    args = parser.parse_args(argv)
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    n = args.n or (500 if args.quick else 10_000)
    rounds = args.rounds or (1 if args.quick else 3)
    calls = 300 if args.quick else 3_000

    print(f"pytest-testdata traditional benchmark: {n:,} records per entity, best of {rounds} round(s), "
          f"{'wall-clock' if args.wall else 'CPU'} time, Python {sys.version.split()[0]}")
    started = time.perf_counter()
    rates = measure_rates(n, rounds)
    print()
    print(f"{'contender':<24} {'carts/s':>10} {'users/s':>10}  {'ours full / it':>22}  {'ours gen / it':>22}")
    print(f"{'':<24} {'':>10} {'':>10}  {'carts':>10} {'users':>11}  {'carts':>10} {'users':>11}")
    for name in CONTENDERS:
        cells = [f"{rates[e][name]:>10,.0f}" for e in ENTITIES]
        full = [f"{rates[e][OURS[0]] / rates[e][name]:>10.2f}x" for e in ENTITIES]
        gen = [f"{rates[e][OURS[1]] / rates[e][name]:>10.2f}x" for e in ENTITIES]
        print(f"{name:<24} {' '.join(cells)}  {full[0]} {full[1]}  {gen[0]} {gen[1]}")

    print()
    print(f"fixture-call overhead, one record, median of {calls:,} calls (microseconds; the engine has the "
          "plugin's defaults: no result cache without Redis)")
    print(f"{'entity':<6} {'generator':>10} {'engine':>10} {'fixture':>10}  {'engine - gen':>13} "
          f"{'fixture - engine':>17} {'fixture - gen':>14}")
    for entity in ENTITIES:
        o = measure_overhead(entity, calls)
        print(f"{entity:<6} {o['generator']:>10.1f} {o['engine']:>10.1f} {o['fixture']:>10.1f}  "
              f"{o['engine'] - o['generator']:>13.1f} {o['fixture'] - o['engine']:>17.1f} "
              f"{o['fixture'] - o['generator']:>14.1f}")
    print(f"\n(total {time.perf_counter() - started:.0f} s; the machine may be shared: compare ratios, "
          "not absolute rates)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
