"""The built-in entities judged by python-jsonschema, as a user validating our records with it would.

jsonschema checks ``multipleOf: 0.01`` by float division (``0.07 / 0.01`` is not whole), as fastjsonschema
and ajv do; one cent value in seven fails that way. Prices are drawn, and totals derived, on the values it
accepts (generators/traditional/cents.py), so every record passes, formats included.
"""

from __future__ import annotations

import random

import jsonschema
import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.generators.traditional.cents import clean_price, is_clean
from pytest_testdata.types import GenerationRequest

ENTITIES = ("user", "product", "cart", "order", "payment", "review")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("locale", [None, "de_DE", "ja_JP"])
def test_every_builtin_record_is_valid_by_jsonschema_with_formats(engine: Engine, entity: str,
                                                                  locale: str | None) -> None:
    schema = engine.registry.get(entity).json_schema
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    options = {"locale": locale} if locale else {}
    records = engine.generate(GenerationRequest.checked(entity, 1000, seed=20261130, **options)).records
    errors = [(i, e.json_path, e.message) for i, r in enumerate(records) for e in validator.iter_errors(r)]
    assert errors == [], f"{len(errors)} errors, first: {errors[:3]}"


def test_the_float_division_problem_is_real_and_clean_price_always_avoids_it() -> None:
    # What the module is for: jsonschema itself rejects 0.07 under multipleOf 0.01.
    assert not jsonschema.Draft202012Validator({"multipleOf": 0.01}).is_valid(0.07)
    assert not is_clean(0.07) and is_clean(0.08) and is_clean(7)
    rng = random.Random(5)
    for cents in [rng.randrange(1, 1_000_000) for _ in range(20_000)] + list(range(100, 130)):
        value = round(cents * 0.01, 2)
        moved = clean_price(value, 0.0, 100_000.0)
        assert is_clean(moved) and abs(moved - value) <= 0.1 + 1e-9
        assert jsonschema.Draft202012Validator({"multipleOf": 0.01}).is_valid(moved)


def test_totals_still_add_up_exactly_after_the_cents_are_cleaned(engine: Engine) -> None:
    from decimal import Decimal

    for order in engine.generate(GenerationRequest.checked("order", 500, seed=3)).records:
        lines = [Decimal(str(i["quantity"])) * Decimal(str(i["unit_price"])) for i in order["items"]]
        assert [Decimal(str(i["line_total"])) for i in order["items"]] == lines
        t = {k: Decimal(str(v)) for k, v in order["totals"].items() if k != "currency"}
        assert t["subtotal"] == sum(lines)
        assert t["total"] == t["subtotal"] + t["tax"] + t["shipping"] - t["discount"]
        assert Decimal(str(order["payment"]["amount"])) == t["total"]


def test_a_dataset_is_valid_by_jsonschema_too(engine: Engine) -> None:
    """In a dataset an order item carries its product's price, so a quantity moves instead of a price."""
    from pytest_testdata.datasets import generate_dataset

    shop = generate_dataset({"user": 60, "product": 40, "order": 300, "payment": 150, "review": 60}, seed=8)
    for entity in ("user", "product", "order", "payment", "review"):
        schema = engine.registry.get(entity).json_schema
        validator = jsonschema.Draft202012Validator(schema,
                                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        errors = [(i, e.json_path, e.message) for i, r in enumerate(shop[entity]) for e in validator.iter_errors(r)]
        assert errors == [], f"{entity}: {len(errors)} errors, first: {errors[:3]}"
    prices = {p["product_id"]: p["price"] for p in shop["product"]}
    assert all(item["unit_price"] == prices[item["product_id"]] for o in shop["order"] for item in o["items"])
