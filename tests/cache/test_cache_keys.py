"""Cache keys change with everything that determines a result, and with nothing else."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_testdata.cache.keys import pool_key, result_key
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest

CART = SchemaRegistry().get("cart")
BASE = GenerationRequest.checked("cart", 3, seed=7)


def key(request: GenerationRequest = BASE, schema=CART, strategy="traditional", material=None) -> str:
    return result_key(request, schema, strategy, material)


@pytest.mark.parametrize("change", [
    {"count": 4}, {"seed": 8}, {"strategy": "llm"}, {"context": "holiday shopping"}, {"hints": ["fast"]},
    {"variant": "invalid"}, {"locale": "de_DE"}, {"constraints": {"total": {"max": 100}}},
    {"learn_from_history": True}, {"defect_triggering": True}, {"options": {"model": "other"}},
])
def test_every_request_input_changes_the_key(change: dict) -> None:
    args = {"seed": 7, **change}
    assert key(GenerationRequest.checked("cart", args.pop("count", 3), **args)) != key()


def test_schema_version_digest_route_and_generator_material_change_the_key() -> None:
    assert key(schema=dataclasses.replace(CART, version=CART.version + 1)) != key()
    assert key(schema=dataclasses.replace(CART, digest="0" * 16)) != key()
    assert key(strategy="llm") != key()
    assert key(material={"provider": "anthropic", "model": "claude-a", "template": 3}) != \
        key(material={"provider": "anthropic", "model": "claude-b", "template": 3})
    assert key(material={"template": 3}) != key(material={"template": 4})


def test_runtime_options_and_hint_order_do_not_change_the_key() -> None:
    with_context = GenerationRequest.checked("cart", 3, seed=7, options={"_nodeid": "tests/test_x.py::t"})
    assert key(with_context) == key()
    a = GenerationRequest.checked("cart", 3, seed=7, hints=["fast", "minimal"])
    b = GenerationRequest.checked("cart", 3, seed=7, hints=["minimal", "fast"])
    assert key(a) == key(b)


def test_the_key_is_stable_across_calls_and_names_the_entity() -> None:
    assert key() == key(GenerationRequest.checked("cart", 3, seed=7))
    assert key().startswith("cart:")


def test_pool_key_ignores_count_and_seed_but_not_constraints_or_locale() -> None:
    base = pool_key(BASE, CART)
    assert pool_key(GenerationRequest.checked("cart", 50), CART) == base
    assert pool_key(GenerationRequest.checked("cart", 3, constraints={"total": {"max": 100}}), CART) != base
    assert pool_key(GenerationRequest.checked("cart", 3, locale="de_DE"), CART) != base
    assert pool_key(BASE, dataclasses.replace(CART, version=9)) != base


@pytest.mark.parametrize("args", [
    {"seed": 7}, {"seed": 0}, {"seed": -5}, {"seed": 2**70}, {}, {"count": 1, "seed": 7, "variant": "invalid"},
    {"seed": 7, "context": 'a "seed":-4611686018427400249, quoted'}, {"seed": 7, "context": "Zoë 佐藤"},
    {"seed": 7, "hints": ["realistic", "fast"]}, {"seed": 7, "hints": ["fast", "realistic"]},
    {"seed": 7, "locale": "ja_JP", "strategy": "traditional", "learn_from_history": True},
])
def test_a_usual_requests_key_is_the_digest_of_its_whole_material(args: dict) -> None:
    # Requests without constraints or options are keyed from their text written once per shape, seed apart:
    # the key must be the digest of the whole material, as for every other request.
    from pytest_testdata.cache import keys

    def whole(request: GenerationRequest) -> str:
        return f"cart:{keys._digest(keys._material(request, CART, 'traditional', None))}"

    request = GenerationRequest.checked("cart", args.pop("count", 3), **args)
    assert key(request) == whole(request)
    assert key(request) == whole(request)  # the second time from the shape's stored text
    assert key(request.replace(seed=12345)) == whole(request.replace(seed=12345))
