"""An in-process GGUF model through llama-cpp-python: no key, no network.

The answer schema becomes a grammar (``LlamaGrammar.from_json_schema``) that constrains sampling, so the
output is JSON of the right shape unless it is cut at the token limit. The model is loaded on the first
live call only: replaying a cassette never loads it.

The grammar is bounded: llama.cpp expands ``maxLength`` into one nested rule per character, so a
``maxLength`` of 2000 makes a grammar its parser refuses ("exceeds sane defaults"), and llama-cpp-python
then hands a null sampler to the model, which ends the process. String lengths are capped at
:data:`GRAMMAR_MAX_STRING` in the grammar (the records are validated against the real schema afterwards,
and a record that breaks it is repaired or falls back), and every grammar is parsed by llama.cpp before
sampling: one it refuses is a :class:`ProviderError` (a reported fallback), never a crash.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

from pytest_testdata.errors import MissingDependencyError
from pytest_testdata.llm.base import LLMCall, LLMReply, ProviderError

GRAMMAR_MAX_STRING = 256
"""Longest string the grammar spells out; longer ``maxLength`` values are capped to it in the grammar."""


def bounded_schema(schema: Any, cap: int = GRAMMAR_MAX_STRING) -> Any:
    """A copy of ``schema`` whose string lengths fit a grammar llama.cpp accepts (``maxLength`` and
    ``minLength`` at most ``cap``); everything else unchanged."""
    out = copy.deepcopy(schema)
    stack = [out]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in ("maxLength", "minLength"):
                if isinstance(node.get(key), int) and node[key] > cap:
                    node[key] = cap
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


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

    def _grammar(self, llm: Any, schema: dict[str, Any]) -> Any:
        """The grammar for ``schema`` (bounded, and parsed by llama.cpp once); ProviderError if refused."""
        import llama_cpp
        from llama_cpp.llama_grammar import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            # Declaration order, not sorted: the model writes fields in the grammar's order
            # (items before the totals they add up to).
            grammar = LlamaGrammar.from_json_schema(json.dumps(bounded_schema(schema)), verbose=False)
            # llama-cpp-python adds the grammar's sampler to its chain without checking it: a grammar the
            # parser refuses becomes a null sampler and a segmentation fault. Parse it here first.
            text = grammar._grammar
            vocab = llama_cpp.llama_model_get_vocab(llm.model)
            sampler = llama_cpp.llama_sampler_init_grammar(vocab, text.encode("utf-8"), b"root")
            if not sampler:
                raise ProviderError(
                    self.name,
                    f"llama.cpp refused the grammar made from the answer schema ({len(text)} characters, "
                    f"{text.count(chr(10))} rules); the records fall back to the traditional strategy",
                )
            llama_cpp.llama_sampler_free(sampler)
            self._grammars[key] = grammar
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
                        grammar=self._grammar(llm, call.schema),
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
