"""User JSON Schema, keyword by keyword: records generated through the engine and the CLI must be valid
for the ``jsonschema`` library itself (formats asserted), and schema mistakes are one-line load errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import validators

from pytest_testdata.engine import Engine
from pytest_testdata.errors import SchemaError, TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry, builtin_schema_dir
from pytest_testdata.types import GenerationRequest

COUNT = 40


def checker(document: dict[str, Any]) -> Any:
    cls = validators.validator_for(document, default=validators.Draft202012Validator)
    return cls(document, format_checker=cls.FORMAT_CHECKER)


def generate(tmp_path: Path, document: dict[str, Any], count: int = COUNT, seed: int = 7,
             **kwargs: Any) -> tuple[list[dict[str, Any]], Any]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "entity.json").write_text(json.dumps(document))
    engine = Engine(SchemaRegistry([tmp_path], builtins=False))
    result = engine.generate(GenerationRequest.checked("entity", count, seed=seed, **kwargs))
    return result.records, result.metadata


def entity(properties: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "entity", "type": "object",
            "properties": properties, **top}


KEYWORDS: dict[str, dict[str, Any]] = {
    "property-named-like-keywords": entity(
        {"type": {"type": "string", "enum": ["card", "bank"]}, "properties": {"type": "object"},
         "items": {"type": "array", "items": {"type": "integer"}}, "required": {"type": "boolean"},
         "category": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                      "required": ["id", "name"]}},
        required=["type", "properties", "items", "required", "category"]),
    "refs-defs-definitions-anchor-pointer-escapes": {
        "title": "entity", "type": "object", "required": ["a", "b", "c", "d"],
        "properties": {"a": {"$ref": "#/$defs/money"}, "b": {"$ref": "#/definitions/code"},
                       "c": {"$ref": "#address"}, "d": {"$ref": "#/$defs/a~1b~0c"}},
        "$defs": {"money": {"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01},
                  "addr": {"$anchor": "address", "type": "object", "required": ["city"],
                           "properties": {"city": {"type": "string"}}},
                  "a/b~c": {"type": "integer", "minimum": 3, "maximum": 3}},
        "definitions": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}},
    },
    "components-schemas-ref": {
        "title": "entity", "type": "object", "required": ["owner"],
        "properties": {"owner": {"$ref": "#/components/schemas/User"}},
        "components": {"schemas": {"User": {"type": "object", "required": ["email"],
                                            "properties": {"email": {"type": "string", "format": "email"}}}}},
    },
    # unevaluatedProperties / unevaluatedItems beside in-place applicators: only what an evaluated part admits.
    "unevaluatedProperties-beside-allOf-anyOf-oneOf": entity(
        {"box": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"],
                 "allOf": [{"properties": {"size": {"enum": ["S", "M"]}}}],
                 "oneOf": [{"properties": {"card": {"type": "string", "pattern": "^[0-9]{4}$"}},
                            "required": ["card"]},
                           {"properties": {"iban": {"type": "string", "minLength": 5}}, "required": ["iban"]}],
                 "unevaluatedProperties": False}}, required=["box"]),
    "unevaluatedProperties-beside-if-then-else-and-dependentSchemas": entity(
        {"pay": {"type": "object", "properties": {"kind": {"enum": ["card", "cash"]}, "note": {"type": "string"}},
                 "required": ["kind"],
                 "if": {"properties": {"kind": {"const": "card"}}},
                 "then": {"properties": {"last4": {"type": "string", "pattern": "^[0-9]{4}$"}},
                          "required": ["last4"]},
                 "else": {"properties": {"change": {"type": "number", "minimum": 0}}},
                 "dependentSchemas": {"note": {"properties": {"author": {"type": "string"}}}},
                 "unevaluatedProperties": False}}, required=["pay"]),
    "unevaluatedProperties-beside-ref-with-a-schema": {
        "title": "entity", "type": "object", "required": ["item"],
        "properties": {"item": {"$ref": "#/$defs/base", "properties": {"sku": {"type": "string"}},
                                "unevaluatedProperties": {"type": "integer", "minimum": 0}}},
        "$defs": {"base": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
                           "minProperties": 3}},
    },
    "uncle-branch-properties-are-not-evaluated": entity(
        {"foo": {"type": "object", "properties": {"bar": {"type": "string"}}, "unevaluatedProperties": False}},
        anyOf=[{"properties": {"foo": {"properties": {"faz": {"type": "string"}}}}}]),
    "unevaluatedItems-beside-prefixItems-allOf-contains": entity(
        {"row": {"type": "array", "prefixItems": [{"type": "string"}],
                 "allOf": [{"prefixItems": [True, {"type": "integer"}]}],
                 "contains": {"type": "boolean"}, "unevaluatedItems": False},
         "tags": {"type": "array", "anyOf": [{"prefixItems": [{"const": "a"}, {"const": "b"}]}],
                  "unevaluatedItems": {"type": "integer"}, "maxItems": 4}}, required=["row", "tags"]),
    # $dynamicRef resolved by dynamic scope (2020-12): a generic list whose items the extending schema sets.
    "dynamicRef-by-dynamic-scope": {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/entity",
        "title": "entity", "type": "object", "required": ["names"],
        "properties": {"names": {"$ref": "list"}},
        "$defs": {
            "items": {"$dynamicAnchor": "items", "type": "string", "minLength": 2, "maxLength": 8},
            "list": {"$id": "list", "type": "array", "minItems": 1, "items": {"$dynamicRef": "#items"},
                     "$defs": {"items": {"$dynamicAnchor": "items"}}},
        },
    },
    "top-level-allOf-without-type": {
        "title": "entity",
        "allOf": [{"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}}, "required": ["id"]},
                  {"properties": {"id": {"maximum": 9}, "label": {"type": "string", "maxLength": 12}},
                   "required": ["label"]}],
    },
    "oneOf-of-refs-keeps-branch-required": {
        "title": "entity", "type": "object", "required": ["source"],
        "properties": {"source": {"oneOf": [{"$ref": "#/$defs/card"}, {"$ref": "#/$defs/bank"}]}},
        "$defs": {
            "card": {"type": "object", "required": ["object", "last4"], "additionalProperties": False,
                     "properties": {"object": {"const": "card"}, "last4": {"type": "string", "pattern": "^[0-9]{4}$"}}},
            "bank": {"type": "object", "required": ["object", "iban"], "additionalProperties": False,
                     "properties": {"object": {"const": "bank_account"}, "iban": {"type": "string",
                                                                                 "minLength": 15}}}},
    },
    "oneOf-overlapping-branches": entity(
        {"n": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 2}]}}, required=["n"]),
    "anyOf": entity({"v": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 10}]}},
                    required=["v"]),
    "if-then-else": entity(
        {"country": {"enum": ["US", "CA"]}, "postal": {"type": "string"}}, required=["country", "postal"],
        **{"if": {"properties": {"country": {"const": "US"}}},
           "then": {"properties": {"postal": {"pattern": "^[0-9]{5}$"}}},
           "else": {"properties": {"postal": {"pattern": "^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$"}}}}),
    "dependentRequired-and-dependentSchemas": entity(
        {"card": {"type": "string"}, "billing": {"type": "string"}},
        dependentRequired={"card": ["billing", "cvc"]},
        dependentSchemas={"billing": {"properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
                                      "required": ["zip"]}}),
    "const-enum": entity({"kind": {"const": "event"}, "level": {"enum": [1, "two", None, 3.5]}},
                         required=["kind", "level"]),
    "prefixItems-items-false": entity(
        {"point": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "integer"}, {"type": "integer"}],
                   "items": False, "minItems": 3}}, required=["point"]),
    "additionalProperties-patternProperties-schemas": entity(
        {"labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 8},
                    "minProperties": 2},
         "meta": {"type": "object", "patternProperties": {"^x-": {"type": "integer"}},
                  "additionalProperties": False, "minProperties": 2, "maxProperties": 3}},
        required=["labels", "meta"]),
    "propertyNames-min-maxProperties": entity(
        {"tags": {"type": "object", "propertyNames": {"pattern": "^[a-z]{3,8}$"}, "minProperties": 2,
                  "maxProperties": 4, "additionalProperties": {"type": "boolean"}}}, required=["tags"]),
    "uniqueItems-contains": entity(
        {"tags": {"type": "array", "items": {"enum": ["a", "b", "c", "d"]}, "uniqueItems": True, "minItems": 3},
         "scores": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 100},
                    "contains": {"minimum": 90}, "minContains": 2, "maxContains": 3, "minItems": 5}},
        required=["tags", "scores"]),
    "exclusive-bounds": entity(
        {"ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
         "count": {"type": "integer", "exclusiveMinimum": 5, "exclusiveMaximum": 8}}, required=["ratio", "count"]),
    # Only an upper bound, at or below zero: values come from below it (they started at 0 and broke it).
    "exclusive-maximum-at-or-below-zero": entity(
        {"debt": {"type": "integer", "exclusiveMaximum": 0}, "offset": {"type": "number", "exclusiveMaximum": -5},
         "step": {"type": "integer", "exclusiveMaximum": -5, "multipleOf": 5}}, required=["debt", "offset", "step"]),
    "multipleOf-decimal-steps": entity(
        {"price": {"type": "number", "minimum": 0, "maximum": 500, "multipleOf": 0.01},
         "weight": {"type": "number", "minimum": 0.1, "maximum": 70, "multipleOf": 0.05},
         "rate": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.001},
         "slot": {"type": "integer", "minimum": 0, "maximum": 120, "multipleOf": 15}},
        required=["price", "weight", "rate", "slot"]),
    "every-format": entity(
        {fmt: {"type": "string", "format": fmt} for fmt in (
            "date", "time", "date-time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4",
            "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid", "json-pointer",
            "relative-json-pointer", "regex")},
        required=["date", "time", "date-time", "duration", "email", "hostname", "ipv6", "uri-template"]),
    "not-excludes-value-and-type": entity(
        {"status": {"type": "string", "enum": ["open", "closed", "spam"], "not": {"const": "spam"}},
         "value": {"not": {"type": ["null", "string", "object", "array", "boolean"]}}},
        required=["status", "value"]),
    "required-names-without-properties": entity(
        {"id": {"type": "integer"}}, required=["id", "created_by", "note"],
        additionalProperties={"type": "string", "minLength": 1}),
    "recursive-tree": {
        "title": "entity", "$ref": "#/$defs/node", "x-max-depth": 3,
        "$defs": {"node": {"type": "object", "required": ["name", "children"],
                           "properties": {"name": {"type": "string"},
                                          "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                                          "parent": {"$ref": "#/$defs/node"}}}},
    },
    "draft-07-dependencies-tuple": {
        "$schema": "http://json-schema.org/draft-07/schema#", "title": "entity", "type": "object",
        "required": ["pair"], "properties": {
            "pair": {"type": "array", "items": [{"type": "string"}, {"type": "boolean"}], "additionalItems": False},
            "a": {"type": "integer"}},
        "dependencies": {"a": ["b"], "pair": {"properties": {"c": {"const": 1}}, "required": ["c"]}},
        "definitions": {},
    },
    "pattern-wins-over-format-and-name": entity(
        {"orcid": {"type": "string", "format": "uri",
                   "pattern": "https://orcid\\.org/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]{1}"},
         "email": {"type": "string", "pattern": "^[\\S]+@[\\S]+\\.[\\S]{2,}$"},
         "website": {"type": "string", "format": "uri", "pattern": "^(https|http|ftp|sftp)://.+"}},
        required=["orcid", "email", "website"]),
    "unique-items-from-a-small-enum": entity(
        {"update_types": {"type": "array", "uniqueItems": True, "minItems": 1,
                          "items": {"enum": ["major", "minor", "patch"]}}}, required=["update_types"]),
    "not-pattern-on-a-string": entity(
        {"branch_separator": {"type": "string", "not": {"pattern": "[ ~^:?*\\[\\\\]"}}},
        required=["branch_separator"]),
    "nested-unions-of-filtered-objects": entity(
        {"updates": {"type": "array", "minItems": 1, "maxItems": 5, "items": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["ecosystem", "groups"], "properties": {
                "ecosystem": {"enum": ["npm", "pip"]},
                "groups": {"type": "array", "items": {"anyOf": [
                    {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string", "not": {"pattern": " "}}}, "additionalProperties": False},
                    {"type": "object", "required": ["patterns"], "additionalProperties": False,
                     "properties": {"patterns": {"type": "array", "uniqueItems": True, "minItems": 1,
                                                 "items": {"type": "string", "not": {"pattern": "[ ~]"}}}}}]}}}},
            {"type": "object", "additionalProperties": False, "required": ["directory"], "properties": {
                "directory": {"type": "string", "pattern": "^/"}}}]}}}, required=["updates"]),
    "draft-04-boolean-exclusive": {
        "$schema": "http://json-schema.org/draft-04/schema#", "title": "entity", "type": "object",
        "required": ["score"], "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 10, "exclusiveMaximum": True,
                      "exclusiveMinimum": True}},
    },
}


@pytest.mark.parametrize("name", list(KEYWORDS))
def test_records_are_valid_by_jsonschema(tmp_path: Path, name: str) -> None:
    document = KEYWORDS[name]
    records, metadata = generate(tmp_path, document)
    check = checker(document)
    invalid = [(r, [e.message for e in check.iter_errors(r)]) for r in records if not check.is_valid(r)]
    assert not invalid, invalid[:2]
    assert metadata.violations == []
    assert len(records) == COUNT


DRAFT_07_REWRITES = {
    "$schema": "http://json-schema.org/draft-07/schema#", "title": "entity", "type": "object",
    "required": ["pair", "kind"],
    "definitions": {"code": {"$id": "#code", "type": "string", "pattern": "^[A-Z]{3}$"}},
    "properties": {
        "pair": {"type": "array", "items": [{"type": "integer"}, {"$ref": "#code"}], "additionalItems": False},
        "kind": {"$ref": "#/definitions/code", "description": "ignored beside $ref in draft-07"},
        "card": {"type": "string"}, "billing": {"type": "string"},
        "extra": {"type": "object", "unevaluatedProperties": False, "properties": {"n": {"type": "integer"}}},
    },
    "dependencies": {"card": ["billing"], "billing": {"required": ["card"]}},
}


@pytest.mark.parametrize("name", [*KEYWORDS, "draft-07 rewrites"])
def test_loading_leaves_the_users_document_as_written(name: str) -> None:
    # Loading rewrites older dialects' forms and expands references on its own copy: the dict the user
    # passed and the schema's document stay as written.
    document = DRAFT_07_REWRITES if name == "draft-07 rewrites" else KEYWORDS[name]
    written = json.loads(json.dumps(document))
    schema = Schema.from_json_schema(document, name="entity")
    assert document == written
    assert schema.document == written
    if name == "draft-07 rewrites":  # the rewrites happened, on the copy
        assert schema.json_schema["properties"]["pair"]["prefixItems"][1]["pattern"] == "^[A-Z]{3}$"
        assert "description" not in schema.json_schema["properties"]["kind"]


def test_keyword_effects_a_user_would_notice(tmp_path: Path) -> None:
    records, _ = generate(tmp_path / "a", KEYWORDS["oneOf-of-refs-keeps-branch-required"])
    kinds = {r["source"]["object"] for r in records}
    assert kinds == {"card", "bank_account"}  # both branches are used, each whole
    records, _ = generate(tmp_path / "b", KEYWORDS["required-names-without-properties"])
    assert all({"created_by", "note"} <= set(r) for r in records)
    records, _ = generate(tmp_path / "c", KEYWORDS["recursive-tree"])
    depths = [_depth(r) for r in records]
    assert max(depths) == 3 and min(depths) >= 1  # bounded by x-max-depth, and some trees do nest
    records, _ = generate(tmp_path / "d", KEYWORDS["prefixItems-items-false"])
    assert all(len(r["point"]) == 3 and all(type(x) is int for x in r["point"]) for r in records)
    records, _ = generate(tmp_path / "e", KEYWORDS["every-format"])
    assert all(r["time"][8:] and r["time"][8] in "Z+-" for r in records)  # a time with its offset
    assert all(r["hostname"].count(".") >= 1 and " " not in r["hostname"] for r in records)
    records, _ = generate(tmp_path / "f", KEYWORDS["pattern-wins-over-format-and-name"])
    # The pattern is honoured, and where a realistic value fits it, it is realistic: an address, not noise.
    assert all(re.fullmatch(r"[a-z]+[._]?[a-z]+\d*@[a-z.]+", r["email"]) for r in records)
    assert all(r["orcid"].startswith("https://orcid.org/") for r in records)
    records, _ = generate(tmp_path / "g", KEYWORDS["not-pattern-on-a-string"])
    assert all(re.fullmatch(r"[a-z0-9._/-]+", r["branch_separator"]) for r in records)


def _depth(node: dict[str, Any]) -> int:
    below = [_depth(c) for c in node.get("children", [])]
    if isinstance(node.get("parent"), dict):
        below.append(_depth(node["parent"]))
    return 1 + max(below, default=0)


def test_recursion_depth_is_configurable(tmp_path: Path) -> None:
    document = dict(KEYWORDS["recursive-tree"])
    document.pop("x-max-depth")
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(document, source="tree.json", max_depth=1))
    shallow = Engine(registry)
    records = shallow.generate(GenerationRequest.checked("entity", 20, seed=3)).records
    assert {_depth(r) for r in records} == {1}


def test_nested_constraints_shape_generation(tmp_path: Path) -> None:
    document = entity({"parcels": {"type": "array", "minItems": 1, "maxItems": 4, "items": {
        "type": "object", "required": ["weight_kg"],
        "properties": {"weight_kg": {"type": "number", "minimum": 0.1, "maximum": 70, "multipleOf": 0.01}}}},
        "contact": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string",
                                                                                      "format": "email"}}}},
        required=["parcels", "contact"])
    records, metadata = generate(tmp_path, document, constraints={
        "parcels.weight_kg": {"max": 2}, "contact.email": {"regex": r"\.com$"}})
    weights = [p["weight_kg"] for r in records for p in r["parcels"]]
    assert weights and max(weights) <= 2
    assert all(r["contact"]["email"].endswith(".com") for r in records)
    assert metadata.violations == []


def test_builtin_orders_keep_their_values_on_the_cent(tmp_path: Path) -> None:
    # multipleOf 0.01: prices are values whose float quotient by 0.01 is whole (jsonschema accepts them).
    result = Engine().generate(GenerationRequest.checked("product", 300, seed=11))
    prices = [r["price"] for r in result.records]
    assert all((p / 0.01).is_integer() for p in prices)


LOAD_ERRORS = {
    "min-above-max": (entity({"age": {"type": "integer", "minimum": 10, "maximum": 5}}),
                      "at /properties/age/minimum, 'minimum': minimum 10 is greater than maximum 5"),
    "minLength-above-maxLength": (entity({"code": {"type": "string", "minLength": 9, "maxLength": 3}}),
                                  "at /properties/code/minLength, 'minLength': minLength 9 is greater than "
                                  "maxLength 3"),
    "invalid-pattern": (entity({"code": {"type": "string", "pattern": "([a-z]"}}),
                        "at /properties/code/pattern, 'pattern':"),
    "unsatisfiable-allOf": (entity({"v": {"allOf": [{"type": "string"}, {"type": "integer"}]}}),
                            "at /properties/v, 'type': unsatisfiable: the types ['string'] and ['integer'] share "
                            "no value"),
    "recursive-without-finite-branch": (
        {"title": "entity", "$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "required": ["next"],
                                                                "properties": {"next": {"$ref": "#/$defs/n"}}}}},
        "the schema is recursive with no finite branch"),
    "unresolvable-ref": (entity({"v": {"$ref": "#/$defs/nothing"}}),
                         "at /properties/v/$ref, '$ref': the reference '#/$defs/nothing' points at nothing"),
    "remote-ref": (entity({"v": {"$ref": "https://example.com/s.json"}}),
                   "at /properties/v/$ref, '$ref': the reference 'https://example.com/s.json' names the document "
                   "'https://example.com/s.json', which is not registered (documents are never fetched from the "
                   "network). Fix: put the document in a testdata_schemas folder with \"$id\": "
                   "'https://example.com/s.json'"),
    "missing-relative-file": (entity({"v": {"$ref": "common/money.json"}}),
                              "the reference 'common/money.json' names the document 'file:///"),
    "unknown-dialect": ({"$schema": "http://example.com/my-schema", "title": "entity", "type": "object",
                         "properties": {}}, "at /$schema, '$schema':"),
    "not-json-schema": (entity({"v": {"type": "strin"}}), "at /properties/v/type, 'type': not valid 2020-12"),
    "required-but-closed": (entity({"a": {"type": "string"}}, required=["b"], additionalProperties=False),
                            "'b' is required but additionalProperties is false"),
    # A lower bound no record could hold: refused at load instead of building a gigabyte (or hanging).
    "minLength-above-cap": (entity({"s": {"type": "string", "minLength": 10**9}}),
                            "at /properties/s/minLength, 'minLength': minLength 1,000,000,000 is above the cap "
                            "of 10,000 characters"),
    "minItems-above-cap": (entity({"a": {"type": "array", "minItems": 5000, "items": {"type": "integer"}}}),
                           "at /properties/a/minItems, 'minItems': minItems 5,000 is above the cap of 1,000 items"),
    # Inside "not", unevaluated* beside applicators would mean building what the applicators leave out.
    "unevaluated-inside-not": (
        entity({"v": {"not": {"anyOf": [{"properties": {"a": True}}], "unevaluatedProperties": False}}}),
        "at /properties/v/not/unevaluatedProperties, 'unevaluatedProperties': unevaluatedProperties inside "
        "\"not\" beside in-place applicators is not supported"),
}


@pytest.mark.parametrize("name", list(LOAD_ERRORS))
def test_load_errors_name_file_pointer_keyword_and_fix(tmp_path: Path, name: str) -> None:
    document, expected = LOAD_ERRORS[name]
    path = tmp_path / "entity.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SchemaError) as info:
        SchemaRegistry([tmp_path], builtins=False).get("entity")
    message = str(info.value)
    assert message.startswith(f"schema {path}: at /"), message
    assert expected in message and "Fix: " in message and "\n" not in message
    assert isinstance(info.value, TestdataUsageError)


def test_cli_generates_valid_records_and_refuses_a_bad_schema_in_one_line(tmp_path: Path) -> None:
    exe = shutil.which("testdata")
    assert exe is not None
    document = KEYWORDS["oneOf-of-refs-keeps-branch-required"]
    (tmp_path / "entity.json").write_text(json.dumps(document))
    proc = subprocess.run([exe, "--schemas", str(tmp_path), "generate", "entity", "-n", "25", "--seed", "4",
                           "--format", "jsonl"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    check = checker(document)
    assert len(records) == 25 and all(check.is_valid(r) for r in records)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "entity.json").write_text(json.dumps(LOAD_ERRORS["min-above-max"][0]))
    proc = subprocess.run([exe, "--schemas", str(bad), "generate", "entity"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "at /properties/age/minimum, 'minimum': minimum 10 is greater than maximum 5" in proc.stderr


def test_violations_name_field_and_rule_for_standard_schemas(tmp_path: Path) -> None:
    from pytest_testdata.quality.validator import validator_for

    document = KEYWORDS["exclusive-bounds"]
    (tmp_path / "entity.json").write_text(json.dumps(document))
    schema = SchemaRegistry([tmp_path], builtins=False).get("entity")
    found = validator_for(schema, {}).validate([{"ratio": 1, "count": 6}, {"ratio": 0.5}, {"ratio": 0.5, "count": 9}])
    assert [(v.record, v.field, v.rule) for v in found] == [(0, "ratio", "max"), (1, "count", "required"),
                                                           (2, "count", "max")]


def test_a_bad_schema_file_fails_exactly_the_tests_that_use_the_engine(pytester: pytest.Pytester) -> None:
    schemas = pytester.mkdir("schemas")
    (schemas / "shipment.json").write_text(json.dumps(LOAD_ERRORS["min-above-max"][0] | {"title": "shipment"}))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile(test_x="""
        def test_uses_it(testdata):
            testdata("shipment")

        def test_does_not():
            pass
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*SchemaError: schema *shipment.json: at /properties/age/minimum, 'minimum': "
                                 "minimum 10 is greater than maximum 5, so no value fits a number. Fix: lower "
                                 "minimum or raise maximum"])
    assert "pytest_testdata/schemas" not in result.stdout.str()  # no frames from inside the plugin


