"""Keywords the generator meets by construction rather than by redrawing whole values.

A real configuration schema (SchemaStore's dependabot.json) combines a ``oneOf`` of "this property or
that one", ``if: {not: {required: [...]}}``, unique arrays of a small enum and several ``not: {pattern}``
rules on one string. Met by redrawing, its records took about a second each and most came out invalid
and were drawn again. Each case here must give valid records (``jsonschema``, formats asserted) with no
record redrawn: ``metadata.details["redraws"]`` counts the records the generator had to draw again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import corpus
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest
from tests.test_jsonschema_core import checker, entity, generate

CASES: dict[str, dict[str, Any]] = {
    "oneOf this property or that one": entity(
        {"directory": {"type": "string"}, "directories": {"type": "array", "items": {"type": "string"}},
         "label": {"type": "string"}},
        required=["label"],
        oneOf=[{"required": ["directory"]}, {"properties": {"directories": {"minItems": 1}},
                                              "required": ["directories"]}]),
    "if not required then required": entity(
        {"group": {"type": "string"}, "schedule": {"type": "string", "enum": ["daily", "weekly"]},
         "name": {"type": "string"}},
        required=["name"],
        allOf=[{"if": {"not": {"properties": {"group": {}}, "required": ["group"]}},
                "then": {"required": ["schedule"]}}]),
    "unique items of a small enum": entity(
        {"update_types": {"type": "array", "minItems": 1, "uniqueItems": True,
                          "items": {"type": "string", "enum": ["major", "minor", "patch"]}},
         "days": {"type": "array", "uniqueItems": True, "maxItems": 7,
                  "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}},
        required=["update_types", "days"]),
    "several not-patterns on one string": entity(
        {"branch_template": {"type": "string", "minLength": 1, "allOf": [
            {"description": "no spaces, ~, ^, :, ?, *, [ or \\", "not": {"pattern": "[ ~^:?*\\[\\\\]"}},
            {"description": "no '..'", "not": {"pattern": "\\.\\."}},
            {"description": "no '@{'", "not": {"pattern": "@\\{"}}]}},
        required=["branch_template"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_valid_without_redrawing_records(tmp_path: Path, name: str) -> None:
    document = CASES[name]
    records, metadata = generate(tmp_path, document, count=30)
    check = checker(document)
    assert [r for r in records if not check.is_valid(r)] == []
    assert metadata.violations == []
    assert metadata.details["redraws"] == 0


def test_oneof_records_take_each_branch(tmp_path: Path) -> None:
    records, _ = generate(tmp_path, CASES["oneOf this property or that one"], count=30)
    assert {("directory" in r, "directories" in r) for r in records} == {(True, False), (False, True)}


def test_not_patterns_still_give_names(tmp_path: Path) -> None:
    records, _ = generate(tmp_path, CASES["several not-patterns on one string"], count=20)
    assert all(r["branch_template"] and " " not in r["branch_template"] for r in records)
    assert len({r["branch_template"] for r in records}) > 15


def test_dependabot_records_need_no_second_draw() -> None:
    """The real schema these cases come from: before, 23 of 28 records drawn for five were invalid."""
    document = next(s.document for s in corpus.schemastore() if s.name == "dependabot")
    registry = SchemaRegistry(builtins=False)
    registry.register(Schema.from_json_schema(document, source="dependabot.json", name="dependabot"))
    result = Engine(registry).generate(GenerationRequest.checked("dependabot", 5, seed=1086))
    check = checker(document)
    assert all(check.is_valid(r) for r in result.records)
    assert sum(len(r["updates"]) for r in result.records) >= 3  # not only the easy empty list
    assert result.metadata.details["redraws"] == 0
