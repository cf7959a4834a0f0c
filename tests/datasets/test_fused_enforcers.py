"""The cross-entity rules a chunk enforces record by record, as one generated function
(``fused_refs.chunk_enforcer``: an order's currency and ``after_ref``, a payment's ``after_ref`` and status,
a cart's currency and ``after_ref``), against each rule's own ``enforce`` in turn: the same records, the same
draws, the same errors, on records and referenced records of every shape."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.coherence import (
    AfterRef,
    DatasetRule,
    PurchasedBefore,
    RecordIndex,
    SameAsRef,
    StatusMatchesRef,
)
from pytest_testdata.datasets.fused_refs import _fused_enforcers, chunk_enforcer
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.timestamps import shift

COUNTS = {"user": 60, "product": 40, "order": 200, "payment": 200, "cart": 120}
TIMES = ("created_at", "paid_at", "shipped_at", "delivered_at", "updated_at")
ODD = ["2020-01-01T00:00:00Z", "1950-01-01T00:00:00Z", "2040-06-01T00:00:00Z", "2020-02-29T12:00:00+00:00",
       "2025-03-04T05:06:07.5Z", "2025-03-04T25:06:07Z", "2025-03-04T05:06:07", None, 3, "x"]
MOVES = [None, ["updated_at", "created_at"], ["created_at", "created_at"], ["updated_at"], [],
         ["paid_at", "created_at", "updated_at"], ["created_at"]]
"""after_ref's own moves (None), and others: the dated field last, twice, absent, alone, in the middle."""


class Record(dict):  # type: ignore[type-arg]
    """A record or referenced record that is not a plain dict: the rules' own enforcers take it."""


@pytest.fixture(scope="module")
def built() -> tuple[Any, Any, RecordIndex, RecordIndex]:
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    shop = generate_dataset(COUNTS, seed=7, processes=1)
    index, odd = RecordIndex(), RecordIndex()
    rng = random.Random(11)
    for entity in plan.order:
        index.add(entity, shop[entity], plan.keys[entity])
        odd.add(entity, [_odd_parent(r, rng) for r in shop[entity]], plan.keys[entity])
    return plan, shop, index, odd


