"""Reviews written by a model are about the product the dataset gives them.

The model is an OpenAI-compatible chat server on loopback (the scripted double of tests/llm): it writes
each review about the product its prompt names, the way a model follows its instructions. So a review's
text names its product only when the builder chose the product before asking for the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_testdata.datasets import generate_dataset
from pytest_testdata.engine import Engine
from tests.llm.servers import PROVIDER_ENV, LoopbackServer, Reply, Seen, chat_reply, closed_port, requested_count

ABOUT = re.compile(r'about the product \\?"(.+?)\\?" \(')
COUNTS = {"user": 6, "product": 4, "order": 30, "review": 6}


def write_reviews(seen: Seen) -> Reply:
    """A model that reviews the product its prompt names (or an unnamed 'product' when none is named)."""
    body = seen.body or {}
    prompt = json.dumps(body.get("messages", []))
    found = ABOUT.search(prompt)
    name = found.group(1) if found else "this product"
    schema = body["response_format"].get("schema") or body["response_format"]["json_schema"]["schema"]
    records = [{"rating": 5, "title": f"Great {name}"[:120],
                "body": f"I love the {name}. It works well and arrived on time.",
                "verified_purchase": True, "helpful_votes": i,
                "created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-03T03:04:05Z"}
               for i in range(requested_count(schema))]
    return chat_reply(json.dumps({"records": records}))


@pytest.fixture
def model_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer(write_reviews)
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)


def _engine(server: LoopbackServer) -> Engine:
    return Engine(options={"vllm_url": server.url + "/v1", "vllm_model": "tiny", "llm_timeout": 60.0,
                           "llm_max_retries": 1})


def test_llm_review_text_names_the_product_the_dataset_assigns(model_server: LoopbackServer) -> None:
    dataset = generate_dataset(COUNTS, seed=5, strategies={"review": "llm"}, engine=_engine(model_server))

    assert dataset.metadata["review"].strategy == "llm", dataset.metadata["review"].reason
    assert dataset.metadata["review"].provider == "openai"
    assert dataset.valid, dataset.violations[:3]
    products = {p["product_id"]: p for p in dataset["product"]}
    users = {u["user_id"]: u for u in dataset["user"]}
    asked = [json.dumps(s.body["messages"]) for s in model_server.seen]
    for review in dataset["review"]:
        product = products[review["product_id"]]
        # The text the model wrote names the review's own product...
        assert product["name"] in review["body"], (review["body"], product["name"])
        # ...because the prompt that asked for it named the product, its category and the buyer.
        prompts = [p for p in asked if product["name"] in p]
        assert prompts, f"no request named {product['name']!r}"
        buyer = users[review["user_id"]]
        assert any(product["category"] in p and buyer["first_name"] in p for p in prompts)
    # One request per product reviewed (each names one product only).
    reviewed = {r["product_id"] for r in dataset["review"]}
    assert len(model_server.seen) == len(reviewed)
    for prompt in asked:
        assert sum(p["name"] in prompt for p in products.values() if p["product_id"] in reviewed) == 1


def test_llm_reviews_are_the_same_for_a_seed(model_server: LoopbackServer) -> None:
    first = generate_dataset(COUNTS, seed=9, strategies={"review": "llm"}, engine=_engine(model_server))
    again = generate_dataset(COUNTS, seed=9, strategies={"review": "llm"}, engine=_engine(model_server))
    assert first["review"] == again["review"]



def test_with_no_model_an_entity_warns_once_for_all_its_requests() -> None:
    """No provider: every request (one per product reviewed) falls back, and the user reads one warning for
    the reviews with their total, not one a product (200 reviews printed 8 before)."""
    import warnings

    from pytest_testdata.errors import LLMFallbackWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = generate_dataset({"user": 6, "product": 4, "order": 30, "review": 12}, seed=5,
                                   strategies={"review": "llm"})
    reviewed = len({r["product_id"] for r in dataset["review"]})
    assert reviewed > 1 and dataset.metadata["review"].strategy == "traditional"
    assert dataset.metadata["review"].details["fallback"] == 12
    assert "warnings" not in dataset.metadata["review"].details  # (collected from the requests, then warned)
    about_reviews = [str(w.message) for w in caught
                     if issubclass(w.category, LLMFallbackWarning) and "'review'" in str(w.message)]
    assert len(about_reviews) == 1, about_reviews
    assert about_reviews[0].startswith("strategy 'llm' for 'review': no LLM provider is configured")
    assert about_reviews[0].endswith(f"; fell back to traditional for all 12 records ({reviewed} requests, one per "
                                     "subject their text is about)")


def test_hybrid_reviews_with_the_model_down_warn_once(tmp_path: Path) -> None:
    """hybrid's model unreachable: each request (one per product reviewed) falls back to the patterns, and the
    user reads one warning for the reviews (before: one per request, each the llm strategy's "fell back to
    traditional", which hybrid had not)."""
    import warnings

    from pytest_testdata.errors import LLMFallbackWarning

    engine = Engine(options={"vllm_url": f"http://127.0.0.1:{closed_port()}/v1", "vllm_model": "tiny",
                             "llm_max_retries": 0, "store": "embedded",
                             "store_path": str(tmp_path / "patterns.sqlite3")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = generate_dataset({"user": 6, "product": 4, "order": 30, "review": 12}, seed=5,
                                   strategies={"review": "hybrid"}, engine=engine)
    reviewed = len({r["product_id"] for r in dataset["review"]})
    assert reviewed > 1 and dataset.metadata["review"].strategy == "rag" and dataset.valid
    said = [str(w.message) for w in caught if issubclass(w.category, LLMFallbackWarning)]
    assert len(said) == 1, said
    assert said[0].startswith("strategy 'hybrid' for 'review': the LLM did not write the records (openai "
                              "unavailable: ")
    assert said[0].endswith(f"; fell back to RAG-only (retrieved patterns) for all 12 records ({reviewed} requests, "
                            "one per subject their text is about)")


def test_different_warnings_of_an_entity_s_requests_give_the_totals_and_the_first() -> None:
    import warnings

    from pytest_testdata.datasets.about import _one_warning
    from pytest_testdata.errors import LLMFallbackWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _one_warning("review", ["strategy 'llm' for 'review': openai unavailable: timed out; anthropic answered "
                                "instead", "strategy 'llm' for 'review': every provider failed (x); fell back to "
                                "traditional for all 3 records"], requests=5, fell_back=3, total=12)
        _one_warning("review", ["strategy 'llm' for 'review': a; fell back to traditional for all 2 records"],
                     requests=1, fell_back=2, total=2)
    assert [w.category for w in caught] == [LLMFallbackWarning, LLMFallbackWarning]
    assert str(caught[0].message) == (
        "dataset: 3 of 12 review records fell back to traditional (5 requests, one per subject their text is "
        "about); the first warning: strategy 'llm' for 'review': openai unavailable: timed out; anthropic "
        "answered instead")
    assert str(caught[1].message) == "strategy 'llm' for 'review': a; fell back to traditional for all 2 records"
