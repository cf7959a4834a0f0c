"""A number's ``format`` (OpenAPI's ``int64``, Stripe's ``unix-time``) is an annotation of the number, not a
string format: such schemas generate (they once ended in a ``RecursionError``), their fields keep the kind
their names call for, and seconds since 1970 look like recent dates. Asked for as a new user would: an
OpenAPI document in a folder, through ``testdata generate`` and the public API, checked by ``jsonschema``."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from pytest_testdata import Engine, GenerationRequest
from pytest_testdata.cli import main
from pytest_testdata.schemas import Schema, SchemaRegistry

STRIPE = {
    "openapi": "3.0.0", "info": {"title": "Stripe (excerpt)", "version": "2024-06-20"}, "paths": {},
    "components": {"schemas": {"customer": {
        "type": "object", "required": ["id", "object", "created", "balance", "livemode"],
        "properties": {
            "id": {"type": "string", "maxLength": 5000},
            "object": {"type": "string", "enum": ["customer"]},
            "created": {"type": "integer", "format": "unix-time"},
            "balance": {"type": "integer"},
            "livemode": {"type": "boolean"},
            "discount_end": {"type": "integer", "format": "unix-time", "nullable": True},
            "current_period_end": {"type": "integer"},
            "next_invoice_sequence": {"type": "integer"},
        }}}},
}
YEAR_2020, YEAR_2027 = 1_577_836_800, 1_798_761_600


def test_a_stripe_customer_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "stripe.json").write_text(json.dumps(STRIPE))
    assert main(["--schemas", str(tmp_path), "generate", "customer", "-n", "40", "--seed", "6"]) == 0
    customers = json.loads(capsys.readouterr().out)
    assert len(customers) == 40
    for customer in customers:
        assert YEAR_2020 <= customer["created"] < YEAR_2027, customer
        assert YEAR_2020 <= customer["current_period_end"] < YEAR_2027, customer
        created = datetime.fromtimestamp(customer["created"], timezone.utc)
        assert 2020 <= created.year <= 2026


def records(properties: dict[str, Any], count: int = 50) -> list[dict[str, Any]]:
    document = {"title": "thing", "type": "object", "required": list(properties), "properties": properties}
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(document, name="thing"))
    found = Engine(registry).generate(GenerationRequest.checked("thing", count, seed=3)).records
    validator = Draft202012Validator(document, format_checker=FormatChecker())
    assert [e.message for r in found for e in validator.iter_errors(r)] == []
    return found


def test_integer_and_number_formats_generate_and_keep_the_kind_of_their_name() -> None:
    found = records({"count": {"type": "integer", "format": "int64"},
                     "age": {"type": "integer", "format": "int32"},
                     "latitude": {"type": "number", "format": "double"},
                     "expires_at": {"type": "integer", "format": "int64"},
                     "ratio": {"type": "number", "format": "float", "minimum": 0, "maximum": 1}})
    assert all(18 <= r["age"] <= 80 for r in found)
    assert all(-90 <= r["latitude"] <= 90 and r["latitude"] != round(r["latitude"]) for r in found)
    assert all(YEAR_2020 <= r["expires_at"] < YEAR_2027 for r in found)
    assert all(0 <= r["ratio"] <= 1 for r in found)
    assert len({r["count"] for r in found}) > 5


def test_a_unix_time_keeps_to_the_schema_s_bounds() -> None:
    found = records({"created": {"type": "integer", "format": "unix-time", "maximum": 1_000}})
    assert all(0 <= r["created"] <= 1_000 for r in found)
