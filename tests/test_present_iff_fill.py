"""``present_iff``: a record whose kind needs the field and that left it out (an LLM's record, a repaired one) gets
a value of the field's own schema, from the rule's enforce and from the fused enforcer alike; before, every such
field got four digits as text, whatever its type."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from pytest_testdata.generators.traditional.pools import VALUES
from pytest_testdata.quality.enforcer import fused_enforcer
from pytest_testdata.quality.rules import rules_of
from pytest_testdata.schemas.model import Schema

FIELDS: dict[str, tuple[dict[str, Any], Any]] = {
    "points": ({"type": ["integer", "null"], "minimum": 50, "maximum": 500},
               lambda v: type(v) is int and 50 <= v <= 500),
    "contact": ({"type": ["string", "null"], "format": "email"},
                lambda v: isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", v)),
    "last_four": ({"type": ["string", "null"], "pattern": "^[0-9]{4}$"},
                  lambda v: isinstance(v, str) and re.fullmatch(r"[0-9]{4}", v)),
    "verified": ({"type": ["boolean", "null"]}, lambda v: type(v) is bool),
}


def _schema(nested: bool) -> Schema:
    """A submission whose kind-specific fields are set only for its ``correct`` kind, at the top level or inside
    one object (the fused enforcer writes the rule inline for the second)."""
    fields = {"type": {"type": "string", "enum": ["correct", "incorrect"]},
              **{name: sub for name, (sub, _) in FIELDS.items()}}
    where = "detail." if nested else ""
    rules = [{"kind": "present_iff", "field": f"{where}{name}", "when": f"{where}type", "in": ["correct"]}
             for name in FIELDS]
    props: dict[str, Any] = {"id": {"type": "integer"}}
    if nested:
        props["detail"] = {"type": "object", "properties": fields}
    else:
        props.update(fields)
    return Schema.from_json_schema({"title": "submission", "type": "object", "properties": props,
                                    "x-coherence": rules}, source="test:submission")


@pytest.mark.parametrize("nested", [False, True], ids=["top", "in-one-object"])
def test_a_missing_field_gets_a_value_of_its_own_schema(nested: bool) -> None:
    rules = rules_of(_schema(nested))
    fused = fused_enforcer(rules)
    for seed in range(30):
        for enforce in (lambda r, rng: [rule.enforce(r, rng, VALUES) for rule in rules],
                        lambda r, rng: fused(r, rng, VALUES)):
            kinds = {"type": "correct", **{name: None for name in FIELDS}}
            record: dict[str, Any] = {"id": 1, "detail": kinds} if nested else {"id": 1, **kinds}
            enforce(record, random.Random(seed))
            got = record["detail"] if nested else record
            for name, (_, fits) in FIELDS.items():
                assert fits(got[name]), (name, got[name], seed)
            other = {"type": "incorrect", **{name: 7 for name in FIELDS}}
            record = {"id": 1, "detail": other} if nested else {"id": 1, **other}
            enforce(record, random.Random(seed))
            assert all((record["detail"] if nested else record)[name] is None for name in FIELDS)
