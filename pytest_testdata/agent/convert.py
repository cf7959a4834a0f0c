"""Between the wire (protobuf messages) and the engine's types, in both directions.

Server side: :func:`request_from_proto` checks every field and raises :class:`TestdataUsageError` naming
it. Client side: :func:`request_to_proto` and :func:`result_from_proto` rebuild the exact records and
metadata the engine made (records travel as JSON, so ints stay ints).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError
from google.protobuf.struct_pb2 import Struct, Value

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, GenerationResult, ResultMetadata, Violation
from pytest_testdata.types import records_json as records_json
from pytest_testdata.wire_json import prepared_dumps

_details_json = prepared_dumps(str)
"""``json.dumps(details, default=str)``, its encoder built once."""

MAX_ENTITY_CHARS = 200
"""Longer than any entity name; a longer one is refused before it is looked up or echoed."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """What a call receives instead of a message when its bytes do not parse (see :func:`tolerant`)."""

    message_type: str
    reason: str
    size: int

    def describe(self) -> str:
        """The caller's error: what was expected, what went wrong, how to fix it."""
        return (f"request: {self.size:,} bytes are not a valid {self.message_type} message ({self.reason}). "
                "Send a message built from protos/testdata.proto; strings must be UTF-8 and Struct values "
                "may nest at most about 30 levels deep.")


def tolerant(parse: Callable[[bytes], Any], message_type: str) -> Callable[[bytes], Any]:
    """A request deserializer that gives :class:`Malformed` instead of raising.

    grpc answers a deserializer's exception with INTERNAL "Exception deserializing request!" and no
    request id; the service turns :class:`Malformed` into INVALID_ARGUMENT with both.
    """
    def deserialize(data: bytes) -> Any:
        try:
            return parse(data)
        except (DecodeError, RecursionError, ValueError, UnicodeError) as exc:
            reason = str(exc) or type(exc).__name__
            return Malformed(message_type, reason[:200], len(data))
    return deserialize


def _plain(value: Value) -> Any:
    """A Struct value as plain data. Struct carries every number as a double: whole ones become ints.

    Written out rather than ``json_format.MessageToDict``, which raises on NaN and infinities: those
    must reach the constraint checks, which say what is wrong with them.
    """
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        return int(number) if math.isfinite(number) and number.is_integer() and abs(number) < 2**53 else number
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [_plain(item) for item in value.list_value.values]
    return None


def struct_to_dict(struct: Struct) -> dict[str, Any]:
    """A Struct as plain data, with whole numbers as ints."""
    return {key: _plain(item) for key, item in struct.fields.items()}


def request_from_proto(message: pb.GenerateDataRequest, *, max_context_chars: int) -> GenerationRequest:
    """Check a wire request and build the engine's request; raises :class:`TestdataUsageError`."""
    if len(message.entity) > MAX_ENTITY_CHARS:
        raise TestdataUsageError(
            f"entity: {len(message.entity):,} characters is longer than any entity name (at most "
            f"{MAX_ENTITY_CHARS}), starting {message.entity[:40]!r}. Send a name from GetSchemas."
        )
    if len(message.context) > max_context_chars:
        raise TestdataUsageError(
            f"context: {len(message.context):,} characters is more than this agent accepts "
            f"({max_context_chars:,}, MAX_CONTEXT_CHARS). Shorten the scenario description."
        )
    # HasField first: reading the maps of the two absent Structs was a fifth of this function's cost.
    options = ({k: v for k, v in struct_to_dict(message.options).items() if not k.startswith("_")}
               if message.HasField("options") else {})
    # Keys starting with "_" are run-time context of the caller's machine (cassette paths...): dropped.
    # "best_effort" carries the request's strictness (not a strategy setting, so not part of any key).
    best_effort = options.pop("best_effort", False)
    if not isinstance(best_effort, bool):
        raise TestdataUsageError(f"options['best_effort']: expected true or false, got {best_effort!r}.")
    return GenerationRequest.checked(
        message.entity,
        message.count if message.HasField("count") else 1,
        strategy=message.strategy or "auto",
        constraints=struct_to_dict(message.constraints) if message.HasField("constraints") else {},
        context=message.context or None,
        hints=tuple(message.hints),
        seed=message.seed if message.HasField("seed") else None,
        variant=message.variant or "valid",
        learn_from_history=message.learn_from_history,
        defect_triggering=message.defect_triggering,
        locale=message.locale or None,
        options=options,
        strict=not best_effort,
    )


