"""What no value satisfies, refused at load with one line naming the file, the pointer and the fix:
``minimum`` > ``maximum`` (and the other bound pairs), an empty exclusive range, an integer range with no
multiple of the step, lower bounds above what one record may hold, a ``pattern`` the linear-time engine
refuses, and a required name that ``additionalProperties: false`` leaves nowhere to live.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pytest_testdata.errors import SchemaError
from pytest_testdata.schemas.sources.vocabulary import _num, _types, pointer
from pytest_testdata.types import MAX_ITEMS, MAX_LENGTH

_PAIRS = (("minimum", "maximum", "a number", "minimum", "maximum"),
          ("minLength", "maxLength", "a string's length", "minLength", "maxLength"),
          ("minItems", "maxItems", "an array's length", "minItems", "maxItems"),
          ("minProperties", "maxProperties", "an object's size", "minProperties", "maxProperties"),
          ("minContains", "maxContains", "the matching items", "minContains", "maxContains"))


_BOUNDED = frozenset(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
                      "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains",
                      "multipleOf", "pattern", "patternProperties", "propertyNames", "additionalProperties"))
"""The keywords :func:`check_bounds` reads: a node with none of them (most) has nothing to check."""


def check_bounds(node: Mapping[str, Any], source: str, ptr: str) -> None:
    """Refuse bounds no value meets and patterns that do not compile (``ptr`` names the place)."""
    if node.keys().isdisjoint(_BOUNDED):
        return
    for lo_key, hi_key, what, lo_name, hi_name in _PAIRS:
        lo, hi = node.get(lo_key), node.get(hi_key)
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > hi:
            raise SchemaError(source, f"{ptr}/{lo_key}", lo_key, f"{lo_name} {lo!r} is greater than {hi_name} "
                              f"{hi!r}, so no value fits {what}", f"lower {lo_name} or raise {hi_name}")
    _check_caps(node, source, ptr)
    lo = node.get("exclusiveMinimum", node.get("minimum"))
    hi = node.get("exclusiveMaximum", node.get("maximum"))
    if _num(lo) and _num(hi) and ("exclusiveMinimum" in node or "exclusiveMaximum" in node) and lo >= hi:
        key = "exclusiveMinimum" if "exclusiveMinimum" in node else "exclusiveMaximum"
        raise SchemaError(source, f"{ptr}/{key}", key, f"the range ({lo!r}, {hi!r}) with an exclusive bound "
                          "holds no number", "widen the range")
    step = node.get("multipleOf")
    if _num(step) and _types(node) - {"null"} == {"integer"} and _num(node.get("minimum")) \
            and _num(node.get("maximum")):
        first = math.ceil(node["minimum"] / step)
        if first * step > node["maximum"]:
            raise SchemaError(source, f"{ptr}/multipleOf", "multipleOf", f"no multiple of {step!r} lies between "
                              f"{node['minimum']!r} and {node['maximum']!r}", "widen the range or change the step")
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        _checked_pattern(pattern, source, f"{ptr}/pattern", "pattern")
    names = node.get("patternProperties")
    if isinstance(names, dict):
        for name in names:
            _checked_pattern(name, source, ptr + pointer("patternProperties", name), "patternProperties")
    fmt_names = node.get("propertyNames")
    if isinstance(fmt_names, dict) and isinstance(fmt_names.get("pattern"), str):
        _checked_pattern(fmt_names["pattern"], source, f"{ptr}/propertyNames/pattern", "pattern")
    if node.get("additionalProperties") is False and isinstance(node.get("required"), list):
        props: Any = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        pats = list(names) if isinstance(names, dict) else []
        for name in node["required"]:
            if name not in props and not any(_search(p, name) for p in pats):
                raise SchemaError(source, f"{ptr}/required", "required", f"{name!r} is required but "
                                  "additionalProperties is false and no property or patternProperties allows it",
                                  f"define {name!r} under properties, or drop it from required")


def _check_caps(node: Mapping[str, Any], source: str, ptr: str) -> None:
    """Refuse lower bounds above what one record may hold (a ``minLength`` of 10**9 would build a gigabyte
    string, or never finish): the same caps as a caller's constraints (``types.MAX_LENGTH``/``MAX_ITEMS``)."""
    for key, cap, unit in (("minLength", MAX_LENGTH, "characters"), ("minItems", MAX_ITEMS, "items"),
                           ("minProperties", MAX_ITEMS, "properties"), ("minContains", MAX_ITEMS, "items")):
        bound: Any = node.get(key)
        if _num(bound) and bound > cap:
            raise SchemaError(source, f"{ptr}/{key}", key, f"{key} {bound:,} is above the cap of {cap:,} {unit} "
                              "a generated value may have", f"lower {key} to {cap:,} or less")



def _compile_pattern(pattern: str, where: str) -> Any:
    from pytest_testdata.quality.regex import compile_user_regex

    return compile_user_regex(pattern, where)


def _checked_pattern(pattern: str, source: str, ptr: str, keyword: str) -> None:
    """Compile a schema pattern through the linear-time regex module; a refusal names file and pointer."""
    from pytest_testdata.quality.regex import RegexRefused

    try:
        _compile_pattern(pattern, keyword)
    except RegexRefused as exc:
        problem = str(exc).partition(": ")[2] or str(exc)
        raise SchemaError(source, ptr, keyword, problem.rstrip("."),
                          "write a pattern within the documented budget (docs/usage.md)") from None


def _search(pattern: str, text: str) -> bool:
    return bool(_compile_pattern(pattern, "patternProperties").search(text))

