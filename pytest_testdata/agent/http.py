"""The agent's HTTP side: ``/health``, ``/health/live``, ``/health/ready`` and ``/metrics``.

A stdlib threading HTTP server: probes and scrapes are a few requests a second, and it keeps the agent
free of a web framework. With ``AUTH_TOKEN`` set, the detailed ``/health`` (version, environment,
components) requires ``Authorization: Bearer <token>``; liveness, readiness and metrics stay open, for
probes and scrapers.
"""

from __future__ import annotations

import hmac
import json
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import CONTENT_TYPE_LATEST

from pytest_testdata import __version__
from pytest_testdata.agent.listen import bind_error

if TYPE_CHECKING:
    from pytest_testdata.agent.observability import Metrics
    from pytest_testdata.agent.settings import AgentSettings

ENDPOINTS = ("/health", "/health/live", "/health/ready", "/metrics")
OPEN_ENDPOINTS = ("/health/live", "/health/ready", "/metrics")
"""Answered without the token even when AUTH_TOKEN is set (probes and Prometheus scrapes)."""


class HealthView(Protocol):
    """What the HTTP side reports: one server's :class:`~pytest_testdata.agent.health.Health`, or a
    supervisor's view over its workers."""

    @property
    def uptime(self) -> float: ...

    def ready(self) -> tuple[bool, str]: ...

    def detailed(self) -> tuple[str, dict[str, Any]]: ...


class _Server(ThreadingHTTPServer):
    """socketserver prints a failed request's traceback between dashed lines on stderr: here it is one
    structured line, and a client that went away before its answer (a probe that timed out) only a debug one."""

    log: Any = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)):
            self.log.debug("http client went away before its answer", peer=str(client_address),
                           error=type(error).__name__)
        else:
            self.log.exception("http request failed", peer=str(client_address))


class HttpSide:
    """Serves health and metrics on its own thread (on ``host:port``, default BIND_HOST:HTTP_PORT)."""

    def __init__(self, settings: AgentSettings, health: HealthView, metrics: Metrics, logger: Any, *,
                 host: str | None = None, port: int | None = None,
                 exposition: Callable[[], bytes] | None = None, count_requests: bool = True) -> None:
        self.settings = settings
        self.health = health
        self.metrics = metrics
        self.log = logger
        self.exposition = exposition or metrics.exposition
        self.count_requests = count_requests
        self._token = settings.auth_token.get_secret_value() if settings.auth_token else None
        handler = type("AgentHttpHandler", (_Handler,), {"side": self})
        host = settings.bind_host if host is None else host
        port = settings.http_port if port is None else port
        try:
            self.server = _Server((host, port), handler)
        except OSError as exc:
            raise bind_error(host, port, "HTTP_PORT", exc) from None
        self.server.daemon_threads = True
        self.server.log = logger
        self._thread = threading.Thread(target=self.server.serve_forever, name="testdata-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def authorised(self, header: str | None) -> bool:
        """Whether the ``Authorization`` header carries the token (always true without AUTH_TOKEN)."""
        if self._token is None:
            return True
        scheme, _, given = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self._token.encode())

    def respond(self, path: str, authorization: str | None = None) -> tuple[int, str, bytes]:
        """Status, content type and body for a GET of ``path``."""
        path = path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/health" and not self.authorised(authorization):
            return 401, "application/json", _json({
                "error": "the detailed /health requires the agent's token: send 'Authorization: Bearer <token>' "
                         "(AUTH_TOKEN). /health/live, /health/ready and /metrics are open.",
                "open": OPEN_ENDPOINTS})
        if path == "/health/live":
            return 200, "application/json", _json({"status": "alive", "uptime_seconds": round(self.health.uptime, 3)})
        if path == "/health/ready":
            ready, why = self.health.ready()
            return (200 if ready else 503), "application/json", _json({"ready": ready, "detail": why})
        if path == "/health":
            status, fields = self.health.detailed()
            body = {"status": status, "service": self.settings.service_name, "version": __version__,
                    "environment": self.settings.environment, "uptime_seconds": round(self.health.uptime, 3),
                    **fields}
            return (200 if status == "SERVING" else 503), "application/json", _json(body)
        if path == "/metrics":
            if not self.settings.prometheus_enabled:
                return 404, "application/json", _json({"error": "metrics are off (PROMETHEUS_ENABLED=false)"})
            return 200, CONTENT_TYPE_LATEST, self.exposition()
        return 404, "application/json", _json({"error": f"no such endpoint {path!r}", "endpoints": ENDPOINTS})


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


class _Handler(BaseHTTPRequestHandler):
    side: HttpSide
    server_version = "testdata-agent"

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        try:
            status, content_type, body = self.side.respond(self.path, self.headers.get("Authorization"))
        except Exception:  # a probe must answer, never take the thread down
            self.side.log.exception("http handler failed", path=self.path)
            status, content_type, body = 500, "application/json", _json({"error": "internal error"})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="testdata-agent"')
        self.end_headers()
        if not head:
            self.wfile.write(body)
        if self.side.count_requests:
            path = self.path.split("?", 1)[0]
            label = path if path in ENDPOINTS else "other"
            self.side.metrics.count_request(label, str(status))

    def _refuse(self) -> None:
        body = _json({"error": f"method {self.command} not allowed", "allowed": ["GET", "HEAD"]})
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        self.side.log.debug("http", request=format % args)
