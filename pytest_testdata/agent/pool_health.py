"""What a pool's public HTTP side reports (the :class:`~pytest_testdata.agent.http.HealthView` of a
supervisor): ready while at least one worker is ready and the pool is not draining; ``/health`` has each
worker's own report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_testdata.agent.worker_handle import Worker, get_json


class PoolHealth:
    """Readiness and the detailed report over the workers ``workers()`` returns."""

    def __init__(self, count: int, workers: Callable[[], list[Worker]], restarts: dict[str, int],
                 token: str | None) -> None:
        self.count = count
        self._workers = workers
        self._restarts = restarts
        self._token = token
        self.draining = threading.Event()
        """Set once every worker refuses new calls (the supervisor's drain)."""
        self.started_at = time.monotonic()

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def ready(self) -> tuple[bool, str]:
        if self.draining.is_set():
            return False, "draining: shutting down, finishing in-flight calls"
        workers = [w for w in self._workers() if not w.retiring]
        ready = [w for w in workers if w.ready]
        if ready:
            return True, f"ready: {len(ready)} of {self.count} workers ready"
        why = "; ".join(f"worker {w.index}: {w.detail}" for w in workers) or "no worker running"
        return False, f"no worker ready ({why})"

    def detailed(self) -> tuple[str, dict[str, Any]]:
        reports = []
        for worker in self._workers():
            report: dict[str, Any] = {"index": worker.index, "pid": worker.pid, "ready": worker.ready,
                                      "detail": worker.detail, "rss_mb": round(worker.rss_mb, 1),
                                      "retiring": worker.retiring}
            if worker.http_port is not None:
                try:
                    _, body = get_json(worker.http_port, "/health", self._token)
                    report.update(status=body.get("status"), components=body.get("components", []))
                except (OSError, ValueError) as exc:
                    report.update(status="NOT_SERVING", error=f"{type(exc).__name__}: {exc}")
            reports.append(report)
        if self.draining.is_set():
            status = "DRAINING"
        else:
            status = "SERVING" if any(r.get("status") == "SERVING" for r in reports) else "NOT_SERVING"
        first = next((r for r in reports if r.get("components")), {})
        return status, {"components": first.get("components", []), "workers": reports,
                        "restarts": dict(self._restarts)}
