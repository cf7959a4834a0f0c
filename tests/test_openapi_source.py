"""OpenAPI 3.0 / 3.1 documents as entity sources: translation, generation checked by an OpenAPI validator
(openapi-schema-validator), a real document (GitHub's REST API, fetched from npm by benchmarks/corpus.py),
and the plugin, CLI and registry wiring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, OAS31Validator

from benchmarks.corpus import github_openapi
from pytest_testdata.cli import main
from pytest_testdata.engine import Engine
from pytest_testdata.errors import SchemaError, TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.schemas.sources.files import read_document
from pytest_testdata.schemas.sources.openapi import component_json_schema
from pytest_testdata.types import GenerationRequest

PETSTORE_30 = """
openapi: 3.0.3
info: {title: Pet shop, version: "1"}
paths: {}
components:
  schemas:
    Owner:
      type: object
      required: [email, age, nickname, shoe_size]
      properties:
        email: {type: string, format: email}
        age: {type: integer, format: int32, nullable: true, minimum: 18, maximum: 99}
        nickname: {type: string, nullable: true, maxLength: 12}
        shoe_size: {type: integer, format: int32}
        weight_kg: {type: number, minimum: 40, exclusiveMinimum: true, maximum: 41, exclusiveMaximum: true}
        born_on: {type: string, format: date, example: 2019-05-01}
        api_key: {type: string, format: password, writeOnly: true, minLength: 12, maxLength: 12}
        owner_id: {type: integer, format: int64, readOnly: true, minimum: 1}
        status: {$ref: '#/components/schemas/Status'}
        kind: {type: string, enum: [person, company]}
      example: {email: a@example.com}
    Status:
      type: string
      enum: [active, archived]
      nullable: true
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def oas_validator(doc: dict[str, Any], name: str) -> Any:
    """An OpenAPI validator (openapi-schema-validator, not our code) for one component, in the document's
    own dialect: ``nullable``, boolean exclusive bounds, ``#/components/schemas`` references."""
    cls = OAS30Validator if str(doc["openapi"]).startswith("3.0") else OAS31Validator
    root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return cls(root, format_checker=cls.FORMAT_CHECKER)


def test_a_document_changed_in_place_is_translated_again(tmp_path: Path) -> None:
    """A caller that edits the document dict it loaded (a test tightening one component) and asks again gets
    the edited component, and the components it now references, not the translation of the first call."""
    doc = read_document(write(tmp_path, "shop.yaml", PETSTORE_30))
    assert component_json_schema(doc, "Owner")["properties"]["nickname"]["maxLength"] == 12
    owner = doc["components"]["schemas"]["Owner"]
    owner["properties"]["nickname"]["maxLength"] = 3
    owner["properties"]["pet"] = {"$ref": "#/components/schemas/Pet"}
    doc["components"]["schemas"]["Pet"] = {"type": "object", "properties": {"name": {"type": "string"}}}
    again = component_json_schema(doc, "Owner")
    assert again["properties"]["nickname"]["maxLength"] == 3
    assert again["properties"]["pet"] == {"$ref": "#/$defs/Pet"}
    assert again["$defs"]["Pet"] == {"type": "object", "properties": {"name": {"type": "string"}}}
    del doc["components"]["schemas"]["Owner"]["properties"]["pet"]
    assert "Pet" not in component_json_schema(doc, "Owner").get("$defs", {})


