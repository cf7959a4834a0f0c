"""Entity sources: where schemas come from besides the built-in files.

A *source adapter* turns a Python object (a pydantic model class, a dataclass, a TypedDict, an attrs class, a
SQLAlchemy model (:mod:`~pytest_testdata.schemas.sources.sqlalchemy`), or anything a later adapter understands)
into a :class:`Source`: the entity's :class:`~pytest_testdata.schemas.model.Schema` plus, for model classes, a
:class:`ModelBinding` that turns a generated record into an instance of the model. Files (JSON Schema,
OpenAPI documents) are read by :mod:`pytest_testdata.schemas.sources.files`.

Extend it with :func:`register_adapter`::

    register_adapter(SourceAdapter("peewee", is_peewee_model, load_peewee_model))
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.model import Schema


@dataclass(frozen=True)
class ModelBinding:
    """How records of an entity become instances of the user's model class."""

    model: Any
    """The model class."""
    kind: str
    """The adapter that made it (``pydantic``, ``dataclass``, ``typeddict``, ``attrs``...)."""
    build: Callable[[Mapping[str, Any]], Any]
    """Record -> instance, validated by the model itself; raises :class:`GenerationError` when it refuses."""


@dataclass(frozen=True)
class Source:
    """An entity's schema and, for a model class, its binding."""

    schema: Schema
    binding: ModelBinding | None = None


@dataclass(frozen=True)
class SourceAdapter:
    """One kind of object that can define an entity."""

    kind: str
    matches: Callable[[Any], bool]
    """True for objects this adapter reads (cheap: called for every object until one matches)."""
    load: Callable[[Any, str | None], Source]
    """``(obj, name or None) -> Source``; raises :class:`TestdataUsageError` for a model it cannot honour."""


ADAPTERS: list[SourceAdapter] = []
"""Adapters in the order they are tried (see :func:`register_adapter`)."""

_builtins_loaded = False
_memo: dict[tuple[Any, str | None, int], Source] = {}


def register_adapter(adapter: SourceAdapter, *, first: bool = True) -> None:
    """Add an adapter; ``first`` (default) tries it before the built-in ones. Replaces one of the same kind."""
    ADAPTERS[:] = [a for a in ADAPTERS if a.kind != adapter.kind]
    if first:
        ADAPTERS.insert(0, adapter)
    else:
        ADAPTERS.append(adapter)


def _is_sqlalchemy(obj: Any) -> bool:
    import sys

    if "sqlalchemy" not in sys.modules:  # a user with SQLAlchemy models has imported it
        return False
    from pytest_testdata.schemas.sources.sqlalchemy import is_sqlalchemy_model

    return is_sqlalchemy_model(obj)


def _load_sqlalchemy(obj: Any, name: str | None) -> Source:
    from pytest_testdata.schemas.sources.sqlalchemy import instance, python_values, schema_from_model

    schema = schema_from_model(obj, name)
    if not isinstance(obj, type):  # a plain Table: records stay dicts
        return Source(schema)
    table: Any = getattr(obj, "__table__")  # noqa: B009 (a mapped class; mypy sees a plain type)
    return Source(schema, ModelBinding(obj, "sqlalchemy",
                                       lambda record: instance(obj, python_values(table, record))))


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        from pytest_testdata.schemas.sources import models

        # SQLAlchemy first: a mapped class that is also a pydantic model (SQLModel's table=True) or a dataclass
        # (MappedAsDataclass) is an ORM entity, with its table's keys, foreign keys and instances.
        for adapter in (SourceAdapter("sqlalchemy", _is_sqlalchemy, _load_sqlalchemy), *models.ADAPTERS):
            if all(a.kind != adapter.kind for a in ADAPTERS):
                ADAPTERS.append(adapter)


def adapter_kinds() -> list[str]:
    """The kinds of objects that can define an entity, in the order they are tried."""
    _load_builtins()
    return ["Schema", *(a.kind for a in ADAPTERS)]


def source_from_object(obj: Any, name: str | None = None) -> Source:
    """The :class:`Source` for a Schema or a model class; a usage error naming the allowed kinds otherwise.

    Results are memoised per (object, name): a marker or a module-level ``factory_for`` asks again often.
    """
    if isinstance(obj, Schema):
        return Source(obj if name is None else _renamed(obj, name))
    from pytest_testdata.schemas.sources.jsonschema import current_max_depth

    key = (obj, name, current_max_depth())  # a recursive model nests as deep as the setting in force says
    try:
        cached = _memo.get(key)
    except TypeError:  # unhashable: not a class, so no adapter would take it anyway
        cached = None
    if cached is not None:
        return cached
    _load_builtins()
    for adapter in ADAPTERS:
        if adapter.matches(obj):
            source = adapter.load(obj, name)
            with contextlib.suppress(TypeError):
                _memo[key] = source
            return source
    raise TestdataUsageError(
        f"entity: expected an entity name such as 'cart', a Schema or a model class, got {obj!r}. "
        f"Allowed model kinds: {', '.join(a.kind for a in ADAPTERS)} (see docs/schemas.md)."
    )


def schema_from_object(obj: Any, name: str | None = None) -> Schema:
    """The entity :class:`Schema` of a Schema or model class (see :func:`source_from_object`)."""
    return source_from_object(obj, name).schema


def _renamed(schema: Schema, name: str) -> Schema:
    import dataclasses

    return dataclasses.replace(schema, name=name)
