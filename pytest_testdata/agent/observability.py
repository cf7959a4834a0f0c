"""Metrics (prometheus-client), structured logs (structlog) and traces (OpenTelemetry) for the agent.

Each :class:`~pytest_testdata.agent.server.AgentServer` owns its metrics registry and tracer provider, so
several servers in one process (tests, benchmarks) never share counters or spans.
"""

from __future__ import annotations

import datetime
import logging
import random
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from structlog.typing import EventDict

from pytest_testdata.agent.log_lines import line_logger
from pytest_testdata.masking import mask_text
from pytest_testdata.types import EncodedResult, GenerationResult
from pytest_testdata.wire_json import prepared_dumps

if TYPE_CHECKING:
    from pytest_testdata.agent.settings import AgentSettings

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_IDS = random.Random()
_DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The agent's Prometheus metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("testdata_requests", "Requests by path (gRPC method or HTTP path) and status",
                                ["path", "status"], registry=self.registry)
        self.duration = Histogram("testdata_generation_duration_seconds", "Time the engine spent per generation",
                                  ["entity", "strategy"], buckets=_DURATION_BUCKETS, registry=self.registry)
        self.records = Counter("testdata_records_generated", "Records generated", ["entity", "strategy"],
                               registry=self.registry)
        self.validation_errors = Counter("testdata_validation_errors", "Constraint violations found in output",
                                         ["entity", "rule"], registry=self.registry)
        # livesum: with several worker processes (prometheus multiprocess mode) the live workers' values add up
        self.inflight = Gauge("testdata_inflight_requests", "gRPC calls in progress", registry=self.registry,
                              multiprocess_mode="livesum")
        self.refused = Counter("testdata_refused", "Calls refused at capacity (RESOURCE_EXHAUSTED) by budget",
                               ["budget"], registry=self.registry)
        # Labelled children, looked up once per label set: ``labels()`` checks and locks on every call,
        # which was a tenth of the agent's own cost per request. Label sets are few (methods x statuses,
        # entities x strategies), and a child never changes identity (nothing calls ``remove``).
        self._request_children: dict[tuple[str, str], Any] = {}
        self._result_children: dict[tuple[str, str], tuple[Any, Any]] = {}

    def count_request(self, path: str, status: str) -> None:
        """One more ``testdata_requests_total{path,status}``."""
        child = self._request_children.get((path, status))
        if child is None:
            child = self._request_children.setdefault((path, status), self.requests.labels(path, status))
        child.inc()

    def observe_result(self, result: GenerationResult | EncodedResult) -> None:
        """Count one engine result: records, duration, violations."""
        meta = result.metadata
        children = self._result_children.get((meta.entity, meta.strategy))
        if children is None:
            children = self._result_children.setdefault(
                (meta.entity, meta.strategy),
                (self.records.labels(meta.entity, meta.strategy), self.duration.labels(meta.entity, meta.strategy)))
        records, duration = children
        records.inc(meta.count)
        duration.observe(meta.timings.get("total", 0.0))
        for violation in meta.violations:
            self.validation_errors.labels(meta.entity, violation.rule).inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


def mask_secrets(logger: Any, method: str, event: EventDict) -> EventDict:
    """structlog processor: credentials in any URL of any string value are masked (``mask_text``)."""
    for key, value in event.items():
        if isinstance(value, str) and "://" in value:
            event[key] = mask_text(value)
    return event


def _json_fallback(value: Any) -> Any:
    """What structlog's JSONRenderer does with a value JSON does not know: its ``__structlog__()``, else repr."""
    try:
        return value.__structlog__()
    except AttributeError:
        return repr(value)


_LOG_DUMPS = prepared_dumps(_json_fallback)


def _log_json(event: EventDict, **options: Any) -> str:
    # One encoder for every line: JSONRenderer's json.dumps(..., default=...) built one per line.
    return _LOG_DUMPS(event)


