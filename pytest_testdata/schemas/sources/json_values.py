"""JSON equality in hashed form: membership of a value in a long ``enum`` without comparing against each.

JSON Schema compares values as JSON does: ``1`` equals ``1.0``, ``true`` does not equal ``1``, objects and
arrays compare deeply. :func:`json_key` gives a scalar a hashable key that is equal exactly when the values
are JSON-equal; objects, arrays and NaN get none and are compared one by one with :func:`same`. Loading a
schema whose ``allOf`` parts each list hundreds of enum values, or an array of unique enum items, then costs
one pass instead of one comparison per pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any


def same(a: Any, b: Any) -> bool:
    """JSON equality (1 == 1.0, but True != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and (isinstance(a, (int, float)) == isinstance(b, (int, float)))


def json_key(value: Any) -> tuple[str, Any] | None:
    """A hashable key equal for JSON-equal scalars (None for objects, arrays and NaN)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null", None)
    return None


def membership(values: Iterable[Any]) -> Callable[[Any], bool]:
    """``contains(value)``: whether a value is JSON-equal to one of ``values`` (hashed where it can be)."""
    keys: set[tuple[str, Any]] = set()
    others: list[Any] = []
    for value in values:
        key = json_key(value)
        if key is None:
            others.append(value)
        else:
            keys.add(key)

    def contains(value: Any) -> bool:
        key = json_key(value)
        if key is not None:  # a scalar never equals an object or an array
            return key in keys
        return any(same(value, other) for other in others)
    return contains


def distinct(values: Iterable[Any]) -> list[Any]:
    """The values without JSON-equal repeats, first occurrences kept in order."""
    keys: set[tuple[str, Any]] = set()
    out: list[Any] = []
    for value in values:
        key = json_key(value)
        if key is not None:
            if key in keys:
                continue
            keys.add(key)
        elif any(same(value, seen) for seen in out):
            continue
        out.append(value)
    return out
