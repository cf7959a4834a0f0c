"""Whether the ``llm`` strategy has a provider, answered without loading it.

The router asks this for every entity with free-text fields (a product's description, a review's body) when
the strategy is ``auto``: without a provider, those fields are the traditional strategy's. Loading the LLM
generator to ask cost a fresh process about 10 ms of imports (its prompts, the settings table, the provider
base classes) for its first product or review, for an answer that usually reads four settings. So this
module reads them as :func:`pytest_testdata.llm.providers.chain_names` does and answers when it can; a
setting it does not read the same way (a provider named explicitly, providers registered by a plugin) leaves
the answer to the generator. tests/llm/test_availability.py keeps the two answers equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NO_PROVIDER = (
    "no LLM provider is configured: name one with --testdata-llm-provider (anthropic: the SDK's "
    "ANTHROPIC_API_KEY, or TESTDATA_ANTHROPIC_API_KEY), --testdata-vllm-url (an OpenAI-compatible server) or "
    "--testdata-local-model (a GGUF file)"
)
SIGNALS = ("anthropic_api_key", "vllm_url", "local_model")
"""The settings that each configure a provider (:func:`pytest_testdata.llm.providers.configured`); none has
a default."""
DEFAULT_PROVIDER = "auto"
"""``llm_provider``'s default (pytest_testdata.config; the test checks they agree)."""


def _given(options: Mapping[str, Any], name: str) -> Any:
    """The setting as :func:`pytest_testdata.llm.providers.setting` reads it, None for its default."""
    value = options.get(name)
    if value is not None:
        return value
    settings = options.get("settings")
    return settings.get(name) if settings is not None and hasattr(settings, "get") else None


def quick_unavailable_reason(options: Mapping[str, Any]) -> tuple[bool, str | None]:
    """``(True, LLMGenerator.unavailable_reason())`` for these options, or ``(False, None)`` when only the
    generator can tell."""
    if options.get("provider_factories"):
        return False, None  # providers registered by a plugin: the generator knows them
    choice = _given(options, "llm_provider")
    if choice is None:
        choice = DEFAULT_PROVIDER
    if choice == "none":
        return True, "llm_provider is 'none'"
    if choice != "auto":
        return False, None  # a named provider (or a mistake, which the generator reports)
    return True, None if any(_given(options, name) for name in SIGNALS) else NO_PROVIDER


__all__ = ["NO_PROVIDER", "quick_unavailable_reason"]
