"""In the agent, the cache's Redis outage and recovery lines are structured JSON like every other line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import grpc
from redis_server import RedisServer

from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def test_redis_outage_and_recovery_are_json_lines(own_redis: RedisServer) -> None:
    env = {**os.environ, "REDIS_URL": own_redis.url, "WORKERS": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pytest_testdata.agent", "--grpc-port", "0", "--http-port", "0"],
                            env=env, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()

    def events() -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(lines)]

    def wait(check: Any, what: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            assert time.monotonic() < deadline, f"{what}: {lines[-5:]}"
            time.sleep(0.05)

    try:
        wait(lambda: any(e["event"] == "agent started" for e in events()), "start")
        started = next(e for e in events() if e["event"] == "agent started")
        wait(lambda: _ready(started["http_port"]), "ready")
        stub = pb_grpc.TestDataServiceStub(grpc.insecure_channel(f"127.0.0.1:{started['grpc_port']}"))
        seed = iter(range(10**6))

        def call() -> None:
            stub.GenerateData(pb.GenerateDataRequest(entity="user", count=1, seed=next(seed)), timeout=20)

        call()
        own_redis.stop()
        call()
        wait(lambda: any(e.get("breaker") == "open" for e in events()), "the outage line")
        own_redis.start()
        time.sleep(5.2)  # the breaker's cooldown: the next call is the trial

        def recovered() -> bool:
            call()
            return any(e.get("breaker") == "closed" for e in events())

        wait(recovered, "the recovery line", 30)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        reader.join(10)
    parsed = events()  # every line parses: nothing was printed as plain text
    assert len(parsed) == len(lines)
    outage = next(e for e in parsed if e.get("breaker") == "open")
    assert outage["level"] == "warning" and outage["logger"] == "pytest_testdata.cache"
    assert outage["backend"] == f"Redis at {own_redis.url}" and outage["error"] and outage["retry_after_seconds"] == 5
    assert outage["service"] == "testdata-agent" and outage["worker"] == 0 and "timestamp" in outage
    assert "failed" in outage["event"]
    recovery = next(e for e in parsed if e.get("breaker") == "closed")
    assert recovery["level"] == "warning" and "reachable again" in recovery["event"] and recovery["down_seconds"] > 5
