"""``TestDataService``: the gRPC methods, and the checks every call passes (drain, auth, limits, deadline).

Every call gets a request id (the caller's ``x-request-id`` or a new one, sent back as the
``x-request-id`` header and in the response), one JSON log line, a ``testdata_requests_total`` count and a
server span with routing, generation and validation children. Errors become status codes with a message
a person can act on, at most ``MAX_STATUS_CHARS`` long and ending with the request id; bytes that do not
parse are INVALID_ARGUMENT too (:func:`add_service` installs tolerant deserializers). Anything unexpected
becomes INTERNAL, logged with its traceback under the request id, and the server goes on.

Every call runs within a time budget (:mod:`pytest_testdata.generators.budget`): the client's deadline,
capped by the ``UNARY_BUDGET_SECONDS`` / ``STREAM_BUDGET_SECONDS`` settings; generation stops between records when it
passes or when the client goes away. Unique values are remembered for one call or one stream only
(``unique_scope = "request"``), so the agent keeps no state that grows with the records it serves.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from pytest_testdata import __version__
from pytest_testdata.agent import cassette_wire, convert, reply_headers
from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.dataset_service import DatasetRPC
from pytest_testdata.agent.guards import bearer_ok
from pytest_testdata.agent.health import Health
from pytest_testdata.agent.inline import FEATURE as INLINE_FEATURE
from pytest_testdata.agent.inline import InlineRefused, InlineSchemas
from pytest_testdata.agent.observability import (
    REQUEST_ID_HEADER,
    Metrics,
    phase_spans,
    request_id_from,
    request_line,
)
from pytest_testdata.agent.taken_wire import FEATURE as TAKEN_FEATURE
from pytest_testdata.errors import (
    CassetteError,
    ConstraintViolationError,
    GenerationError,
    MissingDependencyError,
    StrategyNotAvailableError,
    TestdataUsageError,
    UnknownEntityError,
    suggest,
)
from pytest_testdata.generators.budget import BudgetExceeded, CallerGone, request_budget
from pytest_testdata.generators.traditional.unique import UniqueScope, unique_scope
from pytest_testdata.seeding import derive_seed, random_seed
from pytest_testdata.types import GenerationRequest, ResultMetadata, Violation

if TYPE_CHECKING:
    from pytest_testdata.agent.settings import AgentSettings
    from pytest_testdata.engine import Engine

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["TestDataService"].full_name
MAX_SYNC_HEADER = "testdata-max-sync-records"
GENERATION_CHUNK = 1000
"""Records per engine call in a stream; chunk seeds derive as in ``testdata generate`` (same records)."""
MAX_BATCH_SIZE = 10_000
MAX_STATUS_CHARS = 1000
"""Longest status message sent back: a client's header limit must never turn an error into another."""
T = TypeVar("T")

FEATURES = [cassette_wire.FEATURE, INLINE_FEATURE, TAKEN_FEATURE]
"""What ``HealthCheck`` announces beyond the API's first version (a client checks before it sends those fields)."""


_PATHS = {name: f"/{SERVICE_NAME}/{name}" for name in pb.DESCRIPTOR.services_by_name["TestDataService"].methods_by_name}
"""The metrics' path of each method, written once."""


@lru_cache(maxsize=8)
def _budget_source(ceiling: float) -> str:
    """Who set a budget, for its message (formatted once per ceiling, not per call)."""
    return f"the agent's budget of {ceiling:g} s per call"


def bounded(message: str, limit: int = MAX_STATUS_CHARS) -> str:
    """``message`` cut in the middle to at most ``limit`` characters (its start and its advice kept)."""
    if len(message) <= limit:
        return message
    cut = f" [... {len(message) - limit + 40:,} characters cut ...] "
    head = (limit - len(cut)) * 2 // 3
    tail = limit - len(cut) - head
    return message[:head] + cut + message[len(message) - tail:]


