"""References between a user's schema documents: ``$ref`` to another file, to an ``$id`` URL, to a folder
served under a base URI, and custom meta-schemas; never fetched from the network. Every record is checked
by the ``jsonschema`` library with the same documents given to it as a ``referencing`` registry."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pytest_testdata.engine import Engine
from pytest_testdata.errors import SchemaError, TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources.references import SchemaDocuments
from pytest_testdata.types import GenerationRequest

DIALECT = "https://json-schema.org/draft/2020-12/schema"
ADDRESS = {
    "$schema": DIALECT, "$id": "https://example.com/schemas/address.json", "type": "object",
    "required": ["street", "country"],
    "properties": {"street": {"type": "string", "minLength": 3},
                   "country": {"type": "string", "enum": ["DE", "FR", "US"]},
                   "zip": {"$ref": "#/$defs/zip"}},
    "$defs": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
    "additionalProperties": False,
}
CUSTOMER = {
    "$schema": DIALECT, "title": "customer", "type": "object", "required": ["name", "home", "zip"],
    "properties": {"name": {"type": "string", "maxLength": 40},
                   "home": {"$ref": "https://example.com/schemas/address.json"},
                   "zip": {"$ref": "https://example.com/schemas/address.json#/$defs/zip"}},
}


def judge(document: dict[str, Any], *others: tuple[str, dict[str, Any]]) -> Any:
    """jsonschema's validator, formats asserted, the other documents registered under their URIs."""
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT202012)) for uri, doc in others)
    return Draft202012Validator(document, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def generate(registry: SchemaRegistry, entity: str, count: int = 30, seed: int = 3) -> list[dict[str, Any]]:
    result = Engine(registry).generate(GenerationRequest.checked(entity, count, seed=seed))
    assert result.metadata.violations == []
    return list(result.records)


def test_a_ref_to_a_document_passed_to_the_python_api() -> None:
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(CUSTOMER, documents=[ADDRESS]))
    records = generate(registry, "customer")
    check = judge(CUSTOMER, (ADDRESS["$id"], ADDRESS))
    assert all(check.is_valid(r) for r in records)
    assert {r["home"]["country"] for r in records} <= {"DE", "FR", "US"}
    assert all(len(r["zip"]) == 5 and r["zip"].isdigit() for r in records)


def test_documents_by_uri_and_registered_on_the_registry() -> None:
    untitled = {k: v for k, v in ADDRESS.items() if k != "$id"}  # no $id: known by the URI it is given
    by_uri = Schema.from_json_schema(CUSTOMER, documents=SchemaDocuments({ADDRESS["$id"]: untitled}))
    assert "https://example.com/schemas/address.json" in json.dumps(by_uri.document["$defs"])
    registry = SchemaRegistry(builtins=False)
    assert registry.register_document(ADDRESS) == [ADDRESS["$id"]]
    registry.register(Schema.from_json_schema(CUSTOMER, documents=registry.documents))
    check = judge(CUSTOMER, (ADDRESS["$id"], ADDRESS))
    assert all(check.is_valid(r) for r in generate(registry, "customer"))
    with pytest.raises(TestdataUsageError, match=r"it has no absolute \"\$id\" and no URI was given"):
        registry.register_document(untitled)


def test_a_folder_of_files_referring_to_each_other(tmp_path: Path) -> None:
    (tmp_path / "address.json").write_text(json.dumps(ADDRESS))
    (tmp_path / "common").mkdir()
    phone = {"type": "string", "pattern": "^\\+[0-9]{8,12}$"}
    (tmp_path / "common" / "phone.json").write_text(json.dumps(phone))
    order = {"$schema": DIALECT, "title": "order", "type": "object", "required": ["ship_to", "phone", "buyer"],
             "properties": {"ship_to": {"$ref": "address.json"},             # a file next to this one
                            "phone": {"$ref": "common/phone.json"},          # a file in a sub-folder
                            "buyer": {"$ref": "customer.json"}}}            # by file, itself referring by $id
    (tmp_path / "order.json").write_text(json.dumps(order))
    (tmp_path / "customer.json").write_text(json.dumps(CUSTOMER))
    registry = SchemaRegistry([tmp_path], builtins=False)
    records = generate(registry, "order")
    folder = tmp_path.resolve().as_uri()
    check = judge({**order, "$id": f"{folder}/order.json"}, (ADDRESS["$id"], ADDRESS),
                  (f"{folder}/address.json", ADDRESS), (f"{folder}/common/phone.json", phone),
                  (f"{folder}/customer.json", CUSTOMER))
    assert all(check.is_valid(r) for r in records)
    assert all(r["phone"].startswith("+") for r in records)


def test_a_document_in_a_sub_folder_is_found_by_its_id(tmp_path: Path) -> None:
    # Not an entity (only a folder's top-level files are), but a schema may name it by "$id" alone.
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "address.json").write_text(json.dumps(ADDRESS))
    (tmp_path / "customer.json").write_text(json.dumps(CUSTOMER))
    (tmp_path / "common" / "broken.json").write_text("{not json")
    registry = SchemaRegistry([tmp_path], builtins=False)
    assert registry.names() == ["customer"]
    records = generate(registry, "customer")
    check = judge(CUSTOMER, (ADDRESS["$id"], ADDRESS))
    assert all(check.is_valid(r) for r in records)
    assert [Path(e.file).name for e in registry.file_errors] == ["broken.json"]  # listed, never skipped


