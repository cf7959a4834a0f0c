"""An in-process GGUF model through llama-cpp-python: no key, no network.

The answer schema becomes a grammar (``LlamaGrammar.from_json_schema``) that constrains sampling, so the
output is JSON of the right shape unless it is cut at the token limit. The model is loaded on the first
live call only: replaying a cassette never loads it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.llm.base import LLMCall, LLMReply, ProviderError


class LocalProvider:
    """A GGUF file run by ``llama_cpp.Llama`` with grammar-constrained JSON output."""

    name = "local"
    transport = "local"

    def __init__(
        self,
        model_path: str,
        *,
        max_tokens: int = 2048,
        temperature: float = 0.0,
        n_ctx: int = 4096,
        n_threads: int | None = None,
    ) -> None:
        path = Path(model_path).expanduser()
        self.path = path
        self.model = path.stem
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._llm: Any = None
        self._grammars: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llm is None:
            if not self.path.is_file():
                # Checked only when the model must run: replaying its cassette needs no model file.
                raise ProviderError(
                    self.name,
                    f"local_model {str(self.path)!r} is not a file. Point "
                    "--testdata-local-model (or TESTDATA_LOCAL_MODEL) at a GGUF model file.",
                )
            try:
                from llama_cpp import Llama
            except ImportError:
                raise MissingDependencyError("llama-cpp-python", "local", "The local LLM provider") from None
            self._llm = Llama(
                model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, seed=0, verbose=False
            )
        return self._llm

    def _grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp.llama_grammar import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            # Declaration order, not sorted: the model writes fields in the grammar's order
            # (items before the totals they add up to).
            self._grammars[key] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        return self._grammars[key]

    def complete(self, call: LLMCall) -> LLMReply:
        body = {
            "model": self.model,
            "seed": call.seed,
            "max_tokens": call.max_tokens or self.max_tokens,
            "temperature": self.temperature,
            "schema": call.schema,
            "messages": [{"role": "system", "content": call.system}, {"role": "user", "content": call.user}],
        }

        def live() -> dict[str, Any]:
            with self._lock:
                try:
                    llm = self._load()
                    out = llm.create_chat_completion(
                        messages=body["messages"],
                        grammar=self._grammar(call.schema),
                        max_tokens=body["max_tokens"],
                        temperature=self.temperature,
                        seed=call.seed,
                    )
                except ProviderError:
                    raise
                except (ValueError, RuntimeError, OSError) as exc:
                    raise ProviderError(self.name, f"{self.path.name} failed: {exc}") from exc
            choice = out["choices"][0]
            usage = out.get("usage") or {}
            return {
                "text": choice["message"]["content"] or "",
                "finish_reason": choice.get("finish_reason"),
                "usage": {
                    "prompt_tokens": usage.get("prompt_tokens", 0),
                    "completion_tokens": usage.get("completion_tokens", 0),
                },
            }

        uri = f"local://llama-cpp/{self.model}/chat"
        answer = call.cassette.local(uri, body, call.headers, live) if call.cassette is not None else live()
        usage = answer.get("usage") or {}
        return LLMReply(
            text=answer["text"],
            truncated=answer.get("finish_reason") == "length",
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
        )
