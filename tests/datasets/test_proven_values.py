"""The formats and patterns of references and copies proven once per job are not tested again in each record,
and anything the proof does not cover still is: a dataset reports exactly what validating its records whole
reports."""

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
    # An order item's product_id is one of the products' keys, and its sku is copied from that product with
    # nothing writing it afterwards: each product's values are tested once for the job (a UUID, the SKU's
    # pattern). The order's other fields (written by its own rules or drawn) are validated in every record.
    proofs: dict[str, frozenset[str]] = {}
    shapes = chunks.Kit.shapes

    def recording(kit: chunks.Kit) -> frozenset[str]:
        proofs[kit._job.entity] = found = shapes(kit)
        return found

    monkeypatch.setattr(chunks.Kit, "shapes", recording)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=3, engine=engine, processes=1)
    # (the customer_id too: the orders are more than SHARED times their distinct customers)
    assert proofs["order"] == {"customer_id", "items.*.product_id", "items.*.sku"}
    assert proofs["payment"] == proofs["review"] == frozenset()  # one order per payment; reviews' keys redrawn
    assert _reported(ds, "order") == _validated_whole(engine, "order", ds["order"]) == []


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize(("field", "bad", "path", "rule"), [("sku", "bad", "sku", "regex"),
                                                           ("product_id", "not-a-uuid", "product_id", "format")])
def test_a_bad_value_in_a_referenced_record_is_reported_in_every_record_holding_it(
        monkeypatch: pytest.MonkeyPatch, processes: int, field: str, bad: str, path: str, rule: str) -> None:
    # One product damaged as the products are indexed for the entities that read them (a SKU off its
    # pattern, a key that is no UUID): no proof holds for that field, and every order line that got the
    # value is reported, as validating the orders whole reports.
    original = RecordIndex.add

    def damaged(self: RecordIndex, entity: str, records: list[dict], key_fields: list[str]) -> None:
        if entity == "product":
            records[0][field] = bad
        original(self, entity, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", damaged)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=2, engine=engine, processes=processes)
    reported = _reported(ds, "order")
    assert reported == _validated_whole(engine, "order", ds["order"])
    expected = {(i, f"items.{at}.{path}", rule) for i, order in enumerate(ds["order"])
                for at, item in enumerate(order["items"]) if item[path] == bad}
    assert expected and set(reported) == expected  # the product was bought, and nothing else is wrong


def test_a_copied_value_another_copy_overwrites_is_validated(tmp_path: Path) -> None:
    # A basket line's code is copied from its product (every product's code has the line's pattern) and then
    # from its vendor (whose codes do not): the product's copy proves nothing, and every line's code is
    # reported, as validating the baskets whole reports.
    def entity(name: str, code: str) -> dict:
        return {"title": name, "type": "object", "required": [f"{name}_id", "code"],
                "properties": {f"{name}_id": {"type": "string", "format": "uuid", "x-unique": True},
                               "code": {"type": "string", "pattern": code}}}
    line = {"type": "object", "required": ["product_id", "vendor_id", "code"],
            "properties": {"product_id": {"type": "string", "format": "uuid", "x-ref": "product.product_id"},
                           "vendor_id": {"type": "string", "format": "uuid", "x-ref": "vendor.vendor_id"},
                           "code": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
    basket = {"title": "basket", "type": "object", "required": ["basket_id", "lines"],
              "properties": {"basket_id": {"type": "string", "format": "uuid", "x-unique": True},
                             "lines": {"type": "array", "minItems": 1, "maxItems": 3, "items": line}},
              "x-dataset-coherence": [
                  {"name": "coded_as_product", "kind": "same_as_ref", "ref": "lines.*.product_id",
                   "fields": {"lines.*.code": "code"}},
                  {"name": "coded_as_vendor", "kind": "same_as_ref", "ref": "lines.*.vendor_id",
                   "fields": {"lines.*.code": "code"}}]}
    for schema in (entity("product", "^[A-Z]{3}$"), entity("vendor", "^[a-z]{4}$"), basket):
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    engine = Engine(SchemaRegistry([tmp_path]))
    ds = generate_dataset({"product": 5, "vendor": 5, "basket": 40}, seed=1, engine=engine, processes=1)
    reported = _reported(ds, "basket")
    assert reported == _validated_whole(engine, "basket", ds["basket"])
    lines = {(i, f"lines.{at}.code", "regex") for i, basket in enumerate(ds["basket"])
             for at in range(len(basket["lines"]))}
    assert len(lines) >= 40 and lines <= set(reported)
