"""Real HTTP servers on a free loopback port for the LLM tests: scripted chat-completions servers for faults,
and ``MessagesApiDouble``, a test double that speaks Anthropic's Messages API (Claude cannot run here).

Each server answers each request with whatever its ``respond`` callable returns for it, records every
request it got, and is shut down by the fixture that started it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROVIDER_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "VLLM_URL", "OPENAI_BASE_URL", "VLLM_MODEL",
                "TESTDATA_LOCAL_MODEL", "LOCAL_MODEL_PATH", "TESTDATA_LLM_PROVIDER", "TESTDATA_OFFLINE",
                "TESTDATA_RECORD_MODE")
"""Environment variables that configure an LLM provider: tests configure providers explicitly, and a
developer's keys and URLs must not leak in (clear them with ``monkeypatch.delenv``)."""


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port

@dataclass
class Seen:
    """A request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None
    """Sent as is (for bodies that are not JSON)."""


Respond = Callable[[Seen], Reply]


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1:0 answering through ``respond``."""

    def __init__(self, respond: Respond, port: int = 0) -> None:
        """``port`` 0 picks a free one; a given one restarts a server that was closed (the same URL)."""
        self.respond = respond
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                server.seen.append(seen)
                reply = server.respond(seen)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def requested_count(schema: dict[str, Any]) -> int:
    """How many records an answer schema asks for."""
    return int(schema["properties"]["records"]["minItems"])


def chat_reply(content: str, *, finish_reason: str = "stop", model: str = "scripted") -> Reply:
    """A chat-completions answer carrying ``content``."""
    return Reply(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": max(1, len(content) // 4),
                "total_tokens": 0,
            },
        }
    )


class MessagesApiDouble(LoopbackServer):
    """A test double of Anthropic's Messages API: answers ``POST /v1/messages`` with a forced ``tool_use``.

    ``records(count, body)`` makes the tool input's records; ``faults`` is a list of replies served first
    (429s, 500s...), one per request.
    """

    def __init__(
        self,
        records: Callable[[int, dict[str, Any]], list[dict[str, Any]]],
        faults: list[Reply] | None = None,
    ) -> None:
        self.faults = list(faults or [])
        self.records = records
        super().__init__(self._answer)

    def _answer(self, seen: Seen) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        body = seen.body
        if seen.path != "/v1/messages" or not isinstance(body, dict):
            return Reply(404, {"type": "error", "error": {"type": "not_found_error", "message": seen.path}})
        # The SDK sends the key as x-api-key (1.x) or as a bearer token (2.x); the API takes both.
        if not seen.headers.get("x-api-key") and not seen.headers.get("authorization", "").startswith(
            "Bearer "
        ):
            return Reply(
                401, {"type": "error", "error": {"type": "authentication_error", "message": "no API key"}}
            )
        tool = body["tools"][0]
        assert body["tool_choice"] == {"type": "tool", "name": tool["name"]}
        records = self.records(requested_count(tool["input_schema"]), body)
        return Reply(
            body={
                "id": f"msg_{len(self.seen)}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": tool["name"], "input": {"records": records}}
                ],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {
                    "input_tokens": len(json.dumps(body)) // 4,
                    "output_tokens": len(json.dumps(records)) // 4,
                },
            }
        )
