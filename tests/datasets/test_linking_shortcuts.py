"""A chunk's linking written out (the dated field moved from the epoch already read, a review's purchase
dated inline, a list extended with inline draws) against the general steps: the same records, the same draws,
the same errors, on records of every shape (timestamps the tables read, odd ones, missing ones)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.cardinality import Cardinality, list_length
from pytest_testdata.datasets.chunks import _resize
from pytest_testdata.datasets.coherence import AfterRef, PurchasedBefore, RecordIndex, SameAsRef
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.rule_base import _seconds_between
from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.fastrand import between
from pytest_testdata.generators.traditional.timestamps import shift, shift_fields

COUNTS = {"user": 60, "product": 40, "order": 180, "payment": 180, "review": 150}
ODD = ["2020-01-01T00:00:00Z", "1950-01-01T00:00:00Z", "2040-06-01T00:00:00Z", "2020-02-29T12:00:00+00:00",
       "2025-03-04T05:06:07.5Z", "2025-03-04T25:06:07Z", None, 3, "x"]
MOVES = [None, ["updated_at", "created_at"], ["created_at", "created_at"], ["updated_at"], [],
         ["paid_at", "created_at", "updated_at"], ["created_at"]]
"""The rules' own moves (None), and others: the dated field last, twice, absent, alone, in the middle."""


@pytest.fixture(scope="module")
def built() -> tuple[Any, Any, RecordIndex]:
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    shop = generate_dataset(COUNTS, seed=7, processes=1)
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, shop[entity], plan.keys[entity])
    return plan, shop, index


