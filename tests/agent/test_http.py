"""The HTTP side over real HTTP: health, liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import grpc
import pytest

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import RunningAgent, start_agent


def get(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_health_endpoints_when_ready(agent: RunningAgent) -> None:
    status, body = get(agent.http + "/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "SERVING"
    assert {c["name"] for c in health["components"]} >= {"engine", "cache", "strategy:traditional"}
    assert get(agent.http + "/health/live")[0] == 200
    status, body = get(agent.http + "/health/ready")
    assert status == 200 and json.loads(body)["ready"] is True


def test_metrics_count_requests_records_durations_and_violations(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    stub.GenerateData(pb.GenerateDataRequest(entity="user", count=4, seed=1))
    invalid = pb.GenerateDataRequest(entity="order", count=2, seed=1, variant="invalid")
    stub.GenerateData(invalid)
    with pytest.raises(grpc.RpcError):
        stub.GenerateData(pb.GenerateDataRequest(entity="nope"))
    status, text = get(agent.http + "/metrics")
    assert status == 200
    assert 'testdata_requests_total{path="/testdata.v1.TestDataService/GenerateData",status="OK"}' in text
    assert 'testdata_requests_total{path="/testdata.v1.TestDataService/GenerateData",status="NOT_FOUND"} 1.0' in text
    assert 'testdata_records_generated_total{entity="user",strategy="traditional"}' in text
    assert "testdata_generation_duration_seconds_bucket{" in text
    assert 'testdata_validation_errors_total{entity="order"' in text
    assert 'testdata_requests_total{path="/health",status="200"}' in text or "/health" not in text


def test_unknown_path_and_method(agent: RunningAgent) -> None:
    status, body = get(agent.http + "/healthz")
    assert status == 404 and "/health/ready" in body
    assert get(agent.http + "/health", method="POST")[0] == 405


def test_not_ready_while_a_configured_component_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Redis URL nobody listens on: the cache is configured, so the agent must not claim to be ready.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")  # what the engine's cache layer reads
    running = start_agent(redis_url="redis://127.0.0.1:9/0")
    try:
        status, body = get(running.http + "/health/ready")
        assert status == 503 and "cache" in json.loads(body)["detail"]
        assert get(running.http + "/health/live")[0] == 200
        assert json.loads(get(running.http + "/health")[1])["status"] == "NOT_SERVING"
        # Requests still work: a cache that is down slows requests, it never fails them.
        stub = pb_grpc.TestDataServiceStub(running.channel())
        assert stub.GenerateData(pb.GenerateDataRequest(entity="user")).metadata.count == 1
    finally:
        running.server.stop(grace=1)


def test_metrics_can_be_switched_off() -> None:
    running = start_agent(prometheus_enabled=False)
    try:
        status, body = get(running.http + "/metrics")
        assert status == 404 and "PROMETHEUS_ENABLED" in body
    finally:
        running.server.stop(grace=1)


def test_draining_agent_is_not_ready_but_alive() -> None:
    running = start_agent()
    running.server.health.draining.set()
    try:
        status, body = get(running.http + "/health/ready")
        assert status == 503 and "draining" in json.loads(body)["detail"]
        assert get(running.http + "/health/live")[0] == 200
        stub = pb_grpc.TestDataServiceStub(running.channel())
        assert stub.HealthCheck(pb.HealthCheckRequest()).status == "DRAINING"
        with pytest.raises(grpc.RpcError) as info:
            stub.GenerateData(pb.GenerateDataRequest(entity="user"))
        assert info.value.code() is grpc.StatusCode.UNAVAILABLE and "shutting down" in info.value.details()
    finally:
        running.server.stop(grace=1)


def test_not_ready_until_the_engine_has_warmed_up() -> None:
    from pytest_testdata.agent.health import NOT_CONFIGURED, Component, Health
    from pytest_testdata.engine import Engine

    health = Health(Engine(), lambda: Component("cache", NOT_CONFIGURED))
    ready, why = health.ready()
    assert not ready and "engine starting" in why and health.status() == "NOT_SERVING"
    health.warm_up()
    assert health.ready() == (True, "ready") and health.status() == "SERVING"


def test_a_failed_http_request_is_one_structured_line() -> None:
    """socketserver would print the traceback between dashed lines on stderr; the agent logs one JSON line,
    and a client that went away before its answer (a probe that timed out) is not an error."""
    running = start_agent()
    try:
        server = running.server.http.server
        try:
            raise BrokenPipeError(32, "Broken pipe")
        except BrokenPipeError:
            server.handle_error(None, ("127.0.0.1", 40000))
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            server.handle_error(None, ("127.0.0.1", 40001))
        text = running.logs.getvalue()
        assert "-" * 40 not in text
        failed = [line for line in running.log_lines() if line["event"].startswith("http ")]
        assert [line["event"] for line in failed] == ["http request failed"]
        assert "RuntimeError: boom" in failed[0]["exception"] and "40001" in failed[0]["peer"]
    finally:
        running.server.stop(grace=1)
