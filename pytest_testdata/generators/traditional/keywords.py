"""Which subschemas need the keyword compiler (:mod:`~pytest_testdata.generators.traditional.compose`).

Apart from the compiler itself so that a plan of classic subschemas only (the built-in entities, most user
schemas' fields) asks the question without importing the compiler and what it brings (the standard
validator's checks, the schema merger): some 6 million instructions of a fresh process's first record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STANDARD_KEYS = frozenset((
    "anyOf", "oneOf", "allOf", "not", "if", "then", "else", "prefixItems", "contains", "minContains",
    "maxContains", "uniqueItems", "patternProperties", "propertyNames", "minProperties", "maxProperties",
    "dependentRequired", "dependentSchemas", "exclusiveMinimum", "exclusiveMaximum", "unevaluatedProperties",
    "unevaluatedItems",
))
CLASSIC_FORMATS = frozenset(("uuid", "date-time", "date", "email", "uri", "ipv4"))


def needs_compose(node: Any) -> bool:
    """True when a subschema needs the keyword compiler rather than the classic drawers."""
    if type(node) is not dict and not isinstance(node, Mapping):  # dict first: no ABC check per subschema
        return True
    if not node.keys().isdisjoint(STANDARD_KEYS):
        return True
    kinds = kinds_of(node)
    if len(kinds - {"null"}) != 1 or kinds == {"null"}:
        return "enum" not in node or len(kinds - {"null"}) > 1
    fmt = node.get("format")
    # Formats are about strings: on a number (OpenAPI's int64, Stripe's unix-time) one is an annotation,
    # which the classic number drawers read (the compiler would hand the node straight back to them).
    if fmt is not None and fmt not in CLASSIC_FORMATS and "x-gen" not in node and "string" in kinds:
        return True
    step = node.get("multipleOf")
    if step is not None and step != 0.01:
        return True
    if isinstance(node.get("additionalProperties"), Mapping) or node.get("items") is False:
        return True
    props = node.get("properties")
    return bool(isinstance(node.get("required"), list) and not set(node["required"]) <= set(props or {}))


def kinds_of(node: Mapping[str, Any]) -> set[str]:
    """The types a subschema's ``type`` names (a set, empty when it names none)."""
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


__all__ = ["CLASSIC_FORMATS", "STANDARD_KEYS", "kinds_of", "needs_compose"]