def request_to_proto(request: GenerationRequest, batch_size: int | None = None) -> pb.GenerateDataRequest:
    """The wire form of an engine request (client side)."""
    message = pb.GenerateDataRequest(
        entity=request.entity, count=request.count, strategy=request.strategy, context=request.context or "",
        hints=list(request.hints), variant=request.variant, learn_from_history=request.learn_from_history,
        defect_triggering=request.defect_triggering, locale=request.locale or "",
    )
    if request.seed is not None:
        message.seed = request.seed
    if batch_size is not None:
        message.batch_size = batch_size
    if request.constraints:
        message.constraints.update({k: v.as_dict() for k, v in request.constraints.items()})
    options = {k: v for k, v in request.options.items() if not k.startswith("_")}
    if not request.strict:
        options["best_effort"] = True
    if options:
        message.options.update(json.loads(json.dumps(options, default=str)))
    return message


def metadata_to_proto(metadata: ResultMetadata) -> pb.ResultMetadata:
    """Wire form of result metadata."""
    return fill_metadata(pb.ResultMetadata(), metadata)


def fill_metadata(message: pb.ResultMetadata, metadata: ResultMetadata) -> pb.ResultMetadata:
    """Write ``metadata`` into an empty ``message`` (a response's own ``metadata`` field: no copy) and
    return it."""
    # Field by field, the fields that are usually empty only when they are not: the same message as
    # building everything from keywords (which also builds the repeated and map fields more slowly), in
    # about half the time.
    message.SetInParent()  # present even when every field is at its default, as metadata=... made it
    message.entity = metadata.entity
    message.count = metadata.count
    message.strategy = metadata.strategy
    message.reason = metadata.reason
    message.seed = metadata.seed
    message.coherence = metadata.coherence
    message.cache_hit = metadata.cache_hit
    message.details_json = _details_json(metadata.details)
    message.coherence_scores.extend(metadata.coherence_scores)
    message.timings.update(metadata.timings)
    if metadata.violations:
        message.violations.extend(pb.Violation(record=v.record, field=v.field, rule=v.rule, message=v.message)
                                  for v in metadata.violations)
    if metadata.cassette:
        message.cassette = metadata.cassette
    if metadata.provider:
        message.provider = metadata.provider
    if metadata.model:
        message.model = metadata.model
    return message


def metadata_from_proto(message: pb.ResultMetadata) -> ResultMetadata:
    """Engine form of wire metadata (client side)."""
    return ResultMetadata(
        entity=message.entity, count=message.count, strategy=message.strategy, reason=message.reason,
        seed=message.seed, coherence=message.coherence, coherence_scores=list(message.coherence_scores),
        violations=[Violation(v.record, v.field, v.rule, v.message) for v in message.violations],
        cache_hit=message.cache_hit, cassette=message.cassette or None, provider=message.provider or None,
        model=message.model or None, timings=dict(message.timings),
        details=json.loads(message.details_json) if message.details_json else {},
    )


def result_from_proto(message: pb.GenerateDataResponse) -> GenerationResult:
    """Engine form of a GenerateData response (client side)."""
    return GenerationResult(json.loads(message.records_json), metadata_from_proto(message.metadata))


def schema_to_proto(schema: Schema) -> pb.SchemaInfo:
    """Wire form of a schema, with its field names and the JSON Schema document."""
    return pb.SchemaInfo(
        name=schema.name, version=schema.version, domain=schema.domain, description=schema.description,
        fields=list(schema.fields), references=schema.references(),
        coherence_rules=[str(rule.get("kind")) for rule in schema.coherence],
        json_schema=json.dumps(schema.json_schema, default=str),
    )


def schema_from_proto(message: pb.SchemaInfo) -> Schema:
    """Rebuild a schema the agent knows (client side), so markers can check entities at collection."""
    data: Mapping[str, Any] = json.loads(message.json_schema)
    return Schema.from_json_schema(data, source=f"agent:{message.name}", name=message.name)
