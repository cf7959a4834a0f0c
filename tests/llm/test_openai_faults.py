"""The OpenAI-compatible provider against real HTTP servers on loopback that misbehave on purpose."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from pytest_testdata.errors import GenerationError
from pytest_testdata.generators.llm import LLMFallbackWarning
from tests.llm.conftest import llm_request, make_engine, quietly, valid_records
from tests.llm.servers import Reply, Seen, chat_reply, requested_count

carts = valid_records("cart")


def answer_with_valid_carts(seen: Seen) -> Reply:
    schema = seen.body["response_format"].get("schema") or seen.body["response_format"]["json_schema"]["schema"]
    return chat_reply(json.dumps({"records": carts(requested_count(schema))}))


def test_valid_answer_becomes_records_with_provider_metadata(loopback: Any) -> None:
    server = loopback(answer_with_valid_carts)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    result = engine.generate(llm_request("cart", 3))
    assert result.metadata.strategy == "llm"
    assert (result.metadata.provider, result.metadata.model) == ("openai", "tiny")
    assert len(result.records) == 3 and result.valid
    assert result.metadata.details["fallback"] == 0 and result.metadata.details["tokens"] > 0
    # ids are assigned by the generator, so every record has a fresh, well-formed cart_id
    assert len({r["cart_id"] for r in result.records}) == 3
    sent = server.seen[0].body
    assert sent["seed"] is not None and sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["records"]["minItems"] == 3


def test_server_that_rejects_json_schema_gets_json_object_form(loopback: Any) -> None:
    def llama_cpp_python_like(seen: Seen) -> Reply:
        if seen.body["response_format"]["type"] != "json_object":
            return Reply(
                422,
                {
                    "detail": [
                        {
                            "loc": ["body", "response_format", "type"],
                            "msg": "Input should be 'text' or 'json_object'",
                        }
                    ]
                },
            )
        return answer_with_valid_carts(seen)

    server = loopback(llama_cpp_python_like)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    result = engine.generate(llm_request("cart", 1))
    assert result.metadata.provider == "openai" and result.valid
    forms = [s.body["response_format"]["type"] for s in server.seen]
    assert forms == ["json_schema", "json_object"]
    assert server.seen[1].body["response_format"]["schema"]["required"] == ["records"]


def test_429_with_retry_after_is_waited_out_then_answered(loopback: Any) -> None:
    replies = [Reply(429, {"error": "slow down"}, headers={"retry-after": "1"})]
    server = loopback(lambda seen: replies.pop(0) if replies else answer_with_valid_carts(seen))
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    started = time.perf_counter()
    result = engine.generate(llm_request("cart", 1))
    assert time.perf_counter() - started >= 1.0
    assert result.metadata.provider == "openai" and result.metadata.details["fallback"] == 0
    assert len(server.seen) == 2


def test_timeout_gives_up_in_bounded_time_and_falls_back(loopback: Any) -> None:
    # The server holds every request until the test releases it (at most 120 s, so nothing can hang): the
    # engine returning while the server still holds them proves the client gave up on its own timeout, with
    # no wall-clock threshold that a loaded machine could break.
    release = threading.Event()

    def hold(seen: Seen) -> Reply:
        release.wait(120)
        return Reply(body={})

    server = loopback(hold)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny", llm_timeout=0.5, llm_max_retries=1)
    try:
        with pytest.warns(LLMFallbackWarning, match=r"timeout"):
            result = engine.generate(llm_request("cart", 2))
        assert not release.is_set() and len(server.seen) == 2  # both attempts timed out, none was answered
    finally:
        release.set()
    assert result.metadata.strategy == "traditional" and len(result.records) == 2 and result.valid
    assert "openai unavailable" in result.metadata.reason and "gave up after 2 attempts" in result.metadata.reason
    assert result.metadata.details["fallback"] == 2


def test_500_everywhere_means_provider_down_and_strict_mode_fails(loopback: Any) -> None:
    server = loopback(lambda seen: Reply(500, {"error": "boom"}))
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny", llm_max_retries=0, llm_strict=True)
    with pytest.raises(GenerationError, match=r"HTTP 500.*llm-strict forbids the fallback"):
        engine.generate(llm_request("cart", 1))


def test_provider_chain_moves_from_a_failing_claude_to_the_openai_server(
    loopback: Any, messages_api_double: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    claude = messages_api_double(
        faults=[Reply(500, {"type": "error", "error": {"type": "api_error", "message": "x"}})] * 5
    )
    server = loopback(answer_with_valid_carts)
    engine = make_engine(
        anthropic_api_key="sk-ant-test-double", anthropic_base_url=claude.url, vllm_url=server.url + "/v1",
        vllm_model="tiny", llm_max_retries=1
    )
    with pytest.warns(LLMFallbackWarning, match=r"anthropic unavailable.*openai answered instead"):
        result = engine.generate(llm_request("cart", 2))
    assert result.metadata.provider == "openai" and result.metadata.strategy == "llm"
    assert result.metadata.details["provider_errors"] == 1 and len(claude.seen) == 2


def test_malformed_json_is_repaired_then_falls_back_per_record(loopback: Any) -> None:
    server = loopback(lambda seen: chat_reply('{"records": [{"subtotal": 12.5, "items": oops'))
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    result = quietly(engine, llm_request("cart", 2))
    details = result.metadata.details
    assert len(result.records) == 2 and result.valid
    assert details["fallback"] == 2 and details["model_requests"] == 2  # the first answer and one follow-up
    assert any("not JSON" in p or "cut short" in p for p in details["output_problems"])
    # every record fell back: the metadata says traditional, with the model's answer as the reason
    assert result.metadata.strategy == "traditional" and result.metadata.provider == "openai"
    assert "openai:tiny answered, but every one of the 2 records was invalid" in result.metadata.reason
    assert "fell back to traditional for all 2 records" in result.metadata.reason


def test_answer_cut_at_max_tokens_keeps_complete_records_and_asks_for_the_rest(loopback: Any) -> None:
    def cut_then_complete(seen: Seen) -> Reply:
        schema = seen.body["response_format"]["json_schema"]["schema"]
        n = requested_count(schema)
        if len(seen.body["messages"]) and len([s for s in server.seen if s.method == "POST"]) == 1:
            whole = json.dumps({"records": carts(n)})
            return chat_reply(whole[: len(whole) * 2 // 3], finish_reason="length")
        return chat_reply(json.dumps({"records": carts(n)}))

    server = loopback(cut_then_complete)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    result = engine.generate(llm_request("cart", 3))
    details = result.metadata.details
    assert result.metadata.strategy == "llm" and len(result.records) == 3 and result.valid
    assert details["fallback"] == 0 and details["model_requests"] == 2
    assert any("cut at the token limit" in p for p in details["output_problems"])
    second = server.seen[1].body["response_format"]["json_schema"]["schema"]
    assert requested_count(second) < 3  # only the records the cut left out were asked for again


def test_schema_violating_records_go_through_the_repair_template(loopback: Any) -> None:
    def broken_then_fixed(seen: Seen) -> Reply:
        user = seen.body["messages"][1]["content"]
        records = carts(1)
        if "Repair these" not in user:
            records[0]["currency"] = "DOGE"  # outside the enum
            records[0]["total"] = -5  # below the minimum, and the sum rule breaks
        return chat_reply(json.dumps({"records": records}))

    server = loopback(broken_then_fixed)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    result = engine.generate(llm_request("cart", 1))
    assert result.valid and result.metadata.details["repaired"] == 1 and result.metadata.details["fallback"] == 0
    repair = server.seen[1].body["messages"][1]["content"]
    assert "currency" in repair and "DOGE" in repair and "total" in repair
    assert result.records[0]["currency"] != "DOGE"


def test_answer_that_is_not_http_json_is_a_provider_failure(loopback: Any) -> None:
    server = loopback(lambda seen: Reply(raw=b"<html>proxy error</html>"))
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    with pytest.warns(LLMFallbackWarning, match=r"not JSON"):
        result = engine.generate(llm_request("cart", 1))
    assert result.metadata.strategy == "traditional" and result.valid


def test_unreachable_server_falls_back_with_reason(loopback: Any) -> None:
    server = loopback(answer_with_valid_carts)
    url = server.url
    server.close()
    engine = make_engine(vllm_url=url + "/v1", vllm_model="tiny", llm_max_retries=0)
    with pytest.warns(LLMFallbackWarning, match=r"cannot reach"):
        result = engine.generate(llm_request("cart", 1))
    assert result.metadata.strategy == "traditional"


def test_large_counts_are_chunked_into_batches(loopback: Any) -> None:
    server = loopback(answer_with_valid_carts)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny", llm_batch_size=2)
    result = engine.generate(llm_request("cart", 5))
    sizes = [requested_count(s.body["response_format"]["json_schema"]["schema"]) for s in server.seen]
    assert sizes == [2, 2, 1] and len(result.records) == 5 and result.metadata.details["model_requests"] == 3
    assert len({s.body["seed"] for s in server.seen}) == 3  # each chunk has its own seed


def test_retrieved_patterns_use_the_pattern_guided_template(loopback: Any) -> None:
    server = loopback(answer_with_valid_carts)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    pattern = {"currency": "EUR", "subtotal": 0.5, "tax": 0.0, "total": 0.5}
    result = engine.generate(llm_request("cart", 1, options={"patterns": [pattern]}))
    assert result.metadata.details["template"] == "pattern_guided@1"
    user = server.seen[0].body["messages"][1]["content"]
    assert "<examples>" in user and '"subtotal": 0.5' in user


def test_hybrid_strategy_writes_through_the_llm_with_retrieved_patterns(loopback: Any, tmp_path: Any) -> None:
    server = loopback(answer_with_valid_carts)
    engine = make_engine(
        vllm_url=server.url + "/v1", vllm_model="tiny", store="embedded", store_path=str(tmp_path / "patterns.sqlite3")
    )
    request = llm_request("cart", 2, defect_triggering=True, context="holiday rush")
    result = engine.generate(request.replace(strategy="hybrid"))
    assert result.metadata.provider == "openai" and len(result.records) == 2
    user = server.seen[0].body["messages"][1]["content"]
    assert "<examples>" in user and "holiday rush" in user  # retrieved patterns, as data, and the context


def test_result_cache_keys_name_the_provider_model_and_templates(loopback: Any) -> None:
    from pytest_testdata.cache import build_cache

    server = loopback(answer_with_valid_carts)
    engine = make_engine(vllm_url=server.url + "/v1", vllm_model="tiny")
    engine.cache = build_cache({"cache": "memory"})
    first = engine.generate(llm_request("cart", 1))
    again = engine.generate(llm_request("cart", 1))
    assert again.metadata.cache_hit and again.records == first.records and len(server.seen) == 1
    other_model = make_engine(vllm_url=server.url + "/v1", vllm_model="bigger")
    other_model.cache = engine.cache
    assert not other_model.generate(llm_request("cart", 1)).metadata.cache_hit
