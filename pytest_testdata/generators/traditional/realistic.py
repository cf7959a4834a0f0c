"""Realistic values from field names: where the plan asks the field-name table and the value kinds.

The plan compiler calls :func:`realistic_string` and :func:`realistic_number` for every string and number
field before its generic drawers. A field gets a kind's values when ``x-gen`` names a kind of
:mod:`kinds`, or, with no ``x-gen``, ``enum`` or ``const``, when the table of
:mod:`field_names` has a row for its name in its context and the field's ``format`` (if any) is one the
kind refines. Either way the kind must meet the field's constraints; if it cannot, the field's generic
drawer is used (a valid value before a realistic one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.generators.traditional.drawers import NAMED_DRAWERS, Draw
from pytest_testdata.generators.traditional.examples import CATEGORICAL_KINDS, examples_drawer
from pytest_testdata.generators.traditional.field_names import current, kind_for
from pytest_testdata.generators.traditional.kinds import KINDS, OBJECT_KINDS, Kind, kind_drawer, kind_names
from pytest_testdata.types import FieldConstraint

UNIX_TIME_FORMATS = frozenset(("unix-time", "unixtime", "unix_time", "epoch", "timestamp", "unix-timestamp"))
"""Formats of a number that counts seconds since 1970 (Stripe's ``created``: ``format: unix-time``)."""

Plain = Callable[[Mapping[str, Any], str, "FieldConstraint | None"], Draw]


def _named_kind(gen: Any, name: str, json_type: str = "string") -> Kind | None:
    """The kind ``x-gen`` names (None for the drawers and ``faker.*`` the older path serves)."""
    if not isinstance(gen, str) or gen in NAMED_DRAWERS or gen.startswith("faker.") or gen in ("price",):
        return None
    kind = KINDS.get(gen)
    if kind is None and gen not in OBJECT_KINDS:
        if json_type == "string":
            allowed = sorted({*NAMED_DRAWERS, *(k for k in kind_names() if KINDS[k].forms or KINDS[k].numbers)})
        else:
            allowed = sorted({"price", *(k for k in kind_names() if KINDS[k].numbers)})
        raise TestdataUsageError(
            f"property {name!r}: unknown \"x-gen\" {gen!r}. Allowed: {', '.join(allowed)}, "
            "or \"faker.<provider>\" for any Faker provider (e.g. \"faker.city\"); register a kind of your own "
            "with pytest_testdata.generators.traditional.kinds.register_kind."
        )
    return kind


def _kind_by_name(node: Mapping[str, Any], name: str, json_type: str) -> Kind | None:
    if "enum" in node or "const" in node or "x-gen" in node:
        return None
    fmt = node.get("format")
    if json_type != "string":
        if fmt in UNIX_TIME_FORMATS:
            return KINDS["unix_time"]
        fmt = None  # int32, int64, double: the type's width, which says nothing of what the number means
    found = kind_for(name, json_type, current())
    kind = KINDS.get(found) if found is not None else None
    if kind is None or (fmt is not None and fmt not in kind.refines):
        return None
    return kind


def realistic_string(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None,
                     plain: Plain) -> Draw | None:
    """The drawer of the kind the field's ``x-gen`` or name calls for, or None (``plain`` serves it)."""
    kind = _named_kind(node.get("x-gen"), name)
    rest = node
    if kind is not None:
        rest = {k: v for k, v in node.items() if k != "x-gen"}
    else:
        if "x-gen" in node:
            return None
        kind = _kind_by_name(node, name, "string")
        if kind is None:
            return None
        # A status or category by its name is a guess; the schema's own token examples say it.
        if kind.name in CATEGORICAL_KINDS and examples_drawer(node, tokens_only=True) is not None:
            return plain(node, name, constraint)  # the examples, within the field's lengths and pattern
    fallback = plain(rest, name, constraint)
    return kind_drawer(kind, rest, name, constraint, "string", fallback) or fallback


def realistic_number(node: Mapping[str, Any], name: str, constraint: FieldConstraint | None,
                     integer: bool) -> Draw | None:
    """The drawer of a number kind (an age, a latitude...) within the field's bounds, or None."""
    json_type = "integer" if integer else "number"
    gen = node.get("x-gen")
    kind = _named_kind(gen, name, json_type) if gen is not None else _kind_by_name(node, name, json_type)
    if kind is None:
        return None
    return kind_drawer(kind, node, name, constraint, json_type)


__all__ = ["realistic_number", "realistic_string"]
