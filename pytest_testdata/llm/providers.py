"""Which providers run, in which order: the chain Claude -> OpenAI-compatible -> local (-> traditional).

Read from the engine's options (the plugin's settings), falling back to each option's environment twin and
default, so the CLI and the agent configure providers exactly as the plugin does. A request can pick a
provider or model with ``options={"provider": ..., "model": ...}``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from pytest_testdata.config import OPTION_BY_NAME, parse_value
from pytest_testdata.errors import choice_error
from pytest_testdata.llm.base import Provider

ORDER = ("anthropic", "openai", "local")


def setting(options: Mapping[str, Any], name: str) -> Any:
    """An option from the engine's options, else its environment twin, else its default."""
    if name in options and options[name] is not None:
        return options[name]
    settings = options.get("settings")
    if settings is not None and hasattr(settings, "get"):
        value = settings.get(name)
        if value is not None:
            return value
    option = OPTION_BY_NAME[name]
    for env in option.env:
        if os.environ.get(env):
            return parse_value(option, os.environ[env], f"environment variable {env}")
    return option.default


def configured(options: Mapping[str, Any]) -> dict[str, str]:
    """Provider name -> what configures it, for every provider set up here."""
    found: dict[str, str] = {}
    if os.environ.get("ANTHROPIC_API_KEY"):
        found["anthropic"] = "ANTHROPIC_API_KEY is set"
    if setting(options, "vllm_url"):
        found["openai"] = f"vllm_url {setting(options, 'vllm_url')}"
    if setting(options, "local_model"):
        found["local"] = f"local_model {setting(options, 'local_model')}"
    return found


def chain_names(options: Mapping[str, Any], requested: str | None = None) -> list[str]:
    """The providers to try in order (empty when none is configured or the provider is ``none``)."""
    choice = requested or setting(options, "llm_provider")
    if choice not in (*ORDER, "auto", "none"):
        raise choice_error("llm provider (options['provider'])", choice, (*ORDER, "auto", "none"))
    if choice == "none":
        return []
    available = configured(options)
    if choice == "auto":
        return [name for name in ORDER if name in available]
    # An explicitly chosen provider runs even when its usual configuration signal is missing (the SDK may
    # find a key elsewhere); the configured others stay behind it as fallbacks.
    return [choice] + [name for name in ORDER if name in available and name != choice]


def _claude(options: Mapping[str, Any], model: str | None) -> Provider:
    from pytest_testdata.llm.anthropic_provider import ClaudeProvider

    return ClaudeProvider(
        model or setting(options, "claude_model"),
        base_url=setting(options, "anthropic_base_url"),
        max_tokens=int(setting(options, "claude_max_tokens")),
        temperature=_float_or_none(setting(options, "claude_temperature")),
        timeout=float(setting(options, "llm_timeout")),
        max_retries=int(setting(options, "llm_max_retries")),
    )


def _openai(options: Mapping[str, Any], model: str | None) -> Provider:
    from pytest_testdata.llm.openai_compat import OpenAICompatProvider

    url = setting(options, "vllm_url") or "http://localhost:8000/v1"
    return OpenAICompatProvider(
        url,
        model or setting(options, "vllm_model"),
        api_key=os.environ.get("VLLM_API_KEY") or os.environ.get("OPENAI_API_KEY"),
        timeout=float(setting(options, "llm_timeout")),
        max_retries=int(setting(options, "llm_max_retries")),
        max_tokens=int(setting(options, "llm_max_tokens")),
        temperature=float(setting(options, "llm_temperature")),
        response_format=setting(options, "response_format"),
    )


def _local(options: Mapping[str, Any], model: str | None) -> Provider:
    from pytest_testdata.llm.local import LocalProvider

    return LocalProvider(
        setting(options, "local_model") or "",
        max_tokens=int(setting(options, "llm_max_tokens")),
        temperature=float(setting(options, "llm_temperature")),
    )


ProviderFactory = Callable[[Mapping[str, Any], "str | None"], Provider]
PROVIDERS: dict[str, ProviderFactory] = {"anthropic": _claude, "openai": _openai, "local": _local}
"""Provider name -> factory ``(options, model) -> Provider``; each imports its SDK only when called."""


def build(name: str, options: Mapping[str, Any], model: str | None = None) -> Provider:
    """Construct one provider from the settings."""
    factory = PROVIDERS.get(name)
    if factory is None:
        raise choice_error("llm provider", name, tuple(PROVIDERS))
    return factory(options, model)


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
