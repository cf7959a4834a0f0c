"""SIGTERM on a real agent process: readiness drops, new calls are refused, in-flight work finishes, exit 0."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request

import grpc
import pytest

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import start_agent_process


def _ready(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize(("command", "workers"), [(("-m", "pytest_testdata.agent"), "0"),
                                                  (("-m", "pytest_testdata.cli", "serve"), "2")],
                         ids=["python-m-one-process", "testdata-serve-two-workers"])
def test_sigterm_drains_and_exits_zero(command: tuple[str, ...], workers: str) -> None:
    proc, started = start_agent_process({"SHUTDOWN_GRACE_SECONDS": "20", "WORKERS": workers}, command=command)
    try:
        address = f"127.0.0.1:{started['grpc_port']}"
        deadline = time.monotonic() + 30
        while _ready(started["http_port"]) != 200:
            assert time.monotonic() < deadline, "agent never became ready"
            time.sleep(0.1)
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(address))
        total = 20_000
        stream = stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=total, seed=1), timeout=60)
        received = len(json.loads(next(stream).records_json))  # the stream is in flight

        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _ready(started["http_port"]) != 503:
            assert time.monotonic() < deadline, "readiness did not drop after SIGTERM"
            time.sleep(0.05)
        fresh = pb_grpc.TestDataServiceStub(grpc.insecure_channel(address))
        with pytest.raises(grpc.RpcError) as refused:
            fresh.GenerateData(pb.GenerateDataRequest(entity="user"), timeout=5)
        assert refused.value.code() is grpc.StatusCode.UNAVAILABLE, (refused.value.code(), refused.value.details())
        assert "shutting down" in refused.value.details()

        for chunk in stream:  # the in-flight stream runs to its end
            received += len(json.loads(chunk.records_json))
        assert received == total
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        events = [json.loads(line)["event"] for line in proc.stderr.read().splitlines() if line.startswith("{")]
        assert events.index("signal received") < events.index("agent draining") < events.index("agent stopped")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_calls_still_running_after_the_grace_period_are_cut_and_exit_is_zero() -> None:
    proc, started = start_agent_process({"SHUTDOWN_GRACE_SECONDS": "1"})
    try:
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(f"127.0.0.1:{started['grpc_port']}"))
        stream = stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=500_000), timeout=60)
        next(stream)  # in flight, and never read further: it cannot finish within the grace period
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        with pytest.raises(grpc.RpcError):
            for _ in stream:
                pass
        assert proc.stderr is not None
        assert '"grace period over; cancelling calls still running"' in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
