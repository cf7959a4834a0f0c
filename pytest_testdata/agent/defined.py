"""The entities a client of the agent defines itself: a test's models and ``Schema`` objects (remote mode).

Models live only in the test process, so the shared agent cannot know them. The client keeps each one's
schema and binding here, as the local engine's registry would, and sends the JSON Schema with every call
that may need it (``InlineSchema``, compiled by the agent for that call only: :mod:`.inline`). The records
come back as dicts and become instances of the model here, with the local binding.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.overlay import OverlayRegistry
from pytest_testdata.schemas.registry import SchemaRegistry, entity_key
from pytest_testdata.schemas.sources import ModelBinding


class DefinedEntities:
    """Schemas and bindings of the entities this client defined, by entity name. Thread-safe."""

    def __init__(self, max_depth: int | None = None) -> None:
        self.max_depth = max_depth
        """The ``testdata_max_depth`` setting: models load with it here and the agent compiles them with it."""
        self._registry: OverlayRegistry | None = None
        self._wire: dict[str, pb.InlineSchema] = {}
        self._lock = threading.Lock()

    @property
    def registry(self) -> OverlayRegistry:
        """The built-in schemas overlaid by the defined ones: what plans a remote dataset's load locally."""
        with self._lock:
            if self._registry is None:
                self._registry = OverlayRegistry(SchemaRegistry(max_depth=self.max_depth))
            return self._registry

    def define(self, obj: Any) -> Schema:
        """Define the entity of a model class or :class:`Schema` (as the local engine registers it); returns
        its schema. A usage error for an object no adapter reads, or for a second, different definition of a
        name this client already defined."""
        from pytest_testdata.schemas.sources import source_from_object
        from pytest_testdata.schemas.sources.jsonschema import max_depth_setting

        with max_depth_setting(self.max_depth):
            source = source_from_object(obj)
        return self.define_schema(source.schema, source.binding)

    def define_schema(self, schema: Schema, binding: ModelBinding | None = None) -> Schema:
        """Define an entity from its compiled schema (and the binding that makes model instances): what the
        plugin uses for the entities a project defines in its own schema folders and hooks. The same usage
        error as :meth:`define` for a second, different definition of a name."""
        registry = self.registry
        with self._lock:
            known = registry.extra.get(entity_key(schema.name))
            if known is not None and known.digest != schema.digest:
                raise TestdataUsageError(
                    f"entity {schema.name!r} ({schema.source}) would replace the schema of the same name from "
                    f"{known.source}. Give it another name: schema_from_object(model, name='...') "
                    "(from pytest_testdata.schemas import schema_from_object).")
            registry.register(schema, binding)
        return schema

    def binding(self, name: str) -> ModelBinding | None:
        """How records of a defined entity become model instances (None: not defined here, or no model)."""
        registry = self._registry
        if registry is None or entity_key(name) not in registry.extra:
            return None
        return registry.binding(name)

    def __contains__(self, name: object) -> bool:
        registry = self._registry
        return isinstance(name, str) and registry is not None and entity_key(name) in registry.extra

    def messages(self, names: list[str] | None = None) -> list[pb.InlineSchema]:
        """The wire form of the defined entities among ``names`` (all of them when None)."""
        registry = self._registry
        if registry is None:
            return []
        with self._lock:
            wanted = list(registry.extra.values()) if names is None else \
                [registry.extra[entity_key(n)] for n in names if entity_key(n) in registry.extra]
            return [self._message(schema) for schema in wanted]

    def _message(self, schema: Schema) -> pb.InlineSchema:
        key = f"{schema.name}#{schema.digest}#{schema.source}"
        message = self._wire.get(key)
        if message is None:
            message = self._wire[key] = pb.InlineSchema(
                name=schema.name, json_schema=json.dumps(schema.document, separators=(",", ":"), default=str),
                digest=schema.digest, source=schema.source, max_depth=self.max_depth or 0)
        return message
