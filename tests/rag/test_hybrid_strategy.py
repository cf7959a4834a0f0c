"""The hybrid strategy: retrieved patterns as few-shot examples for a model, and its fallbacks.

The LLM providers live in the llm strategy (another part of the project). Here the model is reached
through hybrid's small interface (``FewShotModel``: schema, request, examples -> records), so
:class:`StandInFewShotModel` stands for a provider: it records the examples it was given and writes
records the way the pattern-guided prompt asks (the examples' structure, new names).
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.errors import GenerationError, LLMFallbackWarning
from pytest_testdata.generators.base import GeneratorOutput
from pytest_testdata.schemas.model import Schema
from pytest_testdata.store import curated_patterns
from pytest_testdata.store.embedded import EmbeddedStore
from pytest_testdata.store.ingest import ingest
from pytest_testdata.types import GenerationRequest
from tests.llm.servers import PROVIDER_ENV

from .conftest import closed_port, ids_of

CURATED_IDS = set().union(*(ids_of(p.record) for p in curated_patterns()))


class StandInFewShotModel:
    """Stands for an LLM provider behind the FewShotModel interface (see the module docstring)."""

    def __init__(self, reply: Any = None) -> None:
        self.calls: list[tuple[str, GenerationRequest, list[dict[str, Any]]]] = []
        self.reply = reply

    def __call__(self, schema: Schema, request: GenerationRequest, examples: list[dict[str, Any]]) -> Any:
        self.calls.append((schema.name, request, examples))
        if self.reply is not None:
            return self.reply(request, examples)
        records = []
        for i in range(request.count):
            record = copy.deepcopy(examples[i % len(examples)])
            record["first_name"], record["last_name"] = "Ines", f"Okafor{i}"
            record["email"] = f"ines.okafor{i}{i}@example.org"
            records.append(record)
        return GeneratorOutput(records, provider="stand-in", model="few-shot-1", details={"tokens": 1200})


def engine_with(store_file: Path, model: Any = None) -> Engine:
    options: dict[str, Any] = {"store": "embedded", "store_path": str(store_file)}
    if model is not None:
        options["hybrid_model"] = model
    return Engine(options=options)


def run(engine: Engine, entity: str, count: int = 1, **kwargs: Any) -> Any:
    kwargs.setdefault("seed", 3)
    return engine.generate(GenerationRequest.checked(entity, count, **kwargs))


def fallback_warnings(call: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, LLMFallbackWarning)]


def test_patterns_become_few_shot_examples_and_the_model_writes_the_records(store_file: Path) -> None:
    model = StandInFewShotModel()
    result = run(engine_with(store_file, model), "user", 3, learn_from_history=True,
                 context="loyal customers with accents")
    meta = result.metadata
    assert meta.strategy == "hybrid"
    assert meta.reason == "learn_from_history with context given: retrieved patterns as LLM context"
    assert (meta.provider, meta.model) == ("stand-in", "few-shot-1")
    assert meta.details["tokens"] == 1200 and meta.details["examples"] == 3
    ((entity, request, examples),) = model.calls
    assert entity == "user" and request.count == 3 and request.context == "loyal customers with accents"
    assert meta.details["patterns"][0] == "user-fr-platinum"  # the accents pattern ranks first
    assert not ids_of(examples) & CURATED_IDS  # the model never sees a stored id
    assert [r["last_name"] for r in result.records] == ["Okafor0", "Okafor1", "Okafor2"]
    assert meta.violations == [] and meta.coherence == 1.0  # validated and scored by the engine


def test_without_a_model_hybrid_falls_back_to_rag_only_and_says_why(store_file: Path) -> None:
    result, said = fallback_warnings(lambda: run(engine_with(store_file), "order", 2, strategy="hybrid",
                                                 learn_from_history=True))
    meta = result.metadata
    assert meta.strategy == "rag"
    from pytest_testdata.generators.llm import NO_PROVIDER  # the llm strategy's own reason

    assert meta.reason == (f"strategy 'hybrid' for 'order': {NO_PROVIDER}; fell back to RAG-only (retrieved "
                           "patterns)")
    assert said == [f"{meta.reason} for all 2 records"]  # warned, as the llm strategy warns with no provider
    assert len(meta.details["patterns"]) == 2 and result.valid


def test_auto_routes_to_rag_when_hybrid_has_no_model(store_file: Path) -> None:
    meta = run(engine_with(store_file), "cart", 2, defect_triggering=True, hints=["realistic"]).metadata
    assert meta.strategy == "rag"
    assert meta.reason.startswith("defect_triggering with hint 'realistic': retrieved patterns as LLM context, "
                                  "but hybrid is unavailable (no LLM provider is configured: ")
    assert meta.reason.endswith("fell back to rag")


def test_a_failing_model_falls_back_to_rag_only(store_file: Path) -> None:
    def down(request: GenerationRequest, examples: list[dict[str, Any]]) -> Any:
        raise GenerationError("claude: 529 overloaded after 3 retries")

    result, said = fallback_warnings(lambda: run(engine_with(store_file, StandInFewShotModel(down)), "payment", 2,
                                                 strategy="hybrid"))
    meta = result.metadata
    assert meta.strategy == "rag"
    assert "the LLM provider failed (claude: 529 overloaded after 3 retries); fell back to RAG-only" in meta.reason
    # Warned too, once (before, only the reason said it).
    assert said == ["strategy 'hybrid' for 'payment': the LLM provider failed (claude: 529 overloaded after 3 "
                    "retries); fell back to RAG-only (retrieved patterns) for all 2 records"]


def test_a_model_answering_the_wrong_count_is_not_passed_off_as_whole(store_file: Path) -> None:
    model = StandInFewShotModel(lambda request, examples: examples[:1])
    with pytest.warns(LLMFallbackWarning, match=r"the LLM returned 1 records for 3 asked; fell back to RAG-only"):
        meta = run(engine_with(store_file, model), "product", 3, strategy="hybrid").metadata
    assert meta.strategy == "rag" and "the LLM returned 1 records for 3 asked" in meta.reason


def test_a_model_that_fell_back_itself_gives_way_to_the_patterns(store_file: Path) -> None:
    model = StandInFewShotModel(lambda request, examples: GeneratorOutput(
        [{}] * request.count, strategy="traditional", reason="every provider failed"))
    with pytest.warns(LLMFallbackWarning, match=r"the LLM did not write the records \(every provider failed\)"):
        meta = run(engine_with(store_file, model), "cart", 2, strategy="hybrid").metadata
    assert meta.strategy == "rag" and "the LLM did not write the records (every provider failed)" in meta.reason


def test_with_no_patterns_the_model_writes_without_examples(store_file: Path) -> None:
    engine = engine_with(store_file, StandInFewShotModel(
        lambda request, examples: [{"number": f"INV-{i:04d}"} for i in range(request.count)]))
    engine.registry.register(Schema.from_json_schema(
        {"title": "invoice", "type": "object", "properties": {"number": {"type": "string"}}}))
    result = run(engine, "invoice", 2, strategy="hybrid")
    assert result.metadata.strategy == "llm"
    assert "no stored patterns fit the request, so the LLM wrote the records without examples" in result.metadata.reason
    assert result.records == [{"number": "INV-0000"}, {"number": "INV-0001"}]


def test_with_neither_model_nor_patterns_hybrid_ends_at_traditional(store_file: Path) -> None:
    engine = engine_with(store_file)
    engine.registry.register(Schema.from_json_schema(
        {"title": "invoice", "type": "object", "properties": {"number": {"type": "string"}}}))
    with pytest.warns(LLMFallbackWarning, match=r"^strategy 'hybrid' for 'invoice': no LLM provider is configured: "
                                                r".*; fell back to traditional for all 1 records$"):
        meta = run(engine, "invoice", 1, strategy="hybrid").metadata
    assert meta.strategy == "traditional"
    assert meta.reason.startswith("strategy 'hybrid' for 'invoice': no LLM provider is configured: ")
    assert "holds no patterns for 'invoice'" in meta.reason and meta.reason.endswith("fell back to traditional")


def test_the_leak_guard_covers_what_the_model_writes(store_file: Path) -> None:
    raw = {"user_id": "5f0c6a52-93a4-4c4b-9d55-4a3e7f9e2b10", "email": "margaret.oconnell@gmail.com",
           "first_name": "Margaret", "last_name": "O'Connell", "phone": "+1 617-842-3391",
           "addresses": [{"street": "88 Beacon Hill Road", "city": "Boston", "state": "MA", "postal_code": "02108",
                          "country": "US"}],
           "loyalty_tier": "gold", "created_at": "2023-05-01T10:00:00Z", "updated_at": "2025-05-01T10:00:00Z"}
    store = EmbeddedStore(store_file)
    ingest(store, [raw], entity="user")
    store.close()
    # A model that memorised a customer and writes her back verbatim.
    model = StandInFewShotModel(lambda request, examples: [dict(raw) for _ in range(request.count)])
    # Best effort: the stand-in writes one customer twice (a repeated unique id that strict mode would
    # raise); this test is about what the guard replaces.
    result = run(engine_with(store_file, model), "user", 2, strategy="hybrid", learn_from_history=True,
                 strict=False)
    assert result.metadata.strategy == "hybrid" and result.metadata.details["pii_replaced"] >= 8
    for record in result.records:
        assert record["email"] != raw["email"] and record["last_name"] != "O'Connell"
        assert record["phone"] != raw["phone"] and record["addresses"][0]["street"] != "88 Beacon Hill Road"


def test_an_unreachable_model_warns_once_in_hybrid_s_words(store_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The llm strategy behind hybrid, its server down: before, the user read the llm strategy's "fell back to
    traditional", while hybrid then used the patterns. Now one warning says what hybrid did."""
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    engine = Engine(options={"store": "embedded", "store_path": str(store_file), "llm_max_retries": 0,
                             "vllm_url": f"http://127.0.0.1:{closed_port()}/v1", "vllm_model": "tiny"})
    result, said = fallback_warnings(lambda: run(engine, "cart", 2, strategy="hybrid"))
    assert result.metadata.strategy == "rag" and result.valid
    assert len(said) == 1, said
    assert said[0].startswith("strategy 'hybrid' for 'cart': the LLM did not write the records (openai unavailable: ")
    assert "Connection refused" in said[0] and "fell back to traditional" not in said[0]
    assert said[0].endswith("; fell back to RAG-only (retrieved patterns) for all 2 records")
    assert result.metadata.reason == said[0].removesuffix(" for all 2 records")


def test_a_model_s_own_warnings_reach_the_user_once(store_file: Path) -> None:
    """The model is asked for its warnings back (details["warnings"]); when it wrote the records, hybrid
    warns them as they are."""
    def swapped(request: GenerationRequest, examples: list[dict[str, Any]]) -> Any:
        assert request.options["_collect_warnings"] is True
        return GeneratorOutput(copy.deepcopy(examples[:request.count]), provider="stand-in",
                               details={"warnings": ["strategy 'llm' for 'user': openai unavailable; stand-in "
                                                     "answered instead"]})

    result, said = fallback_warnings(lambda: run(engine_with(store_file, StandInFewShotModel(swapped)), "user", 2,
                                                 strategy="hybrid"))
    assert result.metadata.strategy == "hybrid" and "warnings" not in result.metadata.details
    assert said == ["strategy 'llm' for 'user': openai unavailable; stand-in answered instead"]

