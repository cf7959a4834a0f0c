"""The supervisor of a pool of worker processes sharing one gRPC port (see :mod:`.workers` for the
protocol between them).

It holds the gRPC port with ``SO_REUSEPORT`` (:func:`~pytest_testdata.agent.listen.reserve_port`) and
every worker binds it too, so the kernel spreads new connections over the workers and the port stays open
while a worker is replaced. It:

- serves the public HTTP side: ``/health/live`` (the supervisor runs), ``/health/ready`` and ``/health``
  (:mod:`.pool_health`), ``/metrics`` (:mod:`.pool_metrics`);
- runs worker ``i`` on the ``i``-th CPU when there are as many workers as CPUs this process may use and no
  CPU quota lowers that (:func:`~pytest_testdata.agent.worker_handle.worker_cpus`; the ``agent started`` line
  says ``worker_cpus``), and leaves the workers to the kernel otherwise;
- polls each worker's internal HTTP side (loopback, a port of its own) once a second and replaces a
  worker that exits, stops answering its liveness probe for ``HUNG_AFTER_SECONDS``, or grows past
  ``WORKER_MAX_MEMORY_MB`` of resident memory (the replacement starts first; the old one drains);
- on SIGTERM or SIGINT: passes the signal on (each worker refuses new calls with UNAVAILABLE "shutting
  down" and lets its in-flight calls finish, as a single agent does), stops being ready once every worker
  has said it refuses new calls (so a probe that reads 503 can trust that no worker takes a new call), and
  once every worker is idle (or ``SHUTDOWN_GRACE_SECONDS`` and a margin passed) lets them all close the port
  together and exits 0. An idle worker keeps the port answering "shutting down" while another one still
  finishes a stream, as one process would.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any

from pytest_testdata.agent.pool_health import PoolHealth
from pytest_testdata.agent.pool_metrics import METRICS_DIR_ENV, PoolMetrics
from pytest_testdata.agent.settings import AgentSettings, engine_settings
from pytest_testdata.agent.worker_handle import Worker, get_json, rss_mb, worker_cpus
from pytest_testdata.config import service_environment

POLL_SECONDS = 1.0
SIGNAL_POLL_SECONDS = 0.05
"""How often the supervising loop looks at the flag its signal handler sets."""
START_TIMEOUT_SECONDS = 120.0
DRAIN_REPORT_SECONDS = 5.0
"""How long readiness waits after SIGTERM for a worker that has not said it refuses new calls (one stuck)."""
EXIT_MARGIN_SECONDS = 10.0


class Supervisor:
    """Runs ``count`` workers on one port until a signal; see the module docstring."""

    def __init__(self, settings: AgentSettings, count: int, *, schema_dirs: Sequence[str] = ()) -> None:
        self.settings = settings
        self.count = count
        self.schema_dirs = list(schema_dirs)
        self.workers: list[Worker] = []
        self.cpus = worker_cpus(count) if settings.pin_workers else None
        self.restarts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._reports = threading.Condition()
        self._token = settings.auth_token.get_secret_value() if settings.auth_token else None
        self.health = PoolHealth(count, self._current_workers, self.restarts, self._token)
        self.draining = self.health.draining
        self.signal_name: str | None = None
        """The signal that ends supervision, set by the handler. A plain attribute, not an Event: a handler
        that took a lock (``Event.set``) could deadlock with the very code it interrupted."""

    def _current_workers(self) -> list[Worker]:
        with self._lock:
            return list(self.workers)

    @property
    def _stopping(self) -> bool:
        return self.signal_name is not None

    # -- running ------------------------------------------------------------------------------------

    def run(self) -> int:
        """Check the settings, hold the port, start the workers and the HTTP side; supervise until a
        signal, then drain; returns 0."""
        from pytest_testdata.agent.health import build_cache
        from pytest_testdata.agent.listen import reserve_port
        from pytest_testdata.agent.log_lines import process_stderr
        from pytest_testdata.agent.observability import configure_logging, route_standard_logging

        settings = self.settings
        self.log = configure_logging(settings, process_stderr()).bind(role="supervisor")
        route_standard_logging(settings, process_stderr(), role="supervisor")
        cache, _ = build_cache(engine_settings(), settings.redis_url)  # a bad cache setting stops us here
        if cache is not None and hasattr(cache, "close"):
            cache.close()
        self._socket, self.grpc_port = reserve_port(settings.bind_host, settings.grpc_port, "GRPC_PORT")
        self.metrics_dir = tempfile.mkdtemp(prefix="testdata-agent-metrics-")
        try:
            self._start_http()
            for index in range(self.count):
                self._spawn(index)
            self._await_first_worker()
            self.log.info("agent started", grpc_port=self.grpc_port, http_port=self.http.port,
                          workers=self.count, worker_cpus=self.cpus, tls=settings.tls, auth=self._token is not None,
                          max_memory_mb=settings.worker_max_memory_mb or None)
            self._supervise_until_signal()
            return 0
        finally:
            self._socket.close()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)

    def _start_http(self) -> None:
        from pytest_testdata.agent.http import HttpSide

        self.pool_metrics = PoolMetrics(self.metrics_dir)
        self.http = HttpSide(self.settings, self.health, self.pool_metrics.metrics, self.log,
                             exposition=self.pool_metrics.exposition)
        self.http.start()

    def _await_first_worker(self) -> None:
        """Return once a worker listens on the gRPC port (so "agent started" means callable, as with one
        process); stop with the workers' exit code when every one of them failed to start."""
        from pytest_testdata.errors import TestdataError

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if any(w.http_port is not None for w in self.workers):
                return
            codes = [w.proc.poll() for w in self.workers]
            if all(code is not None for code in codes):
                self.http.stop()
                raise TestdataError(f"every worker exited while starting (exit codes {codes}); their error is "
                                    "on the lines above")
            time.sleep(0.05)
        self.log.warning("no worker listens yet; supervising anyway", waited_seconds=START_TIMEOUT_SECONDS)

    def _spawn(self, index: int) -> Worker:
        env = {**service_environment(), "BIND_HOST": self.settings.bind_host, "GRPC_PORT": str(self.grpc_port),
               "LOG_LEVEL": self.settings.log_level, "WORKERS": "0", METRICS_DIR_ENV: self.metrics_dir}
        command = [sys.executable, "-m", "pytest_testdata.agent.workers", "--parent", str(os.getpid()),
                   "--index", str(index)]
        for folder in self.schema_dirs:
            command += ["--schemas", folder]
        cpu = self.cpus[index % len(self.cpus)] if self.cpus else None
        if cpu is not None:
            command += ["--cpu", str(cpu)]  # a replacement runs on the core of the worker it replaces
        # Same session as the supervisor (a session of its own would also be a CPU autogroup of its own);
        # a worker ignores SIGINT: a terminal's Ctrl-C reaches the supervisor, which drains the workers.
        proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        worker = Worker(index, proc)
        threading.Thread(target=self._read_reports, args=(worker,), name=f"testdata-worker-{index}",
                         daemon=True).start()
        with self._lock:
            self.workers.append(worker)
        self.log.info("worker started", worker=index, pid=proc.pid, cpu=cpu)
        return worker

    def _read_reports(self, worker: Worker) -> None:
        """Follow what a worker says on its standard output (see :mod:`.workers`)."""
        assert worker.proc.stdout is not None
        for line in worker.proc.stdout:
            try:
                report = json.loads(line)
                if not isinstance(report, dict):
                    continue
                if "http_port" in report:
                    worker.http_port = int(report["http_port"])
            except (ValueError, TypeError):
                continue
            with self._reports:
                worker.draining = worker.draining or report.get("draining") is True
                worker.idle = worker.idle or report.get("idle") is True
                self._reports.notify_all()
        with self._reports:
            worker.gone = True
            self._reports.notify_all()

    def _await_reports(self, workers: Sequence[Worker], what: str, deadline: float) -> list[Worker]:
        """Wait until every one of ``workers`` said ``what`` (``draining``, ``idle``) or exited, or until
        ``deadline``; returns the ones still silent."""
        def silent() -> list[Worker]:
            return [w for w in workers if not (getattr(w, what) or w.gone or w.proc.poll() is not None)]

        with self._reports:
            while (late := silent()) and time.monotonic() < deadline:
                self._reports.wait(min(0.1, deadline - time.monotonic()))
        return late

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name

    def _supervise_until_signal(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        next_check = time.monotonic() + POLL_SECONDS
        while not self._stopping:
            time.sleep(SIGNAL_POLL_SECONDS)
            if not self._stopping and time.monotonic() >= next_check:
                self._check_workers()
                next_check = time.monotonic() + POLL_SECONDS
        self.log.info("signal received", signal=self.signal_name)
        self._drain()

    # -- keeping the workers running ------------------------------------------------------------------

    def _check_workers(self) -> None:
        now = time.monotonic()
        for worker in self._current_workers():
            if self._stopping:
                return
            code = worker.proc.poll()
            if code is not None:
                self._remove(worker)
                if not worker.retiring:
                    lived = now - worker.started
                    self.log.error("worker exited; starting another", worker=worker.index, pid=worker.pid,
                                   exit_code=code, lived_seconds=round(lived, 1))
                    self._replace(worker, "exited", delay=0.0 if lived > 10 else min(10.0, 2.0 / max(lived, 0.2)))
                continue
            if worker.retiring:
                continue
            self._probe(worker, now)
            limit = self.settings.worker_max_memory_mb
            if worker.successor is not None:
                # The old worker keeps serving until its successor is ready, so capacity never dips.
                if worker.successor.ready or worker.successor.proc.poll() is not None:
                    self._retire(worker)
            elif limit and worker.ready and worker.rss_mb > limit:
                self.log.warning("worker over its memory limit; replacing it", worker=worker.index,
                                 pid=worker.pid, rss_mb=round(worker.rss_mb, 1), limit_mb=limit)
                worker.successor = self._replace(worker, "memory")
            elif (worker.http_port is not None and
                  now - worker.last_alive > self.settings.worker_liveness_timeout_seconds):
                self.log.error("worker stopped answering its liveness probe; replacing it", worker=worker.index,
                               pid=worker.pid, silent_seconds=round(now - worker.last_alive, 1))
                worker.proc.kill()
                worker.retiring = True
                self._replace(worker, "hung")
            elif worker.http_port is None and now - worker.started > START_TIMEOUT_SECONDS:
                self.log.error("worker did not start in time; replacing it", worker=worker.index, pid=worker.pid)
                worker.proc.kill()
                worker.retiring = True
                self._replace(worker, "start timeout")
        self.pool_metrics.count_states(self._current_workers())

    def _probe(self, worker: Worker, now: float) -> None:
        worker.rss_mb = rss_mb(worker.pid)
        if worker.http_port is None:
            return
        try:
            get_json(worker.http_port, "/health/live", None, timeout=POLL_SECONDS)
            worker.last_alive = now
            status, body = get_json(worker.http_port, "/health/ready", None, timeout=POLL_SECONDS)
            worker.ready, worker.detail = status == 200, str(body.get("detail", ""))
        except (OSError, ValueError) as exc:
            worker.ready, worker.detail = False, f"not answering ({type(exc).__name__})"

    def _replace(self, old: Worker, reason: str, delay: float = 0.0) -> Worker | None:
        self.restarts[reason] = self.restarts.get(reason, 0) + 1
        self.pool_metrics.restarted(reason)
        if delay:
            time.sleep(delay)  # a worker that dies at once must not make the supervisor spin
        if self.draining.is_set() or self._stopping:
            return None
        return self._spawn(old.index)

    def _retire(self, worker: Worker) -> None:
        worker.retiring = True
        worker.ready = False
        # SIGUSR1: stop listening at once (new connections go to the others), finish in-flight calls, exit
        worker.proc.send_signal(signal.SIGUSR1)

    def _remove(self, worker: Worker) -> None:
        with self._lock:
            if worker in self.workers:
                self.workers.remove(worker)
        self.pool_metrics.worker_gone(worker.pid)

    # -- shutting down --------------------------------------------------------------------------------

    def _drain(self) -> None:
        grace = self.settings.shutdown_grace_seconds
        began = time.monotonic()
        workers = self._current_workers()
        self._signal(workers, signal.SIGTERM)
        # Readiness drops once every worker refuses new calls: a probe (or a test) that reads 503 and then
        # calls must hear "shutting down", never be served by a worker that has not handled SIGTERM yet.
        late = self._await_reports(workers, "draining", began + DRAIN_REPORT_SECONDS)
        self.draining.set()
        if late:
            self.log.warning("worker has not begun draining; readiness drops anyway",
                             workers=[w.index for w in late], waited_seconds=DRAIN_REPORT_SECONDS)
        self.log.info("agent draining", grace_seconds=grace, workers=len(workers))
        # Every worker keeps the port answering "shutting down" until the last in-flight call ended anywhere.
        self._await_reports(workers, "idle", began + grace + EXIT_MARGIN_SECONDS / 2)
        self._signal(workers, signal.SIGUSR2)
        deadline = max(began + grace + EXIT_MARGIN_SECONDS, time.monotonic() + EXIT_MARGIN_SECONDS / 2)
        for worker in workers:
            try:
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log.warning("worker did not stop in time; killing it", worker=worker.index, pid=worker.pid)
                worker.proc.kill()
                worker.proc.wait()
        self.http.stop()
        self.log.info("agent stopped")

    @staticmethod
    def _signal(workers: Sequence[Worker], signum: signal.Signals) -> None:
        for worker in workers:
            if worker.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.proc.send_signal(signum)
