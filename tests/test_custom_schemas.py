"""User schemas: JSON Schema files in configured folders and pydantic models, every field generated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.quality.validator import Validator
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest

INVOICE: dict[str, Any] = {
    "title": "invoice",
    "description": "A supplier invoice.",
    "x-version": 2,
    "x-domain": "billing",
    "type": "object",
    "required": ["invoice_id", "number", "customer_email", "first_name", "last_name", "city", "amount",
                 "status", "lines", "issued_on", "created_at", "updated_at"],
    "additionalProperties": False,
    "properties": {
        "invoice_id": {"type": "string", "format": "uuid", "x-unique": True},
        "number": {"type": "string", "pattern": "^INV-[0-9]{6}$", "x-unique": True},
        "first_name": {"type": "string", "x-gen": "person.first_name"},
        "last_name": {"type": "string", "x-gen": "person.last_name"},
        "customer_email": {"type": "string", "format": "email"},
        "city": {"type": "string"},
        "iban": {"type": "string", "x-gen": "faker.iban"},
        "amount": {"type": "number", "minimum": 1, "maximum": 5000, "multipleOf": 0.01},
        "status": {"type": "string", "enum": ["draft", "sent", "paid"]},
        "lines": {"type": "array", "minItems": 1, "maxItems": 4, "items": {"$ref": "#/$defs/line"}},
        "issued_on": {"type": "string", "format": "date"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    "$defs": {
        "line": {
            "type": "object", "required": ["description", "qty", "price"],
            "properties": {
                "description": {"type": "string", "minLength": 3, "maxLength": 80},
                "qty": {"type": "integer", "minimum": 1, "maximum": 20},
                "price": {"type": "number", "minimum": 0.5, "maximum": 500, "multipleOf": 0.01},
            },
        }
    },
    "x-coherence": [
        {"kind": "email_from_name", "email": "customer_email", "first": "first_name", "last": "last_name"},
        {"kind": "ordered", "fields": ["created_at", "updated_at"]},
    ],
}


def write_schema(folder: Path, data: dict[str, Any], name: str = "invoice.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data))
    return path


def test_schema_folder_from_ini_is_used_by_fixture_and_marker(pytester: pytest.Pytester) -> None:
    write_schema(pytester.path / "schemas", INVOICE)
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile("""
        import re
        import unicodedata
        import pytest

        def test_fixture(testdata):
            invoices = testdata("invoice", count=20)
            assert testdata.last.valid and testdata.last.metadata.coherence == 1.0
            for inv in invoices:
                assert inv["number"].startswith("INV-") and inv["status"] in ("draft", "sent", "paid")
                last = unicodedata.normalize("NFKD", inv["last_name"]).encode("ascii", "ignore").decode()
                assert re.sub("[^a-z]", "", last.lower())[:3] in inv["customer_email"].lower()

        @pytest.mark.testdata("invoice", count=2)
        def test_marker(invoice):
            assert len(invoice) == 2

        @pytest.mark.testdata("invoice", variant="invalid")
        def test_invalid(invoice, testdata, request):
            # One violation per rule the id names: the broken one, and what it must break too.
            rule_id = request.node.callspec.id.removeprefix("invalid-")
            assert len(testdata.last.metadata.violations) == len(rule_id.split("+"))
    """)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*schema paths schemas*", "*test_invalid?invalid-number-regex? PASSED*"])
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 10 and "failed" not in outcomes


def test_schema_folder_from_the_command_line_and_environment(pytester: pytest.Pytester,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    write_schema(pytester.path / "a", INVOICE)
    write_schema(pytester.path / "b", {**INVOICE, "title": "bill"}, "bill.json")
    pytester.makepyfile("""
        def test_it(testdata):
            testdata("invoice")
            testdata("bill")
    """)
    pytester.runpytest("--testdata-schemas", "a", "--testdata-schemas", "b").assert_outcomes(passed=1)
    monkeypatch.setenv("TESTDATA_SCHEMA_DIRS", "a:b")
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_user_schema_overrides_a_builtin_one(tmp_path: Path) -> None:
    cart = {"title": "cart", "type": "object", "required": ["cart_id"],
            "properties": {"cart_id": {"type": "string", "format": "uuid"}}}
    write_schema(tmp_path, cart, "cart.json")
    engine = Engine(schema_dirs=[tmp_path])
    record = engine.generate(GenerationRequest.checked("cart", 1, seed=1)).records[0]
    assert set(record) == {"cart_id"}


def test_every_field_of_a_user_schema_is_generated_and_valid(tmp_path: Path) -> None:
    write_schema(tmp_path, INVOICE)
    engine = Engine(schema_dirs=[tmp_path])
    result = engine.generate(GenerationRequest.checked("invoice", 200, seed=2))
    assert result.valid and result.metadata.coherence == 1.0
    schema = engine.registry.get("invoice")
    assert schema.version == 2 and schema.domain == "billing"
    for record in result.records:
        assert set(record) == set(INVOICE["properties"])
        assert " " in record["city"] or record["city"][0].isupper()  # a city name, not a sentence
        assert record["iban"][:2].isalpha() and record["iban"][2:4].isdigit()
    assert len({r["number"] for r in result.records}) == 200
    assert {r["status"] for r in result.records} == {"draft", "sent", "paid"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "object", "properties": {"a": {"type": "string"}}}, None),  # named after the file
        ({"title": "x", "type": "array"}, "at /type, 'type': entity 'x' must describe an object, but its type is "
         "'array'. Fix: give the entity \"type\": \"object\""),
        ({"title": "x", "type": "object", "properties": {}, "x-version": "two"}, "\"x-version\" "
         "must be a whole "
         "number, got 'two'"),
        ({"title": "x", "type": "object", "properties": {}, "x-coherence": [{"kind": "magic"}]},
         "at /x-coherence/0/kind, 'kind': unknown coherence rule kind 'magic'. Fix: use one of: sum_of_products,"),
        ({"title": "x", "type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}},
         "at /properties/a/$ref, '$ref': the reference '#/$defs/missing' points at nothing"),
        ({"title": "x", "type": "object", "properties": {"a": {"$ref": "other.json#/a"}}},
         "at /properties/a/$ref, '$ref': the reference 'other.json#/a' names the document 'file:///"),
    ],
    ids=["no-title", "not-object", "bad-version", "unknown-rule", "dangling-ref", "remote-ref"],
)
def test_schema_files_are_checked(tmp_path: Path, data: dict[str, Any], message: str | None) -> None:
    path = write_schema(tmp_path, data, "thing.json")
    if message is None:
        assert SchemaRegistry([tmp_path]).get("thing").fields == ("a",)
        return
    with pytest.raises(TestdataUsageError) as info:
        registry = SchemaRegistry([tmp_path])
        # Everything, rules included, is checked when the file is loaded.
        Engine(registry).generate(GenerationRequest.checked("x", 1, seed=1))
    assert message in str(info.value)
    assert str(path) in str(info.value) or "x" in str(info.value)


def test_broken_json_names_the_file_and_position(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"title": "x",\n "type": }')
    registry = SchemaRegistry([tmp_path])  # reading the folder does not fail: only the broken entity does
    assert "cart" in registry.names()
    with pytest.raises(TestdataUsageError, match=r"broken.json: at /, 'syntax': not valid JSON: Expecting value "
                       r"at line 2, column 10. Fix: fix the syntax there"):
        registry.get("broken")
    with pytest.raises(TestdataUsageError, match=r"unknown entity 'x'.*1 schema file\(s\) could not be read.*"
                       r"broken.json: at /, 'syntax': not valid JSON"):
        registry.get("x")


def test_unknown_x_gen_is_an_error_listing_the_allowed_names(tmp_path: Path) -> None:
    write_schema(tmp_path, {"title": "x", "type": "object", "properties": {"a": {"type": "string",
                                                                                 "x-gen": "city"}}}, "x.json")
    engine = Engine(schema_dirs=[tmp_path])
    with pytest.raises(TestdataUsageError, match=r"unknown \"x-gen\" 'city'. Allowed: address.city, "):
        engine.generate(GenerationRequest.checked("x", 1, seed=1))
    write_schema(tmp_path, {"title": "x", "type": "object", "properties": {"a": {"type": "string",
                                                                                 "x-gen": "faker.nothing"}}},
                 "x.json")
    engine = Engine(schema_dirs=[tmp_path])
    with pytest.raises(TestdataUsageError, match="Faker has no provider 'nothing'"):
        engine.generate(GenerationRequest.checked("x", 1, seed=1))


# --- pydantic models ---------------------------------------------------------------------------------

PYDANTIC_MODELS = """
from datetime import date, datetime
from enum import Enum
from typing import Literal, Optional
from uuid import UUID

