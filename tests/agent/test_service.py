"""TestDataService over a real connection: results, streams, schemas, health, and every bad request."""

from __future__ import annotations

import json
import subprocess
import sys

import grpc
import pytest

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.client import AgentClient
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest

from .conftest import RunningAgent


@pytest.fixture
def stub(agent: RunningAgent) -> pb_grpc.TestDataServiceStub:
    return pb_grpc.TestDataServiceStub(agent.channel())


def test_generate_data_returns_records_and_metadata(stub: pb_grpc.TestDataServiceStub) -> None:
    response, call = stub.GenerateData.with_call(pb.GenerateDataRequest(entity="user", count=3, seed=7))
    records = json.loads(response.records_json)
    assert len(records) == 3 and {"user_id", "email"} <= set(records[0])
    meta = response.metadata
    assert (meta.entity, meta.count, meta.strategy, meta.seed) == ("user", 3, "traditional", 7)
    assert meta.reason and set(meta.timings) >= {"route", "generate", "validate", "total"}
    assert 0 <= meta.coherence <= 1 and len(meta.coherence_scores) == 3
    header = dict(call.initial_metadata())["x-request-id"]
    assert header == response.request_id and len(header) == 32


def test_a_repeated_seeded_call_is_a_cache_hit_with_the_same_records(stub: pb_grpc.TestDataServiceStub) -> None:
    wanted = pb.GenerateDataRequest(entity="user", count=4, seed=9071, locale="de_DE")
    first, again = stub.GenerateData(wanted), stub.GenerateData(wanted)
    assert not first.metadata.cache_hit and again.metadata.cache_hit
    assert again.records_json == first.records_json
    local = Engine().generate(GenerationRequest.checked("user", 4, seed=9071, locale="de_DE"))
    assert json.loads(again.records_json) == local.records
    assert list(again.metadata.coherence_scores) == list(first.metadata.coherence_scores)


def test_same_seed_gives_local_records(client: AgentClient) -> None:
    request = GenerationRequest.checked("cart", 5, seed=42, constraints={"total": {"max": 300}})
    assert client.generate(request).records == Engine().generate(request).records


def test_request_id_from_the_caller_is_kept(stub: pb_grpc.TestDataServiceStub, agent: RunningAgent) -> None:
    response, call = stub.GenerateData.with_call(pb.GenerateDataRequest(entity="cart"),
                                                 metadata=(("x-request-id", "trace-me-123"),))
    assert response.request_id == "trace-me-123"
    assert dict(call.initial_metadata())["x-request-id"] == "trace-me-123"
    logged = [line for line in agent.log_lines() if line.get("request_id") == "trace-me-123"]
    assert logged and logged[-1]["status"] == "OK" and logged[-1]["entity"] == "cart"


def test_stream_sends_indexed_chunks_with_metadata_last(stub: pb_grpc.TestDataServiceStub) -> None:
    chunks = list(stub.GenerateDataStream(pb.GenerateDataRequest(entity="product", count=1234, seed=3)))
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(len(json.loads(c.records_json)) == 50 for c in chunks[:-1])  # default batch size
    assert sum(len(json.loads(c.records_json)) for c in chunks) == 1234
    assert [c.offset for c in chunks] == [i * 50 for i in range(len(chunks))]
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert not chunks[0].HasField("metadata") and chunks[-1].metadata.count == 1234
    assert chunks[-1].metadata.seed == 3 and len(chunks[-1].metadata.coherence_scores) == 1234


def test_stream_records_equal_the_cli_output_for_the_seed(client: AgentClient, tmp_path) -> None:
    request = GenerationRequest.checked("user", 1500, seed=11)
    streamed = [r for chunk in client.stream(request, batch_size=200) for r in chunk.records]
    out = tmp_path / "users.jsonl"
    subprocess.run([sys.executable, "-m", "pytest_testdata.cli", "generate", "user", "-n", "1500", "--seed", "11",
                    "--format", "jsonl", "-o", str(out)], check=True, capture_output=True)
    assert streamed == [json.loads(line) for line in out.read_text().splitlines()]


def test_client_streams_past_max_sync_records(client: AgentClient) -> None:
    result = client.generate(GenerationRequest.checked("review", 1001, seed=5))
    assert len(result.records) == 1001 and result.metadata.details["remote_stream"] is True


def test_get_schemas_filters_by_domain_and_lists_fields(stub: pb_grpc.TestDataServiceStub) -> None:
    everything = stub.GetSchemas(pb.GetSchemasRequest()).schemas
    names = {s.name for s in everything}
    assert {"user", "cart", "order", "payment", "product", "review"} <= names
    domain = everything[0].domain
    filtered = stub.GetSchemas(pb.GetSchemasRequest(domain=domain)).schemas
    assert filtered and all(s.domain == domain for s in filtered)
    user = next(s for s in everything if s.name == "user")
    assert "email" in user.fields and json.loads(user.json_schema)["properties"]["email"]