def test_openapi_30_dialect_becomes_json_schema_2020_12(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "shop.yaml", PETSTORE_30))  # YAML dates stay strings, as in JSON
    owner = component_json_schema(doc, "Owner")
    props = owner["properties"]
    assert owner["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert props["age"] == {"type": ["integer", "null"], "minimum": 18, "maximum": 99}
    assert props["shoe_size"] == {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1,
                                  "x-int-format": "int32"}  # the type's limits: generators know them as such
    assert props["weight_kg"] == {"type": "number", "exclusiveMinimum": 40, "exclusiveMaximum": 41}
    assert props["born_on"]["examples"] == ["2019-05-01"] and "example" not in props["born_on"]
    assert props["api_key"] == {"type": "string", "writeOnly": True, "minLength": 12, "maxLength": 12}
    assert props["owner_id"]["readOnly"] is True and "format" not in props["owner_id"]
    assert props["status"] == {"$ref": "#/$defs/Status"}
    # nullable adds null to the type, but an enum without null still excludes it (OpenAPI 3.0.3)
    assert owner["$defs"]["Status"] == {"type": ["string", "null"], "enum": ["active", "archived"]}
    assert props["kind"] == {"type": "string", "enum": ["person", "company"]}


def test_every_object_component_is_an_entity_and_records_pass_an_openapi_validator(tmp_path: Path) -> None:
    write(tmp_path, "shop.yaml", PETSTORE_30)
    registry = SchemaRegistry([tmp_path], builtins=False)
    assert registry.names() == ["owner"]  # Status is a string: referable, not an entity
    assert registry.get("Owner") is registry.get("owner")  # the component's own spelling works
    result = Engine(registry).generate(GenerationRequest.checked("Owner", 200, seed=3))
    validator = oas_validator(read_document(tmp_path / "shop.yaml"), "Owner")
    for record in result.records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, (record, errors)
        assert 40 < record["weight_kg"] < 41 if "weight_kg" in record else True
    assert result.valid


# The Swagger Petstore's components (petstore3.swagger.io/api/v3/openapi.json, abridged to what they use):
# what a new user tries first.
SWAGGER_PETSTORE = """
openapi: 3.0.4
info: {title: Swagger Petstore - OpenAPI 3.0, version: 1.0.27}
paths: {}
components:
  schemas:
    Order:
      type: object
      properties:
        id: {type: integer, format: int64, example: 10}
        petId: {type: integer, format: int64, example: 198772}
        quantity: {type: integer, format: int32, example: 7}
        shipDate: {type: string, format: date-time}
        status: {type: string, description: Order Status, example: approved, enum: [placed, approved, delivered]}
        complete: {type: boolean}
    Category:
      type: object
      properties:
        id: {type: integer, format: int64, example: 1}
        name: {type: string, example: Dogs}
    Tag:
      type: object
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
    Pet:
      required: [name, photoUrls]
      type: object
      properties:
        id: {type: integer, format: int64, example: 10}
        name: {type: string, example: doggie}
        category: {$ref: '#/components/schemas/Category'}
        photoUrls: {type: array, items: {type: string}}
        tags: {type: array, items: {$ref: '#/components/schemas/Tag'}}
        status: {type: string, description: pet status in the store, enum: [available, pending, sold]}
"""


def test_the_swagger_petstore_reads_as_a_pet_shop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Petstore through the CLI: a Pet's object-valued ``category`` once crashed the product-name drawer, and
    ``int64``/``int32`` ids and quantities came out anywhere in the type's range (-7189167977448271616)."""
    path = write(tmp_path / "api", "petstore.yaml", SWAGGER_PETSTORE)
    doc = read_document(path)
    records: dict[str, list[dict[str, Any]]] = {}
    for entity in ("Pet", "Order"):
        assert main(["generate", "--schemas", str(path), entity, "-n", "100", "--seed", "1"]) == 0
        records[entity] = json.loads(capsys.readouterr().out)
        validator = oas_validator(doc, entity)
        assert all(not list(validator.iter_errors(r)) for r in records[entity])
    pets, orders = records["Pet"], records["Order"]
    ids = {entity: {r["id"] for r in rows if "id" in r} for entity, rows in records.items()}
    assert all(1 <= i <= 999_999 for each in ids.values() for i in each) and len(ids["Pet"]) > 80
    assert not ids["Pet"] & ids["Order"]  # the same seed: separate id streams per entity
    assert all(1 <= o["quantity"] <= 10 for o in orders if "quantity" in o)
    assert all(1 <= o["petId"] <= 999_999 for o in orders if "petId" in o)
    urls = [u for p in pets for u in p["photoUrls"]]
    assert urls and all(u.startswith("https://") and ".example" in u for u in urls)
    tags = [t["name"] for p in pets for t in p.get("tags", []) if "name" in t]
    assert tags and all(t.isalnum() and t == t.lower() for t in tags)
    assert {p["category"]["name"] for p in pets if "name" in p.get("category", {})} == {"Dogs"}


def test_discriminator_mapping_fixes_each_branch_tag() -> None:
    doc = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Card": {"type": "object", "required": ["type", "last4"],
                     "properties": {"type": {"type": "string"}, "last4": {"type": "string", "pattern": "^[0-9]{4}$"}}},
            "Bank": {"type": "object", "required": ["type", "iban"],
                     "properties": {"type": {"type": "string"}, "iban": {"type": "string"}}},
            "Method": {"type": "object", "required": ["detail"], "properties": {"detail": {
                "oneOf": [{"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/Bank"}],
                "discriminator": {"propertyName": "type", "mapping": {"card": "#/components/schemas/Card"}}}}},
            "Pet": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}},
                    "discriminator": {"propertyName": "kind", "mapping": {"kitty": "#/components/schemas/Cat"}}},
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"},
                              {"type": "object", "properties": {"indoor": {"type": "boolean"}}}]},
        }},
    }
    detail = component_json_schema(doc, "Method")["properties"]["detail"]
    assert "discriminator" not in detail
    assert detail["oneOf"] == [
        {"allOf": [{"$ref": "#/$defs/Card"}, {"properties": {"type": {"enum": ["card"]}}, "required": ["type"]}]},
        # no mapping entry: the component's name is the tag value (as the OpenAPI specification says)
        {"allOf": [{"$ref": "#/$defs/Bank"}, {"properties": {"type": {"enum": ["Bank"]}}, "required": ["type"]}]},
    ]
    cat = component_json_schema(doc, "Cat")
    assert cat["allOf"][-1] == {"properties": {"kind": {"enum": ["kitty"]}}, "required": ["kind"]}
    assert "discriminator" not in cat["$defs"]["Pet"]


