"""The formats and patterns of references and copies proven once per job are not tested again in each record,
and anything the proof does not cover still is: a dataset reports exactly what validating its records whole
reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_testdata.datasets import chunks, generate_dataset
from pytest_testdata.datasets.coherence import PurchasedBefore, RecordIndex, dataset_rules
from pytest_testdata.datasets.proven import proven_paths
from pytest_testdata.datasets.trusted import own_writes
from pytest_testdata.engine import Engine
from pytest_testdata.quality.rules import SentimentMatchesRating, build_rules
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
    assert proofs["payment"] == frozenset()  # one order per payment: not shared enough
    assert proofs["review"] <= {"user_id", "product_id"}  # (four reviews: shared when bought by few)
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

    def damaged(self: RecordIndex, entity: str, records: list[dict], key_fields: list[str], tables=None) -> None:
        # (lookups made as the chunks came back, ``tables``, are left out: made again of the damaged records)
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


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize(("field", "bad", "path", "rule"), [("name", "N" * 121, "name", "max_length"),
                                                           ("name", 7, "name", "type"),
                                                           ("price", 10000.5, "unit_price", "max"),
                                                           ("price", 3.005, "unit_price", "multipleOf")])
def test_a_copied_value_that_breaks_the_schema_is_reported_in_every_line_holding_it(
        monkeypatch: pytest.MonkeyPatch, processes: int, field: str, bad: object, path: str, rule: str) -> None:
    # One product's name (over the order line's maxLength, not a string) or price (over its maximum, off its
    # cents) damaged as the products are indexed: every order line that got it is reported, as validating the
    # orders whole reports (a proof of the copied values once per job must not hide it).
    original = RecordIndex.add

    def damaged(self: RecordIndex, entity: str, records: list[dict], key_fields: list[str], tables=None) -> None:
        if entity == "product":
            records[0][field] = bad
        original(self, entity, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", damaged)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=2, engine=engine, processes=processes)
    reported = _reported(ds, "order")
    assert reported == _validated_whole(engine, "order", ds["order"])
    expected = {(i, f"items.{at}.{path}", rule) for i, order in enumerate(ds["order"])
                for at, item in enumerate(order["items"]) if item[path] == bad and type(item[path]) is type(bad)}
    assert expected and set(reported) == expected  # the product was bought, and nothing else is wrong


@pytest.mark.parametrize("processes", [1, 2])
def test_a_copied_address_missing_a_key_is_reported_in_every_order_holding_it(
        monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    # Every other user's first address loses its city as the users are indexed: the orders copy it (both
    # addresses), and each such order is reported, as validating the orders whole reports.
    original = RecordIndex.add

    def damaged(self: RecordIndex, entity: str, records: list[dict], key_fields: list[str], tables=None) -> None:
        if entity == "user":
            for record in records[::2]:
                record["addresses"][0].pop("city")
        original(self, entity, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", damaged)
    engine = Engine()
    ds = generate_dataset(COUNTS, seed=2, engine=engine, processes=processes)
    reported = _reported(ds, "order")
    assert reported == _validated_whole(engine, "order", ds["order"])
    lacking = {i for i, order in enumerate(ds["order"]) if "city" not in order["shipping_address"]}
    addresses = ("shipping_address", "billing_address")
    assert lacking and {i for i, field, _ in reported if field.startswith(addresses)} == lacking


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


REVIEWS = {"user": 20, "product": 8, "order": 80, "payment": 4, "review": 60}


def test_a_reviews_buyer_and_item_are_proven_from_the_jobs_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    # A review's user_id and product_id are its purchase's buyer and item (PurchasedBefore.assign, from the
    # pairs the job chose): each distinct value is tested once for the job, and the dataset reports what
    # validating the reviews whole reports.
    proofs: dict[str, frozenset[str]] = {}
    shapes = chunks.Kit.shapes

    def recording(kit: chunks.Kit) -> frozenset[str]:
        proofs[kit._job.entity] = found = shapes(kit)
        return found

    monkeypatch.setattr(chunks.Kit, "shapes", recording)
    engine = Engine()
    ds = generate_dataset(REVIEWS, seed=3, engine=engine, processes=1)
    assert proofs["review"] == {"user_id", "product_id"}
    assert _reported(ds, "review") == _validated_whole(engine, "review", ds["review"]) == []


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("entity", ["user", "product"])
def test_a_bad_buyer_or_item_is_reported_in_every_review_holding_it(
        monkeypatch: pytest.MonkeyPatch, processes: int, entity: str) -> None:
    # Every other user's (or product's) key damaged as the records are indexed: the purchases carry those
    # keys into the reviews, no proof holds for the field, and every review holding one is reported, as
    # validating the reviews whole reports (the proof, made anyway, would hide them).
    original = RecordIndex.add
    field = f"{entity}_id"

    def damaged(self: RecordIndex, name: str, records: list[dict], key_fields: list[str], tables=None) -> None:
        # (lookups made as the chunks came back, ``tables``, are left out: made again of the damaged keys)
        if name == entity:
            for i, record in enumerate(records):
                if i % 2 == 0:
                    record[field] = f"not-a-uuid-{i}"
        original(self, name, records, key_fields)

    monkeypatch.setattr(RecordIndex, "add", damaged)
    engine = Engine()
    ds = generate_dataset(REVIEWS, seed=2, engine=engine, processes=processes)
    reported = _reported(ds, "review")
    assert reported == _validated_whole(engine, "review", ds["review"])
    expected = {(i, field, "format") for i, review in enumerate(ds["review"])
                if str(review[field]).startswith("not-a-uuid")}
    assert expected and set(reported) == expected


def _purchase_proofs(pairs: list[tuple[object, object]], count: int, writes: list[tuple[object, str]] | None = None,
                     shift: list[str] | None = None) -> frozenset[str]:
    """proven_paths for the review schema's purchase rule alone (``shift``: the timestamps it moves)."""
    schema = Engine().registry.get("review")
    rule = next(r for r in dataset_rules(schema) if isinstance(r, PurchasedBefore))
    if shift is not None:
        rule.moves = shift
    return proven_paths(schema.json_schema, [rule], [] if writes is None else writes, count, {}, [], (),
                        RecordIndex(), {rule.name: pairs})