class UtcTimestamp:
    """structlog processor: ``timestamp`` as ``TimeStamper(fmt="iso", utc=True)`` writes it
    (``2026-05-01T12:00:00.123456Z``), the date and time of day formatted once per second rather than
    through a ``datetime`` per line (a tenth of the request line's cost)."""

    def __init__(self) -> None:
        self._second: tuple[int, str] = (-1, "")  # one tuple: threads read a matching pair

    def __call__(self, logger: Any, method: str, event: EventDict) -> EventDict:
        second, micro = divmod(time.time_ns() // 1000, 1_000_000)
        cached = self._second
        if cached[0] != second:
            cached = (second, datetime.datetime.fromtimestamp(second, datetime.timezone.utc)
                      .strftime("%Y-%m-%dT%H:%M:%S"))
            self._second = cached
        # datetime.isoformat leaves the fraction out when it is zero
        event["timestamp"] = f"{cached[1]}.{micro:06d}Z" if micro else f"{cached[1]}Z"
        return event


def _renderer(settings: AgentSettings) -> Any:
    return (structlog.processors.JSONRenderer(serializer=_log_json) if settings.log_format == "json"
            else structlog.dev.ConsoleRenderer(colors=False))


class JsonLine:
    """structlog processor: the agent's JSON line in one step, the same line as the chain
    ``merge_contextvars``, ``add_log_level``, :class:`UtcTimestamp`, ``format_exc_info``,
    :func:`mask_secrets` and ``JSONRenderer`` (same keys, same order, same masking).

    One call instead of six (structlog calls each processor with the event); and the masking looks at the
    rendered line once rather than at every value: only a string holding ``://`` can hold a URL's
    credentials (:func:`~pytest_testdata.masking.mask_text` changes nothing else), and such a value puts
    ``://`` into the line (JSON escapes neither ``:`` nor ``/``). So a line without ``://`` is sent as it
    is, and a line with it is rendered again from the masked values.
    """

    def __init__(self) -> None:
        self._timestamp = UtcTimestamp()

    def __call__(self, logger: Any, method: str, event: EventDict) -> str:
        event = structlog.contextvars.merge_contextvars(logger, method, event)
        event["level"] = "warning" if method == "warn" else "error" if method == "exception" else method
        event = self._timestamp(logger, method, event)
        if "exc_info" in event:
            event = structlog.processors.format_exc_info(logger, method, event)
        line = _LOG_DUMPS(event)
        if "://" in line:
            line = _LOG_DUMPS(mask_secrets(logger, method, event))
        return line


def _processors(settings: AgentSettings) -> list[Any]:
    if settings.log_format == "json":
        return [JsonLine()]
    return [structlog.contextvars.merge_contextvars, structlog.processors.add_log_level, UtcTimestamp(),
            structlog.processors.format_exc_info, mask_secrets, _renderer(settings)]


def configure_logging(settings: AgentSettings, stream: Any = None) -> Any:
    """A logger writing JSON lines (or console text) to ``stream`` (stderr), filtered by LOG_LEVEL. An agent
    process passes :func:`~pytest_testdata.agent.log_lines.process_stderr`: a background thread writes.

    Built with ``structlog.wrap_logger`` rather than the global ``structlog.configure``, so each server
    (several run in one test process) keeps its own output and level.
    """
    # One write per line with its newline (line_logger): several worker processes share stderr, and
    # PrintLogger's two writes (text, then newline) let their lines interleave when it is unbuffered.
    logger = structlog.wrap_logger(
        line_logger(stream or sys.stderr),
        processors=_processors(settings),
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, settings.log_level)),
    )
    return logger.bind(service=settings.service_name, environment=settings.environment)


