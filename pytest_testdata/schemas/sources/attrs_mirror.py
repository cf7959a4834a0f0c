"""attrs classes seen by pydantic: a mirror dataclass per attrs class, and the way back to attrs instances.

pydantic derives JSON Schema and validates dataclasses but not attrs classes. The mirror has the attrs
class's init fields (by their init names), its types (nested attrs classes mirrored too), its defaults,
and the constraints of the attrs validators pytest-testdata can read: ``ge``/``gt``/``le``/``lt``,
``min_len``/``max_len``, ``matches_re``, ``in_`` (an enum), through ``optional`` and ``and_``. Other
validators and converters still run when the record becomes an attrs instance (:func:`to_attrs`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, Literal, Union

from pytest_testdata.errors import SchemaError

_MIRRORS: dict[type, type] = {}
_ORIGINALS: dict[type, type] = {}
_BUILDING: set[type] = set()


def mirror(cls: type) -> type:
    """The mirror dataclass of an attrs class (built once)."""
    import attr

    if cls in _MIRRORS:
        return _MIRRORS[cls]
    if cls in _BUILDING:
        raise SchemaError(
            f"attrs:{cls.__module__}.{cls.__qualname__}", "", "$ref", "a recursive attrs class is not supported",
            "describe recursive entities with pydantic models or dataclasses",
        )
    _BUILDING.add(cls)
    try:
        try:
            attr.resolve_types(cls)
        except NameError as exc:
            raise SchemaError(f"attrs:{cls.__module__}.{cls.__qualname__}", "", "type",
                              f"a type cannot be resolved: {exc}", "import the names its annotations use") from None
        fields: list[tuple[str, Any, Any]] = []
        for a in attr.fields(cls):
            if not a.init:
                continue
            kind = _mirror_type(a.type if a.type is not None else Any)
            metadata = _constraints(a.validator)
            options = _options(a.validator)
            if options is not None:
                kind = Literal[tuple(options)]
            if metadata:
                kind = _annotated(kind, metadata)
            spec: Any = dataclasses.field()
            if isinstance(a.default, attr.Factory) and not a.default.takes_self:  # type: ignore[arg-type]
                spec = dataclasses.field(default_factory=a.default.factory)
            elif a.default is not attr.NOTHING and not isinstance(a.default, attr.Factory):  # type: ignore[arg-type]
                spec = dataclasses.field(default=a.default)
            fields.append((a.alias or a.name.lstrip("_"), kind, spec))
        twin = dataclasses.make_dataclass(cls.__name__, fields)
    finally:
        _BUILDING.discard(cls)
    _MIRRORS[cls] = twin
    _ORIGINALS[twin] = cls
    return twin


def _mirror_type(kind: Any) -> Any:
    import attr

    if isinstance(kind, type) and attr.has(kind):
        return mirror(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is None or not args:
        return kind
    if origin is Annotated:
        return _annotated(_mirror_type(args[0]), kind.__metadata__)
    if origin is Literal:
        return kind
    mapped = tuple(_mirror_type(a) for a in args)
    if origin in (Union, types.UnionType):
        return Union[mapped]  # noqa: UP007 (built from a tuple)
    return origin[mapped if len(mapped) > 1 else mapped[0]]


def _annotated(kind: Any, metadata: Any) -> Any:
    arguments = (kind, *metadata)
    return Annotated[arguments]  # Annotated[(T, m1, m2)] is Annotated[T, m1, m2]


def _validators(validator: Any) -> list[Any]:
    if validator is None:
        return []
    inner = getattr(validator, "_validators", None)  # attrs.validators.and_
    if inner is not None:
        return [v for sub in inner for v in _validators(sub)]
    wrapped = getattr(validator, "validator", None)  # attrs.validators.optional
    if wrapped is not None and type(validator).__name__ == "_OptionalValidator":
        return _validators(wrapped)
    if isinstance(validator, (list, tuple)):
        return [v for sub in validator for v in _validators(sub)]
    return [validator]


def _constraints(validator: Any) -> list[Any]:
    import annotated_types
    from pydantic import StringConstraints

    out: list[Any] = []
    ops = {">=": annotated_types.Ge, ">": annotated_types.Gt, "<=": annotated_types.Le, "<": annotated_types.Lt}
    for v in _validators(validator):
        if hasattr(v, "bound") and getattr(v, "compare_op", None) in ops:
            out.append(ops[v.compare_op](v.bound))
        elif hasattr(v, "max_length"):
            out.append(annotated_types.MaxLen(v.max_length))
        elif hasattr(v, "min_length"):
            out.append(annotated_types.MinLen(v.min_length))
        elif hasattr(v, "pattern") and hasattr(v, "match_func"):
            pattern = v.pattern.pattern if hasattr(v.pattern, "pattern") else str(v.pattern)
            if v.match_func.__name__ == "fullmatch" and not pattern.startswith("^"):
                pattern = f"^(?:{pattern})$"
            out.append(StringConstraints(pattern=pattern))
    return out


def _options(validator: Any) -> list[Any] | None:
    for v in _validators(validator):
        options = getattr(v, "options", None)
        if options is not None and type(v).__name__ == "_InValidator":
            values = list(options)
            if values and all(type(o) in (str, int, bool) for o in values):
                return values
    return None


def to_attrs(value: Any) -> Any:
    """Mirror instances (nested in lists, tuples, dicts) back into attrs instances via their constructors."""
    original = _ORIGINALS.get(type(value))
    if original is not None:
        kwargs = {f.name: to_attrs(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return original(**kwargs)
    if isinstance(value, list):
        return [to_attrs(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_attrs(v) for v in value)
    if isinstance(value, dict):
        return {k: to_attrs(v) for k, v in value.items()}
    return value