GITHUB_ENTITIES = ("license", "label", "reaction-rollup", "branch-short", "code-of-conduct", "key", "gpg-key",
                   "rate-limit", "email")


@pytest.fixture(scope="module")
def github_doc() -> dict[str, Any]:
    """GitHub's REST API description (OpenAPI 3.0.3), fetched from npm at run time (benchmarks/corpus.py)."""
    doc: dict[str, Any] = json.loads(github_openapi().read_text(encoding="utf-8"))
    return doc


def test_a_real_document_generates_records_an_openapi_validator_accepts(github_doc: dict[str, Any],
                                                                         tmp_path: Path) -> None:
    """A sample of GitHub's components (nullable everywhere, readOnly, examples, int64, date-time...)."""
    schemas = github_doc["components"]["schemas"]
    wanted = set(GITHUB_ENTITIES)
    trimmed = {**github_doc, "paths": {}, "components": {"schemas": {
        k: v for k, v in schemas.items() if k in wanted or not _is_entity(v)}}}
    path = write(tmp_path, "github.json", json.dumps(trimmed))
    registry = SchemaRegistry([path], builtins=False)
    assert set(registry.names()) == wanted
    engine = Engine(registry)
    for name in GITHUB_ENTITIES:
        result = engine.generate(GenerationRequest.checked(name, 40, seed=11))
        validator = oas_validator(github_doc, name)
        bad = [(r, e.message) for r in result.records for e in validator.iter_errors(r)]
        assert not bad, (name, bad[:2])
        assert result.valid, (name, result.metadata.violations[:2])


def test_a_large_real_document_costs_only_the_entities_used(github_doc: dict[str, Any]) -> None:
    registry = SchemaRegistry([github_openapi()], builtins=False)
    assert len(registry.names()) > 800  # every object component is an entity ...
    assert registry.get("license").fields[:3] == ("key", "name", "spdx_id")
    built = sum(entry.schema is not None for entry in registry._entries.values())
    assert built == 1  # ... and only the one asked for was built


def _is_entity(node: Any) -> bool:
    return isinstance(node, dict) and (node.get("type") == "object" or "properties" in node or "allOf" in node
                                       or "oneOf" in node or "anyOf" in node)


