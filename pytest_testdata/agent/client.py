"""The bundled client of the Test Data Agent; what remote mode (``--testdata-remote HOST:PORT``) uses.

:class:`AgentClient` speaks the engine's interface (``generate(request) -> GenerationResult``), so the
plugin's fixture and marker work unchanged against a shared agent, and the same seed gives the same
records as local generation.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc

from pytest_testdata.agent import cassette_wire, convert
from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.defined import DefinedEntities
from pytest_testdata.agent.inline import FEATURE as INLINE_FEATURE
from pytest_testdata.errors import (
    AgentUnavailableError,
    ConstraintViolationError,
    GenerationError,
    TestdataError,
    TestdataUsageError,
)
from pytest_testdata.schemas.model import Schema
from pytest_testdata.types import GenerationRequest, GenerationResult, Record, ResultMetadata

if TYPE_CHECKING:
    from pytest_testdata.datasets.request import DatasetRequest
    from pytest_testdata.datasets.result import Dataset
    from pytest_testdata.recording.cassettes import TestCassette
    from pytest_testdata.schemas.overlay import OverlayRegistry
    from pytest_testdata.schemas.sources import ModelBinding

MAX_SYNC_HEADER = "testdata-max-sync-records"
_USAGE_CODES = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.RESOURCE_EXHAUSTED,
                grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED,
                grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.OUT_OF_RANGE)


@dataclass(frozen=True)
class ProjectEntity:
    """An entity the test's project defines (a schema file, a hook's model): its schema and model binding."""

    schema: Schema
    binding: ModelBinding | None


@dataclass
class StreamChunk:
    """One chunk of a stream: its index, the position of its first record, its records, and (last) metadata."""

    index: int
    offset: int
    total: int
    records: list[Record]
    metadata: ResultMetadata | None


def parse_address(address: str) -> str:
    """Check ``HOST:PORT``; raises :class:`TestdataUsageError` showing the value and an example."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise TestdataUsageError(
            f"remote agent address {address!r} is not HOST:PORT. For example: --testdata-remote localhost:9091"
        )
    return address.strip()


