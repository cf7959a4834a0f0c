"""Invalid variants break the named rule and nothing else: derived values follow, unique values stay unique."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.quality.invalid import breakable_rules
from pytest_testdata.quality.rules import build_rules
from pytest_testdata.types import GenerationRequest

ENTITIES = ("cart", "order", "payment", "product", "review", "user")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _cents(value: float) -> Decimal:
    return Decimal(str(value))


def test_a_broken_quantity_carries_into_line_total_subtotal_total_and_payment(engine: Engine) -> None:
    # The example: quantity 11 x 5.99 used to keep line_total 5.99 and subtotal 5.99.
    result = engine.generate(GenerationRequest.checked("order", 20, variant="invalid", seed=5,
                                                       options={"break": "items.quantity-max"}))
    for record in result.records:
        lines = [_cents(i["quantity"]) * _cents(i["unit_price"]) for i in record["items"]]
        assert [_cents(i["line_total"]) for i in record["items"]] == [line.quantize(Decimal("0.01"))
                                                                      for line in lines]
        totals = record["totals"]
        assert _cents(totals["subtotal"]) == sum(lines).quantize(Decimal("0.01"))
        assert _cents(totals["total"]) == (_cents(totals["subtotal"]) + _cents(totals["tax"])
                                           + _cents(totals["shipping"]) - _cents(totals["discount"]))
        assert record["payment"] is None or _cents(record["payment"]["amount"]) == _cents(totals["total"])
        assert any(i["quantity"] > 10 for i in record["items"])
    assert {(v.field.split(".")[0], v.rule) for v in result.metadata.violations} == {("items", "max")}


def test_too_many_items_recompute_the_subtotal(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("order", 10, variant="invalid", seed=5,
                                                       options={"break": "items-max_items"}))
    for record in result.records:
        expected = sum(_cents(i["quantity"]) * _cents(i["unit_price"]) for i in record["items"])
        assert _cents(record["totals"]["subtotal"]) == expected.quantize(Decimal("0.01"))


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_other_rule_holds_for_every_breakable_rule(engine: Engine, entity: str) -> None:
    schema = engine.registry.get(entity)
    rules = build_rules(schema.coherence)
    for broken in breakable_rules(schema):
        result = engine.generate(GenerationRequest.checked(entity, 4, variant="invalid", seed=11,
                                                           options={"break": broken.id}))
        also = {a for a in broken.also if "-" not in a}
        for record in result.records:
            failing = {r.kind for r in rules if r.check(record) is False}
            assert failing <= also, (broken.id, failing)


@pytest.mark.parametrize("rule_id", ["user_id-format", "email-format+email_from_name"])
def test_a_broken_unique_field_stays_unique_in_its_batch(engine: Engine, rule_id: str) -> None:
    result = engine.generate(GenerationRequest.checked("user", 5, variant="invalid", seed=3,
                                                       options={"break": rule_id}))
    field = rule_id.split("-")[0]
    values = [r[field] for r in result.records]
    assert len(set(values)) == len(values), values


def test_a_broken_sku_stays_unique_and_still_breaks_the_pattern(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("product", 6, variant="invalid", seed=3,
                                                       options={"break": "sku-regex"}))
    skus = [r["sku"] for r in result.records]
    assert len(set(skus)) == 6
    assert {v.rule for v in result.metadata.violations} == {"regex"} and len(result.metadata.violations) == 6


def test_a_too_long_email_keeps_a_valid_local_part_and_says_it_is_no_address(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("user", 3, variant="invalid", seed=3,
                                                       options={"break": "email-max_length+format"}))
    for index, record in enumerate(result.records):
        local, _, domain = record["email"].partition("@")
        assert len(record["email"]) == 255
        assert len(local) <= 64 and all(len(label) <= 63 for label in domain.split("."))
        rules = {v.rule for v in result.metadata.violations if v.record == index}
        assert rules == {"max_length", "format"}


def test_the_short_id_still_names_a_rule_that_breaks_another(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("cart", 2, variant="invalid", seed=1,
                                                       options={"break": "subtotal-min"}))
    assert result.metadata.details["broken_rules"] == ["subtotal-min+sum_of_products"] * 2
    assert {v.rule for v in result.metadata.violations} == {"min", "coherence.sum_of_products"}
