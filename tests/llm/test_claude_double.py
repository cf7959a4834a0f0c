"""The Claude provider (the real ``anthropic`` SDK) against ``messages_api_double``, a loopback test double of
the Messages API: forced tool use, retries honouring retry-after, and cassettes with scrubbed secrets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_testdata.generators.llm import LLMFallbackWarning
from pytest_testdata.recording.cassettes import BOOK, StaleCassetteError
from tests.llm.conftest import llm_request, make_engine, valid_records
from tests.llm.servers import Reply

SECRET = "sk-ant-api03-very-secret-test-key"


@pytest.fixture
def claude(messages_api_double: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    double = messages_api_double()
    return double


def test_claude_forced_tool_use_yields_valid_records(claude: Any) -> None:
    engine = make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, claude_model="claude-haiku-4-5",
                         claude_max_tokens=900)
    result = engine.generate(llm_request("cart", 2, context="holiday shopping, electronics"))
    meta = result.metadata
    assert (meta.strategy, meta.provider, meta.model) == ("llm", "anthropic", "claude-haiku-4-5")
    assert result.valid and len(result.records) == 2
    assert meta.details["tokens_in"] > 0 and meta.details["tokens_out"] > 0 and meta.details["template"] == "scenario@1"
    body = claude.seen[0].body
    assert body["tool_choice"] == {"type": "tool", "name": "emit_records"} and body["max_tokens"] == 900
    assert body["tools"][0]["input_schema"]["properties"]["records"]["maxItems"] == 2
    assert "<scenario>\nholiday shopping, electronics\n</scenario>" in body["messages"][0]["content"]
    assert "temperature" not in body  # sent only when CLAUDE_TEMPERATURE is set


def test_claude_temperature_setting_is_sent(claude: Any) -> None:
    engine = make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, claude_temperature=0.3)
    engine.generate(llm_request("cart", 1))
    assert claude.seen[0].body["temperature"] == 0.3


def test_claude_429_with_retry_after_is_retried_by_the_sdk(
    messages_api_double: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    limited = Reply(
        429,
        {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
        headers={"retry-after": "1"},
    )
    double = messages_api_double(faults=[limited])
    engine = make_engine(anthropic_api_key=SECRET, anthropic_base_url=double.url)
    started = time.perf_counter()
    result = engine.generate(llm_request("cart", 1))
    assert time.perf_counter() - started >= 1.0
    assert result.metadata.provider == "anthropic" and len(double.seen) == 2


def test_claude_exchange_is_recorded_without_secrets_and_replays_offline(
    messages_api_double: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    claude = messages_api_double(valid_records("user"))
    cassette = tmp_path / "cassettes" / "test_claude.yaml"
    engine = make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, record_mode="once")
    first = engine.generate(llm_request("user", 2, cassette=cassette, context="loyal customers in Leeds"))
    BOOK.close()
    text = cassette.read_text()
    assert SECRET not in text
    recorded = yaml.safe_load(text)["interactions"]
    assert len(recorded) == first.metadata.details["model_requests"] >= 1
    assert all({"x-api-key", "authorization"}.isdisjoint(k.lower() for k in i["request"]["headers"]) for i in recorded)
    assert first.metadata.details["cassette_recorded"] == len(recorded)

    claude.close()  # nothing is listening now: replay must not need the network
    offline = make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, offline=True)
    again = offline.generate(llm_request("user", 2, cassette=cassette, context="loyal customers in Leeds"))
    BOOK.close()
    assert again.records == first.records
    assert again.metadata.details["cassette_hits"] == len(recorded)
    for key in ("model_requests", "tokens", "repaired", "fallback", "template"):
        assert again.metadata.details[key] == first.metadata.details[key]

    # CI: no key anywhere, the provider named in the settings, the committed cassette replays
    keyless = make_engine(llm_provider="anthropic", anthropic_base_url=claude.url, offline=True)
    replayed = keyless.generate(llm_request("user", 2, cassette=cassette, context="loyal customers in Leeds"))
    BOOK.close()
    assert replayed.records == first.records and replayed.metadata.provider == "anthropic"


def test_claude_without_a_key_and_without_a_cassette_is_a_reported_fallback(claude: Any) -> None:
    engine = make_engine(llm_provider="anthropic", anthropic_base_url=claude.url)
    with pytest.warns(LLMFallbackWarning, match=r"anthropic: no API key: set TESTDATA_ANTHROPIC_API_KEY"):
        result = engine.generate(llm_request("cart", 1))
    assert result.metadata.strategy == "traditional" and claude.seen == []


def test_claude_stale_cassette_is_reported_not_treated_as_an_outage(
    messages_api_double: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    claude = messages_api_double(valid_records("cart"))
    cassette = tmp_path / "test_stale.yaml"
    make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, record_mode="once").generate(
        llm_request("cart", 1, cassette=cassette, context="holiday")
    )
    BOOK.close()
    offline = make_engine(anthropic_api_key=SECRET, anthropic_base_url=claude.url, offline=True, llm_max_retries=0)
    with pytest.raises(StaleCassetteError,
                       match=r"context 'holiday' -> 'back to school'.*--testdata-record-mode=rewrite"):
        offline.generate(llm_request("cart", 1, cassette=cassette, context="back to school"))
    BOOK.close()
    assert len(claude.seen) == 1  # only the recording run reached the double


def test_claude_answer_cut_at_max_tokens_is_asked_again(
    messages_api_double: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut = Reply(
        body={
            "id": "msg_cut",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "emit_records", "input": {}}],
            "stop_reason": "max_tokens",
            "stop_sequence": None,
            "usage": {"input_tokens": 900, "output_tokens": 64},
        }
    )
    double = messages_api_double(faults=[cut])
    result = make_engine(anthropic_api_key=SECRET, anthropic_base_url=double.url).generate(llm_request("cart", 2))
    details = result.metadata.details
    assert result.metadata.provider == "anthropic" and result.valid and details["fallback"] == 0
    assert details["model_requests"] == 2 and details["tokens_out"] > 64
    assert any("cut at the token limit" in p for p in details["output_problems"])


def test_api_keys_inside_request_bodies_are_scrubbed() -> None:
    from vcr.request import Request

    from pytest_testdata.recording.cassettes import scrub_request

    body = b'{"model": "m", "api_key": "sk-secret", "nested": {"client_secret": "x"}, "max_tokens": 5}'
    scrubbed = scrub_request(Request("POST", "http://h/v1/chat/completions", body, {}))
    assert b"sk-secret" not in scrubbed.body and b'"x"' not in scrubbed.body
    assert b'"max_tokens": 5' in scrubbed.body and b"<scrubbed>" in scrubbed.body
