"""Logs and traces: JSON log lines with request ids; spans for request, routing and generation."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.observability import build_tracer
from pytest_testdata.agent.settings import load_settings

from .conftest import RunningAgent, start_agent


@pytest.fixture(scope="module")
def traced() -> Iterator[tuple[RunningAgent, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    running = start_agent(span_exporter=exporter)
    yield running, exporter
    running.server.stop(grace=1)


def test_spans_for_request_routing_and_generation(traced: tuple[RunningAgent, InMemorySpanExporter]) -> None:
    running, exporter = traced
    exporter.clear()
    stub = pb_grpc.TestDataServiceStub(running.channel())
    response = stub.GenerateData(pb.GenerateDataRequest(entity="cart", count=2, seed=9))
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert {"testdata.GenerateData", "routing", "generation", "validation"} <= set(spans)
    root = spans["testdata.GenerateData"]
    for child in ("routing", "generation", "validation"):
        assert spans[child].parent is not None and spans[child].parent.span_id == root.context.span_id
        assert spans[child].context.trace_id == root.context.trace_id
    assert root.attributes["testdata.request_id"] == response.request_id
    assert spans["routing"].attributes["testdata.strategy"] == "traditional"
    assert spans["generation"].attributes["testdata.records"] == 2
    assert spans["routing"].end_time <= spans["generation"].start_time
    assert root.resource.attributes["service.name"] == "testdata-agent"


def test_caller_trace_context_is_continued(traced: tuple[RunningAgent, InMemorySpanExporter]) -> None:
    running, exporter = traced
    exporter.clear()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    stub = pb_grpc.TestDataServiceStub(running.channel())
    stub.GenerateData(pb.GenerateDataRequest(entity="user"),
                      metadata=(("traceparent", f"00-{trace_id}-00f067aa0ba902b7-01"),))
    root = next(s for s in exporter.get_finished_spans() if s.name == "testdata.GenerateData")
    assert format(root.context.trace_id, "032x") == trace_id


def test_stream_spans_one_generation_per_engine_call(traced: tuple[RunningAgent, InMemorySpanExporter]) -> None:
    running, exporter = traced
    exporter.clear()
    stub = pb_grpc.TestDataServiceStub(running.channel())
    list(stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=2500, seed=1)))
    names = [s.name for s in exporter.get_finished_spans()]
    assert names.count("generation") == 3 and names.count("testdata.GenerateDataStream") == 1


def test_logs_are_json_with_request_id_and_outcome(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    with pytest.raises(grpc.RpcError):
        stub.GenerateData(pb.GenerateDataRequest(entity="user", count=0), metadata=(("x-request-id", "bad-1"),))
    line = next(line for line in agent.log_lines() if line.get("request_id") == "bad-1")
    assert line["event"] == "request" and line["status"] == "INVALID_ARGUMENT" and line["level"] == "info"
    assert line["service"] == "testdata-agent" and "timestamp" in line and "duration_ms" in line


def test_request_lines_carry_the_call_fields_in_order(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    stub.GenerateData(pb.GenerateDataRequest(entity="user", count=2, seed=4), metadata=(("x-request-id", "ok-1"),))
    list(stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=3, seed=4),
                                 metadata=(("x-request-id", "stream-1"),)))
    unary = next(line for line in agent.log_lines() if line.get("request_id") == "ok-1")
    assert list(unary) == ["service", "environment", "request_id", "method", "peer", "status", "duration_ms",
                           "entity", "count", "strategy", "seed", "cache_hit", "event", "level", "timestamp"]
    assert unary["method"] == "GenerateData" and unary["peer"].startswith("ipv") and unary["status"] == "OK"
    assert (unary["entity"], unary["count"], unary["seed"], unary["cache_hit"]) == ("user", 2, 4, False)
    stream = next(line for line in agent.log_lines() if line.get("request_id") == "stream-1")
    assert list(stream) == ["service", "environment", "request_id", "method", "peer", "entity", "count", "status",
                            "chunks", "duration_ms", "event", "level", "timestamp"]
    assert stream["method"] == "GenerateDataStream" and stream["count"] == 3 and stream["chunks"] == 1


def test_otlp_exporter_is_used_when_an_endpoint_is_set() -> None:
    tracer, provider = build_tracer(load_settings({"OTLP_ENDPOINT": "http://127.0.0.1:4317"}))
    try:
        processors = provider._active_span_processor._span_processors
        exporter = processors[0].span_exporter if hasattr(processors[0], "span_exporter") else \
            processors[0]._batch_processor._exporter
        assert type(exporter).__name__ == "OTLPSpanExporter"
    finally:
        provider.shutdown()
    tracer, provider = build_tracer(load_settings({}))
    assert provider is None and type(tracer).__name__ == "NoOpTracer"


def test_log_level_filters_request_lines() -> None:
    running = start_agent(log_level="WARNING")
    try:
        stub = pb_grpc.TestDataServiceStub(running.channel())
        stub.GenerateData(pb.GenerateDataRequest(entity="user"))
        assert not [line for line in running.log_lines() if line.get("event") == "request"]
    finally:
        running.server.stop(grace=1)
