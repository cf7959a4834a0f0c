"""Nothing a caller sends crashes the agent or is answered as INTERNAL: thousands of hostile calls.

Two suites against one real agent on loopback:

- field level: well-formed messages whose fields take random and hostile values (NaN, infinities, 1e308,
  huge counts, 100 KB names, catastrophic and oversized regexes, unknown keys, deep but legal nesting);
- protobuf level: raw bytes sent through identity serializers (random bytes, mutated and truncated valid
  messages, invalid UTF-8, Struct nesting far past the parser's limit) to every method.

Every answer must be OK or a caller's-mistake code with a message that names the request id and fits in
``MAX_STATUS_CHARS``; ``/health/live`` and the gRPC health check answer throughout; the agent logs no
internal error. Each suite runs a fixed number of cases and stops early only at its time bound.
"""

from __future__ import annotations

import math
import random
import string
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.service import MAX_STATUS_CHARS, SERVICE_NAME

from .conftest import RunningAgent, start_agent

CALLER_MISTAKES = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.OUT_OF_RANGE,
                   grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.FAILED_PRECONDITION}
CASES = 2000
TIME_BOUND = 150.0
"""Seconds a suite may run on a busy machine before it stops early (it still needs MIN_CASES)."""
MIN_CASES = 500
HOSTILE_TEXT = ["", "user", "x" * 100_000, "\x00", "\u202e\ud7ff", "🙂" * 50, "../../etc/passwd", "%s%n",
                "' OR 1=1 --", "None", "nan"]
HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 2.0**53 + 1, 2.0**63, -0.0, 0, 1, -1]
HOSTILE_REGEXES = [r"^(([a-z0-9._@]|[a-z0-9._@])*)*!$", r"^a{1000000000}$", r"^((a{100}){100}){100}$",
                   r"(a+)+$", r"(?=a)", r"(a)\1", "(" * 300, "[" * 50, "a" * 5000, r"\p{L}", r"[[:alpha:]]",
                   r"^[a-z]{1,10}@x\.com$", ""]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[RunningAgent]:
    running = start_agent()
    yield running
    running.server.stop(grace=1)


