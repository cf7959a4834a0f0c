"""Several worker processes serving one gRPC port: a worker's side (``python -m pytest_testdata.agent.workers``).

One Python process uses one core, so ``testdata serve`` starts ``WORKERS`` worker processes (default: the
cores available to the container) under a supervisor (:mod:`.supervisor`) that holds the port, keeps
them running and serves the public HTTP side. Each worker is one agent
(:class:`~pytest_testdata.agent.server.AgentServer`) binding the shared port with ``SO_REUSEPORT``, its
HTTP side internal (loopback, a port of its own, polled by the supervisor).

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
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from pytest_testdata.agent.settings import load_settings


class SupervisorLink:
    """A worker's side of the drain: it says ``draining`` and ``idle`` on its standard output, then holds
    the port until SIGUSR2 (the whole pool is idle), its grace period's end or the supervisor's
    disappearance."""

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
    parser.add_argument("--cpu", type=int, help="the one CPU this worker runs on (see worker_handle.worker_cpus)")
    args = parser.parse_args(argv)
    unpinned = None
    if args.cpu is not None:
        # First, before any thread exists: every thread this process starts inherits the CPU.
        try:
            os.sched_setaffinity(0, {args.cpu})
        except (AttributeError, OSError) as exc:
            unpinned = f"{type(exc).__name__}: {exc}"
    from pytest_testdata.agent.log_lines import process_stderr
    from pytest_testdata.agent.observability import route_standard_logging
    from pytest_testdata.agent.server import AgentServer, run_until_signal
    from pytest_testdata.errors import TestdataError

    index = args.index
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor passes Ctrl-C on as SIGTERM
    link = SupervisorLink(args.parent)
    try:
        settings = load_settings()
        route_standard_logging(settings, process_stderr(), worker=index)
        server = AgentServer(settings, schema_dirs=args.schemas, reuse_port=True, http_host="127.0.0.1",
                             http_port=0, worker=index, freeze_gc=True, log_stream=process_stderr())
    except TestdataError as exc:
        print(f"testdata serve: worker {index}: error: {exc}", file=sys.stderr)
        return 2
    if unpinned is not None:
        server.log.warning("worker not pinned to its CPU; the kernel places it", cpu=args.cpu, error=unpinned)
    server.start()
    link.say(http_port=server.http_port)
    return run_until_signal(server, parent=args.parent, signals_handled=(signal.SIGTERM,), reporter=link)


if __name__ == "__main__":
    raise SystemExit(worker_main())
