"""Nothing a caller sends crashes the agent: many malformed requests, then it still serves."""

from __future__ import annotations

import random
import string
from typing import Any

import grpc

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.service import SERVICE_NAME

from .conftest import RunningAgent

EXPECTED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.FAILED_PRECONDITION}


def _text(rng: random.Random) -> str:
    alphabet = string.printable + "éü中🙂\x00\u202e"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 6 if depth < 2 else 4)
    if kind == 5:
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return (None, rng.uniform(-1e12, 1e12), _text(rng), rng.random() < 0.5, rng.randint(-10, 10))[kind]


def _request(rng: random.Random) -> pb.GenerateDataRequest:
    request = pb.GenerateDataRequest(
        entity=rng.choice(["user", "cart", "order", "payment", "product", "review", "", _text(rng)]),
        strategy=rng.choice(["", "auto", "traditional", "llm", "rag", "hybrid", _text(rng)]),
        variant=rng.choice(["", "valid", "invalid", _text(rng)]),
        locale=rng.choice(["", "en_US", "de_DE", "xx_YY", _text(rng)]),
        context=_text(rng) if rng.random() < 0.3 else "",
        hints=[rng.choice(["fast", "realistic", "bulk", _text(rng)]) for _ in range(rng.randint(0, 2))],
        learn_from_history=rng.random() < 0.2, defect_triggering=rng.random() < 0.2,
    )
    if rng.random() < 0.8:
        request.count = rng.choice([0, 1, 2, 5, -1, 2**31 - 1, -(2**31), 1001, rng.randint(-100, 100)])
    if rng.random() < 0.5:
        request.seed = rng.randint(-(2**63), 2**63 - 1)
    if rng.random() < 0.5:
        field = rng.choice(["total", "email", "items", "rating", _text(rng)])
        request.constraints.update({field: _value(rng)} if rng.random() < 0.3 else
                                   {field: {rng.choice(["min", "max", "enum", "regex", "length", "unique",
                                                        "min_length", _text(rng)]): _value(rng)
                                            for _ in range(rng.randint(1, 3))}})
    if rng.random() < 0.3:
        request.options.update({rng.choice(["break", "_cassette", "provider", _text(rng)]): _value(rng)})
    if rng.random() < 0.1:
        request.batch_size = rng.randint(-5, 20_000)
    return request


def test_malformed_requests_never_crash_the_agent(agent: RunningAgent) -> None:
    rng = random.Random(20240611)
    channel = agent.channel()
    stub = pb_grpc.TestDataServiceStub(channel)
    raw = channel.unary_unary(f"/{SERVICE_NAME}/GenerateData", request_serializer=lambda b: b,
                              response_deserializer=lambda b: b)
    seen: dict[grpc.StatusCode, int] = {}
    internal: list[str] = []
    for i in range(400):
        request = _request(rng)
        try:
            if i % 5 == 4:
                for _ in stub.GenerateDataStream(request, timeout=20):
                    pass
            else:
                stub.GenerateData(request, timeout=20)
            code = grpc.StatusCode.OK
        except grpc.RpcError as exc:
            code = exc.code()
            if code not in EXPECTED:
                internal.append(f"{code.name}: {exc.details()} <- {request}")
            else:
                assert exc.details(), f"{code.name} without a message for {request}"
        seen[code] = seen.get(code, 0) + 1
    for _ in range(100):  # bytes that are not a GenerateDataRequest at all
        try:
            raw(bytes(rng.randrange(256) for _ in range(rng.randint(1, 200))), timeout=10)
        except grpc.RpcError as exc:
            assert exc.code() in EXPECTED | {grpc.StatusCode.INTERNAL}  # grpc's own "cannot deserialize"
    assert not internal, "\n".join(internal[:5])
    assert seen.get(grpc.StatusCode.OK) and seen.get(grpc.StatusCode.INVALID_ARGUMENT)
    assert stub.HealthCheck(pb.HealthCheckRequest()).status == "SERVING"
    assert stub.GenerateData(pb.GenerateDataRequest(entity="user", count=2)).metadata.count == 2