def _text(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(HOSTILE_TEXT)
    alphabet = string.printable + "éü中🙂\x00\u202e"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randint(0, 8 if depth < 3 else 6)
    if kind == 7:
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if kind == 8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return (None, rng.uniform(-1e12, 1e12), _text(rng), rng.random() < 0.5, rng.randint(-10, 10),
            rng.choice(HOSTILE_NUMBERS), rng.choice(HOSTILE_REGEXES))[kind]


def _constraint(rng: random.Random) -> Any:
    keys = ["min", "max", "enum", "regex", "length", "unique", "min_length", "max_length", _text(rng)]
    constraint = {}
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(keys)
        if key == "regex":
            constraint[key] = rng.choice(HOSTILE_REGEXES)
        elif key in ("min", "max", "length", "min_length", "max_length") and rng.random() < 0.7:
            constraint[key] = rng.choice([*HOSTILE_NUMBERS, 10**9, 10**6, 3])
        else:
            constraint[key] = _value(rng)
    return constraint


def _nested(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    top = node
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return top


def field_request(rng: random.Random) -> pb.GenerateDataRequest:
    """A well-formed request whose fields take random, often hostile, values."""
    request = pb.GenerateDataRequest(
        entity=rng.choice(["user", "cart", "order", "payment", "product", "review", _text(rng)]),
        strategy=rng.choice(["", "auto", "traditional", "llm", "rag", "hybrid", _text(rng)]),
        variant=rng.choice(["", "valid", "invalid", _text(rng)]),
        locale=rng.choice(["", "en_US", "de_DE", "xx_YY", _text(rng)]),
        context=rng.choice(["", _text(rng), "c" * 200_000]) if rng.random() < 0.3 else "",
        hints=[rng.choice(["fast", "realistic", "bulk", _text(rng)]) for _ in range(rng.randint(0, 2))],
        learn_from_history=rng.random() < 0.2, defect_triggering=rng.random() < 0.2,
    )
    if rng.random() < 0.8:
        request.count = rng.choice([0, 1, 2, 5, -1, 2**31 - 1, -(2**31), 1001, rng.randint(-100, 100)])
    if rng.random() < 0.5:
        request.seed = rng.randint(-(2**63), 2**63 - 1)
    if rng.random() < 0.6:
        field = rng.choice(["total", "email", "items", "rating", "name", "items.quantity", "sku", _text(rng)])
        roll = rng.random()
        raw = _value(rng) if roll < 0.2 else _nested(rng.randint(1, 25)) if roll < 0.25 else _constraint(rng)
        request.constraints.update({field: raw})
    if rng.random() < 0.3:
        request.options.update({rng.choice(["break", "_cassette", "provider", "unique_scope", _text(rng)]):
                                _value(rng)})
    if rng.random() < 0.1:
        request.batch_size = rng.randint(-5, 20_000)
    return request


# -- protobuf level ---------------------------------------------------------------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def deep_struct_request(depth: int) -> bytes:
    """``constraints`` as a Struct nested ``depth`` levels deep, encoded by hand (past any parser limit)."""
    struct = b""
    for _ in range(depth):
        value = _field(5, struct)  # Value.struct_value
        struct = _field(1, _field(1, b"a") + _field(2, value))  # Struct.fields map entry {key, value}
    return _field(1, b"user") + _field(4, struct)


def mutated(rng: random.Random, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(rng.randint(1, 4)):
        action = rng.randint(0, 4)
        if action == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif action == 1 and data:
            del data[rng.randrange(len(data)):]
        elif action == 2:
            at = rng.randrange(len(data) + 1)
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif action == 3:
            data += _field(rng.choice([1, 3, 5, 8, 11]), b"\xff\xfe\xc0\x80")  # a string field, not UTF-8
        else:
            data += _varint(rng.randrange(1, 2**29) << 3 | rng.randrange(8))
    return bytes(data)


def raw_payload(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.25:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    if roll < 0.3:
        return deep_struct_request(rng.choice([50, 100, 1000, 5000]))
    return mutated(rng, field_request(rng).SerializeToString())


# -- the checks ---------------------------------------------------------------------------------------------

def _expect_answer(call: Callable[[], Any], what: str, failures: list[str]) -> grpc.StatusCode:
    try:
        call()
        return grpc.StatusCode.OK
    except grpc.RpcError as exc:
        code, details = exc.code(), exc.details() or ""
        if code not in CALLER_MISTAKES:
            failures.append(f"{code.name}: {details[:300]} <- {what[:300]}")
        elif not details or "(request id " not in details or len(details) > MAX_STATUS_CHARS:
            failures.append(f"{code.name} message without request id or too long ({len(details)}): "
                            f"{details[:200]} <- {what[:200]}")
        return code


def _probe(agent: RunningAgent, stub: pb_grpc.TestDataServiceStub) -> None:
    with urllib.request.urlopen(f"{agent.http}/health/live", timeout=5) as reply:
        assert reply.status == 200
    assert stub.HealthCheck(pb.HealthCheckRequest(), timeout=5).status in ("SERVING", "DEGRADED")


def _no_internal_errors(agent: RunningAgent) -> None:
    errors = [line for line in agent.log_lines() if line.get("level") in ("error", "critical")]
    assert not errors, errors[:3]


def test_field_level_fuzz(fuzzed: RunningAgent) -> None:
    rng = random.Random(20240611)
    stub = pb_grpc.TestDataServiceStub(fuzzed.channel())
    failures: list[str] = []
    seen: dict[grpc.StatusCode, int] = {}
    started, done = time.monotonic(), 0
    for i in range(CASES):
        if time.monotonic() - started > TIME_BOUND:
            break
        request = field_request(rng)

        def call(request: pb.GenerateDataRequest = request, stream: bool = i % 7 == 6) -> Any:
            if stream:
                return list(stub.GenerateDataStream(request, timeout=30))
            return stub.GenerateData(request, timeout=30)
        code = _expect_answer(call, str(request), failures)
        seen[code] = seen.get(code, 0) + 1
        if i % 100 == 0:
            _probe(fuzzed, stub)
        done += 1
    assert done >= MIN_CASES
    assert not failures, "\n".join(failures[:5])
    assert seen.get(grpc.StatusCode.OK) and seen.get(grpc.StatusCode.INVALID_ARGUMENT), seen
    _probe(fuzzed, stub)
    assert stub.GenerateData(pb.GenerateDataRequest(entity="user", count=2), timeout=10).metadata.count == 2
    _no_internal_errors(fuzzed)


STREAMS = ("GenerateDataStream", "GenerateDataset")
"""The methods that answer with a stream."""


def test_protobuf_level_fuzz(fuzzed: RunningAgent) -> None:
    rng = random.Random(7)
    channel = fuzzed.channel()
    stub = pb_grpc.TestDataServiceStub(channel)
    methods = {
        name: (channel.unary_stream if name in STREAMS else channel.unary_unary)(
            f"/{SERVICE_NAME}/{name}", request_serializer=lambda b: b, response_deserializer=lambda b: b)
        for name in ("GenerateData", "GenerateDataStream", "GenerateDataset", "GetSchemas", "HealthCheck")
    }
    failures: list[str] = []
    refused = 0
    started, done = time.monotonic(), 0
    for i in range(CASES):
        if time.monotonic() - started > TIME_BOUND:
            break
        name = rng.choice(list(methods)) if i % 3 == 0 else "GenerateData"
        payload = raw_payload(rng)
        method = methods[name]

        def call(method: Any = method, payload: bytes = payload, stream: bool = name in STREAMS) -> Any:
            return list(method(payload, timeout=30)) if stream else method(payload, timeout=30)
        code = _expect_answer(call, f"{name} {payload[:120]!r}", failures)
        refused += code == grpc.StatusCode.INVALID_ARGUMENT
        if i % 100 == 0:
            _probe(fuzzed, stub)
        done += 1
    assert done >= MIN_CASES
    assert not failures, "\n".join(failures[:5])
    assert refused > done // 4  # most of these bytes are not a valid message, and each said so
    _probe(fuzzed, stub)
    _no_internal_errors(fuzzed)


@pytest.mark.parametrize("payload", [
    b"\xff\xff\xff\xff", b"\x0a\x05\xff\xfe\xc0\x80\x41", deep_struct_request(50), deep_struct_request(1000),
    pb.GenerateDataRequest(entity="user", count=3).SerializeToString()[:-1],
], ids=["random", "invalid-utf8", "struct-depth-50", "struct-depth-1000", "truncated"])
def test_malformed_message_is_invalid_argument_with_request_id(fuzzed: RunningAgent, payload: bytes) -> None:
    channel = fuzzed.channel()
    raw = channel.unary_unary(f"/{SERVICE_NAME}/GenerateData", request_serializer=lambda b: b,
                              response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as info:
        raw(payload, timeout=10, metadata=(("x-request-id", "fuzz-1"),))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith("request: ")
    assert "not a valid testdata.v1.GenerateDataRequest message" in info.value.details()
    assert info.value.details().endswith("(request id fuzz-1)")


def test_malformed_dataset_request_is_invalid_argument_with_request_id(fuzzed: RunningAgent) -> None:
    """GenerateDataset refuses bytes that are no GenerateDatasetRequest as the other methods do (it answered
    INTERNAL before: the request reached the dataset planner unparsed)."""
    channel = fuzzed.channel()
    raw = channel.unary_stream(f"/{SERVICE_NAME}/GenerateDataset", request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as info:
        list(raw(b"\xff\xff\xff\xff", timeout=10, metadata=(("x-request-id", "fuzz-ds"),)))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid testdata.v1.GenerateDatasetRequest message" in info.value.details()
    assert info.value.details().endswith("(request id fuzz-ds)")
