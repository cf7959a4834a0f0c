"""Entities a call defines inline (``GenerateDataRequest.schemas``, ``GenerateDatasetRequest.schemas``).

A test's models (pydantic, dataclasses, TypedDicts, attrs, SQLAlchemy) and ``Schema`` objects live only in
the test process, so remote mode sends each one's JSON Schema with the call. The agent compiles it here
with the same loader as a user's schema file (meta-schema check, regex budget, caps on lengths and
expansion), plus limits of its own on what a message may carry (:data:`MAX_SCHEMAS` per call,
:data:`MAX_NESTING` levels of JSON), and serves the call with its registry overlaid by these schemas
(:class:`~pytest_testdata.schemas.overlay.OverlayRegistry`): nothing is registered, so no call sees another
call's entities, and an inline schema that would shadow one of the agent's own entities with another
definition is refused.

Compiled schemas are kept per worker process, keyed by the content sent, within :data:`CACHE_ENTRIES`
schemas and a byte budget (a quarter of ``MAX_MESSAGE_BYTES`` times :data:`CACHE_MESSAGES`): a test run
asking for the same model again reuses its compiled schema (and so its compiled generation plan).
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import grpc

from pytest_testdata.errors import SchemaError, TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.schemas.registry import entity_key
from pytest_testdata.schemas.sources.references import no_file_documents

if TYPE_CHECKING:
    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.engine import Engine
    from pytest_testdata.schemas.registry import SchemaRegistry

FEATURE = "inline-schemas"
"""What ``HealthCheck`` announces: the agent honours ``schemas`` (an older one would ignore the field)."""
MAX_SCHEMAS = 100
"""Inline schemas one call may carry."""
MAX_NESTING = 64
"""Levels of JSON objects and arrays an inline schema may nest (a model's schema has a handful)."""
MAX_NAME_CHARS = 200
MAX_SOURCE_CHARS = 300
MAX_DEPTH = 100
"""Largest ``max_depth`` accepted (the expansion is capped by size anyway)."""
CACHE_ENTRIES = 256
CACHE_MESSAGES = 4
"""The cache holds at most this many ``MAX_MESSAGE_BYTES`` of schema text."""


class InlineRefused(TestdataUsageError):
    """An inline schema the agent will not take; the status code says why (INVALID_ARGUMENT or
    FAILED_PRECONDITION)."""

    def __init__(self, message: str, code: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> None:
        super().__init__(message)
        self.code = code


def _nesting(data: Any) -> int:
    """How deeply ``data`` nests (iteratively: a hostile document must not exhaust the stack)."""
    deepest = 0
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        node, level = todo.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            return deepest
        todo.extend((child, level + 1) for child in children)
    return deepest


class InlineSchemas:
    """Compiles inline schemas and keeps them for the worker's later calls (thread-safe)."""

    def __init__(self, max_message_bytes: int) -> None:
        self.max_bytes = max_message_bytes * CACHE_MESSAGES
        self._compiled: OrderedDict[str, tuple[Schema, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def engine_for(self, engine: Engine, messages: Sequence[pb.InlineSchema]) -> Engine:
        """``engine`` itself for a call without inline schemas, else a view of it whose registry is the
        engine's overlaid by the call's schemas (generators, cache and router shared)."""
        if not messages:
            return engine
        from pytest_testdata.schemas.overlay import OverlayRegistry

        view = copy.copy(engine)
        view.registry = OverlayRegistry(engine.registry, self.compile_all(engine.registry, messages))
        # Generators are built by (and hold) the engine itself, never a view that ends with its call.
        view.generator = engine.generator  # type: ignore[method-assign]
        view.unavailable_reason = engine.unavailable_reason  # type: ignore[method-assign]
        return view

    def compile_all(self, registry: SchemaRegistry, messages: Sequence[pb.InlineSchema]) -> list[Schema]:
        """The call's schemas, each checked; raises :class:`InlineRefused` naming the first bad one."""
        if len(messages) > MAX_SCHEMAS:
            raise InlineRefused(f"schemas: {len(messages):,} inline schemas in one call; at most {MAX_SCHEMAS} "
                                "are accepted. Send only the entities the call uses.")
        seen: dict[str, Schema] = {}
        for index, message in enumerate(messages):
            schema = self.compile(message, index)
            key = entity_key(schema.name)
            if key in seen and seen[key].digest != schema.digest:
                raise InlineRefused(f"schemas[{index}] ({schema.name!r}, {schema.source}): a second, different "
                                    f"definition of entity {schema.name!r} in the same call (the first is from "
                                    f"{seen[key].source}). Give one of them another name.")
            seen[key] = self._own_or(registry, schema, index)
        return list(seen.values())

    @staticmethod
    def _own_or(registry: SchemaRegistry, schema: Schema, index: int) -> Schema:
        """``schema``, or the agent's own entity of that name when it is the same definition; refused when the
        agent has another definition under that name (the call would quietly get other records)."""
        if schema.name not in registry:
            return schema
        try:
            own = registry.get(schema.name)
        except TestdataUsageError:
            own = None
        if own is not None and own.digest == schema.digest:
            return own
        where = own.source if own is not None else "its schema folders"
        raise InlineRefused(
            f"schemas[{index}] ({schema.name!r}, {schema.source}): the agent has an entity {schema.name!r} of its "
            f"own ({where}) with another definition, and an inline schema may not shadow it. Give the model "
            "another entity name: schema_from_object(Model, name='...') "
            "(from pytest_testdata.schemas import schema_from_object).")

    def compile(self, message: pb.InlineSchema, index: int = 0) -> Schema:
        """One inline schema, compiled (or the compiled one from an earlier call with the same content)."""
        name, source = message.name, message.source
        label = f"schemas[{index}]"
        if not name.strip() or len(name) > MAX_NAME_CHARS:
            shown = f"{len(name):,} characters starting {name[:40]!r}" if name.strip() else repr(name)
            raise InlineRefused(f"{label}.name: expected an entity name of 1 to {MAX_NAME_CHARS} characters, got "
                                f"{shown}.")
        label = f"{label} ({name!r})"
        if len(source) > MAX_SOURCE_CHARS:
            raise InlineRefused(f"{label}.source: {len(source):,} characters; at most {MAX_SOURCE_CHARS}.")
        if not 0 <= message.max_depth <= MAX_DEPTH:
            raise InlineRefused(f"{label}.max_depth: expected 0 (the default) to {MAX_DEPTH}, got "
                                f"{message.max_depth}.")
        text = message.json_schema
        key = hashlib.sha256(
            json.dumps([name, source or "", message.max_depth, text]).encode()).hexdigest()
        with self._lock:
            hit = self._compiled.get(key)
            if hit is not None:
                self._compiled.move_to_end(key)
        schema = hit[0] if hit is not None else self._build(message, label, key)
        if message.digest and message.digest != schema.digest:
            raise InlineRefused(
                f"{label}: the agent compiles this schema to digest {schema.digest}, the client compiled it to "
                f"{message.digest}, so the records would differ from local generation. Run the same "
                "pytest-testdata version in the tests and the agent.", grpc.StatusCode.FAILED_PRECONDITION)
        return schema

    def _build(self, message: pb.InlineSchema, label: str, key: str) -> Schema:
        text = message.json_schema
        try:
            data = json.loads(text)
        except RecursionError:
            raise InlineRefused(f"{label}.json_schema: nested more than {MAX_NESTING} levels deep.") from None
        except ValueError as exc:
            raise InlineRefused(f"{label}.json_schema: not JSON text ({exc}). Send the JSON Schema document "
                                "as JSON text.") from None
        if not isinstance(data, dict):
            raise InlineRefused(f"{label}.json_schema: expected a JSON object (a JSON Schema document), got "
                                f"{type(data).__name__}.")
        if _nesting(data) > MAX_NESTING:
            raise InlineRefused(f"{label}.json_schema: nested more than {MAX_NESTING} levels deep. An entity's "
                                "schema this deep is not one a model produces; split it into smaller entities.")
        source = message.source or f"inline:{message.name}"
        try:
            with no_file_documents("an inline schema may not read the agent's files"):
                schema = Schema.from_json_schema(data, source=source, name=message.name,
                                                 max_depth=message.max_depth or None)
        except TestdataUsageError as exc:
            # SchemaError names the pointer and keyword; the label names the entity within the call.
            raise InlineRefused(f"{label}.json_schema: {exc}") from None
        except RecursionError:
            raise InlineRefused(f"{label}.json_schema: nested too deeply to compile.") from None
        except Exception as exc:
            # As for a schema file (SchemaRegistry._built): the caller's schema is named, the agent carries on.
            error = SchemaError(source, "", "schema", f"the schema core failed with {type(exc).__name__}: {exc}",
                                "this is a bug in pytest-testdata: please report it with the schema")
            raise InlineRefused(f"{label}.json_schema: {error}") from None
        self._keep(key, schema, len(text))
        return schema

    def _keep(self, key: str, schema: Schema, size: int) -> None:
        with self._lock:
            if key in self._compiled:
                return
            self._compiled[key] = (schema, size)
            self._bytes += size
            while self._compiled and (len(self._compiled) > CACHE_ENTRIES or self._bytes > self.max_bytes):
                _, (_, dropped) = self._compiled.popitem(last=False)
                self._bytes -= dropped

    @property
    def cached(self) -> tuple[int, int]:
        """Schemas kept and their bytes of JSON text."""
        with self._lock:
            return len(self._compiled), self._bytes
