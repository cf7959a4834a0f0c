"""The router's table (SPEC section 1): every rule, every tie, and the fallback chain, one row each."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_testdata.router import BULK_THRESHOLD, Router
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.types import GenerationRequest

REGISTRY = SchemaRegistry()
CART = REGISTRY.get("cart")  # no free-text fields
REVIEW = REGISTRY.get("review")  # free-text title and body
ALL_UP: dict[str, str | None] = {}


def route(entity: Any = CART, down: dict[str, str] | None = None, **kwargs: Any) -> tuple[str, str]:
    down = down or {}
    router = Router(lambda strategy: down.get(strategy))
    request = GenerationRequest.checked(entity.name, kwargs.pop("count", 1), **kwargs)
    chosen = router.route(request, entity)
    return chosen.strategy, chosen.reason


NO_LLM = {"llm": "no LLM provider is configured"}

RULES = [
    # id, entity, unavailable, request, expected strategy, words the reason must contain
    ("plain", CART, {}, {}, "traditional", "no context, quality hint or history flag"),
    ("explicit-wins-over-history", CART, {}, {"strategy": "llm", "learn_from_history": True}, "llm",
     "strategy 'llm' requested explicitly"),
    ("explicit-wins-over-volume", CART, {}, {"strategy": "hybrid", "count": 5000}, "hybrid",
     "strategy 'hybrid' requested explicitly"),
    ("explicit-wins-even-if-unavailable", CART, NO_LLM, {"strategy": "llm"}, "llm", "requested explicitly"),
    # What an explicit strategy does not read is said, not dropped without a word.
    ("explicit-traditional-says-what-it-does-not-read", CART, {},
     {"strategy": "traditional", "context": "black friday", "hints": ["realistic", "edge_cases"],
      "learn_from_history": True}, "traditional",
     "strategy 'traditional' requested explicitly (learn_from_history, context, hint 'realistic' not used by it)"),
    ("explicit-llm-reads-context-not-history", CART, {}, {"strategy": "llm", "context": "x",
                                                          "defect_triggering": True}, "llm",
     "strategy 'llm' requested explicitly (defect_triggering not used by it)"),
    ("volume", CART, {}, {"count": BULK_THRESHOLD + 1}, "traditional", "501 records > 500"),
    ("volume-at-threshold-is-not-bulk", CART, {}, {"count": BULK_THRESHOLD}, "traditional",
     "no context, quality hint"),
    ("threshold-with-context-goes-llm", CART, {}, {"count": BULK_THRESHOLD, "context": "x"}, "llm", "context given"),
    ("fast-hint", CART, {}, {"hints": ["fast"]}, "traditional", "hint 'fast' asks for speed"),
    ("bulk-hint", CART, {}, {"hints": ["bulk"]}, "traditional", "hint 'bulk' asks for speed"),
    ("volume-beats-history", CART, {}, {"count": 600, "learn_from_history": True}, "traditional",
     "(learn_from_history ignored; pass an explicit strategy such as strategy='rag' to override)"),
    ("fast-beats-context", CART, {}, {"hints": ["fast"], "context": "holiday"}, "traditional",
     "(context ignored; pass an explicit strategy such as strategy='llm' to override)"),
    ("fast-beats-both", CART, {}, {"hints": ["fast", "realistic"], "defect_triggering": True}, "traditional",
     "(defect_triggering, hint 'realistic' ignored"),
    ("history", CART, {}, {"learn_from_history": True}, "rag",
     "learn_from_history: adapt retrieved historical patterns"),
    ("defects", CART, {}, {"defect_triggering": True}, "rag", "defect_triggering: adapt retrieved known defect shapes"),
    ("both-flags", CART, {}, {"learn_from_history": True, "defect_triggering": True}, "rag",
     "learn_from_history and defect_triggering: adapt retrieved known defect shapes"),
    ("context", CART, {}, {"context": "holiday shopping"}, "llm", "context given: an LLM writes"),
    ("realistic-hint", CART, {}, {"hints": ["realistic"]}, "llm", "hint 'realistic'"),
    ("coherent-hint", CART, {}, {"hints": ["coherent"]}, "llm", "hint 'coherent'"),
    ("context-named-before-hint", CART, {}, {"hints": ["coherent"], "context": "x"}, "llm", "context given"),
    ("edge-cases-hint-alone-is-traditional", CART, {}, {"hints": ["edge_cases"]}, "traditional", "no context"),
    ("free-text-with-llm", REVIEW, {}, {}, "llm", "free-text fields (title, body) and an LLM is configured"),
    ("free-text-without-llm", REVIEW, NO_LLM, {}, "traditional", "no context, quality hint or history flag"),
    ("history-and-context", CART, {}, {"learn_from_history": True, "context": "x"}, "hybrid",
     "learn_from_history with context given: retrieved patterns as LLM context"),
    ("defects-and-quality-hint", CART, {}, {"defect_triggering": True, "hints": ["realistic"]}, "hybrid",
     "defect_triggering with hint 'realistic'"),
    ("history-and-free-text-with-llm", REVIEW, {}, {"learn_from_history": True}, "hybrid",
     "learn_from_history with free-text fields (title, body)"),
    ("history-and-free-text-without-llm", REVIEW, NO_LLM, {"learn_from_history": True}, "rag",
     "learn_from_history: adapt retrieved historical patterns"),
]


@pytest.mark.parametrize(("entity", "down", "request_args", "strategy", "reason"),
                         [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule(entity: Any, down: dict[str, str], request_args: dict[str, Any], strategy: str, reason: str) -> None:
    got_strategy, got_reason = route(entity, down, **request_args)
    assert got_strategy == strategy
    assert reason in got_reason


@pytest.mark.parametrize(("strategy", "request_args"), [
    ("rag", {"learn_from_history": True, "defect_triggering": True, "context": "x"}),  # its query reads the context
    ("hybrid", {"learn_from_history": True, "context": "x", "hints": ["realistic"]}),
    ("llm", {"context": "x", "hints": ["coherent"]}),
    ("traditional", {"hints": ["edge_cases"]}),  # a coverage hint, which it reads
])
def test_an_explicit_strategy_that_reads_all_it_is_given_says_only_that(strategy: str,
                                                                        request_args: dict[str, Any]) -> None:
    assert route(CART, {}, strategy=strategy, **request_args) == (strategy, f"strategy {strategy!r} requested "
                                                                            "explicitly")


FALLBACKS = [
    ("hybrid-without-llm-goes-rag", {"hybrid": "no LLM provider"}, {"learn_from_history": True, "context": "x"},
     "rag", "but hybrid is unavailable (no LLM provider); fell back to rag"),
    ("hybrid-without-store-or-llm-goes-traditional", {"hybrid": "no LLM provider", "rag": "store down"},
     {"learn_from_history": True, "context": "x"}, "traditional",
     "but hybrid is unavailable (no LLM provider); rag is unavailable (store down); fell back to traditional"),
    ("rag-without-store", {"rag": "store down"}, {"defect_triggering": True}, "traditional",
     "defect_triggering: adapt retrieved known defect shapes, but rag is unavailable (store down); "
     "fell back to traditional"),
    ("llm-without-provider", {"llm": "no key"}, {"context": "x"}, "traditional",
     "context given: an LLM writes coherent, context-aware records, but llm is unavailable (no key); "
     "fell back to traditional"),
    ("hybrid-down-but-rag-up-skips-llm", {"hybrid": "no LLM", "llm": "no key"}, {"learn_from_history": True,
                                                                                 "hints": ["coherent"]},
     "rag", "fell back to rag"),
]


@pytest.mark.parametrize(("down", "request_args", "strategy", "reason"), [r[1:] for r in FALLBACKS],
                         ids=[r[0] for r in FALLBACKS])
def test_fallback_chain(down: dict[str, str], request_args: dict[str, Any], strategy: str, reason: str) -> None:
    got_strategy, got_reason = route(CART, down, **request_args)
    assert got_strategy == strategy
    assert reason in got_reason and got_reason.endswith(f"fell back to {strategy}")


def test_the_router_never_asks_whether_traditional_is_available() -> None:
    asked: list[str] = []

    def availability(strategy: str) -> str | None:
        asked.append(strategy)
        return None

    Router(availability).route(GenerationRequest.checked("cart", 1000), CART)
    Router(availability).route(GenerationRequest.checked("cart", 1), CART)
    assert "traditional" not in asked
