"""The agent process: gRPC (TestDataService, grpc.health.v1, reflection) plus the HTTP side.

Shutdown (SIGTERM or SIGINT): readiness drops and the standard health service says NOT_SERVING, new calls
are refused, in-flight calls and streams get SHUTDOWN_GRACE_SECONDS to finish, then the process exits 0.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent import futures
from typing import Any, Protocol

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.sdk.trace.export import SpanExporter

from pytest_testdata.agent.admission import STREAM, UNARY, Admission, Refusal
from pytest_testdata.agent.guards import AdmissionGuard, ReflectionTokenGuard
from pytest_testdata.agent.health import SERVING, Health, build_cache
from pytest_testdata.agent.http import HttpSide
from pytest_testdata.agent.listen import check_address
from pytest_testdata.agent.log_lines import process_stderr
from pytest_testdata.agent.observability import Metrics, build_tracer, configure_logging, route_standard_logging
from pytest_testdata.agent.service import SERVICE_NAME, TestDataServicer, add_service
from pytest_testdata.agent.settings import RESERVED_THREADS, AgentSettings, engine_settings, worker_count
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError

HEALTH_REFRESH_SECONDS = 2.0


class DrainReporter(Protocol):
    """How a worker of a pool tells its supervisor where its drain stands (see :mod:`.workers`)."""

    def draining(self) -> None:
        """New calls are refused from now on."""

    def idle(self, deadline: float) -> None:
        """No call is in flight any more (or the grace period is over); may hold the port, still refusing
        new calls, until the supervisor says the whole pool is idle or ``deadline`` (monotonic) passes."""


class AgentServer:
    """One agent: build with settings, :meth:`start`, then :meth:`stop` (or :func:`serve` for a process)."""

    def __init__(self, settings: AgentSettings, *, engine: Engine | None = None,
                 span_exporter: SpanExporter | None = None, log_stream: Any = None,
                 schema_dirs: Sequence[str] = (), reuse_port: bool = False,
                 http_host: str | None = None, http_port: int | None = None, worker: int | None = None,
                 freeze_gc: bool = False) -> None:
        """``reuse_port``, ``http_host``/``http_port`` and ``worker`` are for a worker process of a pool
        (:mod:`pytest_testdata.agent.workers`): it shares the gRPC port, and its HTTP side is internal.
        ``freeze_gc`` is for a process that is this agent alone (``testdata serve``, a worker): once warm,
        what exists is frozen out of the garbage collector's full passes (``gc.freeze``)."""
        self.settings = settings
        self.freeze_gc = freeze_gc
        self.log = configure_logging(settings, log_stream)
        if worker is not None:
            self.log = self.log.bind(worker=worker)
        self.reuse_port = reuse_port
        self.worker = worker
        self.metrics = Metrics()
        self.tracer, self._provider = build_tracer(settings, span_exporter)
        if engine is None:
            plugin_settings = engine_settings()
            # The cache from REDIS_URL etc. (see health.build_cache) goes into the engine here.
            cache, cache_probe = build_cache(plugin_settings, settings.redis_url)
            # `testdata serve` passes the resolved paths (--schemas, else TESTDATA_SCHEMA_DIRS, else the project's).
            engine = Engine(schema_dirs=list(schema_dirs or plugin_settings.schemas),
                            options=dict(plugin_settings.extra), cache=cache)
            engine.options.update(settings=plugin_settings)
        else:
            _, cache_probe = build_cache(engine.options.get("settings") or engine_settings(), settings.redis_url)
        self.engine = engine
        self.health_service = health.HealthServicer(experimental_non_blocking=True)
        self._wake = threading.Event()
        self.admission = Admission(settings.capacity, settings.max_streams, on_change=self._saturation_changed)
        self.health = Health(engine, cache_probe, self.admission)
        self.servicer = TestDataServicer(engine, settings, self.health, self.metrics, self.tracer, self.log)
        guard = AdmissionGuard(
            self.admission, {f"/{SERVICE_NAME}/GenerateData": UNARY, f"/{SERVICE_NAME}/GenerateDataStream": STREAM},
            self._refused)
        # No interceptor unless AUTH_TOKEN is set: grpcio runs an interceptor pipeline for every call (the
        # slot budget is in the handlers, see add_service below).
        interceptors: list[grpc.ServerInterceptor[Any, Any]] = []
        if settings.auth_token is not None:
            interceptors.append(ReflectionTokenGuard(settings.auth_token.get_secret_value().encode()))
        self.grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=settings.grpc_max_workers, thread_name_prefix="testdata-grpc"),
            interceptors=interceptors,
            options=[("grpc.max_receive_message_length", settings.max_message_bytes),
                     # alone, a busy port must fail loudly rather than be shared with another process; a
                     # worker of a pool shares the port its supervisor holds (agent/listen.py)
                     ("grpc.so_reuseport", 1 if reuse_port else 0)],
            # no call waits in a queue: past the pool's threads gRPC refuses with RESOURCE_EXHAUSTED at once (a
            # little slack: gRPC still counts a call for a moment after its handler returned its thread)
            maximum_concurrent_rpcs=settings.grpc_max_workers + RESERVED_THREADS,
        )
        # tolerant deserializers (bad bytes are INVALID_ARGUMENT), generation calls behind their slots
        add_service(self.servicer, self.grpc, guard.handler)
        health_pb2_grpc.add_HealthServicer_to_server(self.health_service, self.grpc)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            self.grpc)
        self.grpc_port = self._bind()
        self.http = HttpSide(settings, self.health, self.metrics, self.log, host=http_host, port=http_port,
                             count_requests=worker is None)
        self._stopped = threading.Event()
        self._refresher = threading.Thread(target=self._refresh_health, name="testdata-health", daemon=True)

    def _bind(self) -> int:
        host = self.settings.bind_host
        if not self.reuse_port:
            check_address(host, self.settings.grpc_port, "GRPC_PORT")  # a busy port or a foreign address
        address = f"[{host}]:{self.settings.grpc_port}" if ":" in host else f"{host}:{self.settings.grpc_port}"
        try:
            if self.settings.tls:
                assert self.settings.tls_cert_file is not None and self.settings.tls_key_file is not None
                credentials = grpc.ssl_server_credentials(
                    [(self.settings.tls_key_file.read_bytes(), self.settings.tls_cert_file.read_bytes())])
                port = self.grpc.add_secure_port(address, credentials)
            else:
                port = self.grpc.add_insecure_port(address)
        except RuntimeError as exc:
            raise TestdataUsageError(f"GRPC_PORT: cannot listen on {address} ({exc}); is another process "
                                     "using the port? Choose another GRPC_PORT.") from None
        if port == 0:
            raise TestdataUsageError(f"GRPC_PORT: cannot listen on {address}; is another process using the "
                                     "port? Choose another GRPC_PORT.")
        return port

    def _saturation_changed(self, saturated: bool) -> None:
        if saturated and not self.health.draining.is_set():
            for name in ("", SERVICE_NAME):
                self.health_service.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        self._wake.set()  # the refresher publishes the full status (components included) at once

    def _refused(self, method: str, refusal: Refusal, request_id: str) -> None:
        self.metrics.count_request(method, "RESOURCE_EXHAUSTED")
        self.metrics.refused.labels(refusal.what).inc()
        self.log.warning("call refused at capacity", method=method, request_id=request_id, budget=refusal.what,
                         in_use=refusal.in_use, limit=refusal.limit, retry_after_ms=refusal.retry_after_ms)

    @property
    def http_port(self) -> int:
        return self.http.port

    @property
    def address(self) -> str:
        """``host:port`` of the gRPC side, for clients on this machine."""
        host = self.settings.bind_host
        return f"{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{self.grpc_port}"

    def start(self) -> AgentServer:
        """Start serving; readiness follows once the engine has warmed up."""
        self.health_service.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        self.health_service.set(SERVICE_NAME, health_pb2.HealthCheckResponse.NOT_SERVING)
        self.grpc.start()
        self.http.start()
        threading.Thread(target=self._warm_up, name="testdata-warmup", daemon=True).start()
        self._refresher.start()
        # A worker of a pool says "worker serving": "agent started" is the supervisor's line (public ports).
        self.log.info("agent started" if self.worker is None else "worker serving", grpc_port=self.grpc_port,
                      http_port=self.http_port, tls=self.settings.tls, auth=self.settings.auth_token is not None,
                      tracing=self._provider is not None, schemas=len(self.engine.registry.names()))
        return self

    def _warm_up(self) -> None:
        self.health.warm_up()
        if self.freeze_gc:
            # Everything built so far (schemas, pools, compiled plans, imported modules) lives as long as the
            # process: moved out of the collector's sight, a full collection no longer walks it. Unfrozen,
            # each took 90 to 240 ms in a worker, a pause every call in flight waited through.
            gc.collect()
            gc.freeze()
        self._publish_health()
        self.log.info("agent ready" if self.health.ready()[0] else "agent not ready", detail=self.health.ready()[1])

    def _publish_health(self) -> None:
        if self.health.draining.is_set():
            return
        status = (health_pb2.HealthCheckResponse.SERVING if self.health.status() == SERVING
                  else health_pb2.HealthCheckResponse.NOT_SERVING)
        for name in ("", SERVICE_NAME):
            self.health_service.set(name, status)

    def _refresh_health(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(HEALTH_REFRESH_SECONDS)
            self._wake.clear()
            if self.health.warm.is_set() and not self._stopped.is_set():
                self._publish_health()

    def stop(self, grace: float | None = None, *, keep_listening: bool = True,
             reporter: DrainReporter | None = None) -> None:
        """Drain: not ready, refuse new calls, let in-flight ones finish within ``grace`` seconds.

        ``keep_listening=False`` (a worker retired from a pool that goes on serving) closes the listening
        socket at once, so the kernel sends new connections to the other workers of the port. ``reporter``
        (a worker of a pool) hears when new calls are refused and when the last call ended, and may keep
        this worker listening until every worker of the pool is idle, so a new call on the port hears
        "shutting down" until the pool is done rather than a cancelled or refused connection.
        """
        if self._stopped.is_set():
            return
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        deadline = time.monotonic() + grace
        self.health.draining.set()
        self.health_service.enter_graceful_shutdown()
        self.log.info("agent draining", grace_seconds=grace, inflight=self.servicer.active,
                      keep_listening=keep_listening)
        if reporter is not None:
            reporter.draining()
        stopping = None if keep_listening else self.grpc.stop(grace)
        # Keep listening while in-flight calls finish, so a new call hears "shutting down" (UNAVAILABLE)
        # from the servicer rather than a bare CANCELLED from a gRPC server that is already stopping.
        if not self.servicer.wait_idle(grace):
            self.log.warning("grace period over; cancelling calls still running", inflight=self.servicer.active)
        if reporter is not None:
            reporter.idle(deadline if keep_listening else 0.0)
        (stopping or self.grpc.stop(max(0.0, deadline - time.monotonic()))).wait()
        self._stopped.set()
        self._wake.set()
        self.http.stop()
        if self._provider is not None:
            self._provider.shutdown()
        self.log.info("agent stopped")


def serve(settings: AgentSettings, *, schema_dirs: Sequence[str] = ()) -> int:
    """Run an agent until SIGTERM or SIGINT, then drain and return 0: a supervisor and WORKERS worker
    processes sharing the gRPC port (:mod:`pytest_testdata.agent.supervisor`), or with WORKERS=0 this one
    process alone."""
    count = worker_count(settings)
    if count > 0:
        from pytest_testdata.agent.supervisor import Supervisor

        return Supervisor(settings, count, schema_dirs=schema_dirs).run()
    route_standard_logging(settings, process_stderr())
    return run_until_signal(AgentServer(settings, schema_dirs=schema_dirs, freeze_gc=True,
                                        log_stream=process_stderr()).start())


def run_until_signal(server: AgentServer, *, parent: int | None = None,
                     signals_handled: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT),
                     reporter: DrainReporter | None = None) -> int:
    """Serve until SIGTERM or SIGINT (or, for a worker, until its supervisor ``parent`` is gone), then
    drain (telling ``reporter`` how it goes, see :meth:`AgentServer.stop`); returns 0."""
    signals: dict[str, str] = {}

    def on_signal(signum: int, frame: Any) -> None:
        # Only a flag: a handler that took a lock (Event.set) could deadlock with the wait it interrupted.
        signals.setdefault("name", signal.Signals(signum).name)

    for sig in signals_handled:
        signal.signal(sig, on_signal)
    if parent is not None:
        signal.signal(signal.SIGUSR1, on_signal)  # retired by the supervisor: others keep serving the port
    while "name" not in signals:
        time.sleep(0.05)
        if parent is not None and os.getppid() != parent:
            signals["name"] = "supervisor gone"
    server.log.info("signal received", signal=signals.get("name"))
    server.stop(keep_listening=signals.get("name") != "SIGUSR1", reporter=reporter)
    return 0