class AgentClient:
    """A connection to one agent. Thread-safe; one channel shared by every call."""

    def __init__(self, address: str, *, token: str | None = None, tls: bool = False,
                 root_certificates: str | Path | None = None, timeout: float = 120.0,
                 max_message_bytes: int = 256 * 1024 * 1024, max_depth: int | None = None) -> None:
        self.address = parse_address(address)
        self.defined = DefinedEntities(max_depth)
        """The entities this client defines (a test's models, ``Schema`` objects): sent inline with each call."""
        self.timeout = timeout
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        options = [("grpc.max_receive_message_length", max_message_bytes)]
        if tls or root_certificates is not None:
            roots = Path(root_certificates).read_bytes() if root_certificates is not None else None
            self.channel = grpc.secure_channel(self.address, grpc.ssl_channel_credentials(roots), options=options)
        else:
            self.channel = grpc.insecure_channel(self.address, options=options)
        self.stub = pb_grpc.TestDataServiceStub(self.channel)  # type: ignore[no-untyped-call]
        self.last_request_id: str | None = None
        self._features: frozenset[str] | None = None
        self.listeners: list[Callable[[GenerationRequest, GenerationResult], None]] = []
        """Called with every request and result, as the engine's listeners are (run statistics)."""
        self.project_entities: Callable[[str | None], list[ProjectEntity]] | None = None
        """The entities the test's project defines itself and the agent lacks (files of its schema folders,
        models and schemas of its registration hooks), set by the plugin: the one named, or all when None.
        They travel inline with the calls that use them, as a test's models do."""
        self._project_seen: set[str] = set()
        self._project_lock = threading.Lock()

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> AgentClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, exc: grpc.RpcError, message: pb.GenerateDataRequest | None = None) -> TestdataError:
        code = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
        details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
        text = f"Test Data Agent at {self.address}: {details} [{code.name}]"
        if code is grpc.StatusCode.RESOURCE_EXHAUSTED and message is not None and message.HasField("cassette"):
            text += (f". The request carried the test's cassette ({message.ByteSize():,} bytes in all): if that is "
                     "what is too large, raise the agent's MAX_MESSAGE_BYTES or split the test's LLM calls")
        trailers: dict[str, Any] = dict(exc.trailing_metadata() or ()) if isinstance(exc, grpc.Call) else {}
        kind = trailers.get("testdata-error")
        if kind == ConstraintViolationError.KIND:
            return ConstraintViolationError.from_message(text)
        for error, name in cassette_wire.ERROR_KINDS.items():
            if kind == name:
                return error(text)
        if code in _USAGE_CODES:
            return TestdataUsageError(text)
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return AgentUnavailableError(text)
        return GenerationError(text)

    def _remember(self, call: Any) -> None:
        for key, value in call.initial_metadata() or ():
            if key == "x-request-id":
                self.last_request_id = str(value)

    def generate(self, request: GenerationRequest) -> GenerationResult:
        """Generate through the agent. Over its max_sync_records, streams and joins the chunks.

        A call from a test that may reach an LLM carries the test's cassette (see :mod:`.cassette_wire`): the
        agent replays and records under the test's record mode, and the recordings come back into the test's
        cassette file on this machine.
        """
        cassette = cassette_wire.held_cassette(request)
        if cassette is None:
            return self._generate(request, None)
        self._require(cassette_wire.FEATURE, "replay and record the test's LLM cassette "
                      f"(record mode {cassette.record_mode!r}); an older agent would call its providers live")
        with cassette.lock:
            return self._generate(request, cassette)

    def _generate(self, request: GenerationRequest, cassette: TestCassette | None) -> GenerationResult:
        message = self._message(request, cassette)
        try:
            response, call = self.stub.GenerateData.with_call(message, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as exc:
            trailers: dict[str, Any] = dict(exc.trailing_metadata() or ()) if isinstance(exc, grpc.Call) else {}
            if MAX_SYNC_HEADER not in trailers:
                raise self._error(exc, message) from None
            result = self._joined(request, cassette)
        else:
            self._remember(call)
            if cassette is not None:
                self._absorb(cassette, response.cassette if response.HasField("cassette") else None)
            result = convert.result_from_proto(response)
        for listener in self.listeners:
            listener(request, result)
        return result

    def _message(self, request: GenerationRequest, cassette: TestCassette | None,
                 batch_size: int | None = None) -> pb.GenerateDataRequest:
        message = convert.request_to_proto(request, batch_size)
        self._define_project([request.entity])
        inline = self.defined.messages([request.entity])
        if inline:
            self._require(INLINE_FEATURE, f"generate {inline[0].source}, which the test defines itself")
            message.schemas.extend(inline)
        if cassette is not None:
            message.cassette.CopyFrom(cassette_wire.to_proto(cassette))
        return message

    def _absorb(self, cassette: TestCassette, message: pb.Cassette | None) -> None:
        if message is None:
            raise GenerationError(
                f"Test Data Agent at {self.address}: the answer lacks the test's cassette, so what the agent "
                f"recorded for {cassette.path} is lost. The agent does not honour cassettes; upgrade it."
            )
        cassette_wire.absorb(cassette, message)

    def _require(self, feature: str, what: str) -> None:
        """Refuse before sending when the agent does not announce ``feature`` (it would ignore the field)."""
        if self._features is None:
            self.health()
        assert self._features is not None
        if feature not in self._features:
            raise GenerationError(
                f"Test Data Agent at {self.address} does not announce the {feature!r} feature, so it cannot {what}. "
                "Upgrade the agent to this plugin's version, or drop --testdata-remote to generate in-process."
            )

    def _joined(self, request: GenerationRequest, cassette: TestCassette | None = None) -> GenerationResult:
        records: list[Record] = []
        metadata: ResultMetadata | None = None
        for chunk in self._stream(request, 1000, cassette):
            records.extend(chunk.records)
            metadata = chunk.metadata or metadata
        assert metadata is not None, "the agent's stream ended without its final chunk"
        metadata.details["remote_stream"] = True
        return GenerationResult(records, metadata)

    def stream(self, request: GenerationRequest, batch_size: int | None = None) -> Iterator[StreamChunk]:
        """The records as the agent streams them, chunk by chunk, in order (with the test's cassette, as
        :meth:`generate`)."""
        cassette = cassette_wire.held_cassette(request)
        if cassette is None:
            yield from self._stream(request, batch_size, None)
            return
        self._require(cassette_wire.FEATURE, "replay and record the test's LLM cassette")
        with cassette.lock:
            yield from self._stream(request, batch_size, cassette)

    def _stream(self, request: GenerationRequest, batch_size: int | None,
                cassette: TestCassette | None) -> Iterator[StreamChunk]:
        message = self._message(request, cassette, batch_size)
        call = self.stub.GenerateDataStream(message, timeout=self.timeout, metadata=self._metadata)
        try:
            for chunk in call:
                if chunk.last and cassette is not None:
                    self._absorb(cassette, chunk.cassette if chunk.HasField("cassette") else None)
                yield StreamChunk(chunk.index, chunk.offset, chunk.total, json.loads(chunk.records_json),
                                  convert.metadata_from_proto(chunk.metadata) if chunk.HasField("metadata")
                                  else None)
        except grpc.RpcError as exc:
            raise self._error(exc, message) from None
        finally:
            call.cancel()

    def dataset(self, request: DatasetRequest, batch_size: int | None = 1000,
                taken: Mapping[str, Mapping[str, set[Any]]] | None = None) -> Dataset:
        """A dataset through the agent's ``GenerateDataset`` stream (what remote mode's ``testdata.dataset`` uses).
        ``taken``: the values already in the database it goes into, which no record may repeat
        (:mod:`~pytest_testdata.agent.taken_wire`)."""
        from pytest_testdata.agent import taken_wire
        from pytest_testdata.agent.dataset_wire import dataset_from_chunks, request_to_proto

        message = request_to_proto(request, batch_size)
        message.taken_json = taken_wire.taken_json(taken or {})
        if message.taken_json:
            self._require(taken_wire.FEATURE, "keep the dataset's unique values apart from the rows already in "
                          "your database")
        self._define_project(None)
        inline = self.defined.messages()  # all of them: the local registry holds them all too (root= pulls in)
        if inline:
            self._require(INLINE_FEATURE, "build datasets of entities the test defines itself ("
                          + ", ".join(m.source for m in inline) + ")")
            message.schemas.extend(inline)
        call = self.stub.GenerateDataset(message, timeout=self.timeout, metadata=self._metadata)
        try:
            return dataset_from_chunks(call)
        except grpc.RpcError as exc:
            raise self._error(exc) from None
        finally:
            call.cancel()

    def _define_project(self, names: list[str] | None) -> None:
        """Define the project's own entities among ``names`` (all of them when None) before a call: the agent
        only knows its own schema folders, so these travel inline. Each name is looked up once a session."""
        lookup = self.project_entities
        if lookup is None:
            return
        with self._project_lock:  # a name counts as looked up only once its entities are defined
            for name in [None] if names is None else names:
                key = "*" if name is None else name  # "*": every entity of the project (a dataset call)
                if key in self._project_seen or (name is not None and name in self.defined):
                    continue
                for entity in lookup(name):
                    self.defined.define_schema(entity.schema, entity.binding)
                self._project_seen.add(key)

    def define(self, obj: Any) -> Schema:
        """Define the entity of a model class or :class:`Schema` for this client's calls (the agent cannot
        know the test's models): its JSON Schema travels with every call that uses it. Returns its schema."""
        return self.defined.define(obj)

    def binding(self, name: str) -> ModelBinding | None:
        """How records of an entity this client defined become model instances (None: they stay dicts)."""
        return self.defined.binding(name)

    def plan_registry(self) -> OverlayRegistry:
        """The built-in schemas plus the defined ones: what plans loading a remote dataset into a database."""
        return self.defined.registry

    def schemas(self, domain: str | None = None) -> list[Schema]:
        """The agent's schemas (optionally one domain's)."""
        try:
            response = self.stub.GetSchemas(pb.GetSchemasRequest(domain=domain or ""), timeout=self.timeout,
                                            metadata=self._metadata)
        except grpc.RpcError as exc:
            raise self._error(exc) from None
        return [convert.schema_from_proto(s) for s in response.schemas]

    def health(self, timeout: float | None = None) -> dict[str, Any]:
        """The agent's HealthCheck answer as a dict (status, components, version)."""
        try:
            response = self.stub.HealthCheck(pb.HealthCheckRequest(), timeout=timeout or self.timeout,
                                             metadata=self._metadata)
        except grpc.RpcError as exc:
            raise self._error(exc) from None
        self._features = frozenset(response.features)
        return {"status": response.status, "version": response.version, "service": response.service_name,
                "features": sorted(response.features),
                "components": [{"name": c.name, "status": c.status, "detail": c.detail, "required": c.required}
                               for c in response.components]}

    def check(self, timeout: float = 5.0) -> dict[str, Any]:
        """Confirm the agent answers, serves and accepts our token; else a :class:`TestdataError` naming the address."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise AgentUnavailableError(
                f"the Test Data Agent at {self.address} did not answer within {timeout:g} s. Start one "
                "(`testdata serve`), check the address, or drop --testdata-remote to generate in-process."
            ) from None
        deadline = time.monotonic() + timeout
        info = self.health(timeout=timeout)
        while info["status"] == "NOT_SERVING" and time.monotonic() < deadline:
            time.sleep(0.1)  # still warming up: give it the rest of the timeout
            info = self.health(timeout=timeout)
        if info["status"] != "SERVING":
            down = [f"{c['name']} {c['status']} {c['detail']}".strip() for c in info["components"]
                    if c["required"] and c["status"] != "healthy"]
            raise AgentUnavailableError(
                f"the Test Data Agent at {self.address} is {info['status']}"
                + (f": {'; '.join(down)}" if down else "") + ". Wait for it to become ready or use another agent."
            )
        self.schemas()  # a call that needs the token, so a missing or wrong one shows here, once
        return info
