"""Saturation is visible and fair: long streams have a budget of their own, unary calls and health checks
always find a thread, a call beyond capacity is refused at once with a retry hint, and readiness says so."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.service import SERVICE_NAME

from .conftest import RunningAgent, start_agent

LONG = pb.GenerateDataRequest(entity="user", count=1_000_000, seed=5)


def _ready(agent: RunningAgent) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(agent.http + "/health/ready", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _open_streams(agent: RunningAgent, n: int) -> tuple[list[Any], list[grpc.RpcError]]:
    """``n`` long streams on their own connections, each read to its first chunk (then left unread, so
    its thread stays busy), or refused."""
    running, refused = [], []
    for _ in range(n):
        stub = pb_grpc.TestDataServiceStub(agent.channel())
        call = stub.GenerateDataStream(LONG, timeout=120)
        try:
            next(call)
            running.append(call)
        except grpc.RpcError as exc:
            refused.append(exc)
    return running, refused


def _retry_hint(error: grpc.RpcError) -> tuple[int, float]:
    trailers = dict(error.trailing_metadata() or ())
    rich = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    info = error_details_pb2.RetryInfo()
    assert rich.details[0].Unpack(info)
    return int(trailers["grpc-retry-pushback-ms"]), info.retry_delay.ToMilliseconds()


@pytest.fixture
def agent_of(request: pytest.FixtureRequest) -> Iterator[Any]:
    started: list[RunningAgent] = []

    def start(**settings: Any) -> RunningAgent:
        running = start_agent(**settings)
        started.append(running)
        return running

    yield start
    for running in started:
        running.server.stop(grace=0)


def test_sixteen_long_streams_leave_unary_calls_and_health_checks_answering(agent_of: Any) -> None:
    agent = agent_of()  # the defaults: 32 threads, at most 8 streams
    streams, refused = _open_streams(agent, 16)
    try:
        assert len(streams) == 8 and len(refused) == 8
        for error in refused:
            assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "8 of 8 streams are running" in error.details() and "Retry in 1000 ms" in error.details()
            assert _retry_hint(error) == (1000, 1000)
        stub = pb_grpc.TestDataServiceStub(agent.channel())
        for seed in range(5):  # unary calls keep their threads (a deadline, not a timing threshold)
            reply = stub.GenerateData(pb.GenerateDataRequest(entity="user", count=5, seed=seed), timeout=10)
            assert len(json.loads(reply.records_json)) == 5
        assert stub.HealthCheck(pb.HealthCheckRequest(), timeout=10).status == "SERVING"
        standard = health_pb2_grpc.HealthStub(agent.channel())
        assert standard.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=10).status == \
            health_pb2.HealthCheckResponse.SERVING
        assert _ready(agent)[0] == 200  # streams at their budget: unary capacity left, still ready
    finally:
        for call in streams:
            call.cancel()
    events = agent.log_lines()
    assert sum(1 for e in events if e["event"] == "call refused at capacity") == 8


def test_saturated_agent_refuses_at_once_with_a_retry_hint_and_reports_not_serving(agent_of: Any) -> None:
    agent = agent_of(grpc_max_workers=6, max_streams=4)  # 4 generation slots, all usable by streams
    streams, refused = _open_streams(agent, 4)
    try:
        assert len(streams) == 4 and not refused
        stub = pb_grpc.TestDataServiceStub(agent.channel())
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as info:
            stub.GenerateData(pb.GenerateDataRequest(entity="user", count=1), timeout=30)
        waited = time.monotonic() - started
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "4 of 4 generation calls are running" in info.value.details()
        assert "request id" in info.value.details()
        assert _retry_hint(info.value) == (100, 100)
        assert waited < 30  # refused, not queued until the deadline
        status, body = _ready(agent)
        assert status == 503 and "saturated" in body["detail"]
        standard = health_pb2_grpc.HealthStub(agent.channel())
        assert standard.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=10).status == \
            health_pb2.HealthCheckResponse.NOT_SERVING
        report = stub.HealthCheck(pb.HealthCheckRequest(), timeout=10)  # health always has a thread
        assert report.status == "NOT_SERVING"
        assert any(c.name == "capacity" and "saturated" in c.detail for c in report.components)
    finally:
        for call in streams:
            call.cancel()
    deadline = time.monotonic() + 20
    while _ready(agent)[0] != 200:  # capacity comes back as the streams end
        assert time.monotonic() < deadline, _ready(agent)
        time.sleep(0.05)
    standard = health_pb2_grpc.HealthStub(agent.channel())
    assert standard.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=10).status == \
        health_pb2.HealthCheckResponse.SERVING
    reply = pb_grpc.TestDataServiceStub(agent.channel()).GenerateData(pb.GenerateDataRequest(entity="user"),
                                                                       timeout=10)
    assert reply.records_json
    metrics = urllib.request.urlopen(agent.http + "/metrics", timeout=10).read().decode()
    assert 'testdata_refused_total{budget="generation calls"} 1.0' in metrics
