"""Every bad dataset input gets one clear error: what is wrong, the value, and how to fix it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError, UnknownEntityError
from pytest_testdata.schemas.registry import SchemaRegistry


def _engine(tmp_path: Path, *schemas: dict) -> Engine:
    for schema in schemas:
        (tmp_path / f"{schema['title']}.json").write_text(json.dumps(schema))
    return Engine(SchemaRegistry([tmp_path]))


def _entity(name: str, **refs: str) -> dict:
    props = {f"{name}_id": {"type": "string", "format": "uuid", "x-unique": True}}
    props.update({field: {"type": "string", "format": "uuid", "x-ref": target} for field, target in refs.items()})
    return {"title": name, "type": "object", "required": list(props), "properties": props}


def test_a_reference_cycle_with_no_nullable_link(tmp_path: Path) -> None:
    engine = _engine(tmp_path, _entity("team", lead_id="player.player_id"), _entity("player", team_id="team.team_id"))
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"team": 2, "player": 10}, engine=engine)
    message = str(err.value)
    assert "player.team_id -> team" in message and "team.lead_id -> player" in message
    assert "cycle with no nullable link" in message and "Make one of these references nullable" in message


def test_a_reference_to_an_entity_no_schema_defines(tmp_path: Path) -> None:
    engine = _engine(tmp_path, _entity("invoice", customer_id="customer.customer_id"))
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"invoice": 3}, engine=engine)
    assert str(err.value).startswith("dataset: invoice.customer_id refers to 'customer.customer_id', and no "
                                     "schema defines an entity 'customer'")
    assert "Known entities:" in str(err.value)


def test_a_reference_to_a_field_the_entity_lacks(tmp_path: Path) -> None:
    engine = _engine(tmp_path, _entity("invoice", buyer_id="user.uid"))
    with pytest.raises(TestdataUsageError, match=r"invoice.buyer_id refers to 'user.uid', but user has no field "
                                                 r"'uid' \(did you mean 'user_id'\?\)"):
        generate_dataset({"user": 2, "invoice": 3}, engine=engine)


def test_reviews_but_no_orders() -> None:
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"user": 5, "product": 5, "review": 10})
    assert str(err.value) == (
        "dataset: review records need order records (rule review.by_buyer_after_delivery: purchased_before reads "
        "order), and the dataset has none. Add order to the counts (counts={'order': N, ...}; order=N on the command "
        "line), or leave review out.")


def test_a_referenced_entity_left_out_of_the_counts() -> None:
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"product": 5, "order": 10})
    assert "order.customer_id refers to user, which is not in the dataset" in str(err.value)
    assert "external={'user': [ids...]} (--external user=ID,ID,...)" in str(err.value)
    assert "user=N on the command line" in str(err.value) and "root='order' (--root order)" in str(err.value)


def test_counts_that_no_cardinality_can_satisfy() -> None:
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"user": 5, "product": 5, "order": 4, "payment": 20})
    assert str(err.value).startswith(
        "dataset: 20 payment record(s) cannot be spread over 4 order record(s) with at most 3 each "
        "(cardinality of payment.order_id: 0..3 (mean 1, even))")
    with pytest.raises(TestdataUsageError, match=r"3 order record\(s\) cannot give each of 5 user record\(s\) at "
                                                 r"least 1"):
        generate_dataset({"user": 5, "product": 5, "order": 3}, cardinality={"order.customer_id": {"min": 1}})


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"counts": {"usr": 3}}, "unknown entity 'usr' (did you mean 'user'?)"),
    ({"counts": {"user": 0}}, "dataset counts['user']: expected a whole number from 1"),
    ({"counts": None}, "dataset: give either counts per entity"),
    ({"counts": {"user": 2}, "cardinality": {"user.adresses": 2}},
     "dataset cardinality: 'user.adresses' is not a reference or list of the dataset (did you mean 'user.addresses'?)"),
    ({"counts": {"user": 2}, "cardinality": {"user.addresses": {"min": 2, "max": 9}}},
     "goes beyond the schema's minItems/maxItems (1..3)"),
    ({"counts": {"user": 2, "product": 2, "order": 2}, "cardinality": {"order.customer_id": {"skew": "zipf"}}},
     "skew: 'zipf' is not allowed. Allowed: long_tail, even, uniform."),
    ({"counts": {"user": 2, "product": 2, "order": 2}, "variant": "invalid", "break_rule": "order.nope"},
     "dataset break_rule: 'order.nope' is not allowed. Allowed: order.ships_to_customer,"),
    ({"counts": {"user": 2}, "break_rule": "order.nope"}, "break_rule='order.nope' needs variant='invalid'"),
])
def test_argument_mistakes(kwargs: dict, expected: str) -> None:
    counts = kwargs.pop("counts")
    with pytest.raises((TestdataUsageError, UnknownEntityError)) as err:
        generate_dataset(counts, **kwargs)
    assert expected in str(err.value)


def test_a_malformed_cross_entity_rule_names_the_schema(tmp_path: Path) -> None:
    broken = _entity("shipment", order_id="order.order_id")
    broken["x-dataset-coherence"] = [{"name": "x", "kind": "same_as_ref", "ref": "order_id"}]
    engine = _engine(tmp_path, broken)
    with pytest.raises(TestdataUsageError, match=r"shipment.json: x-dataset-coherence rule 'same_as_ref' needs a "
                                                 r"'fields'"):
        generate_dataset(root="shipment", count=2, engine=engine)
    broken["x-dataset-coherence"] = [{"name": "x", "kind": "same_as", "ref": "order_id"}]
    engine = _engine(tmp_path, broken)
    with pytest.raises(TestdataUsageError, match=r"unknown x-dataset-coherence rule kind 'same_as'\. Allowed: "
                                                 "same_as_ref, currency_of_ref"):
        generate_dataset(root="shipment", count=2, engine=engine)


def test_an_entity_both_counted_and_external() -> None:
    # Before, the count was dropped without a word: the dataset built no user and drew from the ids.
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"user": 3, "product": 2, "order": 5}, external={"user": ["u-1", "u-2"]})
    assert str(err.value) == (
        "dataset: user has a count (3) and external ids (2): its records are either built by the dataset or "
        "exist elsewhere, not both. Drop the count (user=N on the command line) or the ids "
        "(external={'user': [...]}, --external user=...).")
    with pytest.raises(TestdataUsageError, match=r"root='order' is also given external ids \(1\): the root is the "
                                                 r"entity the dataset builds"):
        generate_dataset(root="order", count=3, external={"order": ["o-1"]})


def test_external_ids_nothing_refers_to() -> None:
    # Before, the ids were taken and never used.
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"product": 3, "order": 4, "user": 2}, external={"review": ["r-1"]})
    assert str(err.value) == (
        "dataset: external ids for review (1), but no entity of the dataset refers to review, so they would never "
        "be used. Entities referred to here: product, user. Leave review out of external (--external), or add an "
        "entity that refers to it.")


def test_external_ids_their_fields_refuse() -> None:
    # Before, each order drawing a bad id was one violation, reported after the whole build.
    good = "6f1c2a57-6f3e-4a43-9d3b-3f3c1f0a0001"
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"product": 3, "order": 40}, external={"user": [good, "u-2", good.upper(), 17]})
    assert str(err.value) == (
        "dataset: external id 'u-2' of user cannot go into order.customer_id: 'u-2' is not a valid uuid [format] "
        "(2 of the 4 ids do not fit). Give ids that order.customer_id's schema accepts (type string, format uuid), "
        "or correct that schema if it does not match the ids user records really have.")
    with pytest.raises(TestdataUsageError, match=r"external id 17 of user cannot go into order.customer_id: "
                                                 r"expected string, got 17 \[type\]\. Give"):
        generate_dataset({"product": 3, "order": 4}, external={"user": [17]})
    assert generate_dataset({"product": 3, "order": 4}, external={"user": [good]}).valid


@pytest.mark.parametrize("given", [0, (0, 0)])
def test_a_cardinality_of_at_most_none(given: object) -> None:
    # Before: "mean must be a number > 0, got 0", a mean the user never gave.
    with pytest.raises(TestdataUsageError, match=r"cardinality\['order.items'\]: a max of 0 allows none at all; "
                                                 r"give a max of at least 1"):
        generate_dataset({"product": 3, "order": 4, "user": 2}, cardinality={"order.items": given})


def test_a_max_below_the_schema_s_min() -> None:
    # Before: "min (1) is greater than max (0). Swap them.", a min the user never gave (the schema's minItems).
    with pytest.raises(TestdataUsageError) as err:
        generate_dataset({"product": 3, "order": 4, "user": 2}, cardinality={"order.items": {"max": 0}})
    assert str(err.value) == ("cardinality['order.items']: max (0) is below the least there must be (1, the "
                              "schema's or the default min). Give a max of at least 1.")