def test_a_folder_served_under_a_base_uri(tmp_path: Path) -> None:
    (tmp_path / "money").mkdir()
    amount = {"type": "number", "minimum": 0, "maximum": 500, "multipleOf": 0.01}
    (tmp_path / "money" / "amount.json").write_text(json.dumps(amount))
    registry = SchemaRegistry(builtins=False)
    assert registry.register_documents(tmp_path, "https://schemas.example.org/") == [
        "https://schemas.example.org/money/amount.json"]
    invoice = {"title": "invoice", "type": "object", "required": ["total"],
               "properties": {"total": {"$ref": "https://schemas.example.org/money/amount.json"}}}
    registry.register(Schema.from_json_schema(invoice, documents=registry.documents))
    check = judge(invoice, ("https://schemas.example.org/money/amount.json", amount))
    records = generate(registry, "invoice")
    assert all(check.is_valid(r) for r in records) and all(0 <= r["total"] <= 500 for r in records)


def test_an_unregistered_remote_is_one_load_error_naming_the_url() -> None:
    with pytest.raises(SchemaError) as info:
        Schema.from_json_schema(CUSTOMER, source="customer.json")
    message = str(info.value)
    assert message == (
        "schema customer.json: at /properties/home/$ref, '$ref': the reference "
        "'https://example.com/schemas/address.json' names the document 'https://example.com/schemas/address.json', "
        "which is not registered (documents are never fetched from the network). Fix: put the document in a "
        "testdata_schemas folder with \"$id\": 'https://example.com/schemas/address.json', or pass it to "
        "Schema.from_json_schema(..., documents=[...]) or SchemaRegistry.register_document(...)")


def test_custom_meta_schemas_are_read_as_their_base_dialect() -> None:
    meta = {"$schema": DIALECT, "$id": "https://example.com/meta/strict", "$dynamicAnchor": "meta",
            "$vocabulary": {"https://json-schema.org/draft/2020-12/vocab/core": True,
                            "https://json-schema.org/draft/2020-12/vocab/validation": True},
            "allOf": [{"$ref": DIALECT}]}
    thing = {"$schema": "https://example.com/meta/strict", "title": "thing", "type": "object",
             "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 2, "maximum": 4}}}
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(thing, documents=[meta]))
    assert {r["n"] for r in generate(registry, "thing")} <= {2, 3, 4}
    odd = {**meta, "$id": "https://example.com/meta/odd",
           "$vocabulary": {**meta["$vocabulary"], "https://example.com/vocab/units": True}}
    with pytest.raises(SchemaError, match=r"at /\$schema, '\$schema': the meta-schema 'https://example.com/meta/"
                       r"odd' requires the vocabulary 'https://example.com/vocab/units', which the generator does "
                       r"not know. Fix: mark that vocabulary optional"):
        Schema.from_json_schema({**thing, "$schema": "https://example.com/meta/odd"}, documents=[odd])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("testdata")
    assert exe is not None
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)


def test_cli_resolves_references_between_schema_files_and_names_an_unregistered_one(tmp_path: Path) -> None:
    (tmp_path / "address.json").write_text(json.dumps(ADDRESS))
    (tmp_path / "customer.json").write_text(json.dumps(CUSTOMER))
    proc = _cli("generate", "customer", "--schemas", str(tmp_path), "-n", "20", "--seed", "5", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    check = judge(CUSTOMER, (ADDRESS["$id"], ADDRESS))
    assert len(records) == 20 and all(check.is_valid(r) for r in records)
    (tmp_path / "address.json").unlink()
    proc = _cli("--schemas", str(tmp_path), "generate", "customer")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "customer.json: at /properties/home/$ref, '$ref': the reference 'https://example.com/schemas/" \
           "address.json' names the document" in lines[0]
    assert "put the document in a testdata_schemas folder" in lines[0]


def test_the_plugin_resolves_references_in_testdata_schemas(pytester: pytest.Pytester) -> None:
    schemas = pytester.mkdir("schemas")
    (schemas / "address.json").write_text(json.dumps(ADDRESS))
    (schemas / "customer.json").write_text(json.dumps(CUSTOMER))
    (schemas / "broken.json").write_text(json.dumps({**CUSTOMER, "title": "broken", "properties": {
        "x": {"$ref": "https://example.com/schemas/nowhere.json"}}}))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile(test_x="""
        def test_customer(testdata):
            records = testdata("customer", count=5)
            assert all(r["home"]["country"] in ("DE", "FR", "US") for r in records)

        def test_broken(testdata):
            testdata("broken")
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*SchemaError: schema *broken.json: at /properties/x/$ref, '$ref': the reference "
                                 "'https://example.com/schemas/nowhere.json' names the document*not registered*"])
