"""A registry seen through a few extra schemas, without changing it.

The agent answers a call that defines entities inline (remote mode sends a test's models) with its own
registry overlaid by the call's schemas: the call sees both, every other call sees the agent's registry
alone. The client builds the plan that loads a remote dataset into a database the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_testdata.errors import UnknownEntityError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import SchemaRegistry, entity_key
from pytest_testdata.schemas.sources import ModelBinding


class OverlayRegistry(SchemaRegistry):
    """``base`` plus ``extra`` schemas (by entity name); the extra ones win, and :meth:`register` adds to
    them. The base registry is never changed."""

    def __init__(self, base: SchemaRegistry, extra: Iterable[Schema] = (),
                 bindings: Mapping[str, ModelBinding] | None = None) -> None:
        super().__init__(builtins=False, max_depth=base.max_depth)
        self.base = base
        self.documents = base.documents
        self.file_errors = base.file_errors
        self.extra = {entity_key(schema.name): schema for schema in extra}
        self.bindings = {entity_key(name): binding for name, binding in (bindings or {}).items()}

    def get(self, name: str) -> Schema:
        """The extra schema of that name, else the base registry's (its errors included)."""
        schema = self.extra.get(entity_key(name))
        if schema is not None:
            return schema
        try:
            return self.base.get(name)
        except UnknownEntityError:
            raise UnknownEntityError(name, self.names()) from None

    def register(self, schema: Schema, binding: ModelBinding | None = None) -> Schema:
        """Add (or replace) an extra schema."""
        key = entity_key(schema.name)
        self.extra[key] = schema
        if binding is not None:
            self.bindings[key] = binding
        else:
            self.bindings.pop(key, None)
        return schema

    def binding(self, name: str) -> ModelBinding | None:
        key = entity_key(name)
        if key in self.extra:
            return self.bindings.get(key)
        return self.base.binding(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (entity_key(name) in self.extra or name in self.base)

    def names(self) -> list[str]:
        return sorted({*self.base.names(), *(schema.name for schema in self.extra.values())})

    def all(self, domain: str | None = None) -> list[Schema]:
        schemas = {s.name: s for s in self.base.all(domain)}
        schemas.update({s.name: s for s in self.extra.values() if domain is None or s.domain == domain})
        return sorted(schemas.values(), key=lambda s: s.name)

    def depth(self) -> contextlib.AbstractContextManager[None]:
        return self.base.depth()

    def check(self) -> tuple[list[Schema], list[Any]]:
        good, errors = self.base.check()
        return [s for s in good if entity_key(s.name) not in self.extra] + list(self.extra.values()), errors
