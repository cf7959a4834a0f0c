"""Any OpenAI-compatible chat-completions server: vLLM first, also llama.cpp's and llama-cpp-python's servers.

Structured output goes through ``response_format``, and servers disagree on its form: vLLM and llama.cpp's
server take ``{"type": "json_schema", "json_schema": {...}}``; llama-cpp-python's server takes only
``{"type": "json_object", "schema": {...}}`` and rejects the other (HTTP 500 with a validation error
naming ``response_format``). With ``response_format=auto``
the provider sends ``json_schema`` first and, when the server rejects that form, switches to
``json_object``. What a server accepted is remembered per cassette scope (not per process), so a test
replays the same exchanges whichever tests ran before it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.llm.base import LLMCall, LLMReply, ProviderError
from pytest_testdata.llm.retry import retry_delay

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_SCOPES = 4096
"""Scopes whose discoveries (model, accepted format) are remembered: a long-lived agent serves a new scope
per test run (remote mode sends each test's), so the oldest are forgotten rather than kept for ever."""


def _remember(memory: dict[str, str], scope: str, value: str) -> None:
    memory.pop(scope, None)
    memory[scope] = value
    while len(memory) > MAX_SCOPES:
        del memory[next(iter(memory))]


class OpenAICompatProvider:
    """Chat completions over HTTP (``httpx``) with guided JSON, bounded timeouts and retries."""

    name = "openai"
    transport = "http"

    def __init__(
        self,
        base_url: str,
        model: str | None,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        max_tokens: int = 2048,
        temperature: float = 0.0,
        response_format: str = "auto",
    ) -> None:
        try:
            import httpx
        except ImportError:
            raise MissingDependencyError("httpx", "llm", "The OpenAI-compatible LLM provider") from None
        self._httpx = httpx
        self.base_url = base_url.rstrip("/")
        self._model = model
        self.max_retries = max(0, max_retries)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.response_format = response_format
        self.timeout = timeout
        headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), headers=headers
        )
        self._formats: dict[str, str] = {}
        self._models: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """The configured model name (or, once asked, the first the server lists)."""
        return self._model or next(iter(self._models.values()), "default")

    def resolve_model(self, scope: str) -> str:
        """The model to ask for: the configured one, else the first ``GET /models`` lists (once per scope)."""
        if self._model:
            return self._model
        if scope not in self._models:
            data = self._request("GET", "/models", None)
            try:
                _remember(self._models, scope, str(data["data"][0]["id"]))
            except (KeyError, IndexError, TypeError):
                raise ProviderError(
                    self.name,
                    f"{self.base_url}/models listed no model: {str(data)[:200]}. "
                    "Set the model with --testdata-vllm-model or VLLM_MODEL.",
                ) from None
        return self._models[scope]

    def complete(self, call: LLMCall) -> LLMReply:
        with self._lock:
            model = self.resolve_model(call.scope)
            form = (
                self.response_format
                if self.response_format != "auto"
                else self._formats.get(call.scope, "json_schema")
            )
            body = self._body(call, model, form)
            try:
                data = self._request("POST", "/chat/completions", body, call.headers)
            except _FormatRejected:
                if self.response_format != "auto" or form == "json_object":
                    raise
                form = "json_object"
                data = self._request("POST", "/chat/completions", self._body(call, model, form), call.headers)
            if self.response_format == "auto":
                _remember(self._formats, call.scope, form)
        return self._reply(data)

    def _body(self, call: LLMCall, model: str, form: str) -> dict[str, Any]:
        if form == "json_schema":
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "records", "schema": call.schema, "strict": True},
            }
        else:
            response_format = {"type": "json_object", "schema": call.schema}
        return {
            "model": model,
            "messages": [{"role": "system", "content": call.system}, {"role": "user", "content": call.user}],
            "max_tokens": call.max_tokens or self.max_tokens,
            "temperature": self.temperature,
            "seed": call.seed,
            "response_format": response_format,
        }

    def _reply(self, data: Any) -> LLMReply:
        try:
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise ProviderError(
                self.name, f"answer without choices[0].message.content: {str(data)[:200]}"
            ) from None
        usage = data.get("usage") or {}
        return LLMReply(
            text=text,
            truncated=choice.get("finish_reason") == "length",
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
        )

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str] | None = None
    ) -> Any:
        httpx = self._httpx
        url = self.base_url + path
        problem = ""
        for attempt in range(self.max_retries + 1):
            retry_after = None
            try:
                response = self.client.request(method, url, json=body, headers=headers)
            except httpx.TimeoutException:
                problem = f"no answer from {url} within {self.timeout:g}s (timeout)"
            except httpx.TransportError as exc:
                problem = f"cannot reach {url} ({type(exc).__name__}: {exc})"
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError:
                        raise ProviderError(
                            self.name,
                            f"{url} answered 200 with a body that is not JSON: {response.text[:200]!r}",
                        ) from None
                text = response.text[:300]
                # llama-cpp-python's server reports its validation error as HTTP 500, others use 400/422.
                if response.status_code in (400, 422, 500) and "response_format" in text:
                    raise _FormatRejected(self.name, f"{url} rejected the response_format: {text}")
                if response.status_code not in RETRY_STATUSES:
                    raise ProviderError(
                        self.name, f"{url} rejected the request with HTTP {response.status_code}: {text}"
                    )
                problem = f"{url} answered HTTP {response.status_code}: {text}"
                retry_after = response.headers.get("retry-after")
            if attempt < self.max_retries:
                time.sleep(retry_delay(attempt, retry_after))
        raise ProviderError(self.name, f"{problem} (gave up after {self.max_retries + 1} attempts)")

    def close(self) -> None:
        self.client.close()


class _FormatRejected(ProviderError):
    """The server does not understand this response_format form (the probe's signal to switch)."""
