"""Several worker processes serving one gRPC port, under a supervisor that keeps them running.

One Python process uses one core, so ``testdata serve`` starts ``WORKERS`` worker processes (default: the
cores available to the container). The supervisor holds the gRPC port with ``SO_REUSEPORT``
(:func:`~pytest_testdata.agent.listen.reserve_port`) and every worker binds it too, so the kernel spreads
new connections over the workers and the port stays open while a worker is replaced.

The supervisor:

- serves the public HTTP side: ``/health/live`` (the supervisor runs), ``/health/ready`` (at least one
  worker is ready: warmed up, its required components healthy, not saturated), ``/health`` (each worker's
  report), ``/metrics`` (every worker's metrics, summed through prometheus-client's multiprocess mode,
  plus the supervisor's own ``testdata_workers`` and ``testdata_worker_restarts_total``);
- polls each worker's internal HTTP side (loopback, a port of its own) once a second and replaces a
  worker that exits, stops answering its liveness probe for ``HUNG_AFTER_SECONDS``, or grows past
  ``WORKER_MAX_MEMORY_MB`` of resident memory (the replacement starts first; the old one drains);
- on SIGTERM or SIGINT: passes the signal on (each worker refuses new calls with UNAVAILABLE "shutting
  down" and lets its in-flight calls finish, as a single agent does), stops being ready once every worker
  has said it refuses new calls (so a probe that reads 503 can trust that no worker takes a new call), and
  once every worker is idle (or ``SHUTDOWN_GRACE_SECONDS`` and a margin passed) lets them all close the port
  together and exits 0. An idle worker keeps the port answering "shutting down" while another one still
  finishes a stream, as one process would.

A worker speaks to its supervisor in JSON lines on its standard output (``{"http_port": N}`` once it
listens, ``{"draining": true}``, ``{"idle": true}``); the supervisor answers with signals (SIGTERM: drain,
SIGUSR1: retire, SIGUSR2: the pool is idle, close the port). Workers exit by themselves when the
supervisor disappears (they watch their parent process).
"""

from __future__ import annotations

import argparse
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
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_testdata.agent.settings import AgentSettings, engine_settings, load_settings
from pytest_testdata.config import service_environment

POLL_SECONDS = 1.0
START_TIMEOUT_SECONDS = 120.0
DRAIN_REPORT_SECONDS = 5.0
"""How long readiness waits after SIGTERM for a worker that has not said it refuses new calls (one stuck)."""
EXIT_MARGIN_SECONDS = 10.0
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


