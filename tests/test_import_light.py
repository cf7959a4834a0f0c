"""Loading the plugin imports no heavy optional package (the Hypothesis habit, proven in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("anthropic", "weaviate", "redis", "grpc", "llama_cpp", "vcr", "prometheus_client", "opentelemetry",
         "structlog")

RUNNER = """
import json, sys
import pytest

code = pytest.main(sys.argv[1:])
print("MODULES " + json.dumps(sorted(sys.modules)))
sys.exit(code)
"""


def modules_after(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (tmp_path / "test_marked.py").write_text(
        "import pytest\n\n@pytest.mark.testdata('cart', count=2)\ndef test_marked(cart):\n    pass\n"
    )
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    proc = subprocess.run([sys.executable, str(runner), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES "))
    return proc.returncode, set(json.loads(line[len("MODULES "):])), proc.stdout


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_collect_only_imports_no_heavy_package(tmp_path: Path) -> None:
    # Faker's own pytest plugin imports faker at start-up; switch it off to see what ours imports.
    code, modules, out = modules_after(tmp_path, "--co", "-q", "-p", "no:faker", "test_plain.py",
                                       "test_marked.py")
    assert code == 0, out
    assert "pytest_testdata.plugin" in modules  # the plugin really was loaded
    for name in (*HEAVY, "faker", "factory", "rstr", "pydantic", "rich", "jsonschema_rs"):
        assert not loaded(modules, name), f"{name} imported at collection"
    assert "pytest_testdata.engine" not in modules


def test_running_plain_tests_imports_no_heavy_package(tmp_path: Path) -> None:
    code, modules, out = modules_after(tmp_path, "-q", "-p", "no:faker", "test_plain.py")
    assert code == 0, out
    for name in (*HEAVY, "faker", "factory"):
        assert not loaded(modules, name), f"{name} imported by a run that asked for no data"


def test_generating_with_the_traditional_strategy_imports_no_optional_package(tmp_path: Path) -> None:
    code, modules, out = modules_after(tmp_path, "-q", "test_marked.py")
    assert code == 0, out
    assert "faker" in modules  # the pools really were built
    for name in HEAVY:
        assert not loaded(modules, name), f"{name} imported by the traditional strategy"


FIRST_RECORDS = """
import json, sys
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest

engine = Engine()
for entity in ("user", "cart", "order", "product", "payment", "review"):
    engine.generate(GenerationRequest.checked(entity, 1, seed=1))
print("MODULES " + json.dumps(sorted(sys.modules)))
"""


def test_first_builtin_records_import_no_validator_or_faker(tmp_path: Path) -> None:
    # A fresh process's first records (bench_cold_start.py) pay for what they import: the built-in
    # schemas are checked against the meta-schema by the test suite, not by importing jsonschema in every
    # process, and the traditional pools ship ready-made.
    proc = subprocess.run([sys.executable, "-c", FIRST_RECORDS], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES "))
    modules = set(json.loads(line[len("MODULES "):]))
    for name in (*HEAVY, "jsonschema", "jsonschema_rs", "faker", "factory", "pydantic", "importlib.metadata",
                 "urllib.request", "http.client", "decimal", "base64", "importlib.resources", "tempfile",
                 # the router asks whether an LLM is configured (products' and reviews' free text) without
                 # loading the LLM generator or the settings table (pytest_testdata.llm.availability)
                 "pytest_testdata.generators.llm", "pytest_testdata.config",
                 # the shipped schemas' patterns are matched by re as RE2 would (quality/regex.SHIPPED_PATTERNS)
                 "re2"):
        assert not loaded(modules, name), f"{name} imported for the first built-in records"


def test_decimal_places_of_a_step_are_read_as_decimal_reads_them() -> None:
    # cents._places reads a step's text without importing decimal (see the test above): same answers.
    from decimal import Decimal

    from pytest_testdata.generators.traditional.cents import _places

    def expected(step: float) -> int:
        exponent = Decimal(str(step)).as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0

    steps = [0.01, 0.5, 5, 5.0, 0, 0.0, -0.25, 1e-05, 1.5e-05, 2.5e-7, 1e16, 1e22, 123.456, 0.1 + 0.2,
             float("inf"), float("-inf"), float("nan")]
    steps += [round(i * 0.37, i % 9) for i in range(2000)] + [10 ** (i / 97 - 12) for i in range(3000)]
    assert [_places.__wrapped__(step) for step in steps] == [expected(step) for step in steps]


USER_KINDS = """
import json, sys
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest

names = ("currency", "color", "timezone", "language", "locale", "mime_type", "file_name", "job_title",
         "country_code", "country_name")
registry = SchemaRegistry(builtins=False)
registry.register(Schema.from_json_schema({"title": "profile", "type": "object", "required": list(names),
                                           "properties": {n: {"type": "string"} for n in names}}))
