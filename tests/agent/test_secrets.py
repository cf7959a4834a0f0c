"""Secrets never leave the process: masked on /health and in logs; with AUTH_TOKEN set, reflection and the
detailed /health need the token while liveness, readiness and metrics stay open for probes."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .conftest import grpcurl_path, start_agent


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("url", [
    "redis://:pw-userinfo@127.0.0.1:{port}/0",
    "redis://127.0.0.1:{port}/0?password=pw-query",
    "redis://agent:pw-user@127.0.0.1:{port}/0?db=0&password=pw-both",
])
def test_redis_credentials_are_masked_on_health_and_in_logs(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = url.format(port=_dead_port())  # nothing listens: the cache is down and the agent not ready
    monkeypatch.setenv("REDIS_URL", url)
    running = start_agent(redis_url=url)
    try:
        deadline = time.monotonic() + 20
        while not any(e["event"] == "agent not ready" for e in running.log_lines()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for path in ("/health", "/health/ready"):
            status, body = _get(running.http + path)
            assert status == 503 and "127.0.0.1" in body, body
            assert "pw-" not in body, body
        assert "redis://" in _get(running.http + "/health")[1]  # still says which Redis it means
        logs = running.logs.getvalue()
        assert '"agent not ready"' in logs and "pw-" not in logs
    finally:
        running.server.stop(grace=0)


def test_with_a_token_only_probes_and_metrics_are_open() -> None:
    running = start_agent(auth_token="s3cret")
    try:
        for path in ("/health/live", "/health/ready", "/metrics"):
            assert _get(running.http + path)[0] == 200, path
        status, body = _get(running.http + "/health")
        assert status == 401 and "Authorization: Bearer <token>" in body
        assert "version" not in json.loads(body) and "components" not in body
        assert _get(running.http + "/health", token="wrong")[0] == 401
        status, body = _get(running.http + "/health", token="s3cret")
        assert status == 200 and json.loads(body)["components"]
    finally:
        running.server.stop(grace=0)


def test_without_a_token_configured_the_detailed_health_is_open() -> None:
    running = start_agent()
    try:
        assert _get(running.http + "/health")[0] == 200
    finally:
        running.server.stop(grace=0)


def _grpcurl(address: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([grpcurl_path(), "-plaintext", "-max-time", "30", *args, address, "list"],
                          capture_output=True, text=True, timeout=60)


def test_reflection_requires_the_token_when_one_is_set() -> None:
    running = start_agent(auth_token="s3cret")
    try:
        for headers in ((), ("-H", "authorization: Bearer wrong")):
            out = _grpcurl(running.address, *headers)
            assert out.returncode != 0
            assert "Unauthenticated" in out.stderr and "AUTH_TOKEN" in out.stderr, out.stderr
        out = _grpcurl(running.address, "-H", "authorization: Bearer s3cret")
        assert out.returncode == 0, out.stderr
        assert "testdata.v1.TestDataService" in out.stdout.split()
    finally:
        running.server.stop(grace=0)


def test_with_a_token_the_grpc_health_check_gives_details_only_to_callers_with_it() -> None:
    import grpc

    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

    running = start_agent(auth_token="s3cret")
    try:
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(running.address))  # type: ignore[no-untyped-call]
        full_features = stub.HealthCheck(pb.HealthCheckRequest(), metadata=(("authorization", "Bearer s3cret"),),
                                         timeout=10).features
        assert full_features  # the features a client checks before it sends a cassette stay open
        for metadata in ((), (("authorization", "Bearer wrong"),)):
            bare = stub.HealthCheck(pb.HealthCheckRequest(), metadata=metadata, timeout=10)
            assert bare.status == "SERVING"  # the status stays open for probes, like /health/live
            assert (bare.version, bare.service_name, bare.uptime_seconds, list(bare.components)) == ("", "", 0.0, [])
            assert list(bare.features) == list(full_features)
        full = stub.HealthCheck(pb.HealthCheckRequest(), metadata=(("authorization", "Bearer s3cret"),), timeout=10)
        assert full.status == "SERVING" and full.version and full.service_name == "testdata-agent"
        assert {c.name for c in full.components} >= {"engine"}
    finally:
        running.server.stop(grace=0)


def test_without_a_token_configured_the_grpc_health_check_gives_details() -> None:
    import grpc

    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

    running = start_agent()
    try:
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(running.address))  # type: ignore[no-untyped-call]
        report = stub.HealthCheck(pb.HealthCheckRequest(), timeout=10)
        assert report.version and report.components
    finally:
        running.server.stop(grace=0)