def _damaged_times(records: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Copies with some timestamps moved (formatted here: the tables read them) or made odd (the long way)."""
    out = copy.deepcopy(records)
    for record in out:
        for name in ("created_at", "updated_at", "paid_at"):
            if name in record and rng.random() < 0.3:
                stamp = record[name]
                moved = [shift(stamp, -rng.randint(3_600, 400 * 86_400))] \
                    if isinstance(stamp, str) and stamp[:4].isdigit() else []
                record[name] = rng.choice(ODD + moved * 8)
    return out


def _outcome(call: Callable[..., Any], *args: Any) -> str:
    try:
        call(*args)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_an_after_ref_enforcer_moves_timestamps_as_enforce_does_whatever_the_moves(built) -> None:
    # The enforcer writes the dated field (created_at) from the referenced time it read plus the delay, and
    # shifts the moves before and after it: for the field anywhere in the moves, twice or not at all, the
    # same records, draws and errors as enforce (which shifts every move the general way).
    plan, shop, index = built
    moved = 0
    for entity in ("order", "payment"):
        for rule in plan.rules[entity]:
            if not isinstance(rule, AfterRef):
                continue
            for moves in MOVES:
                variant = copy.copy(rule)
                if moves is not None:
                    variant.moves = moves
                records = _damaged_times(shop[entity], random.Random(f"{rule.id}{moves}"))
                plain, fast = copy.deepcopy(records), copy.deepcopy(records)
                plain_rng, fast_rng = random.Random(3), random.Random(3)
                enforce = variant.enforcer(index)
                for a, b in zip(plain, fast, strict=True):
                    assert _outcome(variant.enforce, a, index, plain_rng) == _outcome(enforce, b, fast_rng), rule.id
                assert fast == plain, (rule.id, moves)
                assert fast_rng.random() == plain_rng.random(), (rule.id, moves)
                moved += sum(a != b for a, b in zip(plain, records, strict=True))
    assert moved > 200  # the enforcers moved records (else the comparison proves nothing)


def _assign_by_the_general_steps(rule: PurchasedBefore, record: dict[str, Any], index: RecordIndex,
                                 rng: random.Random, pair: tuple[Any, Any]) -> None:
    """What assign did before it was written out: between, _seconds_between, shift_fields."""
    buyer, item = pair
    record[rule.buyer], record[rule.item] = buyer, item
    if rule.flag:
        record[str(rule.flag)] = True
    mine, when = record.get(rule.time), rule._purchases(index).earliest[(buyer, item)]
    if isinstance(mine, str):
        delay = between(rng, rule.min_delay, rule.max_delay)
        shift_fields(record, rule.moves, _seconds_between(mine, when) + delay)


def test_a_purchase_dates_a_review_as_the_general_steps_do(built) -> None:
    # assign reads both times with the tables, draws the delay inline and writes the dated field from the
    # purchase's epoch: on reviews with odd times, purchases with odd times, and moves of every shape, the
    # same records, draws and errors as the general steps.
    plan, shop, index = built
    (rule,) = [r for r in plan.rules["review"] if isinstance(r, PurchasedBefore)]
    key = rule.purchases_key
    rng = random.Random(5)
    earliest = dict(rule._purchases(index).earliest)
    for pair in list(earliest)[::7]:
        earliest[pair] = rng.choice([*ODD[:6], shift(earliest[pair], rng.randint(-10**6, 10**6))])
    odd_index = RecordIndex.of_tables({}, {key: earliest})
    moved = together = 0
    for moves in MOVES:
        variant = copy.copy(rule)
        if moves is not None:
            variant.moves = moves
        for where in (index, odd_index):
            records = _damaged_times(shop["review"], random.Random(str(moves)))
            pairs = variant.pairs_for(len(records), where, random.Random(1))
            plain, fast = copy.deepcopy(records), copy.deepcopy(records)
            plain_rng, fast_rng = random.Random(3), random.Random(3)
            for a, b, pair in zip(plain, fast, pairs, strict=True):
                assert _outcome(_assign_by_the_general_steps, variant, a, where, plain_rng, pair) == \
                    _outcome(variant.assign, [b], where, fast_rng, [pair]), moves
            assert fast == plain, moves
            assert fast_rng.random() == plain_rng.random(), moves
            moved += sum(a != b for a, b in zip(plain, records, strict=True))
            # the records none of which raises, in one call (a purchase's time read once serves the next
            # review of the same order)
            fine = [(r, pair) for r, pair in zip(records, pairs, strict=True)
                    if _outcome(_assign_by_the_general_steps, variant, copy.deepcopy(r), where, random.Random(0),
                                pair) == "ok"]
            plain, fast = [copy.deepcopy(r) for r, _ in fine], [copy.deepcopy(r) for r, _ in fine]
            plain_rng, fast_rng = random.Random(4), random.Random(4)
            for a, (_, pair) in zip(plain, fine, strict=True):
                _assign_by_the_general_steps(variant, a, where, plain_rng, pair)
            variant.assign(fast, where, fast_rng, [pair for _, pair in fine])
            assert fast == plain and fast_rng.random() == plain_rng.random(), moves
            together += len(fine)
    assert moved > 1_000 and together > 1_000


def test_a_chunk_extends_a_list_with_the_items_randrange_picks() -> None:
    # _resize draws the item a longer list copies with getrandbits inline (randrange's draws): lists of one
    # to three items, lengthened and shortened, are the lists list_length and randrange give.
    for card in (Cardinality(1, 8, 2.5), Cardinality(0, None, 3.0), Cardinality(1, 9, 3.0, "even")):
        records: list[dict[str, Any]] = [{"items": [{"n": i, "k": j} for j in range(1 + i % 3)]} for i in range(600)]
        theirs_records = copy.deepcopy(records)
        rng, theirs = random.Random(3), random.Random(3)
        _resize(records, "items", card, rng)
        for record in theirs_records:
            n, items = list_length(card, theirs), record["items"]
            del items[n:]
            while len(items) < n:
                items.append(dict(items[theirs.randrange(len(items))]))
        assert records == theirs_records
        assert rng.random() == theirs.random()
        assert sum(len(r["items"]) > 3 for r in records) > 50  # lists were lengthened


def test_an_address_copied_twice_is_two_copies_of_the_customers(built) -> None:
    # enforce_all reads the customer's first address once for the shipping and the billing address and copies
    # it for each (a flat dict: dict.copy, as clone does): equal values, three distinct objects.
    plan, shop, index = built
    (rule,) = [r for r in plan.rules["order"] if isinstance(r, SameAsRef) and r.array is None]
    records = copy.deepcopy(shop["order"])
    rule.enforce_all(records, index)
    customers = index.table(*rule.target)
    for record in records:
        address = customers[record["customer_id"]]["addresses"][0]
        assert record["shipping_address"] == address == record["billing_address"]
        assert record["shipping_address"] is not address and record["billing_address"] is not address
        assert record["shipping_address"] is not record["billing_address"]


def test_the_dated_field_lands_on_a_day_the_tables_do_not_hold_as_format_ts_writes_it() -> None:
    # The enforcer and assign write the dated field's text from the day's table, and through format_ts when
    # the day is not in it (never formatted, or past the cached years): referenced times at the end of the
    # cached days, moved a few hours to thirty days on, are written as enforce and the general steps write them.
    from pytest_testdata.generators.traditional.timestamps import _CACHED_DAYS, _day_text, format_ts

    last = _CACHED_DAYS[-1]
    for day in range(last - 3, last + 1):
        _day_text(day)  # (the referenced times' days are read by the tables; the days after them are not)
    spec = {"name": "late", "kind": "after_ref", "ref": "customer_id", "field": "created_at", "after": "created_at",
            "min_seconds": 60, "max_seconds": 40 * 86_400}
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    rule = AfterRef("order", spec, plan.rules["order"][0].schema)
    rng = random.Random(9)
    parents = {f"u{i}": {"created_at": format_ts((last - 3) * 86_400 + rng.randrange(4 * 86_400))} for i in range(300)}
    index = RecordIndex.of_tables({("user", "user_id"): parents}, {})
    records = [{"customer_id": f"u{i}", "created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-03T03:04:05Z"}
               for i in range(300)]
    plain, fast = copy.deepcopy(records), copy.deepcopy(records)
    plain_rng, fast_rng = random.Random(2), random.Random(2)
    enforce = rule.enforcer(index)
    for a, b in zip(plain, fast, strict=True):
        rule.enforce(a, index, plain_rng)
        enforce(b, fast_rng)
    assert fast == plain and fast_rng.random() == plain_rng.random()
    assert sum(r["created_at"][:10] > format_ts(last * 86_400)[:10] for r in fast) > 100  # past the tables

    (review_rule,) = [r for r in plan.rules["review"] if isinstance(r, PurchasedBefore)]
    pairs = [(f"u{i}", f"p{i}") for i in range(300)]
    earliest = {pair: parents[pair[0]]["created_at"] for pair in pairs}
    where = RecordIndex.of_tables({}, {review_rule.purchases_key: earliest})
    reviews = [{"created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-03T03:04:05Z"} for _ in pairs]
    plain, fast = copy.deepcopy(reviews), copy.deepcopy(reviews)
    plain_rng, fast_rng = random.Random(2), random.Random(2)
    for a, pair in zip(plain, pairs, strict=True):
        _assign_by_the_general_steps(review_rule, a, where, plain_rng, pair)
    review_rule.assign(fast, where, fast_rng, pairs)
    assert fast == plain and fast_rng.random() == plain_rng.random()
    assert sum(r["created_at"][:10] > format_ts(last * 86_400)[:10] for r in fast) > 100


class _Line(dict):  # type: ignore[type-arg]
    """An order line of a dict subclass: read by its getter, not as a plain dict."""


def _damaged_lines(records: list[dict[str, Any]], products: list[Any], rng: random.Random) -> list[dict[str, Any]]:
    """Copies of orders whose lines are odd now and then: not a dict, a dict subclass, no product or an unknown
    one, a product of another line (a repeat within the record and across records)."""
    out = copy.deepcopy(records)
    for record in out:
        lines = record.get("items")
        if not isinstance(lines, list):
            continue
        for at, line in enumerate(lines):
            roll = rng.random()
            if roll < 0.05:
                lines[at] = rng.choice(["x", 3, None, [line]])
            elif roll < 0.1:
                lines[at] = _Line(line)
            elif roll < 0.15:
                line["product_id"] = rng.choice([None, "nobody", 0])
            elif roll < 0.2:
                del line["product_id"]
            elif roll < 0.5:
                line["product_id"] = rng.choice(products)
    return out


def test_an_order_line_of_a_product_already_copied_gets_what_enforce_writes(built) -> None:
    # enforce_all writes the values prepared for a product to each later line of the same product without
    # looking the product up again: on lines of every shape (and products whose values are not all scalars,
    # which are never prepared), the same records as enforce record by record, and no copied object shared.
    plan, shop, index = built
    (rule,) = [r for r in plan.rules["order"] if isinstance(r, SameAsRef) and r.array is not None]
    products = dict(index.table(*rule.target))
    keys = list(products)
    for key in keys[::5]:  # a product whose price is an object: copied by clone, never prepared
        products[key] = {**products[key], "price": {"amount": 3.5}}
    odd = RecordIndex.of_tables({rule.target: products}, {})
    hits = 0
    for where in (index, odd):
        for seed in range(6):
            records = _damaged_lines(shop["order"], keys[:12], random.Random(seed))
            plain, fast = copy.deepcopy(records), copy.deepcopy(records)
            for record in plain:
                rule.enforce(record, where, random.Random(0))
            rule.enforce_all(fast, where)
            assert fast == plain, seed
            assert [[type(line) for line in r.get("items", ())] for r in fast] == \
                [[type(line) for line in r.get("items", ())] for r in plain]
            lines = [line for r in fast for line in r.get("items", ()) if isinstance(line, dict)]
            assert not any(isinstance(line.get("unit_price"), dict) and line["unit_price"] is
                           products.get(line.get("product_id"), {}).get("price") for line in lines)
            seen: set[Any] = set()
            for line in lines:
                key = line.get("product_id")
                hits += type(line) is dict and key in seen
                seen.add(key)
    assert hits > 500  # lines of a product already seen (the path under test) were many
    # an unhashable key raises what the lookup raised before
    bad = [{"items": [{"product_id": ["x"], "name": "n"}]}]
    assert _outcome(rule.enforce_all, copy.deepcopy(bad), index) == _outcome(rule.enforce, bad[0], index, None)
