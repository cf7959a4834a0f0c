"""The ``x-request-id`` header of a unary call travels with its reply or its error (reply_headers)."""

from __future__ import annotations

from concurrent import futures

import grpc
import pytest

from pytest_testdata.agent import reply_headers
from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import RunningAgent


def test_this_grpcio_takes_headers_with_the_reply() -> None:
    # Else every unary call of the agent falls back to a write of its own for its header (still correct).
    assert reply_headers.install()


def test_an_error_carries_the_request_id_header_and_ends_its_message(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    with pytest.raises(grpc.RpcError) as raised:
        stub.GenerateData(pb.GenerateDataRequest(entity="no_such_entity"), metadata=(("x-request-id", "err-7"),))
    call = raised.value
    assert call.code() is grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    assert dict(call.initial_metadata())["x-request-id"] == "err-7"  # type: ignore[attr-defined]
    assert call.details().endswith("(request id err-7)")  # type: ignore[attr-defined]


def test_each_call_gets_its_own_header(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    seen = set()
    for i in range(5):
        response, call = stub.GenerateData.with_call(pb.GenerateDataRequest(entity="user", seed=i))
        header = dict(call.initial_metadata())["x-request-id"]
        assert header == response.request_id
        seen.add(header)
    assert len(seen) == 5


def test_a_stream_sends_its_header_before_its_first_chunk(agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(agent.channel())
    stream = stub.GenerateDataStream(pb.GenerateDataRequest(entity="user", count=120, seed=1, batch_size=10),
                                     metadata=(("x-request-id", "stream-3"),))
    assert dict(stream.initial_metadata())["x-request-id"] == "stream-3"
    assert sum(1 for _ in stream) == 12


def test_another_server_in_the_process_sends_only_its_own_headers() -> None:
    reply_headers.install()

    def echo(request: bytes, context: grpc.ServicerContext) -> bytes:
        return request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "plain.Echo", {"Call": grpc.unary_unary_rpc_method_handler(echo, lambda b: b, lambda b: b)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply, call = channel.unary_unary("/plain.Echo/Call", lambda b: b, lambda b: b).with_call(b"hi")
        assert reply == b"hi"
        assert "x-request-id" not in dict(call.initial_metadata() or ())
    finally:
        server.stop(0)