def test_the_purchase_proof_holds_only_where_it_is_exact() -> None:
    user, product = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    pairs = [(user, product)] * 6
    assert _purchase_proofs(pairs, 6) == {"user_id", "product_id"}
    assert _purchase_proofs(pairs, 6, writes=[(None, "user_id")]) == {"product_id"}  # a later writer
    assert _purchase_proofs(pairs, 6, shift=["created_at", "product_id"]) == {"user_id"}  # the rule's own move
    assert _purchase_proofs(pairs, 7) == frozenset()  # not one pair a record
    assert proven_paths({}, [], None, 6, {}, [], (), RecordIndex(), {}) == frozenset()  # a writer of unknown reach
    assert _purchase_proofs([(user, "not-a-uuid"), *pairs[1:]], 6) == {"user_id"}  # one item off its format
    assert _purchase_proofs([(None, product), *pairs[1:]], 6) == {"user_id", "product_id"}  # null: its type tested
    assert _purchase_proofs([(user, [product]), *pairs[1:]], 6) == {"user_id"}  # unhashable: left to the validator
    distinct = [(user[:-2] + f"{i:02d}", product) for i in range(6)]
    assert _purchase_proofs(distinct, 6) == {"product_id"}  # six buyers for six reviews: not shared


def test_the_sentiment_rule_writes_nothing_unless_a_subclass_enforces() -> None:
    rule = build_rules(Engine().registry.get("review").coherence)[0]
    assert isinstance(rule, SentimentMatchesRating) and own_writes(rule) == ()

    class Rewriting(SentimentMatchesRating):
        def enforce(self, record, rng, values):  # type: ignore[no-untyped-def]
            record["rating"] = 5

    assert own_writes(Rewriting(rule.spec)) is None