def test_health_check_lists_components(stub: pb_grpc.TestDataServiceStub) -> None:
    health = stub.HealthCheck(pb.HealthCheckRequest())
    assert health.status == "SERVING" and health.version
    by_name = {c.name: c for c in health.components}
    assert by_name["engine"].status == "healthy" and by_name["engine"].required
    assert by_name["strategy:traditional"].status == "healthy"
    assert {"cache", "strategy:llm", "strategy:rag", "strategy:hybrid"} <= set(by_name)


def _error(call, request, **kw) -> grpc.RpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as info:
        call(request, **kw)
    return info.value


@pytest.mark.parametrize("method", ["GenerateData", "GenerateDataStream"])
def test_unknown_entity_is_not_found_with_the_known_names(stub, method) -> None:  # type: ignore[no-untyped-def]
    call = getattr(stub, method)
    err = _error(lambda r: list(call(r)) if method.endswith("Stream") else call(r),
                 pb.GenerateDataRequest(entity="usr"))
    assert err.code() is grpc.StatusCode.NOT_FOUND
    assert "'usr'" in err.details() and "did you mean 'user'" in err.details() and "cart" in err.details()


@pytest.mark.parametrize(("request_", "field"), [
    (pb.GenerateDataRequest(entity="user", count=0), "count"),
    (pb.GenerateDataRequest(entity="user", count=-5), "count"),
    (pb.GenerateDataRequest(entity="user", strategy="magic"), "strategy"),
    (pb.GenerateDataRequest(entity="user", hints=["speedy"]), "hints"),
    (pb.GenerateDataRequest(entity="user", variant="broken"), "variant"),
    (pb.GenerateDataRequest(entity="user", batch_size=10), "batch_size"),
])
def test_bad_arguments_are_invalid_argument_naming_the_field(stub, request_, field) -> None:  # type: ignore[no-untyped-def]
    err = _error(stub.GenerateData, request_)
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert err.details().startswith(field)


def test_contradictory_constraints_name_the_field(stub) -> None:  # type: ignore[no-untyped-def]
    request = pb.GenerateDataRequest(entity="cart")
    request.constraints.update({"total": {"min": 10, "max": 1}})
    err = _error(stub.GenerateData, request)
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT and "constraints['total']" in err.details()
    request = pb.GenerateDataRequest(entity="cart")
    request.constraints.update({"total": {"regex": "(["}})
    assert "not a valid regular expression" in _error(stub.GenerateData, request).details()


def test_over_max_sync_records_points_to_the_stream(stub) -> None:  # type: ignore[no-untyped-def]
    err = _error(stub.GenerateData, pb.GenerateDataRequest(entity="user", count=1001))
    assert err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "GenerateDataStream" in err.details() and "1,000" in err.details()


def test_oversized_context_is_invalid_argument(stub) -> None:  # type: ignore[no-untyped-def]
    err = _error(stub.GenerateData, pb.GenerateDataRequest(entity="user", context="x" * 20_001))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT and err.details().startswith("context")
    assert "MAX_CONTEXT_CHARS" in err.details()


def test_oversized_message_is_resource_exhausted(stub) -> None:  # type: ignore[no-untyped-def]
    err = _error(stub.GenerateData, pb.GenerateDataRequest(entity="user", context="x" * (5 * 1024 * 1024)))
    assert err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_unknown_domain_is_not_found(stub) -> None:  # type: ignore[no-untyped-def]
    err = _error(stub.GetSchemas, pb.GetSchemasRequest(domain="ecomerce"))
    assert err.code() is grpc.StatusCode.NOT_FOUND and "Known domains" in err.details()


def test_bad_batch_size_on_the_stream(stub) -> None:  # type: ignore[no-untyped-def]
    err = _error(lambda r: list(stub.GenerateDataStream(r)), pb.GenerateDataRequest(entity="user", batch_size=0))
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT and err.details().startswith("batch_size")


def test_deadline_ends_a_long_stream_and_the_server_goes_on(agent: RunningAgent, stub) -> None:  # type: ignore[no-untyped-def]
    stream = stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=200_000, seed=1), timeout=0.5)
    with pytest.raises(grpc.RpcError) as info:
        for _ in stream:
            pass
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert stub.GenerateData(pb.GenerateDataRequest(entity="user"), timeout=10).metadata.count == 1


def test_client_errors_read_like_the_local_ones(client: AgentClient) -> None:
    from pytest_testdata.errors import TestdataUsageError

    with pytest.raises(TestdataUsageError, match=r"unknown entity 'usr'.*NOT_FOUND"):
        client.generate(GenerationRequest.checked("usr"))


def test_unary_deadline_is_honoured(stub: pb_grpc.TestDataServiceStub, agent: RunningAgent) -> None:
    with pytest.raises(grpc.RpcError) as info:
        stub.GenerateData(pb.GenerateDataRequest(entity="order", count=1000, seed=1), timeout=0.005)
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert stub.GenerateData(pb.GenerateDataRequest(entity="user"), timeout=10).metadata.count == 1
