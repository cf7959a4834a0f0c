"""The constraint validator and the coherence scorer catch hand-broken records."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.quality.coherence import CoherenceScorer
from pytest_testdata.quality.validator import Validator
from pytest_testdata.types import FieldConstraint, GenerationRequest

Record = dict[str, Any]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def good(engine: Engine, entity: str, seed: int = 3, **kwargs: Any) -> Record:
    record: Record = engine.generate(GenerationRequest.checked(entity, 1, seed=seed, **kwargs)).records[0]
    return record


def set_path(record: Record, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = record
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value


VALIDATOR_CASES = [
    ("cart", "cart_id", "not-a-uuid", "cart_id", "format"),
    ("cart", "currency", "CHF", "currency", "enum"),
    ("cart", "items", [], "items", "min_items"),
    ("cart", "items.0.quantity", 0, "items.0.quantity", "min"),
    ("cart", "items.0.quantity", 11, "items.0.quantity", "max"),
    ("cart", "items.0.sku", "abc-1", "items.0.sku", "regex"),
    ("cart", "items.0.unit_price", 1.001, "items.0.unit_price", "multipleOf"),
    ("cart", "total", "12.00", "total", "type"),
    ("user", "email", "no-at-sign", "email", "format"),
    ("user", "first_name", "", "first_name", "min_length"),
    ("user", "phone", "call me", "phone", "regex"),
    ("user", "addresses.0.country", "CH", "addresses.0.country", "enum"),
    ("user", "nickname", "bob", "nickname", "additional"),
    ("review", "rating", 6, "rating", "max"),
    ("product", "in_stock", "yes", "in_stock", "type"),
]


@pytest.mark.parametrize(("entity", "path", "value", "field", "rule"), VALIDATOR_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[4]}" for c in VALIDATOR_CASES])
def test_validator_reports_a_hand_broken_field(engine: Engine, entity: str, path: str, value: Any,
                                               field: str, rule: str) -> None:
    record = good(engine, entity)
    validator = Validator(engine.registry.get(entity))
    assert validator.validate([record]) == []
    set_path(record, path, value)
    violations = validator.validate([record])
    assert [(v.record, v.field, v.rule) for v in violations] == [(0, field, rule)]
    assert repr(value)[:20] in violations[0].message or rule in ("min_items", "min_length", "additional")


def test_validator_reports_missing_required_fields_and_non_objects(engine: Engine) -> None:
    record = good(engine, "order")
    del record["status"]
    del record["totals"]["currency"]
    validator = Validator(engine.registry.get("order"))
    found = {(v.field, v.rule) for v in validator.validate([record, "not a record"])}  # type: ignore[list-item]
    assert found == {("status", "required"), ("totals.currency", "required"), ("", "type")}


def test_validator_checks_caller_constraints_and_batch_uniqueness(engine: Engine) -> None:
    schema = engine.registry.get("user")
    users = [good(engine, "user", seed=s) for s in (1, 2)]
    constraints = {"loyalty_tier": FieldConstraint(enum=("diamond",)), "email": FieldConstraint(regex="^zz")}
    found = {(v.record, v.field, v.rule) for v in Validator(schema, constraints).validate(users)}
    assert found == {(0, "loyalty_tier", "enum"), (1, "loyalty_tier", "enum"), (0, "email", "regex"),
                     (1, "email", "regex")}
    twin = copy.deepcopy(users[0])
    found = {(v.record, v.field, v.rule) for v in Validator(schema).validate([users[0], twin])}
    assert found == {(1, "user_id", "unique"), (1, "email", "unique")}


def test_validator_checks_nested_caller_constraints(engine: Engine) -> None:
    schema = engine.registry.get("order")
    order = good(engine, "order")
    order["totals"]["total"] = 999.0
    violations = Validator(schema, {"totals.total": FieldConstraint(maximum=500)}).validate([order])
    assert [(v.field, v.rule) for v in violations] == [("totals.total", "max")]


Breaker = Callable[[Record], None]


def _cart_subtotal(r: Record) -> None:
    r["items"][0]["unit_price"] = round(r["items"][0]["unit_price"] + 5, 2)  # subtotal no longer adds up


def _cart_total(r: Record) -> None:
    r["total"] = round(r["total"] + 1, 2)


def _cart_time(r: Record) -> None:
    r["created_at"], r["updated_at"] = "2025-06-02T00:00:00Z", "2025-06-01T00:00:00Z"


def _user_email(r: Record) -> None:
    r["email"] = "someone.else@example.com"


def _user_phone(r: Record) -> None:
    r["phone"] = "+81 90 1234 5678"


def _user_postal(r: Record) -> None:
    r["addresses"][0]["postal_code"] = "ZZZZZ"


def _product_stock(r: Record) -> None:
    r["in_stock"] = not r["in_stock"]


def _payment_card(r: Record) -> None:
    r["card_last_four"] = None if r["card_last_four"] else "1234"


def _review_sentiment(r: Record) -> None:
    r["rating"] = 5
    r["title"], r["body"] = "Terrible", "Broke after a week. Poor quality and a waste of money, I regret it."


def _order_payment(r: Record) -> None:
    r["payment"]["amount"] = round(r["totals"]["total"] + 10, 2)


def _order_status(r: Record) -> None:
    r["status"], r["delivered_at"], r["shipped_at"] = "pending", None, None


SCORER_CASES: list[tuple[str, Breaker, str]] = [
    ("cart", _cart_subtotal, "sum_of_products"),
    ("cart", _cart_total, "sum"),
    ("cart", _cart_time, "ordered"),
    ("user", _user_email, "email_from_name"),
    ("user", _user_phone, "phone_matches_country"),
    ("user", _user_postal, "postal_code_matches_country"),
    ("product", _product_stock, "flag_iff_positive"),
    ("payment", _payment_card, "present_iff"),
    ("review", _review_sentiment, "sentiment_matches_rating"),
    ("order", _order_payment, "same_value"),
    ("order", _order_status, "status_timestamps"),
]


@pytest.mark.parametrize(("entity", "breaker", "kind"), SCORER_CASES,
                         ids=[c[1].__name__[1:] for c in SCORER_CASES])
def test_coherence_scorer_catches_a_broken_rule(engine: Engine, entity: str, breaker: Breaker,
                                                kind: str) -> None:
    seed = 4
    kwargs: dict[str, Any] = {}
    if entity == "order" and kind == "status_timestamps":
        kwargs = {"constraints": {"status": {"enum": ["delivered"]}}}
    record = good(engine, entity, **kwargs) if kwargs else good(engine, entity, seed=seed)
    scorer = CoherenceScorer(engine.registry.get(entity))
    assert scorer.score(record) == 1.0 and scorer.failed_rules(record) == []
    breaker(record)
    assert scorer.score(record) < 1.0
    failed = scorer.failed_rules(record)
    assert len(failed) == 1 and failed[0].startswith(kind + "("), failed


def test_scorer_is_a_fraction_and_never_crashes_on_garbage(engine: Engine) -> None:
    scorer = CoherenceScorer(engine.registry.get("cart"))
    record = good(engine, "cart")
    record["total"] = record["total"] + 1
    assert scorer.score(record) == pytest.approx(3 / 4)
    garbage: Record = {"items": "lots", "subtotal": None, "created_at": 5, "updated_at": "x"}
    assert 0.0 <= scorer.score(garbage) <= 1.0


def test_engine_reports_violations_and_scores_on_every_result(engine: Engine) -> None:
    result = engine.generate(GenerationRequest.checked("cart", 4, seed=9, variant="invalid"))
    assert not result.valid
    assert len(result.metadata.violations) >= 4  # one rule broken per record, each reported
    assert result.metadata.details["broken_rules"] and len(result.metadata.coherence_scores) == 4


@pytest.mark.parametrize("stamp", ["2024-13-01T10:00:00Z", "2024-02-30T10:00:00Z", "2023-02-29T10:00:00+01:00",
                                   "2024-05-01T24:00:00Z", "2024-05-01T10:61:00Z", "2024-05-01T10:00:00+24:00"])
def test_a_timestamp_not_on_the_calendar_is_a_format_violation(engine: Engine, stamp: str) -> None:
    """Shaped like a date-time but no such moment: jsonschema's format checker refuses it, and so do we."""
    record = good(engine, "user")
    validator = Validator(engine.registry.get("user"))
    record["created_at"] = stamp
    assert [(v.field, v.rule) for v in validator.validate([record])] == [("created_at", "format")]
    record["created_at"] = "2024-02-29T23:59:60.5-05:30"  # a leap day, and RFC 3339's leap second
    assert validator.validate([record]) == []


