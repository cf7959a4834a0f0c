"""Hybrid through the real llm strategy: retrieved patterns reach an OpenAI-compatible server as few-shot
examples in the pattern-guided prompt (the server is the scripted loopback double of the chat API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest
from tests.llm.conftest import FAST, quietly
from tests.llm.test_openai_faults import answer_with_valid_carts


def test_hybrid_sends_retrieved_patterns_to_the_llm_and_says_which(loopback: Any, tmp_path: Path) -> None:
    server = loopback(answer_with_valid_carts)
    engine = Engine(options={**FAST, "vllm_url": server.url + "/v1", "vllm_model": "tiny", "store": "embedded",
                             "store_path": str(tmp_path / "patterns.sqlite3")})
    request = GenerationRequest.checked("cart", 2, learn_from_history=True, context="holiday electronics",
                                        seed=3)
    result = quietly(engine, request)

    assert result.metadata.strategy == "hybrid", result.metadata.reason
    assert result.metadata.provider == "openai"
    assert result.metadata.details["examples"] >= 1 and result.metadata.details["patterns"]
    assert len(result.records) == 2 and not result.metadata.violations
    prompt = json.dumps(server.seen[0].body["messages"])
    assert "following the patterns of these examples" in prompt
    # An adapted example (fresh ids, same structure) is in the prompt: its items' SKUs are the pattern's.
    assert any(sku in prompt for sku in _skus_of_patterns(engine, result.metadata.details["patterns"]))


def _skus_of_patterns(engine: Engine, keys: list[str]) -> set[str]:
    rag: Any = engine.generator("rag")
    store = rag.store()
    found: set[str] = set()
    for hit in store.search("testdata_patterns", "", entity="cart", limit=50):
        if hit.pattern.key in keys:
            found.update(item["sku"] for item in hit.pattern.record.get("items", []))
    return found
