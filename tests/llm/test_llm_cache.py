"""The result cache and cassettes: recording always reaches the provider; replay may be cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_testdata.cache import build_cache
from pytest_testdata.engine import Engine
from tests.llm.conftest import FAST, llm_request, quietly
from tests.llm.test_plugin_cassettes import answer


def _engine(url: str, record_mode: str) -> Engine:
    options = {**FAST, "vllm_url": url, "vllm_model": "tiny", "record_mode": record_mode}
    return Engine(options=options, cache=build_cache({"cache": "memory"}))


def test_record_mode_all_reaches_the_provider_even_when_the_cache_holds_the_answer(
    loopback: Any, tmp_path: Path, close_cassettes: None
) -> None:
    server = loopback(answer)
    engine = _engine(server.url + "/v1", "all")
    request = llm_request("cart", 1, cassette=tmp_path / "test_carts.yaml")
    first = quietly(engine, request)
    second = quietly(engine, request)
    assert first.metadata.provider == "openai"
    assert not second.metadata.cache_hit
    assert len(server.seen) == 2, "recording must send the request again, not answer from the cache"


def test_without_a_cassette_in_play_a_repeated_seeded_llm_request_is_a_cache_hit(loopback: Any) -> None:
    server = loopback(answer)
    engine = _engine(server.url + "/v1", "none")
    request = llm_request("cart", 1)
    first = quietly(engine, request)
    second = quietly(engine, request)
    assert second.metadata.cache_hit and second.records == first.records
    assert len(server.seen) == 1
