"""References and copies proven once per job are not validated again in each record, and anything the proof
does not cover still is: a dataset reports exactly what validating its records whole reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_testdata.datasets import chunks, generate_dataset
from pytest_testdata.datasets.coherence import RecordIndex
from pytest_testdata.engine import Engine
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.registry import SchemaRegistry

COUNTS = {"user": 20, "product": 8, "order": 80, "payment": 4, "review": 4}
CROSS = ("order.", "payment.", "review.", "basket.")


def _validated_whole(engine: Engine, entity: str, records: list[dict]) -> list[tuple[int, str, str]]:
    """What the validator reports for the records, every field of every record tested."""
    return sorted((v.record, v.field, v.rule) for v in validator_for(engine.registry.get(entity), {}).validate(records))


def _reported(ds, entity: str) -> list[tuple[int, str, str]]:
    """The validator's violations the dataset reported for the entity (not its cross-entity rules')."""
    return sorted((v.record, v.field, v.rule) for v in ds.metadata[entity].violations if not v.rule.startswith(CROSS))


def test_order_items_references_and_copies_are_proven_once_per_job(monkeypatch: pytest.MonkeyPatch) -> None:
    # An order item's product_id is one of the products' keys, and its sku, name and price are copied from
    # that product with nothing writing them afterwards: each product's values are validated once for the
    # job. The order's other fields (written by its own rules or drawn) are validated in every record.
    proofs: dict[str, frozenset[str]] = {}
    shapes = chunks.Kit.shapes

    def recording(kit: chunks.Kit, made: frozenset[str]) -> frozenset[str]:
        proofs[kit._job.entity] = found = shapes(kit, made)
        return found

    monkeypatch.setattr(chunks.Kit, "shapes", recording)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=3, engine=engine, processes=1)
    # (the customer_id too when the orders outnumber their distinct customers enough: proven.SHARED)
    assert proofs["order"] - {"=customer_id"} == {"=items.*.product_id", "=items.*.sku", "=items.*.name",
                                                  "=items.*.unit_price"}
    assert _reported(ds, "order") == _validated_whole(engine, "order", ds["order"]) == []


@pytest.mark.parametrize("processes", [1, 2])
def test_a_bad_value_in_a_referenced_record_is_reported_in_every_record_holding_it(
        monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    # Products damaged as they are indexed for the entities that read them (a SKU off its pattern, a name
    # too short, a price above the maximum, a key that is no UUID): no proof holds for those fields, and
    # every order line that got one of those values is reported, as validating the orders whole reports.
    original = RecordIndex.add

    def damaged(self: RecordIndex, entity: str, records: list[dict], key_fields: list[str]) -> None:
        if entity == "product":
            records[0]["sku"], records[1]["name"], records[2]["price"] = "bad", "x", 10000.5
            records[3]["product_id"] = "not-a-uuid"
        original(self, entity, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", damaged)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=2, engine=engine, processes=processes)
    reported = _reported(ds, "order")
    assert reported == _validated_whole(engine, "order", ds["order"])
    expected = set()
    for i, order in enumerate(ds["order"]):
        for at, item in enumerate(order["items"]):
            expected |= {(i, f"items.{at}.sku", "regex")} if item["sku"] == "bad" else set()
            expected |= {(i, f"items.{at}.name", "min_length")} if item["name"] == "x" else set()
            expected |= {(i, f"items.{at}.unit_price", "max")} if item["unit_price"] == 10000.5 else set()
            expected |= {(i, f"items.{at}.product_id", "format")} if item["product_id"] == "not-a-uuid" else set()
    assert {rule for _, _, rule in expected} == {"regex", "min_length", "max", "format"}  # each bought
    assert set(reported) >= expected


def test_a_copied_value_an_own_rule_overwrites_is_validated(tmp_path: Path) -> None:
    # A basket line's price is copied from its product (every product's price is valid) and then overwritten
    # by the basket's own rule (price := quantity x factor, above the price's maximum): the copy proves
    # nothing, and every line's price is reported, as validating the baskets whole reports.
    product = {"title": "product", "type": "object", "required": ["product_id", "price"],
               "properties": {"product_id": {"type": "string", "format": "uuid", "x-unique": True},
                              "price": {"type": "number", "minimum": 1, "maximum": 50, "multipleOf": 0.01}}}
    line = {"type": "object", "required": ["product_id", "price", "quantity", "factor"],
            "properties": {"product_id": {"type": "string", "format": "uuid", "x-ref": "product.product_id"},
                           "price": {"type": "number", "minimum": 1, "maximum": 50},
                           "quantity": {"type": "integer", "minimum": 60, "maximum": 90},
                           "factor": {"type": "integer", "minimum": 1, "maximum": 1}}}
    basket = {"title": "basket", "type": "object", "required": ["basket_id", "lines"],
              "properties": {"basket_id": {"type": "string", "format": "uuid", "x-unique": True},
                             "lines": {"type": "array", "minItems": 1, "maxItems": 3, "items": line}},
              "x-coherence": [{"kind": "product_each", "items": "lines", "target": "price",
                               "factors": ["quantity", "factor"]}],
              "x-dataset-coherence": [{"name": "priced_as_product", "kind": "same_as_ref", "ref": "lines.*.product_id",
                                       "fields": {"lines.*.price": "price"}}]}
    for schema in (product, basket):
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    engine = Engine(SchemaRegistry([tmp_path]))
    ds = generate_dataset({"product": 5, "basket": 40}, seed=1, engine=engine, processes=1)
    reported = _reported(ds, "basket")
    assert reported == _validated_whole(engine, "basket", ds["basket"])
    lines = {(i, f"lines.{at}.price", "max") for i, basket in enumerate(ds["basket"])
             for at in range(len(basket["lines"]))}
    assert len(lines) >= 40 and lines <= set(reported)
