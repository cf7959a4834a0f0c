"""A caller's length bounds have a documented cap: ``min_length`` 10**9 is INVALID_ARGUMENT at once, never run.

Before the cap, a string or list drawer would build a value of that length (a worker and its memory held
until the record was done, long past any deadline: the budget is checked between records).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import RunningAgent, start_agent


@pytest.fixture(scope="module")
def capped() -> Iterator[RunningAgent]:
    running = start_agent()
    yield running
    running.server.stop(grace=1)


def _request(constraints: dict[str, Any], count: int = 5) -> pb.GenerateDataRequest:
    struct = Struct()
    struct.update(constraints)
    return pb.GenerateDataRequest(entity="user", count=count, seed=1, constraints=struct)


CASES = {
    "string-min_length": ({"first_name": {"min_length": 10**9}},
                          ["constraints['first_name']: min_length 1,000,000,000 is above the cap of 10,000"]),
    "string-length": ({"last_name": {"length": 10**9}},
                      ["constraints['last_name']: min_length 1,000,000,000 is above the cap of 10,000"]),
    "string-max_length": ({"first_name": {"max_length": 20_000}},
                          ["max_length 20,000 is above the cap", "leave max_length out"]),
    "list-min_length": ({"addresses": {"min_length": 10**9}},
                        ["constraints['addresses']: min_length 1,000,000,000 is above the cap"]),
    "list-min_length-under-string-cap": ({"addresses": {"min_length": 5000}},
                                         ["constraints['addresses'] (user.addresses): min_length 5,000 is above "
                                          "the cap of 1,000 items"]),
    "list-length-range": ({"addresses": {"length": [0, 5000]}},
                          ["(user.addresses): max_length 5,000 is above the cap of 1,000 items"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_length_above_the_cap_is_invalid_argument_naming_field_and_cap(capped: RunningAgent, case: str) -> None:
    constraints, expected = CASES[case]
    stub = pb_grpc.TestDataServiceStub(capped.channel())  # type: ignore[no-untyped-call]
    with pytest.raises(grpc.RpcError) as info:
        stub.GenerateData(_request(constraints), timeout=30)  # a hang would be DEADLINE_EXCEEDED
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    details = info.value.details()
    for text in expected:
        assert text in details, details
    assert "(request id " in details


def test_a_stream_with_a_length_above_the_cap_fails_before_any_chunk(capped: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(capped.channel())  # type: ignore[no-untyped-call]
    chunks = []
    with pytest.raises(grpc.RpcError) as info:
        for chunk in stub.GenerateDataStream(_request({"first_name": {"min_length": 10**9}}, count=10_000),
                                             timeout=30):
            chunks.append(chunk)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    assert "min_length 1,000,000,000 is above the cap of 10,000" in info.value.details()
    assert chunks == []
