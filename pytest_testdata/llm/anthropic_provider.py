"""Anthropic Claude through the ``anthropic`` SDK, with structured output by forced tool use.

The entity's answer schema is the input schema of one tool, ``emit_records``, and ``tool_choice`` forces
the model to call it, so the reply is a JSON object the API has already parsed. The SDK retries 429 and
5xx with backoff and honours ``retry-after``; the timeout bounds every attempt.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.llm.base import LLMCall, LLMReply, ProviderError

TOOL_NAME = "emit_records"


DEFAULT_BASE_URL = "https://api.anthropic.com"
REPLAY_KEY = "sk-ant-replay-only"
"""Sent when no key is set and the call has a cassette: recordings hold no key (it is scrubbed, never matched),
so replaying needs none; a request that does reach the API with it is refused (HTTP 401, a provider error)."""


class ClaudeProvider:
    """Claude's Messages API.

    ``api_key`` comes from the settings (``TESTDATA_ANTHROPIC_API_KEY``; the agent's ``ANTHROPIC_API_KEY``);
    without one, the ``anthropic`` SDK reads its own ``ANTHROPIC_API_KEY`` (only once this provider was
    chosen on purpose). ``base_url`` None means the public API, whatever ``ANTHROPIC_BASE_URL`` says.
    """

    name = "anthropic"
    transport = "http"

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        max_tokens: int = 4096,
        temperature: float | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        try:
            import anthropic
        except ImportError:
            raise MissingDependencyError("anthropic", "llm", "The Claude LLM provider") from None
        self._anthropic = anthropic
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.client = anthropic.Anthropic(
            api_key=api_key,
            base_url=base_url or DEFAULT_BASE_URL,
            timeout=timeout,
            max_retries=max(0, max_retries),
        )
        self._lock = threading.Lock()
        self._keyless = not self.client.api_key

    def complete(self, call: LLMCall) -> LLMReply:
        anthropic = self._anthropic
        client = self.client
        if self._keyless:
            if call.cassette is None:
                raise ProviderError(
                    self.name,
                    "no API key: set TESTDATA_ANTHROPIC_API_KEY (the agent: ANTHROPIC_API_KEY; a provider named "
                    "with --testdata-llm-provider anthropic also takes the SDK's ANTHROPIC_API_KEY)",
                )
            client = self.client.with_options(api_key=REPLAY_KEY)  # CI replays committed cassettes keyless
        tool = {
            "name": TOOL_NAME,
            "description": "Hand over the generated records.",
            "input_schema": call.schema,
        }
        request: dict[str, Any] = {
            "model": self.model,
            "max_tokens": call.max_tokens or self.max_tokens,
            "system": call.system,
            "messages": [{"role": "user", "content": call.user}],
            "tools": [tool],
            "tool_choice": {"type": "tool", "name": TOOL_NAME},
            "extra_headers": call.headers,
        }
        if self.temperature is not None:
            # Through extra_body: SDK 2.x dropped the keyword (newer models fix their own sampling), so it
            # is sent only when CLAUDE_TEMPERATURE asks for it.
            request["extra_body"] = {"temperature": self.temperature}
        try:
            with self._lock:
                message = client.messages.create(**request)
        except anthropic.APITimeoutError as exc:
            raise ProviderError(self.name, f"no answer within the timeout ({exc})") from exc
        except anthropic.APIConnectionError as exc:
            replay_miss = _cassette_miss(exc)
            if replay_miss is not None:
                # Not a provider outage: the test's cassette lacks this request (stale). Let the cassette
                # report it instead of falling back to the next provider.
                raise replay_miss from None
            raise ProviderError(self.name, f"cannot reach the Messages API ({exc})") from exc
        except anthropic.APIStatusError as exc:
            raise ProviderError(self.name, f"HTTP {exc.status_code}: {str(exc.message)[:300]}") from exc
        data: Any = None
        texts: list[str] = []
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                data = block.input
            elif block.type == "text":
                texts.append(block.text)
        text = json.dumps(data) if data is not None else "".join(texts)
        usage = message.usage
        return LLMReply(
            text=text,
            data=data,
            truncated=message.stop_reason == "max_tokens",
            input_tokens=int(usage.input_tokens or 0),
            output_tokens=int(usage.output_tokens or 0),
        )


def _cassette_miss(exc: BaseException) -> BaseException | None:
    """vcrpy's "not in the cassette" error, if the SDK wrapped one (it retries and re-raises as a connection
    error). Matched by name so this module does not import vcrpy."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if type(current).__name__ == "CannotOverwriteExistingCassetteException":
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
