"""The supervisor's view of one worker process (:mod:`pytest_testdata.agent.supervisor`): its state, its
resident memory, the core it runs on, and the JSON its internal HTTP side answers."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from pytest_testdata.agent.settings import available_cores


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


def worker_cpus(count: int) -> list[int] | None:
    """The CPU each of ``count`` workers runs on (worker ``i`` on the ``i``-th), when this process may run on
    exactly ``count`` CPUs and no CPU quota lowers that: one worker per core, so the kernel never moves a
    worker to a core another worker is using, and each keeps its caches warm. None otherwise (more or fewer
    workers than CPUs, a container's CPU limit below the CPUs it sees, no CPU affinity on this system):
    the kernel places the workers."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None
    if len(cpus) != count or available_cores() != count:
        return None
    return cpus


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


def get_json(port: int, path: str, token: str | None, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    """GET ``path`` from a worker's internal HTTP side (loopback): the status and the JSON body."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
