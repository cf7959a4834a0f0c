"""The generated copy of ``same_as_ref``'s short paths (datasets/fused_copies.py) does what the rule's own loop
(``SameAsRef._copy_each``) and its ``enforce`` do, record by record, on the shop's records and on odd ones."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.coherence import SameAsRef
from pytest_testdata.datasets.fused_copies import short_copier
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.record_index import RecordIndex
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.engine import Engine

COUNTS = {"user": 60, "product": 40, "order": 200, "payment": 200}
ODD_VALUES: list[Any] = [None, "x", 3, [], [None], [{}], {}, {"total": {"nested": 1}}, {"total": [1, 2]},
              {"currency": "EUR"}, {"method": "card", "card_last_four": None}, {"a": {"b": "c"}}]


class Record(dict):  # type: ignore[type-arg]
    """A record or referenced record that is not a plain dict: the rule's own loop takes it."""


@pytest.fixture(scope="module")
def built() -> tuple[Any, Any, RecordIndex]:
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=5), Engine().registry)
    shop = generate_dataset(COUNTS, seed=5, processes=1)
    rng = random.Random(13)
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, [_odd(r, rng) for r in shop[entity]], plan.keys[entity])
    return plan, shop, index


def _odd(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy with, now and then, a referenced path odd (totals, payment, addresses) or of a dict subclass."""
    out = copy.deepcopy(record)
    roll = rng.random()
    for name in ("totals", "payment", "addresses"):
        if name in out and rng.random() < 0.15:
            out[name] = copy.deepcopy(rng.choice(ODD_VALUES))
    if roll < 0.05:
        out = Record(out)
    elif roll < 0.1:
        out.pop("customer_id", None)
        out.pop("order_id", None)
    elif roll < 0.14:
        for name in ("customer_id", "order_id"):
            if name in out:
                out[name] = rng.choice([None, "nobody", 3])
    return out


def _copies(plan: Any) -> list[SameAsRef]:
    rules = [rule for entity in plan.order for rule in plan.rules.get(entity, ()) if type(rule) is SameAsRef]
    return [rule for rule in rules if rule._plain is None and rule._short is not None and rule._key_name]


def _outcome(call: Any, *args: Any) -> str:
    try:
        call(*args)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_the_generated_copy_writes_what_the_rules_loop_and_enforce_write(built: Any) -> None:
    plan, shop, index = built
    rules = _copies(plan)
    assert {rule.id for rule in rules} >= {"payment.amount_matches_order", "order.ships_to_customer"}
    rng = random.Random(17)
    for rule in rules:
        records = [_odd(r, rng) for r in shop[rule.entity]]
        fused, loop, each = copy.deepcopy(records), copy.deepcopy(records), copy.deepcopy(records)
        assert _outcome(rule.enforce_all, fused, index) == _outcome(rule._copy_each, loop, index) == "ok"
        for record in each:
            rule.enforce(record, index, random.Random(0))
        assert fused == loop == each, rule.id
        assert [type(r) for r in fused] == [type(r) for r in loop], rule.id
        # copies, not the referenced record's own dicts (an address, a nested value)
        referenced = index.records(rule.target[0] if rule.target else "")
        for a, b in zip(fused, loop, strict=True):
            for local, *_ in rule._short or ():
                if local in a and isinstance(a[local], (dict, list)):
                    assert type(a[local]) is type(b[local])
                    assert not any(a[local] is v for r in referenced for v in r.values())
        assert sum(a != b for a, b in zip(fused, records, strict=True)) > 0, rule.id


def test_an_unhashable_reference_raises_as_the_rules_loop_raises(built: Any) -> None:
    plan, shop, index = built
    for rule in _copies(plan):
        records = copy.deepcopy(shop[rule.entity][:5])
        records[3][rule.ref_path] = [1]
        fused, loop = copy.deepcopy(records), copy.deepcopy(records)
        assert _outcome(rule.enforce_all, fused, index) == _outcome(rule._copy_each, loop, index) != "ok"
        assert fused == loop


def test_the_source_is_written_once_per_rule(built: Any) -> None:
    plan, _, _ = built
    for rule in _copies(plan):
        assert rule._key_name is not None and rule._short is not None
        first = short_copier(rule._key_name, tuple(rule._short))
        assert short_copier(rule._key_name, tuple(rule._short)) is first
        assert "other(r)" in first.source  # type: ignore[attr-defined]
