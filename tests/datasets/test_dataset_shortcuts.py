"""The dataset's shortcuts give what the plain paths give: the same draws, the same records, the same reports."""

from __future__ import annotations

import copy
import json
import random

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.cardinality import shuffle
from pytest_testdata.datasets.coherence import RecordIndex, SameAsRef
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.engine import Engine
from pytest_testdata.quality.coherence import scorer_for

COUNTS = {"user": 60, "product": 40, "order": 180, "payment": 180, "review": 120}


def _damaged(records: list[dict], rng: random.Random) -> list[dict]:
    """Copies of the records with fields replaced by odd values, timestamps moved, currencies changed."""
    out = copy.deepcopy(records)
    for record in out:
        if rng.random() < 0.5:
            field = rng.choice(sorted(record))
            record[field] = rng.choice([None, "x", 3, record[field]] + ([] if field.endswith("_id") else [{}, [1]]))
        if isinstance(record.get("totals"), dict) and rng.random() < 0.3:
            record["totals"]["currency"] = rng.choice(["EUR", "USD", None])
        if "created_at" in record and rng.random() < 0.3:
            record["created_at"] = rng.choice(["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", None])
        if "status" in record and rng.random() < 0.3:
            record["status"] = rng.choice(["refunded", "captured", "failed", None])
    return out


def _bytes(dataset) -> bytes:
    metadata = {e: {k: v for k, v in m.as_dict().items() if k not in ("timings", "details")}
                for e, m in dataset.metadata.items()}
    return json.dumps({"records": dataset.as_dict()["records"], "metadata": metadata}, sort_keys=True).encode()


def _outcome(call, *args) -> str:
    """What a call raised (an odd timestamp cannot be moved), or "ok"."""
    try:
        call(*args)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@pytest.fixture(scope="module")
def shop():
    return generate_dataset(COUNTS, seed=7, processes=1)


def test_shuffle_draws_what_random_shuffle_draws() -> None:
    for seed in range(50):
        for n in (0, 1, 2, 3, 5, 64, 65, 1000):
            mine, theirs = list(range(n)), list(range(n))
            ours, reference = random.Random(seed), random.Random(seed)
            shuffle(ours, mine)
            reference.shuffle(theirs)
            assert mine == theirs
            assert ours.random() == reference.random()  # the same number of draws


def test_a_chunks_enforcer_changes_records_as_enforce_does(shop) -> None:
    # enforcer(index) looks the referenced table up once per chunk; on damaged records it must write
    # the same values and make the same draws as enforce, record by record.
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, shop[entity], plan.keys[entity])
    changed = 0
    for entity in plan.order:
        for rule in plan.rules[entity]:
            if isinstance(rule, SameAsRef) or rule.kind == "purchased_before":
                continue  # copies go through enforce_all, purchases through assign
            records = _damaged(shop[entity], random.Random(rule.id))
            plain, fast = copy.deepcopy(records), copy.deepcopy(records)
            plain_rng, fast_rng = random.Random(3), random.Random(3)
            enforce = rule.enforcer(index)
            for a, b in zip(plain, fast, strict=True):
                assert _outcome(rule.enforce, a, index, plain_rng) == _outcome(enforce, b, fast_rng), rule.id
            assert fast == plain, rule.id
            assert fast_rng.random() == plain_rng.random(), rule.id
            changed += plain != records
    assert changed >= 4  # the damage gave the rules something to do (else the comparison proves nothing)


def test_records_the_rule_acceptor_passes_are_those_the_rule_loop_leaves_alone(monkeypatch) -> None:
    # A chunk skips its rule-by-rule pass for the records the schema's compiled rule acceptor passes; with
    # an acceptor that passes nothing, every record takes the pass: the dataset must be the same.
    counts = {"user": 40, "product": 30, "order": 120, "payment": 120, "review": 60}
    engine = Engine()
    fast = _bytes(generate_dataset(counts, seed=3, engine=engine, processes=1))
    for entity in counts:
        acceptor = scorer_for(engine.registry.get(entity)).acceptor
        monkeypatch.setattr(acceptor, "function", lambda record: False)
    assert _bytes(generate_dataset(counts, seed=3, engine=engine, processes=1)) == fast
