"""The router's question "has the llm strategy a provider?" gets the generator's answer without loading it."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_testdata.config import OPTION_BY_NAME
from pytest_testdata.engine import Engine
from pytest_testdata.generators.llm import LLMGenerator
from pytest_testdata.llm.availability import DEFAULT_PROVIDER, SIGNALS, quick_unavailable_reason


class Settings(dict[str, Any]):
    """Settings as the plugin hands them over: read with ``get``."""


OPTIONS: list[dict[str, Any]] = [
    {},
    {"llm_provider": "auto"},
    {"llm_provider": "none"},
    {"llm_provider": "none", "vllm_url": "http://127.0.0.1:9/v1"},
    {"anthropic_api_key": "sk-ant-test"},
    {"vllm_url": "http://127.0.0.1:9/v1"},
    {"local_model": "/models/tiny.gguf"},
    {"anthropic_api_key": ""},  # an empty key configures nothing
    {"settings": Settings(vllm_url="http://127.0.0.1:9/v1")},
    {"settings": Settings(llm_provider="none", local_model="/m.gguf")},
    {"llm_provider": None, "settings": Settings(llm_provider="auto")},
    {"llm_provider": "anthropic"},
    {"llm_provider": "openai", "vllm_url": "http://127.0.0.1:9/v1"},
    {"provider_factories": {"mine": lambda options, model: None}},
]


@pytest.mark.parametrize("options", OPTIONS, ids=[",".join(f"{k}={v}" if isinstance(v, (str, type(None))) else k
                                                          for k, v in o.items()) or "defaults" for o in OPTIONS])
def test_the_quick_answer_is_the_generators_or_none(options: dict[str, Any]) -> None:
    known, reason = quick_unavailable_reason(options)
    generator = LLMGenerator(Engine(options=options))
    if known:
        assert reason == generator.unavailable_reason()
    # and through the engine, which asks the quick answer first, the same reason either way
    assert Engine(options=options).unavailable_reason("llm") == generator.unavailable_reason()


def test_the_common_cases_are_answered_without_the_generator() -> None:
    assert quick_unavailable_reason({}) == (True, LLMGenerator(Engine()).unavailable_reason())
    assert quick_unavailable_reason({"vllm_url": "http://127.0.0.1:9/v1"}) == (True, None)
    engine = Engine()
    engine.unavailable_reason("llm")
    assert "llm" not in engine._generators  # answered without building the LLM generator


def test_it_reads_the_settings_tables_defaults() -> None:
    assert OPTION_BY_NAME["llm_provider"].default == DEFAULT_PROVIDER
    for name in SIGNALS:
        option = OPTION_BY_NAME.get(name)
        assert option is None or not option.default, name
