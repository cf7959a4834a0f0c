"""Hostile regular expressions sent to a real agent: each is refused or answered, and probes keep answering.

Before the RE2 budget, ``^(([a-z0-9._@]|[a-z0-9._@])*)*!$`` on a user's email held the interpreter lock
in ``re`` for good: ``/health/live`` timed out and the agent never recovered.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

from .conftest import RunningAgent, start_agent

PROBE_TIMEOUT = 5.0
"""A probe that takes longer than this means the agent is not live (a k8s probe's usual timeout)."""

HOSTILE: list[tuple[str, str, str, grpc.StatusCode, str]] = [
    # (entity, field, pattern, expected code, expected text in the message)
    ("user", "email", r"^(([a-z0-9._@]|[a-z0-9._@])*)*!$", grpc.StatusCode.OK, ""),
    ("product", "name", r"^(([a-z ]|[a-z ])*)*!$", grpc.StatusCode.OK, ""),
    ("user", "email", r"^(a+)+$", grpc.StatusCode.OK, ""),
    ("user", "email", r"^(a|aa)*b$", grpc.StatusCode.OK, ""),
    ("user", "email", r"^a{1000000000}$", grpc.StatusCode.INVALID_ARGUMENT,
     "constraints['email']['regex']: '^a{1000000000}$' repeats 1,000,000,000 times"),
    ("product", "sku", r"^((a{100}){100}){100}$", grpc.StatusCode.INVALID_ARGUMENT,
     "nests counted repetitions that multiply to 10,000"),
    ("user", "email", r"^(?=a)(a)\1$", grpc.StatusCode.INVALID_ARGUMENT, "lookarounds"),
    ("user", "email", "(" * 600 + ")" * 600, grpc.StatusCode.INVALID_ARGUMENT,
     "longer than the 1000 characters a pattern may have"),
    ("user", "email", r"((((a*)*)*)*)*!", grpc.StatusCode.INVALID_ARGUMENT, "longer than 10,000 characters"),
]


@pytest.fixture(scope="module")
def hostile_agent() -> Iterator[RunningAgent]:
    running = start_agent()
    yield running
    running.server.stop(grace=1)


def _request(entity: str, field: str, pattern: str, count: int) -> pb.GenerateDataRequest:
    constraints = Struct()
    constraints.update({field: {"regex": pattern}})
    return pb.GenerateDataRequest(entity=entity, count=count, seed=7, constraints=constraints)


@pytest.mark.parametrize(("entity", "field", "pattern", "code", "text"), HOSTILE,
                         ids=[f"{e}.{f}:{p[:24]}" for e, f, p, _, _ in HOSTILE])
def test_hostile_pattern_is_refused_or_answered(hostile_agent: RunningAgent, entity: str, field: str,
                                                pattern: str, code: grpc.StatusCode, text: str) -> None:
    stub = pb_grpc.TestDataServiceStub(hostile_agent.channel())
    try:
        response = stub.GenerateData(_request(entity, field, pattern, 5), timeout=30)
    except grpc.RpcError as exc:
        assert exc.code() == code, exc.details()
        assert text in exc.details()
        assert len(exc.details()) < 1000
    else:
        assert code == grpc.StatusCode.OK
        assert response.metadata.count == 5


def test_probes_answer_while_hostile_requests_run(hostile_agent: RunningAgent) -> None:
    stub = pb_grpc.TestDataServiceStub(hostile_agent.channel())
    stop = threading.Event()
    errors: list[str] = []

    def attack() -> None:
        patterns = [p for _, _, p, _, _ in HOSTILE]
        i = 0
        while not stop.is_set() and i < 200:
            entity, field, pattern, _, _ = HOSTILE[i % len(patterns)]
            try:
                stub.GenerateData(_request(entity, field, pattern, 3), timeout=30)
            except grpc.RpcError as exc:
                if exc.code() not in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.DEADLINE_EXCEEDED):
                    errors.append(f"{exc.code().name}: {exc.details()}")
            i += 1

    attackers = [threading.Thread(target=attack) for _ in range(2)]
    for thread in attackers:
        thread.start()
    try:
        for _ in range(20):
            with urllib.request.urlopen(f"{hostile_agent.http}/health/live", timeout=PROBE_TIMEOUT) as reply:
                assert reply.status == 200
            health = stub.HealthCheck(pb.HealthCheckRequest(), timeout=PROBE_TIMEOUT)
            assert health.status in ("SERVING", "DEGRADED")
    finally:
        stop.set()
        for thread in attackers:
            thread.join(60)
    assert not errors, errors[:3]
