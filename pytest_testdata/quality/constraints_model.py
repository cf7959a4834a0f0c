"""One constraint model: a field's schema bounds merged with the caller's constraint, worked out here only.

The plan (generation), the validator and its acceptor (checking), invalid variants (breaking one rule) and
structured output (what an LLM is told) all read a field's effective rules through this module, so they
cannot disagree. A caller's constraint narrows the schema, never widens it: ``min`` 5 on a field whose
schema says ``minimum`` 10 leaves 10 (the schema still holds), ``max`` 500 under a schema ``maximum`` 50
leaves 50. A regex constraint is added to the schema's ``pattern`` (both must match), kept apart as
``x-patterns`` so generation can keep a realistic value that matches rather than draw from the pattern.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_testdata.types import FieldConstraint


@dataclass(frozen=True)
class FieldRules:
    """What one field must satisfy: its schema's keywords narrowed by the caller's constraint."""

    minimum: Any = None
    minimum_open: bool = False
    maximum: Any = None
    maximum_open: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    enum: tuple[Any, ...] | None = None
    patterns: tuple[str, ...] = ()
    format: str | None = None
    types: tuple[str, ...] = ()

    @property
    def numeric_bounds(self) -> tuple[Any, bool, Any, bool]:
        """``(low, low exclusive, high, high exclusive)``."""
        return self.minimum, self.minimum_open, self.maximum, self.maximum_open


def _tighter(a: Any, b: Any, pick: Any) -> Any:
    return b if a is None else a if b is None else pick(a, b)


def rules_for(node: Mapping[str, Any], constraint: FieldConstraint | None = None) -> FieldRules:
    """The effective rules of one field (``node`` is its subschema in the generation view)."""
    lo, lo_open = node.get("minimum"), False
    hi, hi_open = node.get("maximum"), False
    ex_lo, ex_hi = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if isinstance(ex_lo, (int, float)) and not isinstance(ex_lo, bool) and (lo is None or ex_lo >= lo):
        lo, lo_open = ex_lo, True
    if isinstance(ex_hi, (int, float)) and not isinstance(ex_hi, bool) and (hi is None or ex_hi <= hi):
        hi, hi_open = ex_hi, True
    min_len, max_len = node.get("minLength"), node.get("maxLength")
    enum = node.get("enum")
    patterns = [str(node["pattern"])] if "pattern" in node else []
    patterns += [str(p) for p in node.get("x-patterns", ())]
    if constraint is not None:
        if constraint.minimum is not None and (lo is None or constraint.minimum > lo):
            lo, lo_open = constraint.minimum, False
        if constraint.maximum is not None and (hi is None or constraint.maximum < hi):
            hi, hi_open = constraint.maximum, False
        min_len = _tighter(min_len, constraint.min_length, max)
        max_len = _tighter(max_len, constraint.max_length, min)
        if constraint.enum is not None:
            enum = list(constraint.enum) if enum is None else [v for v in constraint.enum if v in enum]
        if constraint.regex is not None and constraint.regex not in patterns:
            patterns.append(constraint.regex)
    kind = node.get("type")
    types = tuple(kind) if isinstance(kind, list) else (kind,) if isinstance(kind, str) else ()
    return FieldRules(
        minimum=lo, minimum_open=lo_open, maximum=hi, maximum_open=hi_open, min_length=min_len,
        max_length=max_len, min_items=node.get("minItems"), max_items=node.get("maxItems"),
        enum=tuple(enum) if enum is not None else None, patterns=tuple(patterns),
        format=node.get("format") if isinstance(node.get("format"), str) else None, types=types,
    )


def constrain(node: Mapping[str, Any], constraint: FieldConstraint) -> dict[str, Any]:
    """``node`` with the caller's constraint merged in, as JSON Schema keywords (a new dict)."""
    rules = rules_for(node, constraint)
    out = dict(node)
    is_array = "array" in rules.types
    if rules.minimum is not None:
        out.pop("minimum" if rules.minimum_open else "exclusiveMinimum", None)
        out["exclusiveMinimum" if rules.minimum_open else "minimum"] = rules.minimum
    if rules.maximum is not None:
        out.pop("maximum" if rules.maximum_open else "exclusiveMaximum", None)
        out["exclusiveMaximum" if rules.maximum_open else "maximum"] = rules.maximum
    if is_array:
        if constraint.min_length is not None:
            out["minItems"] = max(constraint.min_length, node.get("minItems", 0))
        if constraint.max_length is not None:
            out["maxItems"] = min(constraint.max_length, node.get("maxItems", constraint.max_length))
    else:
        if rules.min_length is not None:
            out["minLength"] = rules.min_length
        if rules.max_length is not None:
            out["maxLength"] = rules.max_length
    if rules.enum is not None:
        out["enum"] = list(rules.enum)
    if constraint.regex is not None:
        extra = [p for p in rules.patterns if p != node.get("pattern")]
        if extra:
            out["x-patterns"] = extra
    if constraint.unique:
        out["x-unique"] = True
    return out


def node_at(root: Mapping[str, Any], path: str) -> Any:
    """The subschema at a dotted path (``items.*.quantity``; ``*`` steps into array items), or None."""
    node: Any = root
    for part in path.split("."):
        if part == "*":
            node = node.get("items") if isinstance(node, Mapping) else None
            continue
        props = node.get("properties") if isinstance(node, Mapping) else None
        if not isinstance(props, Mapping) or part not in props:
            return None
        node = props[part]
    return node


def constrain_tree(root: Mapping[str, Any], constraints: Mapping[str, FieldConstraint],
                   *, nested_only: bool = False) -> dict[str, Any]:
    """A copy of a schema tree with every constraint merged in at its path (``nested_only``: skip
    top-level fields, for callers that apply those themselves)."""
    out: dict[str, Any] = copy.deepcopy(dict(root))
    for path, constraint in constraints.items():
        if nested_only and "." not in path:
            continue
        parts = path.split(".")
        parent = node_at(out, ".".join(parts[:-1])) if len(parts) > 1 else out
        if parts[-1] == "*" or not isinstance(parent, dict):
            continue
        props = parent.get("properties")
        if isinstance(props, dict) and isinstance(props.get(parts[-1]), Mapping):
            props[parts[-1]] = constrain(props[parts[-1]], constraint)
    return out
