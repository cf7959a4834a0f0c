"""Integer formats (OpenAPI's ``int32``, ``int64``; a SQL column's width): their bounds, and which bounds are
only those.

The OpenAPI loader (and the SQLAlchemy one, for ``SmallInteger``, ``Integer`` and ``BigInteger`` columns) writes
a format's range as ``minimum``/``maximum`` (so validation holds values to it) and keeps the format's name in
``x-int-format``. A generator treats those bounds as the type's limits, not as the field's range: a Petstore
``quantity`` (``int32``) is a few items and an ``id`` (``int64``) a positive number, not a value anywhere
between -2**63 and 2**63.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INT_FORMAT_BOUNDS: dict[str, tuple[int, int]] = {
    "int16": (-(2**15), 2**15 - 1),  # not an OpenAPI format: SQLAlchemy's SmallInteger (schemas/sources/sqlalchemy.py)
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}
FORMAT_KEY = "x-int-format"


def without_type_limits(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` without the bounds that only its ``x-int-format`` set (the node itself when there are none)."""
    limits = INT_FORMAT_BOUNDS.get(node.get(FORMAT_KEY))  # type: ignore[arg-type]
    if limits is None:
        return node
    low, high = limits
    return {key: value for key, value in node.items()
            if not ((key == "minimum" and value == low) or (key == "maximum" and value == high))}


__all__ = ["FORMAT_KEY", "INT_FORMAT_BOUNDS", "without_type_limits"]