@pytest.mark.parametrize(("rule", "expected"), [
    ({"kind": "sum", "target": "totl", "terms": ["price"]},
     "at /x-coherence/0/target, 'target': 'totl' is not a field of this schema (did you mean 'total'?)"),
    ({"kind": "rate_of", "target": "total", "base": "price", "min": "0", "max": 1},
     "at /x-coherence/0/min, 'min': expected a number, got '0'"),
    ({"kind": "ordered"}, "at /x-coherence/0, 'fields': the 'ordered' rule needs 'fields'"),
    # a key no rule reads was ignored: a typo of an option, or an option the kind does not have
    ({"kind": "ordered", "fields": ["price", "total"], "strikt": True},
     "at /x-coherence/0/strikt, 'strikt': the 'ordered' rule has no key 'strikt' (did you mean 'strict'?)"),
    ({"kind": "sum", "target": "total", "terms": ["price"], "strict": True},
     "at /x-coherence/0/strict, 'strict': the 'sum' rule has no key 'strict'. Fix: use 'target', 'terms'"),
    ({"kind": "ordered", "fields": ["price", "total"], "strict": "yes"},
     "at /x-coherence/0/strict, 'strict': expected true or false, got 'yes'"),
])
def test_coherence_specs_are_checked_once_at_load(tmp_path: Path, rule: dict[str, Any], expected: str) -> None:
    document = entity({"price": {"type": "number"}, "total": {"type": "number"}}, **{"x-coherence": [rule]})
    (tmp_path / "entity.json").write_text(json.dumps(document))
    with pytest.raises(SchemaError) as info:
        SchemaRegistry([tmp_path], builtins=False).get("entity")
    assert expected in str(info.value) and "Fix: " in str(info.value)


@pytest.mark.parametrize("path", sorted(builtin_schema_dir().glob("*.json")), ids=lambda p: p.stem)
def test_builtin_schema_files_are_valid_json_schema(path: Path) -> None:
    # The registry skips the meta-schema check for the package's own files (it would import jsonschema
    # for the first record of every process): this test is that check.
    document = json.loads(path.read_text(encoding="utf-8"))
    validators.validator_for(document, default=validators.Draft202012Validator).check_schema(document)


def test_a_user_file_named_like_a_builtin_is_still_checked_against_the_meta_schema(tmp_path: Path) -> None:
    bad = entity({"cart_id": {"type": "strin"}}, title="cart")
    (tmp_path / "cart.json").write_text(json.dumps(bad))
    with pytest.raises(SchemaError, match="at /properties/cart_id/type, 'type': not valid 2020-12"):
        SchemaRegistry([tmp_path]).get("cart")