from pydantic import BaseModel, Field


class Colour(str, Enum):
    red = "red"
    blue = "blue"


class Line(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{2}[0-9]{3}$")
    qty: int = Field(ge=1, le=5)


class Address(BaseModel):
    street: str
    city: str
    zip_code: str = Field(pattern=r"^[0-9]{5}$")


class Invoice(BaseModel):
    invoice_id: UUID
    number: int = Field(ge=1000, le=9999)
    customer_email: str
    amount: float = Field(gt=0, le=1000)
    ratio: float = Field(gt=0, lt=1)
    step: int = Field(gt=10, lt=100, multiple_of=5)
    paid: bool
    status: Literal["draft", "sent", "paid"]
    kind: Literal["invoice"] = "invoice"
    colour: Colour
    issued_on: date
    created_at: datetime
    note: Optional[str] = None
    maybe_count: Optional[int] = None
    billing: Address
    shipping: Optional[Address] = None
    tags: list[str] = Field(min_length=1, max_length=3)
    lines: list[Line]
    code: str = Field(min_length=4, max_length=8)
"""


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "user_models.py").write_text(PYDANTIC_MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    return importlib.import_module("user_models")


def test_pydantic_model_every_field_generated_and_valid(models: Any) -> None:
    registry = SchemaRegistry()
    schema = registry.register_model(models.Invoice)
    assert schema.name == "invoice" and schema.source.endswith("user_models.Invoice")
    result = Engine(registry).generate(GenerationRequest.checked("invoice", 200, seed=4))
    assert result.valid, result.metadata.violations[:3]
    for record in result.records:
        models.Invoice.model_validate(record)  # pydantic itself accepts every record
        assert set(record) == set(models.Invoice.model_fields)
    assert {r["status"] for r in result.records} == {"draft", "sent", "paid"}
    assert any(r["shipping"] is not None for r in result.records)


def test_validator_catches_what_pydantic_rejects(models: Any) -> None:
    schema = Schema.from_pydantic(models.Invoice)
    record = Engine(SchemaRegistry()).generate(GenerationRequest.checked("cart", 1, seed=1)).records[0]
    registry = SchemaRegistry()
    registry.register(schema)
    good = Engine(registry).generate(GenerationRequest.checked("invoice", 1, seed=1)).records[0]
    validator = Validator(schema)
    for field, value, rule in [("ratio", 1.0, "max"), ("step", 52, "multipleOf"), ("kind", "bill", "enum"),
                               ("maybe_count", "three", "type"), ("number", 10000, "max")]:
        broken = {**good, field: value}
        assert [(v.field, v.rule) for v in validator.validate([broken])] == [(field, rule)]
    assert record  # the built-in schemas are untouched by registering a model


def test_pydantic_model_straight_into_the_fixture_and_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(user_models=PYDANTIC_MODELS)
    pytester.makepyfile(test_models="""
        import pytest
        from user_models import Invoice

        def test_fixture(testdata):
            invoices = testdata(Invoice, count=5)
            assert [Invoice.model_validate(i).number >= 1000 for i in invoices] == [True] * 5
            assert testdata.last.metadata.entity == "invoice"
            assert testdata("invoice")  # registered under its name from then on

        @pytest.mark.testdata(Invoice, count=2)
        def test_marker(invoice):
            assert len(invoice) == 2

        @pytest.mark.testdata(Invoice, variant="invalid")
        def test_invalid(invoice, testdata):
            assert len(testdata.last.metadata.violations) == 1
    """)
    result = pytester.runpytest("-v")
    result.stdout.fnmatch_lines(["*test_invalid?invalid-kind-enum? PASSED*"])
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 10 and "failed" not in outcomes, result.stdout.str()


def test_a_non_model_entity_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_it(testdata):
            testdata(42)
    """)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*entity: expected an entity name such as 'cart', a Schema or a model "
                                 "class, got 42. Allowed model kinds: sqlalchemy, pydantic, dataclass, typeddict, "
                                 "attrs*"])


def test_a_model_may_not_silently_replace_a_schema_of_the_same_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from pydantic import BaseModel
        from pytest_testdata.schemas import Schema

        class Cart(BaseModel):
            cart_id: str

        def test_clash(testdata):
            testdata(Cart)

        def test_renamed(testdata):
            assert set(testdata(Schema.from_pydantic(Cart, name="mini_cart"))) == {"cart_id"}
            assert "items" in testdata("cart")  # the built-in cart is untouched
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*entity 'cart' (pydantic:*Cart) would replace the schema of the same name "
                                 "from *cart.json. Give it another name: "
                                 "schema_from_object(model, name='...')*"])
