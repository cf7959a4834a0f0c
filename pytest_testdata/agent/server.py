"""The agent process: gRPC (TestDataService, grpc.health.v1, reflection) plus the HTTP side.

Shutdown (SIGTERM or SIGINT): readiness drops and the standard health service says NOT_SERVING, new calls
are refused, in-flight calls and streams get SHUTDOWN_GRACE_SECONDS to finish, then the process exits 0.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Sequence
from concurrent import futures
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.sdk.trace.export import SpanExporter

from pytest_testdata.agent.health import SERVING, Health, build_cache
from pytest_testdata.agent.http import HttpSide
from pytest_testdata.agent.observability import Metrics, build_tracer, configure_logging
from pytest_testdata.agent.service import SERVICE_NAME, TestDataServicer, add_service
from pytest_testdata.agent.settings import AgentSettings, engine_settings
from pytest_testdata.engine import Engine
from pytest_testdata.errors import TestdataUsageError

HEALTH_REFRESH_SECONDS = 2.0


class AgentServer:
    """One agent: build with settings, :meth:`start`, then :meth:`stop` (or :func:`serve` for a process)."""

    def __init__(self, settings: AgentSettings, *, engine: Engine | None = None,
                 span_exporter: SpanExporter | None = None, log_stream: Any = None,
                 schema_dirs: Sequence[str] = ()) -> None:
        self.settings = settings
        self.log = configure_logging(settings, log_stream)
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
        self.health = Health(engine, cache_probe)
        self.health_service = health.HealthServicer(experimental_non_blocking=True)
        self.servicer = TestDataServicer(engine, settings, self.health, self.metrics, self.tracer, self.log)
        self.grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=settings.grpc_max_workers, thread_name_prefix="testdata-grpc"),
            options=[("grpc.max_receive_message_length", settings.max_message_bytes),
                     # a busy port must fail loudly rather than be shared with another process
                     ("grpc.so_reuseport", 0)],
        )
        add_service(self.servicer, self.grpc)  # tolerant deserializers: bad bytes are INVALID_ARGUMENT
        health_pb2_grpc.add_HealthServicer_to_server(self.health_service, self.grpc)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            self.grpc)
        self.grpc_port = self._bind()
        self.http = HttpSide(settings, self.health, self.metrics, self.log)
        self._stopped = threading.Event()
        self._refresher = threading.Thread(target=self._refresh_health, name="testdata-health", daemon=True)

    def _bind(self) -> int:
        address = f"{self.settings.bind_host}:{self.settings.grpc_port}"
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
        self.log.info("agent started", grpc_port=self.grpc_port, http_port=self.http_port,
                      tls=self.settings.tls, auth=self.settings.auth_token is not None,
                      tracing=self._provider is not None, schemas=len(self.engine.registry.names()))
        return self

    def _warm_up(self) -> None:
        self.health.warm_up()
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
        while not self._stopped.wait(HEALTH_REFRESH_SECONDS):
            if self.health.warm.is_set():
                self._publish_health()

    def stop(self, grace: float | None = None) -> None:
        """Drain: not ready, refuse new calls, let in-flight ones finish within ``grace`` seconds."""
        if self._stopped.is_set():
            return
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        deadline = time.monotonic() + grace
        self.health.draining.set()
        self.health_service.enter_graceful_shutdown()
        self.log.info("agent draining", grace_seconds=grace, inflight=self.servicer.active)
        # Keep listening while in-flight calls finish, so a new call hears "shutting down" (UNAVAILABLE)
        # from the servicer rather than a bare CANCELLED from a gRPC server that is already stopping.
        if not self.servicer.wait_idle(grace):
            self.log.warning("grace period over; cancelling calls still running", inflight=self.servicer.active)
        self.grpc.stop(max(0.0, deadline - time.monotonic())).wait()
        self._stopped.set()
        self.http.stop()
        if self._provider is not None:
            self._provider.shutdown()
        self.log.info("agent stopped")


def serve(settings: AgentSettings, *, schema_dirs: Sequence[str] = ()) -> int:
    """Run an agent until SIGTERM or SIGINT, then drain and return 0."""
    server = AgentServer(settings, schema_dirs=schema_dirs).start()
    stop = threading.Event()
    signals = {}

    def on_signal(signum: int, frame: Any) -> None:
        signals["name"] = signal.Signals(signum).name
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    while not stop.wait(0.5):
        pass
    server.log.info("signal received", signal=signals.get("name"))
    server.stop()
    return 0
