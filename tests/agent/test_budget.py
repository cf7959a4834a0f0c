"""Every call has a time budget: past the deadline, or once the client is gone, the worker stops and is free.

Before budgets, ``^((a{100}){100}){100}$`` kept a worker busy for over 60 s after the client's 10 s
deadline had passed. Here each heavy call is a real one on loopback; "free again" is read from the
servicer's count of calls in progress.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import RunningAgent, start_agent

SLOW_PATTERN = r"^(([a-z ]|[a-z ])*)*!$"
"""Matched in linear time, but a user's email cannot meet it (it derives from the name): every record
takes all its redraws, so a thousand users keep a worker busy for minutes without a budget."""


@pytest.fixture(scope="module")
def budget_agent() -> Iterator[RunningAgent]:
    running = start_agent()
    yield running
    running.server.stop(grace=1)


def _slow_request(count: int) -> pb.GenerateDataRequest:
    constraints = Struct()
    constraints.update({"email": {"regex": SLOW_PATTERN}})
    return pb.GenerateDataRequest(entity="user", count=count, seed=3, constraints=constraints)


def _wait_idle(agent: RunningAgent, seconds: float) -> bool:
    return agent.server.servicer.wait_idle(seconds)


def test_client_deadline_stops_the_work(budget_agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(budget_agent.channel())
    with pytest.raises(grpc.RpcError) as info:
        stub.GenerateData(_slow_request(1000), timeout=1.0)
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert _wait_idle(budget_agent, 10), "the worker went on generating after the client's deadline"
    log = [line for line in budget_agent.log_lines() if line.get("method") == "GenerateData"][-1]
    assert log["status"] in ("DEADLINE_EXCEEDED", "CANCELLED")


def test_cancelled_stream_stops_the_work(budget_agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(budget_agent.channel())
    call = stub.GenerateDataStream(_slow_request(100_000), timeout=120)
    time.sleep(1.0)
    call.cancel()
    assert _wait_idle(budget_agent, 10), "the stream went on generating after the client cancelled"


def test_the_agents_own_budget_caps_a_call_without_deadline() -> None:
    running = start_agent(unary_budget_seconds=0.5)  # UNARY_BUDGET_SECONDS=0.5
    try:
        stub = pb_grpc.TestDataServiceStub(running.channel())
        with pytest.raises(grpc.RpcError) as info:
            stub.GenerateData(_slow_request(1000))  # no deadline from the client
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        details = info.value.details()
        assert "ran past the agent's budget of 0.5 s per call" in details
        assert "(request id " in details
        assert _wait_idle(running, 10)
    finally:
        running.server.stop(grace=0)


def test_the_stream_budget_caps_a_stream_and_a_dataset_without_deadline() -> None:
    running = start_agent(stream_budget_seconds=0.5)  # STREAM_BUDGET_SECONDS=0.5
    try:
        stub = pb_grpc.TestDataServiceStub(running.channel())
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as info:
            for _ in stub.GenerateDataStream(_slow_request(100_000)):  # no deadline from the client
                pass
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "ran past the agent's budget of 0.5 s per call" in info.value.details()
        assert time.monotonic() - started < 30
        assert _wait_idle(running, 10)
        with pytest.raises(grpc.RpcError) as info:
            for _ in stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"user": 500_000},
                                                                    seed=1)):
                pass
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED, info.value.details()
        assert "(request id " in info.value.details()
        assert _wait_idle(running, 10)
    finally:
        running.server.stop(grace=0)


def test_the_agent_serves_normally_after_stopped_calls(budget_agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(budget_agent.channel())
    assert stub.GenerateData(pb.GenerateDataRequest(entity="user", count=3, seed=1), timeout=10).metadata.count == 3
    assert stub.HealthCheck(pb.HealthCheckRequest(), timeout=5).status in ("SERVING", "DEGRADED")
