"""Caller constraints checked against the entity's schema before anything is generated.

:meth:`GenerationRequest.checked` can only see a constraint on its own (``min`` > ``max``, a broken
regex). Whether it names a real field, fits that field's type and leaves some value that the schema also
allows needs the schema; every strategy would otherwise silently ignore a misspelt field or hand back
records that break the schema to satisfy the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_testdata.errors import TestdataUsageError, suggest
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import MAX_ITEMS, FieldConstraint


def _types(sub: Mapping[str, Any]) -> set[str]:
    kind = sub.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def resolve_path(schema: Schema, path: str) -> str:
    """The schema path a constraint names; ``items.quantity`` is accepted for ``items.*.quantity``."""
    paths = [p for p, _ in schema.walk()]
    if path in paths:
        return path
    aliases = {p.replace(".*", ""): p for p in paths}
    if path in aliases:
        return aliases[path]
    raise TestdataUsageError(
        f"constraints: {schema.name!r} has no field {path!r}{suggest(path, list(aliases))}. "
        f"Fields: {', '.join(aliases)}. Nested fields are written with dots, e.g. 'items.quantity'."
    )


def check_constraints(
    schema: Schema, constraints: Mapping[str, FieldConstraint]
) -> dict[str, FieldConstraint]:
    """Check every constraint against the schema; return them keyed by schema path.

    Raises :class:`TestdataUsageError` naming the field, the constraint and what the schema allows.
    """
    checked: dict[str, FieldConstraint] = {}
    for raw_path, constraint in constraints.items():
        path = resolve_path(schema, raw_path)
        sub = schema.subschema(path) or {}
        _check_one(schema.name, raw_path, sub, constraint)
        checked[path] = constraint
    return checked


def _check_one(entity: str, path: str, sub: Mapping[str, Any], c: FieldConstraint) -> None:
    where = f"constraints[{path!r}] ({entity}.{path})"
    types = _types(sub)
    kind = " or ".join(sorted(types - {"null"})) or "untyped"
    numeric = bool(types & {"integer", "number"})
    sized = bool(types & {"string", "array"})
    if (c.minimum is not None or c.maximum is not None) and not numeric:
        raise TestdataUsageError(
            f"{where}: min/max apply to numbers, but this field is {kind}. "
            + ("Use length, min_length or max_length instead." if sized else "Remove min/max.")
        )
    if (c.min_length is not None or c.max_length is not None) and not sized:
        raise TestdataUsageError(
            f"{where}: length applies to strings and lists, but this field is {kind}. "
            + ("Use min or max instead." if numeric else "Remove the length constraint.")
        )
    if c.regex is not None and "string" not in types:
        raise TestdataUsageError(f"{where}: regex applies to strings, but this field is {kind}.")
    schema_enum = sub.get("enum")
    if c.enum is not None and schema_enum is not None:
        outside = [v for v in c.enum if v not in schema_enum]
        if outside:
            raise TestdataUsageError(
                f"{where}: enum value {outside[0]!r} is not allowed by the schema. "
                f"Allowed: {', '.join(map(str, schema_enum))}."
            )
    lo, hi = sub.get("minimum"), sub.get("maximum")
    if c.minimum is not None and hi is not None and c.minimum > hi:
        raise TestdataUsageError(
            f"{where}: min {c.minimum!r} is above the schema's maximum {hi!r}; no value satisfies both. "
            f"Use a min of at most {hi!r}."
        )
    if c.maximum is not None and lo is not None and c.maximum < lo:
        raise TestdataUsageError(
            f"{where}: max {c.maximum!r} is below the schema's minimum {lo!r}; no value satisfies both. "
            f"Use a max of at least {lo!r}."
        )
    is_array = "array" in types
    lo_len = sub.get("minItems" if is_array else "minLength")
    hi_len = sub.get("maxItems" if is_array else "maxLength")
    unit = "items" if is_array else "characters"
    if is_array:
        for name, bound in (("min_length", c.min_length), ("max_length", c.max_length)):
            if bound is not None and bound > MAX_ITEMS:
                raise TestdataUsageError(
                    f"{where}: {name} {bound:,} is above the cap of {MAX_ITEMS:,} items a length bound on a list "
                    f"may have (each item is built whole). Use {MAX_ITEMS:,} or less"
                    + (", or leave max_length out for the schema's own bounds." if name == "max_length" else ".")
                )
    if c.min_length is not None and hi_len is not None and c.min_length > hi_len:
        raise TestdataUsageError(
            f"{where}: min_length {c.min_length} is above the schema's maximum of {hi_len} {unit}. "
            f"Use at most {hi_len}."
        )
    if c.max_length is not None and lo_len is not None and c.max_length < lo_len:
        raise TestdataUsageError(
            f"{where}: max_length {c.max_length} is below the schema's minimum of {lo_len} {unit}. "
            f"Use at least {lo_len}."
        )
