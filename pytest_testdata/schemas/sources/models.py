"""Python model classes as entities: pydantic v2 models, dataclasses, TypedDicts and attrs classes.

The entity's schema is the JSON Schema pydantic derives for the class (``model_json_schema()`` for a
model, ``TypeAdapter(cls).json_schema()`` for a dataclass or TypedDict; an attrs class through a mirror
dataclass with the same fields and the constraints of its attrs validators). Records become instances
through the model itself: ``model_validate_json`` for pydantic, pydantic's dataclass and TypedDict
validation (nested values converted), and the attrs class's own constructor (its validators and
converters run). A record the model refuses is a :class:`GenerationError` naming the field.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.errors import GenerationError, SchemaError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.sources import ModelBinding, Source, SourceAdapter


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def is_pydantic_model(obj: Any) -> bool:
    """A pydantic v2 model class."""
    return isinstance(obj, type) and hasattr(obj, "model_json_schema") and hasattr(obj, "model_validate_json")


def is_dataclass_type(obj: Any) -> bool:
    """A dataclass (standard library or pydantic) class."""
    return isinstance(obj, type) and dataclasses.is_dataclass(obj)


def is_typeddict(obj: Any) -> bool:
    """A TypedDict class (``typing`` or ``typing_extensions``)."""
    import typing_extensions

    return isinstance(obj, type) and typing_extensions.is_typeddict(obj)


def is_attrs_class(obj: Any) -> bool:
    """An attrs class (only looked for when attrs is already imported: a user with attrs classes has)."""
    attr = sys.modules.get("attr")
    return attr is not None and isinstance(obj, type) and bool(attr.has(obj))


def _source(obj: Any, name: str | None, kind: str, data: Mapping[str, Any],
            build: Callable[[Mapping[str, Any]], Any]) -> Source:
    where = f"{kind}:{_qualname(obj)}"
    schema = Schema.from_json_schema(_tidy(dict(data)), source=where, name=name or obj.__name__.lower())
    return Source(schema, ModelBinding(obj, kind, build))


def _tidy(node: Any) -> Any:
    """Drop pydantic's ``discriminator`` annotation: each branch already fixes its tag with a Literal."""
    if isinstance(node, dict):
        return {k: _tidy(v) for k, v in node.items()
                if not (k == "discriminator" and isinstance(v, Mapping) and "propertyName" in v)}
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    return node


def _json_schema(obj: Any, kind: str, make: Callable[[], Mapping[str, Any]]) -> Mapping[str, Any]:
    from pydantic import PydanticUserError

    try:
        return make()
    except (PydanticUserError, TypeError, NameError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SchemaError(
            f"{kind}:{_qualname(obj)}", "", "type", f"its JSON Schema cannot be derived: {first}",
            "give every field a type pydantic understands (and resolve forward references before use)",
        ) from None


def _builder(obj: Any, name: str | None, validate_json: Callable[[str], Any]) -> Callable[[Mapping[str, Any]], Any]:
    from pydantic import ValidationError

    entity = name or obj.__name__.lower()

    def build(record: Mapping[str, Any]) -> Any:
        try:
            return validate_json(json.dumps(record))
        except ValidationError as exc:
            raise _refused(entity, obj, exc.errors()[0]) from None

    return build


def _refused(entity: str, obj: Any, error: Mapping[str, Any]) -> GenerationError:
    field = ".".join(str(p) for p in error.get("loc", ())) or "(record)"
    return GenerationError(
        f"entity {entity!r}: the model {_qualname(obj)} refused a generated record at {field!r}: "
        f"{error.get('msg')} (value {error.get('input')!r}). The model checks something its JSON Schema does "
        "not say (a custom validator?): express it as a field constraint, or pass constraints= for that field."
    )


def load_pydantic(obj: Any, name: str | None) -> Source:
    """A pydantic v2 model class."""
    data = _json_schema(obj, "pydantic", obj.model_json_schema)
    return _source(obj, name, "pydantic", data, _builder(obj, name, obj.model_validate_json))


def _adapter_source(kind: str) -> Callable[[Any, str | None], Source]:
    def load(obj: Any, name: str | None) -> Source:
        from pydantic import TypeAdapter

        adapter: Any = _json_schema(obj, kind, lambda: {"schema": TypeAdapter(obj)})["schema"]
        data = _json_schema(obj, kind, adapter.json_schema)
        return _source(obj, name, kind, data, _builder(obj, name, adapter.validate_json))

    return load


def load_attrs(obj: Any, name: str | None) -> Source:
    """An attrs class: pydantic reads a mirror dataclass; the attrs constructor builds the instance."""
    from pydantic import TypeAdapter

    from pytest_testdata.schemas.sources.attrs_mirror import mirror, to_attrs

    twin = mirror(obj)
    adapter: Any = TypeAdapter(twin)
    data = _json_schema(obj, "attrs", adapter.json_schema)
    entity = name or obj.__name__.lower()
    parse = _builder(obj, name, adapter.validate_json)

    def build(record: Mapping[str, Any]) -> Any:
        try:
            return to_attrs(parse(record))
        except (ValueError, TypeError) as exc:  # an attrs validator or converter said no
            raise GenerationError(
                f"entity {entity!r}: the attrs class {_qualname(obj)} refused a generated record: {exc}. "
                "Its validator checks something pytest-testdata cannot read: use attrs.validators "
                "(ge, le, min_len, max_len, matches_re, in_) or pass constraints= for that field."
            ) from None

    data = {**data, "title": obj.__name__}
    return _source(obj, name, "attrs", data, build)


ADAPTERS: tuple[SourceAdapter, ...] = (
    SourceAdapter("pydantic", is_pydantic_model, load_pydantic),
    SourceAdapter("dataclass", is_dataclass_type, _adapter_source("dataclass")),
    SourceAdapter("typeddict", is_typeddict, _adapter_source("typeddict")),
    SourceAdapter("attrs", is_attrs_class, load_attrs),
)
"""The built-in model adapters, in the order they are tried."""

__all__ = ["ADAPTERS", "is_attrs_class", "is_dataclass_type", "is_pydantic_model", "is_typeddict",
           "load_attrs", "load_pydantic"]