@dataclass
class Worker:
    """One worker process as the supervisor sees it."""

    index: int
    proc: subprocess.Popen[str]
    started: float = field(default_factory=time.monotonic)
    http_port: int | None = None
    ready: bool = False
    detail: str = "starting"
    last_alive: float = field(default_factory=time.monotonic)
    rss_mb: float = 0.0
    retiring: bool = False
    successor: Worker | None = None
    """The worker started to take over from this one (memory limit); this one drains once it is ready."""
    draining: bool = False
    """The worker said it refuses new calls."""
    idle: bool = False
    """The worker said no call of its own is in flight any more."""
    gone: bool = False
    """Its standard output closed: it exited."""

    @property
    def pid(self) -> int:
        return self.proc.pid


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (from /proc; 0 where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _get(port: int, path: str, token: str | None, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


class Supervisor:
    """Runs ``count`` workers on one port until a signal; see the module docstring."""

    def __init__(self, settings: AgentSettings, count: int, *, schema_dirs: Sequence[str] = ()) -> None:
        self.settings = settings
        self.count = count
        self.schema_dirs = list(schema_dirs)
        self.workers: list[Worker] = []
        self.restarts: dict[str, int] = {}
        self.draining = threading.Event()
        self._stop = threading.Event()
        self.started_at = time.monotonic()
        self._lock = threading.Lock()
        self._reports = threading.Condition()
        self._token = settings.auth_token.get_secret_value() if settings.auth_token else None

    # -- the HealthView the HTTP side reports ---------------------------------------------------------

    @property
    def uptime(self) -> float:
        return time.monotonic() - self.started_at

    def ready(self) -> tuple[bool, str]:
        if self.draining.is_set():
            return False, "draining: shutting down, finishing in-flight calls"
        with self._lock:
            workers = [w for w in self.workers if not w.retiring]
        ready = [w for w in workers if w.ready]
        if ready:
            return True, f"ready: {len(ready)} of {self.count} workers ready"
        why = "; ".join(f"worker {w.index}: {w.detail}" for w in workers) or "no worker running"
        return False, f"no worker ready ({why})"

    def detailed(self) -> tuple[str, dict[str, Any]]:
        with self._lock:
            workers = list(self.workers)
        reports = []
        for worker in workers:
            report: dict[str, Any] = {"index": worker.index, "pid": worker.pid, "ready": worker.ready,
                                      "detail": worker.detail, "rss_mb": round(worker.rss_mb, 1),
                                      "retiring": worker.retiring}
            if worker.http_port is not None:
                try:
                    _, body = _get(worker.http_port, "/health", self._token)
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
                        "restarts": dict(self.restarts)}

    # -- running ------------------------------------------------------------------------------------

    def run(self) -> int:
        """Check the settings, hold the port, start the workers and the HTTP side; supervise until a
        signal, then drain; returns 0."""
        from pytest_testdata.agent.health import build_cache
        from pytest_testdata.agent.listen import reserve_port
        from pytest_testdata.agent.observability import configure_logging, route_standard_logging

        settings = self.settings
        self.log = configure_logging(settings).bind(role="supervisor")
        route_standard_logging(settings, role="supervisor")
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
                          workers=self.count, tls=settings.tls, auth=self._token is not None,
                          max_memory_mb=settings.worker_max_memory_mb or None)
            self._supervise_until_signal()
            return 0
        finally:
            self._socket.close()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)

    def _start_http(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge

        from pytest_testdata.agent.http import HttpSide
        from pytest_testdata.agent.observability import Metrics

        self.metrics = Metrics()
        self.own = CollectorRegistry(auto_describe=True)
        self.worker_gauge = Gauge("testdata_workers", "Worker processes by state", ["state"], registry=self.own)
        self.restart_counter = Counter("testdata_worker_restarts", "Workers replaced, by reason", ["reason"],
                                       registry=self.own)
        self.http = HttpSide(self.settings, self, self.metrics, self.log, exposition=self._exposition)
        self.http.start()

    def _exposition(self) -> bytes:
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        merged = CollectorRegistry()
        collector = MultiProcessCollector(None, path=self.metrics_dir)  # type: ignore[no-untyped-call]
        families = {f.name: f for f in collector.collect()}  # type: ignore[no-untyped-call]
        for family in self.metrics.registry.collect():  # the supervisor's own HTTP request counts
            samples = [s for s in family.samples if not s.name.endswith("_created")]
            if family.name in families:
                families[family.name].samples.extend(samples)
            elif samples:
                family.samples = samples
                families[family.name] = family

        class _Families:
            def collect(self) -> Any:
                return families.values()

        merged.register(_Families())
        return generate_latest(merged) + generate_latest(self.own)

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
        # Same session as the supervisor (a session of its own would also be a CPU autogroup of its own);
        # a worker ignores SIGINT: a terminal's Ctrl-C reaches the supervisor, which drains the workers.
        proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        worker = Worker(index, proc)
        threading.Thread(target=self._read_reports, args=(worker,), name=f"testdata-worker-{index}",
                         daemon=True).start()
        with self._lock:
            self.workers.append(worker)
        self.log.info("worker started", worker=index, pid=proc.pid)
        return worker

    def _read_reports(self, worker: Worker) -> None:
        """Follow what a worker says on its standard output (see the module docstring)."""
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

    def _supervise_until_signal(self) -> None:
        stop = self._stop
        received: dict[str, str] = {}

        def on_signal(signum: int, frame: Any) -> None:
            received["name"] = signal.Signals(signum).name
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
        while not stop.wait(POLL_SECONDS):
            self._check_workers()
        self.log.info("signal received", signal=received.get("name"))
        self._drain()

    def _check_workers(self) -> None:
        now = time.monotonic()
        with self._lock:
            workers = list(self.workers)
        for worker in workers:
            if self._stop.is_set():
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
        self._count_states()

    def _probe(self, worker: Worker, now: float) -> None:
        worker.rss_mb = rss_mb(worker.pid)
        if worker.http_port is None:
            return
        try:
            _get(worker.http_port, "/health/live", None, timeout=POLL_SECONDS)
            worker.last_alive = now
            status, body = _get(worker.http_port, "/health/ready", None, timeout=POLL_SECONDS)
            worker.ready, worker.detail = status == 200, str(body.get("detail", ""))
        except (OSError, ValueError) as exc:
            worker.ready, worker.detail = False, f"not answering ({type(exc).__name__})"

    def _replace(self, old: Worker, reason: str, delay: float = 0.0) -> Worker | None:
        self.restarts[reason] = self.restarts.get(reason, 0) + 1
        self.restart_counter.labels(reason).inc()
        if delay:
            time.sleep(delay)  # a worker that dies at once must not make the supervisor spin
        if self.draining.is_set() or self._stop.is_set():
            return None
        return self._spawn(old.index)

    def _retire(self, worker: Worker) -> None:
        worker.retiring = True
        worker.ready = False
        # SIGUSR1: stop listening at once (new connections go to the others), finish in-flight calls, exit
        worker.proc.send_signal(signal.SIGUSR1)

    def _remove(self, worker: Worker) -> None:
        from prometheus_client import multiprocess

        with self._lock:
            if worker in self.workers:
                self.workers.remove(worker)
        multiprocess.mark_process_dead(worker.pid, self.metrics_dir)  # type: ignore[no-untyped-call]

    def _count_states(self) -> None:
        with self._lock:
            workers = list(self.workers)
        for state in ("ready", "not_ready", "retiring"):
            self.worker_gauge.labels(state).set(sum(
                1 for w in workers if (w.retiring and state == "retiring") or
                (not w.retiring and (w.ready == (state == "ready")) and state != "retiring")))

    def _drain(self) -> None:
        grace = self.settings.shutdown_grace_seconds
        began = time.monotonic()
        with self._lock:
            workers = list(self.workers)
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


class SupervisorLink:
    """A worker's side of the drain (see the module docstring): it says ``draining`` and ``idle`` on its
    standard output, then holds the port until SIGUSR2 (the whole pool is idle), its grace period's end or
    the supervisor's disappearance."""

    def __init__(self, parent: int) -> None:
        self.parent = parent
        self._released = False
        # A flag, not an Event: a handler that took a lock could deadlock with the very code it interrupted.
        signal.signal(signal.SIGUSR2, self._release)

    def _release(self, signum: int, frame: Any) -> None:
        self._released = True

    @staticmethod
    def say(**report: Any) -> None:
        with contextlib.suppress(OSError, ValueError):  # a supervisor already gone
            print(json.dumps(report), flush=True)

    def draining(self) -> None:
        self.say(draining=True)

    def idle(self, deadline: float) -> None:
        self.say(idle=True)
        while not self._released and time.monotonic() < deadline and os.getppid() == self.parent:
            time.sleep(0.02)


def worker_main(argv: Sequence[str] | None = None) -> int:
    """A worker process: one agent on the shared port, its HTTP side internal; prints its HTTP port."""
    parser = argparse.ArgumentParser(prog="python -m pytest_testdata.agent.workers")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--schemas", action="append", default=[])
    args = parser.parse_args(argv)
    from pytest_testdata.agent.observability import route_standard_logging
    from pytest_testdata.agent.server import AgentServer, run_until_signal
    from pytest_testdata.errors import TestdataError

    index = args.index
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor passes Ctrl-C on as SIGTERM
    link = SupervisorLink(args.parent)
    try:
        settings = load_settings()
        route_standard_logging(settings, worker=index)
        server = AgentServer(settings, schema_dirs=args.schemas, reuse_port=True, http_host="127.0.0.1",
                             http_port=0, worker=index, freeze_gc=True)
    except TestdataError as exc:
        print(f"testdata serve: worker {index}: error: {exc}", file=sys.stderr)
        return 2
    server.start()
    link.say(http_port=server.http_port)
    return run_until_signal(server, parent=args.parent, signals_handled=(signal.SIGTERM,), reporter=link)


if __name__ == "__main__":
    raise SystemExit(worker_main())
