"""Several worker processes on one port under a supervisor: both serve, a dead, hung or oversized worker is
replaced while the port keeps answering, and the HTTP side speaks for all of them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent import worker_handle
from pytest_testdata.agent.worker_handle import worker_cpus

from .conftest import start_agent_process


class Pool:
    """A supervised agent process; its stderr is collected on a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        import threading

        self.proc, started = start_agent_process(env)
        self.started = started
        self.grpc = f"127.0.0.1:{started['grpc_port']}"
        self.http = f"http://127.0.0.1:{started['http_port']}"
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines)]

    def get(self, path: str) -> tuple[int, Any]:
        try:
            with urllib.request.urlopen(self.http + path, timeout=10) as response:
                body = response.read().decode()
                return response.status, json.loads(body) if path != "/metrics" else body
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def wait_for(self, check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
            time.sleep(0.1)

    def ready_workers(self) -> list[dict[str, Any]]:
        status, body = self.get("/health")
        return [w for w in body.get("workers", []) if w["ready"] and not w["retiring"]] if status == 200 else []

    def call(self, seed: int) -> None:
        """One GenerateData on a fresh connection (the kernel picks the worker per connection)."""
        with grpc.insecure_channel(self.grpc) as channel:
            reply = pb_grpc.TestDataServiceStub(channel).GenerateData(
                pb.GenerateDataRequest(entity="user", count=2, seed=seed), timeout=20, wait_for_ready=True)
            assert len(json.loads(reply.records_json)) == 2

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self._reader.join(10)
        return code


@pytest.fixture
def pool() -> Iterator[Callable[..., Pool]]:
    pools: list[Pool] = []

    def start(**env: str) -> Pool:
        started = Pool(env)
        pools.append(started)
        return started

    yield start
    for started in pools:
        if started.proc.poll() is None:
            started.proc.kill()
            started.proc.wait()


def test_two_workers_share_the_port_and_the_http_side_speaks_for_both(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="2")
    workers = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "two ready workers")
    assert len({w["pid"] for w in workers}) == 2
    # The agent sees this process's CPUs: on exactly two (and no lower CPU limit) each worker has one of its
    # own, otherwise both may run on any.
    expected = worker_cpus(2)
    assert agent.started["worker_cpus"] == expected
    affinities = sorted(sorted(os.sched_getaffinity(w["pid"])) for w in workers)
    assert affinities == ([[cpu] for cpu in expected] if expected else [sorted(os.sched_getaffinity(0))] * 2)
    assert agent.get("/health/ready")[0] == 200 and agent.get("/health/live")[0] == 200
    for seed in range(40):
        agent.call(seed)
    metrics = agent.get("/metrics")[1]
    assert 'testdata_requests_total{path="/testdata.v1.TestDataService/GenerateData",status="OK"} 40.0' in metrics
    assert 'testdata_workers{state="ready"} 2.0' in metrics
    assert agent.stop() == 0
    events = agent.events()  # every line of every process is one JSON object
    served = {e["worker"] for e in events if e["event"] == "request" and e.get("method") == "GenerateData"}
    assert served == {0, 1}, "connections were not spread over both workers"
    assert [e["event"] for e in events if e.get("role") == "supervisor"][-1] == "agent stopped"


def test_pin_workers_false_leaves_the_workers_to_the_kernel(pool: Callable[..., Pool]) -> None:
    # On this 2-core machine (and CI's) two workers would each get a core of their own (the test above).
    agent = pool(WORKERS="2", PIN_WORKERS="false")
    workers = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "two ready workers")
    assert agent.started["worker_cpus"] is None
    assert all(os.sched_getaffinity(w["pid"]) == os.sched_getaffinity(0) for w in workers)
    assert agent.stop() == 0


def test_a_killed_worker_is_replaced_while_the_port_keeps_answering(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="2")
    before = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "two ready workers")
    victim = before[0]["pid"]
    cpus = {w["index"]: os.sched_getaffinity(w["pid"]) for w in before}
    os.kill(victim, signal.SIGKILL)
    for seed in range(20):  # the other worker answers on the same port meanwhile
        agent.call(1000 + seed)
    def replaced() -> list[dict[str, Any]] | None:
        # The supervisor notices the exit on its next poll: until then /health still lists the dead worker.
        workers = agent.ready_workers()
        return workers if len(workers) == 2 and victim not in {w["pid"] for w in workers} else None

    after = agent.wait_for(replaced, "a replacement")
    assert victim not in {w["pid"] for w in after}
    assert {w["index"]: os.sched_getaffinity(w["pid"]) for w in after} == cpus  # the replacement's core is its own
    assert agent.get("/health")[1]["restarts"] == {"exited": 1}
    assert 'testdata_worker_restarts_total{reason="exited"} 1.0' in agent.get("/metrics")[1]
    assert agent.stop() == 0
    exited = [e for e in agent.events() if e["event"] == "worker exited; starting another"]
    assert exited and exited[0]["pid"] == victim and exited[0]["exit_code"] == -signal.SIGKILL


def test_a_hung_worker_is_killed_and_replaced(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="2", WORKER_LIVENESS_TIMEOUT_SECONDS="2")
    before = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "two ready workers")
    frozen = before[1]["pid"]
    os.kill(frozen, signal.SIGSTOP)  # stands for a worker stuck in a call that holds the interpreter
    try:
        agent.wait_for(lambda: any(e["event"] == "worker stopped answering its liveness probe; replacing it"
                                   for e in agent.events()), "replacing the hung worker", 30)
        agent.call(7)
        after = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "a replacement")
        assert frozen not in {w["pid"] for w in after}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(frozen, signal.SIGCONT)
    assert agent.stop() == 0


