"""A cross-entity rule's proof that a chunk holds (``DatasetRule.holds`` over ``ChunkReads``: columns compared by
C loops) against its check of each record alone: the proof may say "holds" only when no record fails, and
``check_all`` reports exactly what checking each record alone reports, whichever way it goes."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.coherence import ChunkReads, RecordIndex
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.engine import Engine

COUNTS = {"user": 40, "product": 30, "order": 120, "payment": 120, "review": 80}
NAN = float("nan")


class Odd(str):
    """A text equal to its copy that says it differs from it too (``!=`` is not ``not ==``)."""

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = str.__hash__


class Sub(dict):  # type: ignore[type-arg]
    """A dict subclass: the getters read it the slow way."""


@pytest.fixture(scope="module")
def shop() -> Any:
    return generate_dataset(COUNTS, seed=11)


@pytest.fixture(scope="module")
def plan() -> Any:
    return plan_dataset(DatasetRequest.checked(COUNTS, seed=11), Engine().registry)


def _index(plan: Any, data: dict[str, list[dict[str, Any]]]) -> RecordIndex:
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, data[entity], plan.keys[entity])
    return index


def _alone(rule: Any, records: list[dict[str, Any]], index: RecordIndex) -> list[tuple[int, str, str]]:
    return [(i, *found) for i, r in enumerate(records) if (found := rule.check(r, index)) is not None]


def _unproven(rule: Any, records: list[dict[str, Any]], index: RecordIndex) -> list[tuple[int, str, str]]:
    """``check_all`` with no proof: each record checked by the rule's loop."""
    rule.holds = lambda reads: False
    try:
        return rule.check_all(records, index)
    finally:
        del rule.holds


def test_a_valid_dataset_is_shown_to_hold_by_every_rule_of_a_top_level_reference(shop, plan) -> None:
    index = _index(plan, {e: shop[e] for e in plan.order})
    shown = set()
    for entity in ("order", "payment", "review"):
        records = shop[entity]
        for rule in plan.rules[entity]:
            assert _alone(rule, records, index) == []
            if rule.holds(ChunkReads(records, index)):
                shown.add(rule.id)
    # (an order's items copy reads a list's items: checked record by record, and trusted in chunks)
    assert shown == {"order.ships_to_customer", "order.currency_of_customer", "order.placed_after_signup",
                     "payment.amount_matches_order", "payment.after_order", "payment.status_matches_order",
                     "review.by_buyer_after_delivery"}


def _earlier(text: Any, seconds: int = 1) -> Any:
    from pytest_testdata.generators.traditional.timestamps import _parse, format_ts

    epoch = _parse(text) if isinstance(text, str) else None
    return text if epoch is None else format_ts(epoch - seconds)


def _parent(data: dict[str, list[dict[str, Any]]], entity: str, record: dict[str, Any]) -> dict[str, Any] | None:
    """The record an order's or payment's top-level reference points at (its customer, its order)."""
    parent, field = {"order": ("user", "customer_id"), "payment": ("order", "order_id")}.get(entity, (None, None))
    if parent is None:
        return None
    key = "user_id" if parent == "user" else "order_id"
    return next((p for p in data[parent] if p.get(key) == record.get(field)), None)


# Each damage changes one record (or the record it refers to) so that a rule's proof is tempted: values equal
# by identity but not by ==, texts that say they differ from their equal, times a second apart, shapes the
# columns cannot read, references that find nothing.
def _nan_copied(data, entity, record):  # the same NaN object on both sides: a list comparison calls it equal
    parent = _parent(data, entity, record)
    if entity == "payment" and parent is not None:
        parent["totals"]["total"] = record["amount"] = NAN


def _int_amount(data, entity, record):  # 10 == 10.0: no violation, and the proof may say so
    parent = _parent(data, entity, record)
    if entity == "payment" and parent is not None:
        parent["totals"]["total"] = 10.0
        record["amount"] = 10


def _near_amount(data, entity, record):  # within the tolerance: no violation, columns unequal
    if entity == "payment":
        record["amount"] = round(record["amount"] + 0.004, 3)


def _odd_text(data, entity, record):  # equal texts, one of which says it differs (!=)
    if entity == "order":
        record["totals"]["currency"] = Odd(record["totals"]["currency"])
    elif entity == "payment":
        record["currency"] = Odd(record["currency"])
        record["status"] = Odd(record["status"])


def _second_early(data, entity, record):
    parent = _parent(data, entity, record)
    if parent is not None:
        record["created_at"] = _earlier(parent["created_at"])
    elif entity == "review":
        record["created_at"] = "2001-01-01T00:00:00Z"


def _same_second(data, entity, record):  # equal times: no violation
    parent = _parent(data, entity, record)
    if parent is not None:
        record["created_at"] = parent["created_at"]


def _not_text_time(data, entity, record):
    record["created_at"] = None if entity != "payment" else 1_700_000_000


def _parent_time_gone(data, entity, record):
    parent = _parent(data, entity, record)
    if parent is not None:
        parent["created_at"] = None


def _status_refused(data, entity, record):
    if entity == "payment":
        parent = _parent(data, entity, record)
        if parent is not None:
            parent["status"] = "refunded"
            record["status"] = "captured"