def test_a_reference_outside_the_document_fails_only_the_entities_that_need_it(tmp_path: Path) -> None:
    write(tmp_path, "api.yaml", """
openapi: 3.0.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Good: {type: object, properties: {name: {type: string}}}
    Remote: {type: object, properties: {pet: {$ref: 'pets.yaml#/Pet'}}}
    UsesRemote: {type: object, properties: {r: {$ref: '#/components/schemas/Remote'}}}
""")
    registry = SchemaRegistry([tmp_path], builtins=False)
    assert registry.get("Good").fields == ("name",)
    for name in ("Remote", "UsesRemote"):
        with pytest.raises(SchemaError) as info:
            registry.get(name)
        assert str(info.value) == (
            f"schema {tmp_path / 'api.yaml'}: at /components/schemas/Remote/properties/pet, '$ref': 'pets.yaml#/Pet' "
            "points outside components/schemas of this document. Fix: bundle the document first (for example "
            "`redocly bundle`) so that every schema reference is #/components/schemas/<Name>")


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("openapi: 3.0.0\ninfo: {title: t\n", ".yaml", "at /, 'syntax': not valid YAML: did not find expected "
         "',' or '}' at line 3, column 1. Fix: fix the syntax there"),
        ('{"openapi": "3.0.0", "info": ', ".json", "at /, 'syntax': not valid JSON: Expecting value at line 1, "
         "column 30. Fix: fix the syntax there"),
        ("swagger: '2.0'\ninfo: {title: t, version: '1'}\n", ".yaml",
         "at /openapi, 'openapi': OpenAPI version '2.0' is not supported (allowed: 3.0.x, 3.1.x). Fix: convert"),
        ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n", ".yaml",
         "at /components, 'components': the document has no components/schemas, so it defines no entity. Fix: "
         "add the entities under components/schemas"),
    ],
    ids=["yaml-syntax", "json-syntax", "swagger-2", "no-components"],
)
def test_document_errors_are_one_line_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, text: str, suffix: str,
                                                      message: str) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "api", f"api{suffix}", text)
    code = main(["generate", "--schemas", str(path), "api", "-n", "1"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"testdata: error: schema {path}: ") and message in lines[0], err
    assert "Traceback" not in err


def test_openapi_folder_in_the_ini_reaches_fixture_marker_and_cli(pytester: pytest.Pytester,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = write(pytester.path / "api", "petshop.yaml", PETSTORE_30).parent
    write(folder, "labels.json", json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {
        "schemas": {"Label": {"type": "object", "required": ["name", "color"], "properties": {
            "name": {"type": "string", "maxLength": 20}, "color": {"type": "string", "pattern": "^[0-9a-f]{6}$"}}}}}}))
    pytester.makeini("[pytest]\ntestdata_schemas = api\n")
    pytester.makepyfile("""
        import pytest

        def test_fixture(testdata):
            owners = testdata("Owner", count=20)
            assert all(o["email"].count("@") == 1 and 18 <= (o["age"] or 18) <= 99 for o in owners)
            assert testdata.last.valid
            assert len(testdata("Label")["color"]) == 6

        @pytest.mark.testdata("Label", count=3)
        def test_marker(Label):
            assert len(Label) == 3 and all(len(label["name"]) <= 20 for label in Label)
    """)
    pytester.runpytest().assert_outcomes(passed=2)
    capsys.readouterr()
    monkeypatch.chdir(pytester.path / "api")  # a subfolder of the project: found upward, as pytest does
    assert main(["generate", "owner", "-n", "2", "--seed", "1"]) == 0
    owners = json.loads(capsys.readouterr().out)
    assert len(owners) == 2 and all("email" in o for o in owners)


def test_yaml_json_schema_files_are_read_too(tmp_path: Path) -> None:
    write(tmp_path, "parcel.yml", "title: parcel\ntype: object\nrequired: [weight_kg]\n"
                                  "properties:\n  weight_kg: {type: number, minimum: 0.1, maximum: 2}\n")
    records = Engine(SchemaRegistry([tmp_path])).generate(GenerationRequest.checked("parcel", 50, seed=1)).records
    assert all(0.1 <= r["weight_kg"] <= 2 for r in records)


def test_a_missing_path_is_a_usage_error() -> None:
    with pytest.raises(TestdataUsageError, match=r"schema path '/no/such\.yaml' does not exist"):
        SchemaRegistry(["/no/such.yaml"])


def test_yaml_files_still_load_after_the_yaml_package_is_imported_again(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # pytester's in-process runs drop the modules they imported; a second import of `yaml` meets libyaml's
    # extension still building the first import's nodes, and CSafeLoader then fails every document with
    # "could not determine a constructor for the tag None" (a random test failure in the suite).
    import sys

    from pytest_testdata.schemas.sources import files

    path = write(tmp_path, "shop.yaml", PETSTORE_30)
    first = read_document(path)
    for name in [m for m in sys.modules if m == "yaml" or m.startswith("yaml.")]:
        monkeypatch.delitem(sys.modules, name)  # restored after the test
    monkeypatch.setattr(files, "_LOADERS", {})  # as in a process whose first YAML read comes after that
    assert read_document(path) == first
    assert first["openapi"] == "3.0.3" and isinstance(first["components"]["schemas"], dict)