def request_line(log: Any, fields: dict[str, Any]) -> None:
    """``log.info("request", **fields)``, the same line, without structlog's layers.

    The request line is written once per call: through ``info`` the fields were packed into keyword
    arguments and copied at each of structlog's layers, after a logger bound for the call was built. Here
    the event is built once, in the order structlog builds it (the logger's context, the fields, then
    ``event``), and given to the logger's own processors and output, as ``_process_event`` would: the same
    keys, order, masking and output as ``info``. ``log`` is a logger of :func:`configure_logging`; below
    its level (LOG_LEVEL=WARNING) nothing is written, as ``info`` would write nothing.
    """
    if not log.is_enabled_for(logging.INFO):
        return
    event = {**log._context, **fields, "event": "request"}
    output = log._logger
    for processor in log._processors:
        event = processor(output, "info", event)
    output.info(event)


def route_standard_logging(settings: AgentSettings, stream: Any = None, **context: Any) -> None:
    """Make every standard-library log record of this process (the cache's Redis outage and recovery lines,
    grpc's own) one structured line in the agent's format, with the service fields and ``context``.

    For an agent process only (``testdata serve`` and its workers): it replaces the root logger's handlers.
    """
    service = {"service": settings.service_name, "environment": settings.environment, **context}

    def add_service(logger: Any, method: str, event: EventDict) -> EventDict:
        for key, value in service.items():
            event.setdefault(key, value)
        return event

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_service,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_secrets,
            _renderer(settings),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, settings.log_level))


def request_id_from(metadata: Mapping[str, str]) -> str:
    """The caller's ``x-request-id`` when it is sensible (printable, at most 128 chars), else a new one."""
    given = metadata.get(REQUEST_ID_HEADER, "")
    if given and len(given) <= 128 and given.isprintable():
        return given
    # 128 random bits as 32 hex digits, like uuid4().hex, from a generator seeded once from os.urandom:
    # uuid4 reads os.urandom on every call, a system call that releases the interpreter lock and then
    # waits for it behind every other call. Request ids correlate lines; they guard nothing.
    return f"{_REQUEST_IDS.getrandbits(128):032x}"


def build_tracer(settings: AgentSettings, exporter: SpanExporter | None = None) -> tuple[trace.Tracer, Any]:
    """A tracer for the agent's spans and the provider to shut down (None when tracing is off).

    ``exporter`` (tests pass the SDK's in-memory exporter) wins; otherwise OTLP over gRPC to
    OTLP_ENDPOINT when TRACING_ENABLED or OTLP_ENDPOINT is set; otherwise a no-op tracer.
    """
    if exporter is None and not settings.tracing:
        return trace.NoOpTracer(), None
    resource = Resource.create({"service.name": settings.service_name,
                                "deployment.environment": settings.environment})
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        except ImportError:
            from pytest_testdata.errors import MissingDependencyError

            raise MissingDependencyError("opentelemetry-exporter-otlp-proto-grpc", "agent",
                                         "exporting traces over OTLP") from None
        provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=settings.otlp_endpoint, insecure=settings.otlp_insecure)))
    return provider.get_tracer("pytest_testdata.agent"), provider


def phase_spans(tracer: trace.Tracer, started_ns: int, result: GenerationResult | EncodedResult,
                parent: Any = None) -> None:
    """Child spans for the engine's phases (routing, generation, validation), placed by its timings.

    The engine measures its phases itself; replaying them as spans afterwards keeps tracing out of the
    engine and costs nothing when the tracer is a no-op.
    """
    if not isinstance(tracer, trace.NoOpTracer):
        meta = result.metadata
        at = started_ns
        for phase, name in (("route", "routing"), ("generate", "generation"), ("validate", "validation")):
            seconds = meta.timings.get(phase)
            if seconds is None:
                continue
            end = at + int(seconds * 1e9)
            span = tracer.start_span(name, context=parent, start_time=at)
            span.set_attribute("testdata.entity", meta.entity)
            span.set_attribute("testdata.strategy", meta.strategy)
            if phase == "route":
                span.set_attribute("testdata.reason", meta.reason)
            if phase == "generate":
                span.set_attribute("testdata.records", meta.count)
            if phase == "validate":
                span.set_attribute("testdata.violations", len(meta.violations))
            span.end(end_time=end)
            at = end
