"""Which providers run, in which order: the chain Claude -> OpenAI-compatible -> local (-> traditional).

Read from the engine's options only (built from :func:`pytest_testdata.config.resolve` by every door), never
from the environment: a provider runs only when these settings or the call name it. An SDK's own variable
(``ANTHROPIC_API_KEY``, ``OPENAI_BASE_URL``) in the environment configures nothing here. A request can pick a
provider or model with ``options={"provider": ..., "model": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_testdata.config import OPTION_BY_NAME
from pytest_testdata.errors import choice_error
from pytest_testdata.llm.base import Provider

ORDER = ("anthropic", "openai", "local")


def setting(options: Mapping[str, Any], name: str) -> Any:
    """An option from the engine's options (or their ``settings``), else its default. Never the environment."""
    if name in options and options[name] is not None:
        return options[name]
    settings = options.get("settings")
    if settings is not None and hasattr(settings, "get"):
        value = settings.get(name)
        if value is not None:
            return value
    option = OPTION_BY_NAME.get(name)
    return option.default if option is not None else None


def configured(options: Mapping[str, Any]) -> dict[str, str]:
    """Provider name -> the setting that configures it, for every provider these settings set up."""
    found: dict[str, str] = {}
    if setting(options, "anthropic_api_key"):
        found["anthropic"] = "anthropic_api_key is set"
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
    # An explicitly chosen provider runs even when its usual configuration signal is missing (the anthropic
    # SDK then reads its own key); the configured others stay behind it as fallbacks.
    return [choice] + [name for name in ORDER if name in available and name != choice]


def build(name: str, options: Mapping[str, Any], model: str | None = None) -> Provider:
    """Construct one provider from the settings."""
    timeout = float(setting(options, "llm_timeout"))
    retries = int(setting(options, "llm_max_retries"))
    if name == "anthropic":
        from pytest_testdata.llm.anthropic_provider import ClaudeProvider

        return ClaudeProvider(
            model or setting(options, "claude_model"),
            api_key=setting(options, "anthropic_api_key"),
            base_url=setting(options, "anthropic_base_url"),
            max_tokens=int(setting(options, "claude_max_tokens")),
            temperature=_float_or_none(setting(options, "claude_temperature")),
            timeout=timeout,
            max_retries=retries,
        )
    if name == "openai":
        from pytest_testdata.llm.openai_compat import OpenAICompatProvider

        url = setting(options, "vllm_url") or "http://localhost:8000/v1"
        return OpenAICompatProvider(
            url,
            model or setting(options, "vllm_model"),
            api_key=setting(options, "openai_api_key"),
            timeout=timeout,
            max_retries=retries,
            max_tokens=int(setting(options, "llm_max_tokens")),
            temperature=float(setting(options, "llm_temperature")),
            response_format=setting(options, "response_format"),
        )
    from pytest_testdata.llm.local import LocalProvider

    return LocalProvider(
        setting(options, "local_model") or "",
        max_tokens=int(setting(options, "llm_max_tokens")),
        temperature=float(setting(options, "llm_temperature")),
    )


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
