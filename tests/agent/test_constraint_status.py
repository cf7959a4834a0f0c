"""A request whose records cannot meet its constraints gets FAILED_PRECONDITION, over a real connection.

FAILED_PRECONDITION rather than INVALID_ARGUMENT: the request is well-formed (INVALID_ARGUMENT is for
arguments that are wrong whatever the data), but the data it asks for cannot be made. The trailer
``testdata-error: constraint-violation`` lets the client raise :class:`ConstraintViolationError` again.
"""

from __future__ import annotations

import grpc
import pytest

from pytest_testdata import ConstraintViolationError

from .conftest import start_agent


def test_the_agent_answers_failed_precondition_and_remote_mode_raises_the_same_error() -> None:
    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.types import GenerationRequest

    running = start_agent()
    try:
        stub = pb_grpc.TestDataServiceStub(running.channel())
        request = pb.GenerateDataRequest(entity="cart", count=2, seed=4)
        request.constraints.update({"total": {"max": 0.01}})
        with pytest.raises(grpc.RpcError) as info:
            stub.GenerateData(request, timeout=30)
        err = info.value
        assert err.code() is grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
        assert err.details().startswith("cart: 2 of 2 records break the request's rules: record 0: total: ")  # type: ignore[attr-defined]
        request.options.update({"best_effort": True})
        response = stub.GenerateData(request, timeout=30)
        assert [(v.field, v.rule) for v in response.metadata.violations] == [("total", "max"), ("total", "max")]
        with AgentClient(running.address, timeout=30) as client:
            wanted = GenerationRequest.checked("cart", 2, seed=4, constraints={"total": {"max": 0.01}})
            with pytest.raises(ConstraintViolationError, match=r"cart: 2 of 2 records break"):
                client.generate(wanted)
            assert len(client.generate(wanted.replace(strict=False)).metadata.violations) == 2
    finally:
        running.server.stop(grace=1)
