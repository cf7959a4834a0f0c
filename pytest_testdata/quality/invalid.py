"""Invalid variants: records that each break exactly one named constraint.

``@pytest.mark.testdata("user", variant="invalid")`` parametrizes a test over :func:`breakable_rules`;
each case gets a valid record with one rule broken by :func:`break_record`, and the validator then
reports exactly that violation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_testdata.quality.constraints_model import rules_for
from pytest_testdata.quality.paths import get_all
from pytest_testdata.quality.regex import compile_user_regex
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import FieldConstraint

_BAD_FORMATS = {"uuid": "not-a-uuid", "date-time": "2024-13-45 25:61", "email": "not-an-email", "date": "31/02/2024"}
_BAD_STRINGS = ("!", "~~ invalid ~~", "", "0", "zzzz")


@dataclass(frozen=True, slots=True)
class BrokenRule:
    """One rule to break: the field path (``items.*.quantity``), the rule name, and the bad value's kind."""

    path: str
    rule: str
    limit: Any = None

    @property
    def id(self) -> str:
        """Readable test id: ``total-max``, ``items.quantity-min``."""
        return f"{self.path.replace('.*', '')}-{self.rule}"


def _effective(sub: Mapping[str, Any], c: FieldConstraint | None) -> dict[str, Any]:
    """The field's rules as JSON Schema keyword names, from the constraint model."""
    rules = rules_for(sub, c)
    return {"minimum": rules.minimum, "maximum": rules.maximum, "minLength": rules.min_length,
            "maxLength": rules.max_length, "enum": list(rules.enum) if rules.enum is not None else None,
            "pattern": rules.patterns[-1] if rules.patterns else None, "format": rules.format,
            "minItems": rules.min_items, "maxItems": rules.max_items, "type": sub.get("type")}


def _bad_string(pattern: str, lo: int | None, hi: int | None) -> str | None:
    compiled = compile_user_regex(pattern, "pattern")
    for candidate in _BAD_STRINGS:
        if not compiled.search(candidate) and (lo is None or len(candidate) >= lo) and (
                hi is None or len(candidate) <= hi):
            return candidate
    return None


def breakable_rules(schema: Schema, constraints: Mapping[str, FieldConstraint] | None = None) -> list[BrokenRule]:
    """Every rule of the schema (and the caller's constraints) that one value change can break alone."""
    constraints = constraints or {}
    rules: list[BrokenRule] = []
    required = set(schema.json_schema.get("required", ()))
    for path, sub in schema.walk():
        eff = _effective(sub, constraints.get(path))
        types = eff["type"] if isinstance(eff["type"], list) else [eff["type"]]
        is_string = "string" in types
        if path in required:
            rules.append(BrokenRule(path, "required"))
        if eff["minimum"] is not None:
            rules.append(BrokenRule(path, "min", eff["minimum"]))
        if eff["maximum"] is not None:
            rules.append(BrokenRule(path, "max", eff["maximum"]))
        if is_string and eff["enum"]:
            rules.append(BrokenRule(path, "enum"))
        elif is_string and eff["pattern"]:
            bad = _bad_string(str(eff["pattern"]), eff["minLength"], eff["maxLength"])
            if bad is not None:
                rules.append(BrokenRule(path, "regex", bad))
        elif is_string and eff["format"] in _BAD_FORMATS:
            rules.append(BrokenRule(path, "format", _BAD_FORMATS[eff["format"]]))
        if is_string and not eff["pattern"] and not eff["enum"] and eff["format"] in (None, "email"):
            if eff["minLength"]:
                rules.append(BrokenRule(path, "min_length", eff["minLength"]))
            if eff["maxLength"] is not None:
                rules.append(BrokenRule(path, "max_length", eff["maxLength"]))
        if "array" in types:
            if eff["minItems"]:
                rules.append(BrokenRule(path, "min_items", eff["minItems"]))
            if eff["maxItems"] is not None:
                rules.append(BrokenRule(path, "max_items", eff["maxItems"]))
    return rules


def break_record(record: dict[str, Any], broken: BrokenRule, schema: Schema) -> bool:
    """Change ``record`` in place so that it breaks ``broken`` and nothing else the validator checks.

    Returns False (record unchanged) when the record has no place to break it, such as an empty list
    holding the field; the caller draws another record.
    """
    head, _, name = broken.path.rpartition(".")
    parents = [record] if not head else get_all(record, head)
    parent = next((p for p in parents if isinstance(p, dict)), None)
    if parent is None:
        return False
    sub = schema.subschema(broken.path) or {}
    value = parent.get(name)
    integer = sub.get("type") == "integer"
    step = 1 if integer else 0.01
    if broken.rule == "required":
        parent.pop(name, None)
    elif broken.rule == "min":
        parent[name] = round(broken.limit - step, 2) if not integer else int(broken.limit) - 1
    elif broken.rule == "max":
        parent[name] = round(broken.limit + step, 2) if not integer else int(broken.limit) + 1
    elif broken.rule == "enum":
        parent[name] = f"not_a_valid_{name}"
    elif broken.rule in ("regex", "format"):
        parent[name] = broken.limit
    elif broken.rule == "min_length":
        parent[name] = str(value or "x")[: max(int(broken.limit) - 1, 0)]
    elif broken.rule == "max_length":
        text = str(value or "x")
        pad = "x" * (int(broken.limit) + 1 - len(text))
        # Pad an email's local part so that it stays a valid address and breaks only the length.
        parent[name] = pad + text if "@" in text else text + pad
    elif broken.rule == "min_items":
        parent[name] = list(value or [])[: int(broken.limit) - 1]
    elif broken.rule == "max_items":
        items = list(value or [])
        if not items:
            return False
        while len(items) <= int(broken.limit):
            items.append(items[len(items) % max(len(value or []), 1)])
        parent[name] = items
    return True
