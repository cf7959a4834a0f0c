"""The agent's HTTP side: ``/health``, ``/health/live``, ``/health/ready`` and ``/metrics``.

A stdlib threading HTTP server: probes and scrapes are a few requests a second, and it keeps the agent
free of a web framework.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST

from pytest_testdata import __version__

if TYPE_CHECKING:
    from pytest_testdata.agent.health import Health
    from pytest_testdata.agent.observability import Metrics
    from pytest_testdata.agent.settings import AgentSettings

ENDPOINTS = ("/health", "/health/live", "/health/ready", "/metrics")


class HttpSide:
    """Serves health and metrics on its own thread."""

    def __init__(self, settings: AgentSettings, health: Health, metrics: Metrics, logger: Any) -> None:
        self.settings = settings
        self.health = health
        self.metrics = metrics
        self.log = logger
        handler = type("AgentHttpHandler", (_Handler,), {"side": self})
        self.server = ThreadingHTTPServer((settings.bind_host, settings.http_port), handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="testdata-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def respond(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a GET of ``path``."""
        path = path.split("?", 1)[0].rstrip("/") or "/"
        if path == "/health/live":
            return 200, "application/json", _json({"status": "alive", "uptime_seconds": round(self.health.uptime, 3)})
        if path == "/health/ready":
            ready, why = self.health.ready()
            return (200 if ready else 503), "application/json", _json({"ready": ready, "detail": why})
        if path == "/health":
            components = self.health.components()
            status = self.health.status(components)
            body = {"status": status, "service": self.settings.service_name, "version": __version__,
                    "environment": self.settings.environment, "uptime_seconds": round(self.health.uptime, 3),
                    "components": [c.as_dict() for c in components]}
            return (200 if status == "SERVING" else 503), "application/json", _json(body)
        if path == "/metrics":
            if not self.settings.prometheus_enabled:
                return 404, "application/json", _json({"error": "metrics are off (PROMETHEUS_ENABLED=false)"})
            return 200, CONTENT_TYPE_LATEST, self.metrics.exposition()
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
            status, content_type, body = self.side.respond(self.path)
        except Exception:  # a probe must answer, never take the thread down
            self.side.log.exception("http handler failed", path=self.path)
            status, content_type, body = 500, "application/json", _json({"error": "internal error"})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        path = self.path.split("?", 1)[0]
        label = path if path in ENDPOINTS else "other"
        self.side.metrics.requests.labels(label, str(status)).inc()

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
