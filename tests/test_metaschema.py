"""The meta-schema check reads the 2020-12 meta-schema as one static schema: same verdicts, same errors.

pytest_testdata/schemas/sources/metaschema.py builds it from the ``jsonschema`` library's copy of the
meta-schema. Every value of the official JSON-Schema-Test-Suite's draft 2020-12 files (schemas and test
instances alike: numbers, arrays, objects that are or are not schemas) must get the verdict the original
meta-schema gives, and a user's mistake must still be refused with one line naming where it is.
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from benchmarks import corpus
from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.sources.metaschema import flat_2020_12


def _suite_values() -> Iterator[Any]:
    with tarfile.open(corpus.suite_sdist()) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            parts = member.name.split("/")
            if len(parts) < 5 or parts[1:4] != ["json", "tests", "draft2020-12"] or not member.name.endswith(".json"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            for group in json.load(handle):
                yield group["schema"]
                for test in group["tests"]:
                    yield test["data"]


def test_the_static_meta_schema_is_used() -> None:
    flat = flat_2020_12()
    assert flat is not None

    def dynamic(node: Any) -> list[str]:  # "$dynamicRef" used as a keyword (not as a property's name)
        if isinstance(node, dict):
            own = [node["$dynamicRef"]] if isinstance(node.get("$dynamicRef"), str) else []
            return own + [ref for value in node.values() for ref in dynamic(value)]
        return [ref for value in node for ref in dynamic(value)] if isinstance(node, list) else []
    assert dynamic(Draft202012Validator.META_SCHEMA["properties"]) != []  # the original has them
    assert dynamic(flat) == []


def test_same_verdicts_as_the_original_over_the_test_suite() -> None:
    original = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    flat = Draft202012Validator(flat_2020_12())
    values = list(_suite_values())
    assert len(values) > 2000
    differ = [value for value in values if original.is_valid(value) != flat.is_valid(value)]
    assert differ == []
    assert sum(1 for value in values if not original.is_valid(value)) > 500  # refusals were compared too


MISTAKES = [
    {"type": "strin"}, {"minLength": -1}, {"required": [1]}, {"properties": {"a": {"maxItems": "3"}}},
    {"dependencies": {"a": [1]}}, {"definitions": {"a": {"type": 1}}}, {"$anchor": "1x"}, {"pattern": 5},
    {"allOf": []}, {"prefixItems": [{"enum": 3}]}, {"$defs": {"x": {"uniqueItems": "yes"}}},
    {"items": {"properties": {"b": {"format": 4}}}}, {"contentSchema": {"type": "nope"}},
]


@pytest.mark.parametrize("document", MISTAKES, ids=[json.dumps(m) for m in MISTAKES])
def test_a_mistake_is_refused_where_the_original_points(document: dict[str, Any]) -> None:
    original = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(document))
    assert original is not None
    where = "".join(f"/{part}" for part in original.absolute_path)
    with pytest.raises(SchemaError) as caught:
        Schema.from_json_schema({"$schema": "https://json-schema.org/draft/2020-12/schema", **document},
                                source="mistake.json", name="mistake")
    message = str(caught.value)
    assert "\n" not in message
    assert f"mistake.json: at {where or '/'}" in message or f"at {where}," in message
    assert "not valid 2020-12 JSON Schema" in message