def _odd_parent(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A referenced record now and then of another shape: its addresses, country, time or status odd, or a
    dict subclass."""
    out = copy.deepcopy(record)
    roll = rng.random()
    if roll < 0.1 and "addresses" in out:
        out["addresses"] = rng.choice([[], None, "x", [None], [{}], [{"country": rng.choice([None, 3, "XX"])}],
                                       [*out["addresses"], {"country": "JP"}]])  # (the first one is read)
    elif roll < 0.2:
        out["created_at"] = rng.choice(ODD)
    elif roll < 0.3 and "status" in out:
        out["status"] = rng.choice([None, 3, "lost", "refunded"])
    elif roll < 0.35:
        out = Record(out)
    return out


def _damaged(records: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """Copies with most timestamps moved far back (so that after_ref moves the record), some odd, and the
    reference, currency, totals or status odd now and then; a few records dict subclasses."""
    out = []
    for source in copy.deepcopy(records):
        record = source
        back = rng.randint(3_600, 500 * 86_400)
        for name in TIMES:
            stamp = record.get(name)
            if isinstance(stamp, str) and rng.random() < 0.8:
                record[name] = shift(stamp, -back)
            if name in record and rng.random() < 0.08:
                record[name] = rng.choice(ODD)
        roll = rng.random()
        ref = "order_id" if "order_id" in record else "customer_id"
        if roll < 0.05:
            record[ref] = rng.choice([None, "nobody", 3, [1]])  # ([1]: unhashable, the look-up raises)
        elif roll < 0.08:
            record.pop(ref, None)
        elif roll < 0.12 and "totals" in record:
            record["totals"] = rng.choice([None, "x", {}])
        elif roll < 0.16:
            record = Record(record)
        if "status" in record and rng.random() < 0.3:
            record["status"] = rng.choice([None, 3, "lost", "refunded", "captured", "failed", "pending"])
        if rng.random() < 0.3:
            if isinstance(record.get("totals"), dict):
                record["totals"]["currency"] = rng.choice([None, 3, "XXX", "EUR", "USD"])
            elif "currency" in record:
                record["currency"] = rng.choice([None, 3, "XXX", "EUR", "USD"])
        out.append(record)
    return out


def _outcome(call: Any, *args: Any) -> str:
    try:
        call(*args)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def _each_enforce(rules: list[DatasetRule], record: dict[str, Any], index: RecordIndex, rng: random.Random) -> None:
    for rule in rules:
        rule.enforce(record, index, rng)


def _compare(rules: list[DatasetRule], records: list[dict[str, Any]], index: RecordIndex, label: str) -> int:
    """Both ways over copies of ``records``: the same outcomes, records and draws; the records changed."""
    plain, fast = copy.deepcopy(records), copy.deepcopy(records)
    plain_rng, fast_rng = random.Random(3), random.Random(3)
    enforce = chunk_enforcer(rules, index)
    assert enforce is not None
    for a, b in zip(plain, fast, strict=True):
        assert _outcome(_each_enforce, rules, a, index, plain_rng) == _outcome(enforce, b, fast_rng), label
    assert fast == plain, label
    assert [type(r) for r in fast] == [type(r) for r in plain], label
    assert fast_rng.random() == plain_rng.random(), label
    return sum(a != b for a, b in zip(plain, records, strict=True))


def _variant(rule: AfterRef, moves: list[str] | None) -> AfterRef:
    out = copy.copy(rule)
    if moves is not None:
        out.moves = moves
    return out


def test_the_fused_enforcer_does_what_each_rules_enforce_does(built) -> None:
    # Each entity's rules as a chunk enforces them, in their order and reversed, with after_ref's moves of
    # every shape, on damaged records, over the referenced records as built and with odd ones.
    plan, shop, index, odd = built
    changed = 0
    for entity in ("order", "payment", "cart"):
        rules = [r for r in plan.rules[entity] if not isinstance(r, (PurchasedBefore, SameAsRef))]
        assert len(rules) >= 2, entity
        for moves in MOVES:
            varied = [_variant(r, moves) if isinstance(r, AfterRef) else r for r in rules]
            for order in (varied, varied[::-1]):
                for where, name in ((index, "built"), (odd, "odd")):
                    records = _damaged(shop[entity], random.Random(f"{entity}{moves}{name}"))
                    changed += _compare(order, records, where, f"{entity} {moves} {name} {order}")
    assert changed > 1_000  # the rules had work to do (else the comparison proves nothing)


def test_a_rule_that_writes_the_reference_makes_the_next_rule_look_it_up_again(built) -> None:
    # A status rule whose status field is the reference itself (a payment's order_id set to a status): the
    # after_ref rule after it must find the record the new key refers to (none), not the one found before.
    plan, shop, index, _ = built
    (status,) = [r for r in plan.rules["payment"] if isinstance(r, StatusMatchesRef)]
    (after,) = [r for r in plan.rules["payment"] if isinstance(r, AfterRef)]
    writer = StatusMatchesRef("payment", {**status.spec, "status": "order_id"}, status.schema)
    rules: list[DatasetRule] = [writer, after]
    assert _fused_enforcers(tuple(rules)).source.count(".get(k)") == 2
    assert _fused_enforcers((status, after)).source.count(".get(k)") == 1  # (a status written: found once)
    records = _damaged(shop["payment"], random.Random(1))
    assert _compare(rules, records, index, "writer") > 100


def test_no_rule_no_function(built) -> None:
    assert chunk_enforcer([], built[2]) is None


def test_times_moved_past_the_days_the_tables_hold_are_written_as_enforce_writes_them() -> None:
    # The dated field and the moves before and after it are written from the day's table, and through
    # format_ts when the day is not in it (past the cached years): referenced times at the end of the cached
    # days, the record's other times up to forty days after its own, are written as enforce writes them.
    from pytest_testdata.generators.traditional.timestamps import _CACHED_DAYS, _day_text, format_ts

    last = _CACHED_DAYS[-1]
    for day in range(last - 3, last + 1):
        _day_text(day)  # (the referenced times' days are read by the tables; the days after them are not)
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    (rule,) = [r for r in plan.rules["order"] if isinstance(r, AfterRef)]
    rng = random.Random(9)
    parents = {f"u{i}": {"created_at": format_ts((last - 3) * 86_400 + rng.randrange(4 * 86_400))} for i in range(300)}
    index = RecordIndex.of_tables({("user", "user_id"): parents}, {})
    start = 1_735_787_045  # 2025-01-02T03:04:05Z
    records = [{"customer_id": f"u{i}", "created_at": format_ts(start),
                **{name: format_ts(start + rng.randrange(40 * 86_400)) for name in ("paid_at", "updated_at")}}
               for i in range(300)]
    for moves in (None, ["paid_at", "created_at", "updated_at"]):
        variant = _variant(rule, moves)
        _compare([variant], records, index, f"late {moves}")
        fast = copy.deepcopy(records)
        enforce = chunk_enforcer([variant], index)
        assert enforce is not None
        for record in fast:
            enforce(record, rng)
        past = format_ts(last * 86_400)[:10]
        for name in ("created_at", "paid_at", "updated_at"):  # past the tables
            assert sum(r[name][:10] > past for r in fast) > 50, (moves, name)


def test_times_at_the_edges_of_the_hour_tables_are_written_as_enforce_writes_them() -> None:
    # The fused enforcer reads and writes a timestamp with the hour tables when it is one of their span (the
    # drawers' two years) and lands in it, else with the day tables: referenced times and moves a few seconds
    # either side of the span's first and last second, moved by a fixed delay, land on both sides of each edge.
    from pytest_testdata.datasets.moves import hour_tables
    from pytest_testdata.generators.traditional.timestamps import format_ts

    tables = hour_tables()
    first, span = tables["FIRST"], tables["SPAN"]
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    (rule,) = [r for r in plan.rules["order"] if isinstance(r, AfterRef)]
    delay = 100
    fixed = AfterRef("order", {**rule.spec, "min_seconds": delay, "max_seconds": delay}, rule.schema)
    parents, records = {}, []
    for edge in (first, first + span):
        for k in range(-3 - delay, 4 - delay):
            key = f"u{edge}{k}"
            parents[key] = {"created_at": format_ts(edge + k)}  # (lands on edge + k + delay)
            mine = edge + k - 5_000
            records.append({"customer_id": key, "created_at": format_ts(mine),
                            "paid_at": format_ts(mine - 3), "updated_at": format_ts(mine)})  # (moved as it)
    index = RecordIndex.of_tables({("user", "user_id"): parents}, {})
    for moves in (None, ["paid_at", "created_at", "updated_at"]):
        assert _compare([_variant(fixed, moves)], records, index, f"edges {moves}") == len(records)
    landed = set()
    enforce = chunk_enforcer([fixed], index)
    assert enforce is not None
    for record in copy.deepcopy(records):
        enforce(record, random.Random(0))
        landed.update((record["created_at"], record["paid_at"], record["updated_at"]))
    assert {format_ts(first - 1), format_ts(first), format_ts(first + span - 1), format_ts(first + span)} <= landed