def _status_unknown(data, entity, record):  # a status the rule says nothing of: no constraint
    parent = _parent(data, entity, record)
    if entity == "payment" and parent is not None:
        parent["status"] = "lost"
        record["status"] = "nowhere"


def _no_addresses(data, entity, record):
    parent = _parent(data, entity, record)
    if entity == "order" and parent is not None:
        parent["addresses"] = []


def _address_changed(data, entity, record):
    if entity == "order":
        record["billing_address"] = {**record["billing_address"], "city": "Elsewhere"}


def _country_unknown(data, entity, record):  # a country without a currency asks nothing
    parent = _parent(data, entity, record)
    if entity == "order" and parent is not None:
        parent["addresses"][0]["country"] = "Atlantis"
        record["totals"]["currency"] = "XXX"


def _dangling(data, entity, record):  # a reference that finds nothing: not checked
    field = {"order": "customer_id", "payment": "order_id", "review": "product_id"}[entity]
    record[field] = None if entity == "order" else "no-such-key"


def _not_bought(data, entity, record):
    if entity == "review":
        record["user_id"] = data["user"][0]["user_id"] if record["user_id"] != data["user"][0]["user_id"] \
            else data["user"][1]["user_id"]


def _subclass_record(data, entity, record):
    records = data[entity]
    at = next(i for i, r in enumerate(records) if r is record)
    records[at] = Sub(record)
    records[at]["created_at"] = "1999-01-01T00:00:00Z"


def _subclass_parent(data, entity, record):
    parent = _parent(data, entity, record)
    if parent is not None:
        owner = "user" if entity == "order" else "order"
        at = next(i for i, r in enumerate(data[owner]) if r is parent)
        data[owner][at] = Sub(parent)


def _currency_missing(data, entity, record):
    if entity == "order":
        del record["totals"]["currency"]
    elif entity == "payment":
        del record["currency"]


DAMAGES = [_nan_copied, _int_amount, _near_amount, _odd_text, _second_early, _same_second, _not_text_time,
           _parent_time_gone, _status_refused, _status_unknown, _no_addresses, _address_changed, _country_unknown,
           _dangling, _not_bought, _subclass_record, _subclass_parent, _currency_missing]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__.strip("_"))
def test_check_all_with_the_proof_reports_what_each_record_alone_reports(shop, plan, damage) -> None:
    rng = random.Random(damage.__name__)
    for entity in ("order", "payment", "review"):
        for _ in range(3):
            data = {e: copy.deepcopy(shop[e]) for e in plan.order}
            records = data[entity]
            for i in rng.sample(range(len(records)), 2):
                damage(data, entity, records[i])
            index = _index(plan, data)
            for rule in plan.rules[entity]:
                loop = _unproven(rule, records, index)
                reads = ChunkReads(records, index)
                if rule.holds(reads):
                    assert loop == [], f"{damage.__name__}: {rule.id} shown to hold, but {loop}"
                assert rule.check_all(records, index, reads) == loop, (damage.__name__, rule.id)
                if damage is not _odd_text:  # (check and check_all read != differently: main's, left alone)
                    assert loop == _alone(rule, records, index)


def test_each_damage_that_should_break_a_rule_does(shop, plan) -> None:
    # (else the comparison above would prove nothing for it)
    breaking = {_nan_copied, _odd_text, _second_early, _status_refused, _no_addresses, _address_changed,
                _not_bought, _subclass_record}
    for damage in breaking:
        found = 0
        for entity in ("order", "payment", "review"):
            data = {e: copy.deepcopy(shop[e]) for e in plan.order}
            records = data[entity]
            damage(data, entity, records[5])
            index = _index(plan, data)
            found += sum(len(_unproven(rule, records, index)) for rule in plan.rules[entity])
        assert found, damage.__name__


def test_rules_of_one_reference_share_its_referenced_records_and_columns(shop, plan) -> None:
    index = _index(plan, {e: shop[e] for e in plan.order})
    reads = ChunkReads(shop["order"], index)
    rules = {rule.name: rule for rule in plan.rules["order"]}
    assert rules["ships_to_customer"].holds(reads)
    first = reads.resolved(("user", "user_id"), "customer_id")
    assert rules["currency_of_customer"].holds(reads)
    assert reads.resolved(("user", "user_id"), "customer_id") is first
    # the customer's first address, read once for the copies, serves the currency's country
    cached = [path for (_, path) in reads._columns]
    assert cached.count("addresses.0") == 1 and "addresses.0.country" in cached


def test_a_column_reads_what_the_getter_reads_or_nothing() -> None:
    from pytest_testdata.quality.paths import getter

    rows: list[Any] = [{"a": {"b": [1, 2]}, "c": "x"}, {"a": {"b": [3]}, "c": None}, {"a": {"b": [4, 5]}}]
    reads = ChunkReads(rows, RecordIndex())
    for path in ("c", "a", "a.b", "a.b.0", "missing", "a.missing"):
        assert reads.column("rows", rows, path) == list(map(getter(path), rows)), path
    assert reads.column("rows", rows, "a.b.1") is None  # a list too short: the getter's None is not read here
    assert reads.column("rows", rows, "a.b.*") is None
    assert reads.column("rows", rows, "c.d") is None  # a text on the way
