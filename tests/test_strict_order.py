"""A strict order (``{"kind": "ordered", "strict": true}``: each value after the one before, as a database's
``CHECK (ends_at > starts_at)``) in a user's schema: records keep it, ties included, and the scorer reports a
record that breaks it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.quality.next_value import next_value

STAY = {
    "title": "stay",
    "type": "object",
    "properties": {
        "stay_id": {"type": "string", "format": "uuid"},
        "first_floor": {"type": "integer", "minimum": 1, "maximum": 3},
        "last_floor": {"type": "integer", "minimum": 2, "maximum": 4},
        "arrives": {"type": "string", "format": "date"},
        "leaves": {"type": "string", "format": "date"},
        "opened_at": {"type": "string", "format": "date-time"},
        "closed_at": {"type": "string", "format": "date-time"},
    },
    "required": ["stay_id", "first_floor", "last_floor", "arrives", "leaves", "opened_at", "closed_at"],
    "x-coherence": [
        {"kind": "ordered", "fields": ["first_floor", "last_floor"], "strict": True,
         "description": "the lift goes up"},
        {"kind": "ordered", "fields": ["arrives", "leaves"], "strict": True},
        {"kind": "ordered", "fields": ["opened_at", "closed_at"], "strict": True},
    ],
}


@pytest.mark.parametrize(("value", "after"), [
    (7, 8),
    ("2024-02-28", "2024-02-29"),
    ("2024-12-31", "2025-01-01"),
    ("2024-03-01T10:00:00Z", "2024-03-01T10:00:01Z"),
    ("2024-03-01 23:59:59+02:00", "2024-03-02 00:00:00+02:00"),
    ("2024-03-01T10:00", "2024-03-01T10:01"),
    ("2024-03-01T10:00:00.999Z", "2024-03-01T10:00:01.000Z"),
    ("9999-12-31", None),  # no day after the last one
    ("soon", None),
    (True, None),
    (1.5, None),
])
def test_the_value_a_tie_moves_on_to_keeps_its_form(value: Any, after: Any) -> None:
    assert next_value(value) == after


def test_records_keep_a_strict_order_where_drawn_values_often_tie(pytester: pytest.Pytester) -> None:
    schemas = pytester.mkdir("schemas")
    (schemas / "stay.json").write_text(json.dumps(STAY))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile(test_stays='''
def test_stays(testdata):
    stays = testdata("stay", count=400, seed=5)
    assert all(s["first_floor"] < s["last_floor"] for s in stays)
    assert all(s["arrives"] < s["leaves"] and s["opened_at"] < s["closed_at"] for s in stays)
    assert {s["last_floor"] - s["first_floor"] for s in stays} == {1, 2, 3}
    assert all(1 <= s["first_floor"] <= 3 and 2 <= s["last_floor"] <= 4 for s in stays)
''')
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["traditional: 1 request, 400 records, *coherence 1.00*"])


def test_a_tie_breaks_the_strict_rule_and_not_the_plain_one(tmp_path: Path) -> None:
    from pytest_testdata.quality.coherence import CoherenceScorer
    from pytest_testdata.schemas.registry import SchemaRegistry

    plain = {**STAY, "title": "plain", "x-coherence": [{"kind": "ordered", "fields": ["first_floor", "last_floor"]}]}
    for document in (STAY, plain):
        (tmp_path / f"{document['title']}.json").write_text(json.dumps(document))
    registry = SchemaRegistry([tmp_path], builtins=False)
    record = {"stay_id": "5d1f3c9e-8a57-4c3e-9b1a-0e0f6a7d2b11", "first_floor": 2, "last_floor": 2,
              "arrives": "2024-05-01", "leaves": "2024-05-03", "opened_at": "2024-05-01T09:00:00Z",
              "closed_at": "2024-05-01T09:00:00Z"}
    strict, plain_scorer = CoherenceScorer(registry.get("stay")), CoherenceScorer(registry.get("plain"))
    assert strict.score(record) == pytest.approx(1 / 3)  # the floors and the timestamps tie; the dates do not
    assert strict.failed_rules(record) == [
        "ordered(fields=['first_floor', 'last_floor'], strict=True, description=the lift goes up)",
        "ordered(fields=['opened_at', 'closed_at'], strict=True)"]
    assert plain_scorer.score(record) == 1.0 and plain_scorer.failed_rules(record) == []


def test_a_tie_at_a_fields_maximum_moves_the_earlier_value_down(tmp_path: Path) -> None:
    """Both floors from 1 to 3: a tie at 3 cannot move the second up, so the first goes down; a ``different``
    pair from 1 to 2 takes the other value. Every value stays within its field's bounds."""
    from pytest_testdata import generate
    from pytest_testdata.schemas.model import Schema

    document = {"title": "lift", "type": "object", "required": ["first", "last", "home", "away"],
                "properties": {"first": {"type": "integer", "minimum": 1, "maximum": 3},
                               "last": {"type": "integer", "minimum": 1, "maximum": 3},
                               "home": {"type": "integer", "minimum": 1, "exclusiveMaximum": 3},
                               "away": {"type": "integer", "minimum": 1, "maximum": 2}},
                "x-coherence": [{"kind": "ordered", "fields": ["first", "last"], "strict": True},
                                {"kind": "different", "fields": ["home", "away"]}]}
    records = generate(Schema.from_json_schema(document, name="lift"), 300, seed=2).records
    assert {(r["first"], r["last"]) for r in records} == {(1, 2), (1, 3), (2, 3)}
    assert {(r["home"], r["away"]) for r in records} == {(1, 2), (2, 1)}