class Reject(Exception):
    """Ends a call with a status code and a message."""

    def __init__(self, code: grpc.StatusCode, message: str, trailers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.trailers = trailers


ERROR_KIND_HEADER = "testdata-error"
"""Trailer naming the kind of a FAILED_PRECONDITION (``constraint-violation``), read by the client."""


def error_trailers(exc: BaseException) -> tuple[tuple[str, str], ...]:
    """The ``testdata-error`` trailer naming an error the client raises as the same class."""
    if isinstance(exc, ConstraintViolationError):
        return ((ERROR_KIND_HEADER, ConstraintViolationError.KIND),)
    for kind, name in cassette_wire.ERROR_KINDS.items():
        if isinstance(exc, kind):
            return ((ERROR_KIND_HEADER, name),)
    return ()


def classify(exc: BaseException) -> tuple[grpc.StatusCode, str]:
    """The status code and message for an error raised while serving a call."""
    if isinstance(exc, Reject):
        return exc.code, exc.message
    if isinstance(exc, InlineRefused):
        return exc.code, str(exc)
    if isinstance(exc, UnknownEntityError):
        return grpc.StatusCode.NOT_FOUND, str(exc)
    if isinstance(exc, TestdataUsageError):
        return grpc.StatusCode.INVALID_ARGUMENT, str(exc)
    if isinstance(exc, (StrategyNotAvailableError, MissingDependencyError)):
        return grpc.StatusCode.FAILED_PRECONDITION, str(exc)
    if isinstance(exc, ConstraintViolationError):
        # A valid request whose records cannot meet its constraints or rules (docs/agent.md): the
        # request is well-formed, the data it asks for is not there. The trailer lets clients tell it apart.
        return grpc.StatusCode.FAILED_PRECONDITION, str(exc)
    if isinstance(exc, CassetteError):
        # The test's cassette lacks what its record mode would need to record (cassette_wire): no live call.
        return grpc.StatusCode.FAILED_PRECONDITION, str(exc)
    if isinstance(exc, BudgetExceeded):
        return grpc.StatusCode.DEADLINE_EXCEEDED, str(exc)
    if isinstance(exc, CallerGone):
        return grpc.StatusCode.CANCELLED, str(exc)
    if isinstance(exc, GenerationError):
        return grpc.StatusCode.UNAVAILABLE, str(exc)
    return grpc.StatusCode.INTERNAL, ""


class TestDataServicer(DatasetRPC, pb_grpc.TestDataServiceServicer):
    """The service's methods over one engine."""

    __test__ = False

    def __init__(self, engine: Engine, settings: AgentSettings, health: Health, metrics: Metrics,
                 tracer: trace.Tracer, logger: Any) -> None:
        self.engine = engine
        self.settings = settings
        self.health = health
        self.metrics = metrics
        self.tracer = tracer
        self.log = logger
        self._token = settings.auth_token.get_secret_value().encode() if settings.auth_token else None
        # Unique values are remembered per call or stream, never for the agent's lifetime (pool refills
        # in the background included): memory stays flat however many records are served.
        engine.options.setdefault("unique_scope", "request")
        self._active = 0
        self._idle = threading.Condition()
        self._no_tracing = isinstance(tracer, trace.NoOpTracer)
        self.inline = InlineSchemas(settings.max_message_bytes)
        """Schemas that calls define inline (remote mode's models), compiled per call and kept by content."""

    def _enter(self) -> None:
        with self._idle:
            self._active += 1
        self.metrics.inflight.inc()

    def _leave(self) -> None:
        with self._idle:
            self._active -= 1
            if not self._active:  # only "idle" is waited for (wait_idle): no wake-up for every call
                self._idle.notify_all()
        self.metrics.inflight.dec()

    @property
    def active(self) -> int:
        """Calls in progress (unary calls and streams)."""
        return self._active

    def wait_idle(self, timeout: float) -> bool:
        """Block until no call is in progress, or ``timeout`` seconds; True when idle."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    # -- the checks every call passes --------------------------------------------------------------

    def _admit(self, metadata: Mapping[str, Any], auth: bool) -> None:
        if self.health.draining.is_set():
            raise Reject(grpc.StatusCode.UNAVAILABLE,
                         "the Test Data Agent is shutting down and takes no new calls; retry on another replica")
        if auth and self._token is not None:
            given = str(metadata.get("authorization", ""))
            scheme, _, token = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self._token):
                what = "no bearer token" if not given else "a wrong bearer token"
                raise Reject(grpc.StatusCode.UNAUTHENTICATED,
                             f"this agent requires a shared token and the call carried {what}. Send the "
                             "metadata 'authorization: Bearer <token>' with the agent's AUTH_TOKEN "
                             "(the plugin reads TESTDATA_AGENT_TOKEN).")

    def _deadline(self, context: grpc.ServicerContext) -> None:
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            raise Reject(grpc.StatusCode.DEADLINE_EXCEEDED, "the call's deadline passed before work began")

    @staticmethod
    def _parsed(request: Any) -> None:
        """Refuse a request whose bytes did not parse (see :func:`convert.tolerant`)."""
        if isinstance(request, convert.Malformed):
            raise Reject(grpc.StatusCode.INVALID_ARGUMENT, request.describe())

    @staticmethod
    def _budget(context: grpc.ServicerContext, ceiling: float, deadline: float | None = None) -> Any:
        """A budget for one engine call: the client's deadline or the agent's ceiling, whichever is first."""
        # A list the call's end appends to (atomic, from gRPC's thread), not an Event: no lock and no
        # condition built for every call.
        ended: list[bool] = []
        if not context.add_callback(lambda: ended.append(True)):
            ended.append(True)

        def gone() -> bool:
            return bool(ended)

        remaining = context.time_remaining()
        own = ceiling if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= own:
            return request_budget(remaining, gone, "the call's deadline")
        return request_budget(own, gone, _budget_source(ceiling))

    def _open(self, name: str, context: grpc.ServicerContext,
              unary: bool) -> tuple[dict[str, str], str, Any]:
        """What every call starts with: its metadata, request id (a header: a stream's sent at once, a unary
        call's with its reply, in the same write) and span."""
        metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        request_id = request_id_from(metadata)
        if unary:
            reply_headers.send_with_reply(context, ((REQUEST_ID_HEADER, request_id),))
        else:
            context.send_initial_metadata(((REQUEST_ID_HEADER, request_id),))
        if self._no_tracing:  # the span the no-op tracer gives, without the calls that do nothing to it
            return metadata, request_id, trace.INVALID_SPAN
        span = self.tracer.start_span(f"testdata.{name}", context=propagate.extract(metadata), kind=SpanKind.SERVER)
        span.set_attribute("rpc.method", name)
        span.set_attribute("testdata.request_id", request_id)
        return metadata, request_id, span

    def _begin(self, name: str, context: grpc.ServicerContext) -> tuple[dict[str, str], str, Any, Any]:
        """A stream's start: :meth:`_open`, and a logger bound with the call's fields."""
        metadata, request_id, span = self._open(name, context, False)
        return metadata, request_id, self.log.bind(request_id=request_id, method=name, peer=context.peer()), span

    @staticmethod
    def _failure(exc: Exception, span: Any, log: Any, request_id: str) -> tuple[grpc.StatusCode, str]:
        """The status and message a caller gets for an exception; internal errors are logged, not leaked."""
        code, message = classify(exc)
        span.set_status(Status(StatusCode.ERROR, bounded(message) or type(exc).__name__))
        if code is grpc.StatusCode.INTERNAL:
            log.exception("internal error")
            return code, (f"internal error in the Test Data Agent (request id {request_id}); the agent's log "
                          "has the details under that id")
        suffix = f" (request id {request_id})"
        return code, bounded(message, MAX_STATUS_CHARS - len(suffix)) + suffix

    def _end(self, name: str, status: str, context: grpc.ServicerContext, span: Any) -> str:
        """Count the call, close its span; returns the final status (CANCELLED if the caller went away)."""
        if status == "OK" and not context.is_active():
            status = "CANCELLED"
        self._leave()
        self.metrics.count_request(_PATHS.get(name) or f"/{SERVICE_NAME}/{name}", status)
        if not self._no_tracing:
            span.set_attribute("rpc.grpc.status", status)
            span.end()
        return status

    def _call(self, name: str, request: Any, context: grpc.ServicerContext, auth: bool,
              body: Callable[[str, Any, dict[str, Any]], T]) -> T:
        """Run a unary method's body with request id, admission, span, metrics, log and error mapping."""
        metadata, request_id, span = self._open(name, context, True)
        # No logger is bound for the call: the request line goes out through request_line (the fields in the
        # order a bound logger wrote them), the rare failure's line through a logger bound then.
        call: dict[str, Any] = {"request_id": request_id, "method": name, "peer": context.peer()}
        fields: dict[str, Any] = {}
        started = time.perf_counter()
        status = "OK"
        self._enter()
        try:
            self._admit(metadata, auth)
            self._deadline(context)
            self._parsed(request)
            return body(request_id, span, fields)
        except Exception as exc:
            code, message = self._failure(exc, span, self.log.bind(**call), request_id)
            status = code.name
            if isinstance(exc, Reject) and exc.trailers:
                context.set_trailing_metadata(exc.trailers)
            if error_trailers(exc):
                context.set_trailing_metadata(error_trailers(exc))
            context.abort(code, message)
        finally:
            call["status"] = self._end(name, status, context, span)
            call["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            call.update(fields)
            request_line(self.log, call)

    def _request(self, message: pb.GenerateDataRequest) -> GenerationRequest:
        return convert.request_from_proto(message, max_context_chars=self.settings.max_context_chars)

    # -- the RPCs -----------------------------------------------------------------------------------

    def GenerateData(self, request: pb.GenerateDataRequest, context: grpc.ServicerContext) -> pb.GenerateDataResponse:
        """Records up to max_sync_records, with metadata."""

        def body(request_id: str, span: Any, fields: dict[str, Any]) -> pb.GenerateDataResponse:
            wanted = self._request(request)
            if not self._no_tracing:
                span.set_attribute("testdata.entity", wanted.entity)
                span.set_attribute("testdata.count", wanted.count)
            if request.HasField("batch_size"):
                raise TestdataUsageError("batch_size: applies to GenerateDataStream only; remove it from a "
                                         "GenerateData call.")
            limit = self.settings.max_sync_records
            if wanted.count > limit:
                raise Reject(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"count: {wanted.count:,} records is more than GenerateData returns in one response "
                    f"(max_sync_records {limit:,}). Use GenerateDataStream for large datasets, or raise the "
                    "agent's MAX_SYNC_RECORDS.",
                    ((MAX_SYNC_HEADER, str(limit)),),
                )
            started_ns = time.time_ns()
            with cassette_wire.adopted(request, wanted) as (wanted, cassette), \
                    self._budget(context, self.settings.unary_budget_seconds), unique_scope():
                result = self.inline.engine_for(self.engine, request.schemas).generate_json(wanted)
            meta = result.metadata
            if not self._no_tracing:
                phase_spans(self.tracer, started_ns, result, trace.set_span_in_context(span))
                span.set_attribute("testdata.strategy", meta.strategy)
                span.set_attribute("testdata.seed", meta.seed)
            self.metrics.observe_result(result)
            fields.update(entity=meta.entity, count=meta.count, strategy=meta.strategy, seed=meta.seed,
                          cache_hit=meta.cache_hit)
            if not context.is_active():
                raise Reject(grpc.StatusCode.DEADLINE_EXCEEDED, "the caller went away before the result was ready")
            response = pb.GenerateDataResponse(records_json=result.records_json, request_id=request_id,
                                               cassette=cassette)
            convert.fill_metadata(response.metadata, meta)  # in place: metadata= would copy the message
            return response

        return self._call("GenerateData", request, context, True, body)

    def GenerateDataStream(self, request: pb.GenerateDataRequest,
                           context: grpc.ServicerContext) -> Iterator[pb.GenerateDataChunk]:
        """Large datasets in indexed chunks; the last chunk carries the whole dataset's metadata."""
        name = "GenerateDataStream"
        metadata, request_id, log, span = self._begin(name, context)
        started = time.perf_counter()
        status, sent = "OK", 0
        self._enter()
        try:
            self._admit(metadata, True)
            self._deadline(context)
            self._parsed(request)
            wanted = self._request(request)
            batch = request.batch_size if request.HasField("batch_size") else self.settings.stream_batch_size
            if not 1 <= batch <= MAX_BATCH_SIZE:
                raise TestdataUsageError(f"batch_size: expected a whole number from 1 to {MAX_BATCH_SIZE:,}, "
                                         f"got {batch}. Leave it out for the default "
                                         f"({self.settings.stream_batch_size}).")
            engine = self.inline.engine_for(self.engine, request.schemas)
            engine.registry.get(wanted.entity)  # NOT_FOUND before any chunk goes out
            log = log.bind(entity=wanted.entity, count=wanted.count)
            with cassette_wire.adopted(request, wanted) as (wanted, cassette):
                for chunk in self._chunks(wanted, batch, request_id, span, context, engine):
                    if not context.is_active():
                        status = "CANCELLED"
                        return
                    if chunk.last and cassette is not None:
                        break  # sent below, with the cassette (filled in once every chunk is generated)
                    yield chunk
                    sent += 1
            if cassette is not None:
                chunk.cassette.CopyFrom(cassette)
                yield chunk
                sent += 1
        except GeneratorExit:
            status = "CANCELLED"  # the caller went away or its deadline passed mid-stream
            raise
        except Exception as exc:
            code, message = self._failure(exc, span, log, request_id)
            status = code.name
            if error_trailers(exc):
                context.set_trailing_metadata(error_trailers(exc))
            context.abort(code, message)
        finally:
            status = self._end(name, status, context, span)
            log.info("request", status=status, chunks=sent,
                     duration_ms=round((time.perf_counter() - started) * 1000, 3))

    def _chunks(self, wanted: GenerationRequest, batch: int, request_id: str, span: Any,
                context: grpc.ServicerContext, engine: Engine | None = None) -> Iterator[pb.GenerateDataChunk]:
        engine = engine if engine is not None else self.engine
        seed = wanted.seed if wanted.seed is not None else random_seed()
        # One scope and one deadline for the whole stream, entered around each engine call only (never
        # across a yield, which would leak them into whatever this thread runs next).
        scope = UniqueScope()
        ceiling = self.settings.stream_budget_seconds
        deadline = time.monotonic() + ceiling
        parent = trace.set_span_in_context(span)
        total, index = wanted.count, 0
        violations: list[Violation] = []
        scores: list[float] = []
        strategies: dict[str, str] = {}
        timings: dict[str, float] = {}
        cache_hits = 0
        for start in range(0, total, GENERATION_CHUNK):
            part = wanted.replace(count=min(GENERATION_CHUNK, total - start),
                                  seed=derive_seed(seed, "chunk", start // GENERATION_CHUNK))
            started_ns = time.time_ns()
            with self._budget(context, ceiling, deadline), unique_scope(scope):
                result = engine.generate(part)
            phase_spans(self.tracer, started_ns, result, parent)
            self.metrics.observe_result(result)
            meta = result.metadata
            strategies.setdefault(meta.strategy, meta.reason)
            cache_hits += meta.cache_hit
            scores.extend(meta.coherence_scores)
            violations.extend(Violation(v.record + start, v.field, v.rule, v.message) for v in meta.violations)
            for phase, seconds in meta.timings.items():
                timings[phase] = timings.get(phase, 0.0) + seconds
            records = result.records
            for at in range(0, len(records), batch):
                piece = records[at:at + batch]
                offset = start + at
                last = offset + len(piece) >= total
                chunk = pb.GenerateDataChunk(index=index, offset=offset, records_json=convert.records_json(piece),
                                             total=total, last=last, request_id=request_id)
                if last:
                    summary = ResultMetadata(
                        entity=meta.entity, count=total, strategy="/".join(sorted(strategies)),
                        reason="; ".join(dict.fromkeys(strategies.values())), seed=seed,
                        coherence=round(sum(scores) / len(scores), 4) if scores else 1.0,
                        coherence_scores=scores, violations=violations, cache_hit=cache_hits > 0,
                        provider=meta.provider, model=meta.model, timings=timings,
                        details={"engine_calls": (total + GENERATION_CHUNK - 1) // GENERATION_CHUNK,
                                 "chunk_seeds": "derive_seed(seed, 'chunk', i) per 1000 records"},
                    )
                    convert.fill_metadata(chunk.metadata, summary)
                index += 1
                yield chunk

    def GetSchemas(self, request: pb.GetSchemasRequest, context: grpc.ServicerContext) -> pb.GetSchemasResponse:
        """The schemas, optionally one domain's, with field names."""

        def body(request_id: str, span: Any, fields: dict[str, Any]) -> pb.GetSchemasResponse:
            domain = request.domain or None
            schemas = self.engine.schemas(domain)
            if domain is not None and not schemas:
                known = sorted({s.domain for s in self.engine.schemas()})
                raise Reject(grpc.StatusCode.NOT_FOUND,
                             f"domain: no schemas in domain {domain!r}{suggest(domain, known)}. "
                             f"Known domains: {', '.join(known)}. Leave domain empty for all schemas.")
            return pb.GetSchemasResponse(schemas=[convert.schema_to_proto(s) for s in schemas])

        return self._call("GetSchemas", request, context, True, body)

    def HealthCheck(self, request: pb.HealthCheckRequest, context: grpc.ServicerContext) -> pb.HealthCheckResponse:
        """Status and each component's health. The status (and the features the agent announces) is open,
        like the HTTP probes; with AUTH_TOKEN set, the details (components, version, service name, uptime)
        need the token, like ``/health``."""
        detailed = self._token is None or bearer_ok(dict(context.invocation_metadata() or ()), self._token)

        def body(request_id: str, span: Any, fields: dict[str, Any]) -> pb.HealthCheckResponse:
            components = self.health.components()
            status = self.health.status(components)
            fields.update(detailed=detailed)
            if not detailed:
                # The features stay open: a client with a wrong token should hear UNAUTHENTICATED from the
                # call it makes next, not "this agent cannot do cassettes".
                return pb.HealthCheckResponse(status=status, features=FEATURES)
            return pb.HealthCheckResponse(
                status=status, version=__version__,
                uptime_seconds=self.health.uptime, service_name=self.settings.service_name,
                features=FEATURES,
                components=[pb.ComponentHealth(name=c.name, status=c.status, detail=c.detail, required=c.required)
                            for c in components],
            )

        # Health answers while draining too: a caller asking is exactly who needs to hear "DRAINING".
        draining = self.health.draining
        if draining.is_set():
            return body("", None, {})
        return self._call("HealthCheck", request, context, False, body)


def add_service(servicer: TestDataServicer, server: grpc.Server,
                guard: Callable[[str, Any], Any] | None = None) -> None:
    """Register the service like the generated ``add_TestDataServiceServicer_to_server``, with tolerant
    request deserializers: bytes that do not parse reach the method as :class:`convert.Malformed`; and
    each handler passed through ``guard(full method name, handler)`` when given (the slot budget,
    :class:`~pytest_testdata.agent.guards.AdmissionGuard`), once, here rather than per call.

    The generated function's handler table is used as it is (so a method added to the proto needs no
    change here); only each handler's ``request_deserializer`` is wrapped.
    """
    pb_grpc.add_TestDataServiceServicer_to_server(servicer, _TolerantServer(server, guard))  # type: ignore[no-untyped-call]


class _TolerantServer:
    """Receives the generated handlers, wraps their deserializers (and guards them) and passes them on to
    the real server."""

    def __init__(self, server: grpc.Server, guard: Callable[[str, Any], Any] | None) -> None:
        self._server = server
        self._guard = guard

    def _wrap(self, service: str, handlers: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for method, handler in handlers.items():
            parse = handler.request_deserializer
            kind = getattr(getattr(parse, "__self__", None), "DESCRIPTOR", None)
            name = kind.full_name if kind is not None else f"{method} request"
            tolerant = handler._replace(request_deserializer=convert.tolerant(parse, name))
            out[method] = tolerant if self._guard is None else self._guard(f"/{service}/{method}", tolerant)
        return out

    def add_generic_rpc_handlers(self, handlers: tuple[Any, ...]) -> None:
        """Not used: :meth:`add_registered_method_handlers` carries the same table, wrapped."""

    def add_registered_method_handlers(self, service: str, handlers: Mapping[str, Any]) -> None:
        wrapped = self._wrap(service, handlers)
        self._server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, wrapped),))
        self._server.add_registered_method_handlers(service, wrapped)  # type: ignore[attr-defined]
