"""The dataset's shortcuts give what the plain paths give: the same draws, the same records, the same reports."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.datasets.cardinality import shuffle
from pytest_testdata.datasets.chunks import EntityJob, Kit, portable
from pytest_testdata.datasets.coherence import RecordIndex, SameAsRef
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.datasets.trusted import overlap
from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.timestamps import shift
from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.schemas.registry import SchemaRegistry

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
            # Up to 400 days earlier (formatted here, so the timestamp tables read it), or odd values that go
            # the long way: another offset, a day far back, a day the tables have not seen.
            stamp = record["created_at"]
            earlier = [shift(stamp, -rng.randint(3_600, 400 * 86_400))] \
                if isinstance(stamp, str) and stamp[:4].isdigit() else []  # (a generated one, not "x" put there)
            record["created_at"] = rng.choice(["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z", None,
                                               "2020-02-29T12:00:00+00:00", "1950-01-01T00:00:00Z", *earlier * 4])
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


def test_a_copy_over_a_chunk_writes_what_enforce_writes_record_by_record(shop) -> None:
    # enforce_all copies into plain keys without the setter, getter and clone calls enforce makes (a
    # payment's amount, currency, method and card digits from its order's nested fields; an order's
    # addresses from its customer's first one): on damaged records, the same records, and no copied object
    # shared with the referenced record (a dict or list is copied).
    plan = plan_dataset(DatasetRequest.checked(COUNTS, seed=7), Engine().registry)
    index = RecordIndex()
    for entity in plan.order:
        index.add(entity, shop[entity], plan.keys[entity])
    keyed = changed = 0
    for entity in plan.order:
        for rule in plan.rules[entity]:
            if not isinstance(rule, SameAsRef):
                continue
            keyed += rule._plain is None and rule._keyed is not None
            records = _damaged(shop[entity], random.Random(rule.id))
            plain, fast = copy.deepcopy(records), copy.deepcopy(records)
            for record in plain:
                rule.enforce(record, index, random.Random(0))
            rule.enforce_all(fast, index)
            assert fast == plain, rule.id
            parents = {id(v) for r in index.table(*rule.target).values() for v in r.values()
                       if isinstance(v, (dict, list))} if rule.target is not None else set()
            assert not any(id(v) in parents for r in fast for v in r.values()), rule.id
            changed += plain != records
    assert keyed >= 2 and changed >= 2  # the paths under test were taken, and had something to do


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


def _kit(engine: Engine, entity: str) -> Kit:
    schema = engine.registry.get(entity)
    job = EntityJob(entity=entity, seed=1, schema=portable(schema), count=1, locale=None, context=None,
                    options={}, undrawn=False, tables={}, purchases={})
    return Kit(job, schema)


def test_only_copies_nothing_later_can_write_are_trusted() -> None:
    # An order item's name, SKU and price are copied from its product and nothing after writes them: that
    # copy is not checked again in chunks. The shipping address is copied too, but the order's own rules
    # write into it (the countries made equal, a postal code fitted to its country), and a payment's card
    # digits are written by its present_iff rule: those copies are checked as before.
    engine = Engine()
    assert _kit(engine, "order").trusted == {"order.items_match_products"}
    assert _kit(engine, "payment").trusted == frozenset()
    assert _kit(engine, "review").trusted == frozenset()
    assert overlap("items.*.unit_price", "items.0") and overlap("shipping_address", "shipping_address.country")
    assert not overlap("items.*.unit_price", "items.*.quantity") and not overlap("totals.tax", "totals.total")


def test_a_trusted_copy_broken_on_purpose_is_reported() -> None:
    # The invalid variant breaks the trusted copy on one record after the chunks are built: the dataset
    # reports exactly that record and rule, with workers as in one process.
    counts = {"user": 30, "product": 20, "order": 90, "payment": 10, "review": 10}
    ds = generate_dataset(counts, seed=4, processes=1, variant="invalid", break_rule="order.items_match_products")
    broken = ds.broken[0]
    assert [(v.entity, v.record, v.rule) for v in ds.violations] == [("order", broken.record, broken.rule)]
    assert ds.violations[0].message.startswith("is ") and "the referenced product has" in ds.violations[0].message


def test_a_copy_an_own_rule_overwrites_is_checked_and_its_violations_reported(tmp_path: Path) -> None:
    # A user schema whose own rule writes the copied field afterwards (price := list_price): the copy does
    # not hold by construction, is not trusted, and every line whose price then differs from its product's
    # is reported against the copy rule.
    product = {"title": "product", "type": "object", "required": ["product_id", "price"],
               "properties": {"product_id": {"type": "string", "format": "uuid", "x-unique": True},
                              "price": {"type": "number", "minimum": 1, "maximum": 50, "multipleOf": 0.01}}}
    line = {"title": "line", "type": "object", "required": ["line_id", "product_id", "price", "list_price"],
            "properties": {"line_id": {"type": "string", "format": "uuid", "x-unique": True},
                           "product_id": {"type": "string", "format": "uuid", "x-ref": "product.product_id"},
                           "price": {"type": "number", "minimum": 1, "maximum": 50, "multipleOf": 0.01},
                           "list_price": {"type": "number", "minimum": 60, "maximum": 90, "multipleOf": 0.01}},
            "x-coherence": [{"kind": "same_value", "fields": ["price", "list_price"], "source": "list_price"}],
            "x-dataset-coherence": [{"name": "priced_as_product", "kind": "same_as_ref", "ref": "product_id",
                                     "fields": {"price": "price"}}]}
    for schema in (product, line):
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    engine = Engine(SchemaRegistry([tmp_path]))
    assert _kit(engine, "line").trusted == frozenset()
    ds = generate_dataset({"product": 5, "line": 40}, seed=1, engine=engine, processes=1)
    copy_violations = [v for v in ds.violations if v.rule == "line.priced_as_product"]
    assert sorted(v.record for v in copy_violations) == list(range(40))
    assert ds.metadata["line"].dataset_coherence < 1.0


def test_a_nan_copied_from_a_referenced_record_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # A trusted copy is not checked again because the copied value equals its source; a float NaN in the
    # referenced record is not equal to itself, so the check would report every copy of it. One product's
    # price is made NaN as the products are indexed for the entities that read them: each order with a
    # line of that product is reported against the copy rule.
    from pytest_testdata.datasets.coherence import RecordIndex

    original = RecordIndex.add
    made: list[str] = []

    def with_nan(self, entity, records, key_fields, tables=None):  # (tables: made again of the records)
        if entity == "product" and not made:
            records[0]["price"] = float("nan")
            made.append(records[0]["product_id"])
        original(self, entity, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", with_nan)
    counts = {"user": 20, "product": 3, "order": 60, "payment": 1, "review": 1}
    ds = generate_dataset(counts, seed=2, processes=1)
    nan_product = made[0]
    lines = {(i, at) for i, order in enumerate(ds["order"]) for at, item in enumerate(order["items"])
             if item["product_id"] == nan_product}
    assert lines  # some orders bought it
    reported = [v for v in ds.violations if v.rule == "order.items_match_products"]
    assert {v.record for v in reported} == {i for i, _ in lines}
    assert all("nan" in v.message for v in reported)


@pytest.mark.parametrize("claimed", [False, True])
def test_only_records_their_plan_vouched_for_skip_the_rule_pass(monkeypatch: pytest.MonkeyPatch,
                                                                claimed: bool) -> None:
    # Products are written into by nothing after they are drawn: a chunk trusts the records their plan
    # vouched for (every own rule holds by construction) and checks the others. A product whose
    # timestamps are swapped after it was built, and not vouched for, is checked and put back in order;
    # the same record claimed as vouched is not looked at (which shows the check above is what repaired it).
    import dataclasses

    from pytest_testdata.generators.traditional.generator import TraditionalGenerator

    original = TraditionalGenerator.generate

    def swapped(self, request, schema, seed):
        output = original(self, request, schema, seed)
        if request.entity != "product":
            return output
        first = output.records[0]
        assert 0 in output.coherent and first["created_at"] < first["updated_at"]
        first["created_at"], first["updated_at"] = first["updated_at"], first["created_at"]
        coherent = output.coherent if claimed else output.coherent - {0}
        return dataclasses.replace(output, coherent=coherent)

    monkeypatch.setattr(TraditionalGenerator, "generate", swapped)
    ds = generate_dataset({"product": 30}, seed=3, processes=1)
    first = ds["product"][0]
    assert (first["created_at"] > first["updated_at"]) is claimed
