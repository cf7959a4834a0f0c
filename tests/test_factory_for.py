"""factory_for(): the traditional plan as a real factory_boy factory users can call and extend."""

from __future__ import annotations

import json
from pathlib import Path

import factory
import factory.random
import pytest

from pytest_testdata import factory_for
from pytest_testdata.engine import Engine
from pytest_testdata.quality.coherence import CoherenceScorer
from pytest_testdata.quality.validator import Validator


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def test_cart_factory_builds_valid_coherent_carts(engine: Engine) -> None:
    cart_factory = factory_for("cart")
    assert issubclass(cart_factory, factory.DictFactory) and cart_factory.__name__ == "CartFactory"
    schema = engine.registry.get("cart")
    carts = cart_factory.build_batch(50)
    assert Validator(schema).validate(carts) == []
    assert all(CoherenceScorer(schema).score(c) == 1.0 for c in carts)
    assert "_state" not in carts[0]


def test_overrides_flow_into_derived_fields(engine: Engine) -> None:
    cart_factory = factory_for("cart")
    items = [{"product_id": "3f0c1a52-0000-4000-8000-000000000001", "sku": "ABC-12345", "name": "Desk Lamp",
              "quantity": 2, "unit_price": 10.0}]
    cart = cart_factory(currency="EUR", items=items)
    assert cart["currency"] == "EUR" and cart["items"] == items
    assert cart["subtotal"] == 20.0 and cart["total"] == round(cart["subtotal"] + cart["tax"], 2)
    user = factory_for("user")(first_name="Zoë", last_name="O'Brien")
    assert "obrien" in user["email"] and user["first_name"] == "Zoë"


def test_reseeding_factory_boy_reproduces_records() -> None:
    cart_factory = factory_for("cart")
    factory.random.reseed_random(123)
    first = cart_factory.build_batch(3)
    factory.random.reseed_random(123)
    assert cart_factory.build_batch(3) == first


def test_subclass_with_declarations_and_traits(engine: Engine) -> None:
    class BigSpenderCartFactory(factory_for("cart")):  # type: ignore[misc]
        currency = "GBP"

        class Params:
            single = factory.Trait(items=factory.LazyFunction(lambda: [
                {"product_id": "3f0c1a52-0000-4000-8000-000000000002", "sku": "XYZ-00001", "name": "Kite",
                 "quantity": 1, "unit_price": 25.0}]))

    cart = BigSpenderCartFactory(single=True)
    assert cart["currency"] == "GBP" and len(cart["items"]) == 1 and cart["total"] >= 25.0
    assert Validator(engine.registry.get("cart")).validate([cart]) == []


def test_factory_for_a_schema_object_and_an_unknown_entity(engine: Engine) -> None:
    product_factory = factory_for(engine.registry.get("product"))
    product = product_factory(stock_quantity=0)
    assert product["in_stock"] is False
    from pytest_testdata.errors import UnknownEntityError

    with pytest.raises(UnknownEntityError, match="did you mean 'user'"):
        factory_for("usr")


def test_factory_is_reseeded_per_test_by_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import json
        from pytest_testdata import factory_for

        CartFactory = factory_for("cart")

        def test_a():
            print("CART " + json.dumps(CartFactory()["cart_id"]))
    """)
    seen = []
    for _ in range(2):
        result = pytester.runpytest("-s", "--testdata-seed", "31")
        result.assert_outcomes(passed=1)
        seen.append(next(line for line in result.outlines if "CART " in line))
    assert seen[0] == seen[1]


SHIPMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "shipment",
    "type": "object",
    "required": ["id", "type", "carrier"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "type": {"type": "string", "enum": ["standard", "express"]},
        "carrier": {"type": "string", "maxLength": 20},
        "tracking_url": {"type": "string", "format": "uri"},
    },
    "if": {"properties": {"type": {"const": "express"}}},
    "then": {"required": ["tracking_url"]},
    "additionalProperties": False,
}


def test_factory_for_a_schema_drawn_whole(tmp_path: Path) -> None:
    """A schema whose top level needs the keyword compiler (here if/then) is drawn by one root drawer: the
    factory builds whole valid records from it (it used to return ``{}``), and overrides still win."""
    import jsonschema

    from pytest_testdata.schemas.registry import SchemaRegistry

    (tmp_path / "shipment.json").write_text(json.dumps(SHIPMENT))
    registry = SchemaRegistry([tmp_path])
    shipment_factory = factory_for("shipment", registry)
    factory.random.reseed_random(7)
    shipments = shipment_factory.build_batch(40)
    for shipment in shipments:
        jsonschema.validate(shipment, SHIPMENT, format_checker=jsonschema.FormatChecker())
    assert {s["type"] for s in shipments} == {"standard", "express"}
    assert shipment_factory(carrier="Own Carrier")["carrier"] == "Own Carrier"
