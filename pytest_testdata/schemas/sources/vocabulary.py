"""The vocabulary every stage of loading a JSON Schema shares: where subschemas sit, JSON pointers, the
marker of a branch cut by the recursion bound, and two readings of a node (its types, a number).

A property *named* ``type`` is not a keyword: only the places listed here hold subschemas, so every walk
(:mod:`~pytest_testdata.schemas.sources.dialects`, :mod:`~pytest_testdata.schemas.sources.expansion`,
:mod:`~pytest_testdata.schemas.sources.merging`) reads a ``properties`` map as names, never as a schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def json_copy(node: Any) -> Any:
    """A deep copy of a JSON document (dicts, lists and scalars; anything else through ``copy.deepcopy``),
    several times faster than ``copy.deepcopy`` on the large documents users bring."""
    kind = type(node)
    if kind is dict:
        return {key: json_copy(value) for key, value in node.items()}
    if kind is list:
        return [json_copy(value) for value in node]
    if kind is str or kind is int or kind is float or kind is bool or node is None:
        return node
    return copy.deepcopy(node)


# Where subschemas sit (everything else is a value: a property *named* "type" is not a keyword).
ONE = frozenset(("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else",
                 "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema"))
MAP = frozenset(("properties", "patternProperties", "dependentSchemas", "$defs", "definitions"))
LIST = frozenset(("allOf", "anyOf", "oneOf", "prefixItems"))
ANNOTATIONS = frozenset(("title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
                         "$comment", "contentMediaType", "contentEncoding", "contentSchema", "$schema", "$id",
                         "$anchor", "$dynamicAnchor", "$defs", "definitions", "$vocabulary", "format"))


class _Cut:
    """A branch cut because it recursed deeper than the depth bound (no finite value below it)."""

    def __repr__(self) -> str:
        return "<cut>"


CUT: Any = _Cut()


def pointer(*parts: Any) -> str:
    """A JSON pointer from parts, with ``~`` and ``/`` escaped."""
    out = ""
    for part in parts:  # built for every subschema a load walks: the plain case without replace() calls
        text = part if type(part) is str else str(part)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        out += "/" + text
    return out


def child(ptr: str, key: str, name: Any) -> str:
    """``ptr + pointer(key, name)`` for a keyword ``key`` (which holds no ``~`` or ``/``): built in one step for
    the plain name, as every property of every subschema a load walks has one."""
    if type(name) is str and "~" not in name and "/" not in name:
        return f"{ptr}/{key}/{name}"
    return ptr + pointer(key, name)


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