@pytest.mark.parametrize(("entity", "path"), [("user", "user_id"), ("user", "email"), ("user", "created_at"),
                                             ("order", "order_id"), ("order", "created_at")])
def test_a_trailing_newline_breaks_a_format(engine: Engine, entity: str, path: str) -> None:
    """``$`` in a Python regex also matches before a final newline: "<uuid>\\n" is no uuid, nor is an email or
    a timestamp with a newline after it (jsonschema's format checker refuses them too)."""
    record = good(engine, entity)
    validator = Validator(engine.registry.get(entity))
    record[path] += "\n"
    assert [(v.field, v.rule) for v in validator.validate([record])] == [(path, "format")]


def test_a_trailing_newline_breaks_a_date_and_a_postal_code() -> None:
    from pytest_testdata.locales.countries import POSTAL_CODES, postal_code_matches
    from pytest_testdata.schemas.model import Schema

    schema = Schema.from_json_schema({"title": "day", "type": "object", "required": ["on"],
                                      "properties": {"on": {"type": "string", "format": "date"}}})
    validator = Validator(schema)
    assert validator.validate([{"on": "2024-02-29"}]) == []
    assert [(v.field, v.rule) for v in validator.validate([{"on": "2024-02-29\n"}])] == [("on", "format")]
    samples = {"US": "10001", "CA": "K1A 0B1", "GB": "SW1A 2AA", "DE": "10115", "FR": "75001", "JP": "100-0001",
               "BR": "01001-000", "ES": "28001", "IT": "00184", "NL": "1011 AB", "AU": "2000", "IN": "110001"}
    assert set(samples) == set(POSTAL_CODES)
    for country, code in samples.items():
        assert postal_code_matches(code, country) and not postal_code_matches(code + "\n", country), country