def test_a_worker_over_its_memory_limit_is_replaced_once_its_successor_is_ready(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="1", WORKER_MAX_MEMORY_MB="1")  # every worker is over 1 MiB: each gets replaced
    first = agent.wait_for(agent.ready_workers, "a ready worker")[0]["pid"]
    over = agent.wait_for(lambda: [e for e in agent.events()
                                   if e["event"] == "worker over its memory limit; replacing it"], "the limit")
    assert over[0]["pid"] == first and over[0]["limit_mb"] == 1 and over[0]["rss_mb"] > 1
    for seed in range(10):  # the port answers throughout: the old worker serves until the new one is ready
        agent.call(2000 + seed)
    agent.wait_for(lambda: any(w["pid"] != first for w in agent.ready_workers()), "the successor serving")
    assert agent.stop() == 0
    first_lines = [e for e in agent.events() if e.get("worker") == 0 and e["event"] == "agent stopped"]
    assert first_lines, "the replaced worker drained and stopped"


def test_sigterm_drains_every_worker_and_exits_zero(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="2", SHUTDOWN_GRACE_SECONDS="20")
    agent.wait_for(lambda: len(agent.ready_workers()) == 2, "two ready workers")
    stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(agent.grpc))
    stream = stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=20_000, seed=3), timeout=60)
    received = len(json.loads(next(stream).records_json))
    agent.proc.send_signal(signal.SIGTERM)
    agent.wait_for(lambda: agent.get("/health/ready")[0] == 503, "readiness dropping", 10)
    for chunk in stream:
        received += len(json.loads(chunk.records_json))
    assert received == 20_000
    assert agent.stop() == 0


def test_readiness_drops_only_once_every_worker_refuses_new_calls(pool: Callable[..., Pool]) -> None:
    """After SIGTERM a probe that reads 503 can trust it: no worker takes a new call any more, not even one
    that handles the signal late (a stopped worker stands for one the scheduler has not run yet), and every
    worker keeps answering "shutting down" while another one still finishes a stream."""
    agent = pool(WORKERS="2", SHUTDOWN_GRACE_SECONDS="20")
    workers = agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(), "two ready workers")
    # Connected before SIGTERM, each on a connection of its own: the kernel spreads them over both workers.
    channels = [grpc.insecure_channel(agent.grpc, options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(8)]
    for channel in channels:
        grpc.channel_ready_future(channel).result(timeout=20)
    stream = pb_grpc.TestDataServiceStub(grpc.insecure_channel(agent.grpc)).GenerateDataStream(
        pb.GenerateDataRequest(entity="user", count=20_000, seed=5), timeout=120)
    received = len(json.loads(next(stream).records_json))
    late = workers[1]["pid"]
    os.kill(late, signal.SIGSTOP)
    try:
        sent = time.monotonic()
        agent.proc.send_signal(signal.SIGTERM)
        while time.monotonic() - sent < 1.0:
            status = agent.get("/health/ready")[0]
            if time.monotonic() - sent < 4.0:  # the supervisor gives up on a silent worker after 5 s
                assert status == 200, "readiness dropped while a worker had not begun refusing new calls"
            time.sleep(0.05)
    finally:
        os.kill(late, signal.SIGCONT)
    agent.wait_for(lambda: agent.get("/health/ready")[0] == 503, "readiness dropping", 20)
    for channel in channels:
        with pytest.raises(grpc.RpcError) as refused:
            pb_grpc.TestDataServiceStub(channel).GenerateData(pb.GenerateDataRequest(entity="user"), timeout=10)
        assert refused.value.code() is grpc.StatusCode.UNAVAILABLE, (refused.value.code(), refused.value.details())
        assert "shutting down" in str(refused.value.details())
    for chunk in stream:
        received += len(json.loads(chunk.records_json))
    assert received == 20_000
    assert agent.stop() == 0
    # Each process writes its log lines from a background thread (agent/log_lines.py), so the pipe's order is
    # not the order of events across processes: their timestamps, taken when each line was logged, are.
    said = [(e.get("role", "worker"), e.get("worker"))
            for e in sorted(agent.events(), key=lambda e: str(e.get("timestamp", "")))
            if e["event"] == "agent draining"]
    assert said.index(("supervisor", None)) == 2, f"readiness dropped before both workers drained: {said}"


def test_workers_exit_when_the_supervisor_is_killed(pool: Callable[..., Pool]) -> None:
    agent = pool(WORKERS="2")
    pids = [w["pid"] for w in agent.wait_for(lambda: len(agent.ready_workers()) == 2 and agent.ready_workers(),
                                             "two ready workers")]
    agent.proc.kill()
    agent.proc.wait()

    def gone() -> bool:
        for pid in pids:
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                continue
        return True

    agent.wait_for(gone, "the workers to exit", 90)


def test_a_bad_setting_stops_the_supervisor_before_any_worker_starts() -> None:
    out = subprocess.run([sys.executable, "-m", "pytest_testdata.agent", "--grpc-port", "0", "--http-port", "0"],
                         env={**os.environ, "WORKERS": "2", "MAX_STREAMS": "0"}, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and len(out.stderr.splitlines()) == 1 and "MAX_STREAMS" in out.stderr


def test_workers_get_a_cpu_each_only_when_there_are_as_many_as_the_cpus_they_may_use(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3, 1})
    monkeypatch.setattr(worker_handle, "available_cores", lambda: 2)
    assert worker_cpus(2) == [1, 3]
    assert worker_cpus(1) is None and worker_cpus(3) is None
    monkeypatch.setattr(worker_handle, "available_cores", lambda: 1)  # a CPU limit below the CPUs it sees
    assert worker_cpus(2) is None