records = Engine(registry).generate(GenerationRequest.checked("profile", 20, seed=1)).records
print("VALUES " + json.dumps(records[0]))
print("MODULES " + json.dumps(sorted(sys.modules)))
"""


def test_value_kinds_of_a_user_schema_import_no_faker(tmp_path: Path) -> None:
    # Currencies, colours, time zones, languages, MIME types, file names and jobs come from Faker's data as
    # shipped in locales/data/kinds.json: no Faker import (its scan of its locales cost more than a schema's
    # first records).
    proc = subprocess.run([sys.executable, "-c", USER_KINDS], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    values = json.loads(next(line for line in lines if line.startswith("VALUES "))[len("VALUES "):])
    assert len(values["currency"]) == 3 and values["currency"].isupper()
    assert "/" in values["mime_type"] and "." in values["file_name"]
    modules = set(json.loads(next(line for line in lines if line.startswith("MODULES "))[len("MODULES "):]))
    assert not loaded(modules, "faker"), "faker imported for the value kinds of a user schema"
    # The schema's meta-schema check and its records' validation: jsonschema-rs (the fast extra, in the test
    # requirements) says yes without jsonschema, whose import with its format checkers costs about half a
    # second in a fresh process.
    assert loaded(modules, "jsonschema_rs")
    assert not loaded(modules, "jsonschema"), "jsonschema imported for a valid classic user schema"


USER_MODELS = '''
import dataclasses, datetime as dt, json, sys
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, HttpUrl

from pytest_testdata.engine import Engine
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources import schema_from_object
from pytest_testdata.types import GenerationRequest


class Tier(str, Enum):
    free = "free"
    pro = "pro"


class Address(BaseModel):
    street: str
    city: str
    country: Annotated[str, Field(min_length=2, max_length=2)]


class Invoice(BaseModel):
    amount: Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]
    currency: Literal["EUR", "USD"]
    issued_on: dt.date


class Customer(BaseModel):
    id: UUID
    email: Annotated[str, Field(json_schema_extra={"format": "email"})]
    website: HttpUrl | None = None
    tier: Tier
    created_at: dt.datetime
    address: Address
    invoices: Annotated[list[Invoice], Field(max_length=3)]


@dataclasses.dataclass
class Shipment:
    id: UUID
    status: Tier
    shipped_at: dt.datetime
    weight_kg: Annotated[Decimal, Field(max_digits=6, decimal_places=2)]


SUBSCRIPTION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "subscription", "type": "object",
    "required": ["id", "email", "homepage", "plan", "started_at", "price"],
    "properties": {
        "id": {"type": "string", "format": "uuid"}, "email": {"type": "string", "format": "email"},
        "homepage": {"type": "string", "format": "uri"}, "plan": {"enum": ["basic", "team"]},
        "started_at": {"type": "string", "format": "date-time"},
        "price": {"type": "number", "minimum": 0, "maximum": 9999.99, "multipleOf": 0.01},
        "billing": {"anyOf": [{"type": "object", "properties": {"city": {"type": "string"}}}, {"type": "null"}]},
    },
}

registry = SchemaRegistry(builtins=False)
kind = sys.argv[1]
if kind == "file":
    path = Path("subscription.schema.json")
    path.write_text(json.dumps(SUBSCRIPTION))
    schema = registry.get(registry.load_file(path)[0])
else:
    schema = registry.register(schema_from_object(Customer if kind == "pydantic" else Shipment))
result = Engine(registry).generate(GenerationRequest.checked(schema.name, 5, seed=1, locale="de_DE"))
print("STANDARD " + json.dumps(schema.standard))
print("RECORDS " + json.dumps(result.records, default=str))
print("MODULES " + json.dumps(sorted(sys.modules)))
'''


@pytest.mark.parametrize("kind", ["pydantic", "dataclass", "file"])
def test_first_records_of_a_users_model_import_no_jsonschema(tmp_path: Path, kind: str) -> None:
    # A user's model is a "standard" JSON Schema (anyOf, $ref...): its records are judged by jsonschema-rs,
    # with jsonschema's reading of formats and multipleOf (quality/formats.py), and jsonschema itself is
    # imported only to explain a refused record. Its import with the format checkers (isoduration pulls in
    # arrow) cost several times a fresh process's first records.
    runner = tmp_path / "user_models.py"
    runner.write_text(USER_MODELS)
    proc = subprocess.run([sys.executable, str(runner), kind], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in proc.stdout.splitlines()
             if line.split(" ", 1)[0] in ("STANDARD", "RECORDS", "MODULES")}
    assert lines["STANDARD"] is True  # judged as a whole document, not by the classic compiled checks
    assert len(lines["RECORDS"]) == 5
    modules = set(lines["MODULES"])
    assert loaded(modules, "jsonschema_rs")  # the records really were validated (tests/test_light_formats.py)
    # The generator's date-times and plain URLs conform by every reading: their libraries are not imported.
    for name in ("jsonschema", "referencing", "jsonschema_specifications", "arrow", "isoduration", "uri_template",
                 "webcolors", "jsonpointer", "rfc3339_validator", "six", "rfc3987", "faker"):
        assert not loaded(modules, name), f"{name} imported for the first records of a user's {kind}"
