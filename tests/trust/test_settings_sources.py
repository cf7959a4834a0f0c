"""One settings resolver: config.py alone reads the environment; the plugin reads TESTDATA_* names, the agent
also the service names; docs/configuration.md lists every one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pytest_testdata.agent.settings import engine_settings, known_env_names, load_settings
from pytest_testdata.config import OPTIONS, SECRETS, Secret, resolve, service_environment

ROOT = Path(__file__).resolve().parents[2]
SERVICE_ENV = {
    "REDIS_URL": "redis://app:6379/0", "CACHE_TTL_SECONDS": "77", "VLLM_URL": "http://vllm:8000/v1",
    "OPENAI_BASE_URL": "http://other/v1", "LLM_TIMEOUT": "9", "CLAUDE_MODEL": "claude-x", "RAG_TOP_K": "7",
    "ANTHROPIC_API_KEY": "sk-ant-secret", "WEAVIATE_URL": "http://weaviate:8080", "GRPC_PORT": "9999",
}


def test_only_config_reads_the_environment() -> None:
    readers = []
    for path in sorted((ROOT / "pytest_testdata").rglob("*.py")):
        if path.name.endswith(("_pb2.py", "_pb2_grpc.py")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(str(path.relative_to(ROOT)))
    assert sorted(set(readers)) == ["pytest_testdata/config.py"]


def test_the_plugin_settings_ignore_service_names() -> None:
    settings = resolve({}, {}, SERVICE_ENV)
    assert settings.get("redis_url") is None and settings.get("cache_ttl") == 3600
    assert settings.get("vllm_url") is None and settings.get("llm_timeout") == 60.0
    assert settings.get("claude_model") == "claude-sonnet-5" and settings.get("rag_top_k") == 5
    assert settings.get("anthropic_api_key") is None and settings.get("weaviate_url") is None


def test_the_agent_reads_service_names_and_testdata_names_win() -> None:
    settings = engine_settings({**SERVICE_ENV, "TESTDATA_CLAUDE_MODEL": "claude-y"})
    assert settings.get("redis_url") == "redis://app:6379/0" and settings.get("cache_ttl") == 77
    assert settings.get("vllm_url") == "http://vllm:8000/v1"  # VLLM_URL before OPENAI_BASE_URL
    assert settings.get("llm_timeout") == 9.0 and settings.get("rag_top_k") == 7
    assert settings.get("claude_model") == "claude-y"
    key = settings.get("anthropic_api_key")
    assert key == "sk-ant-secret" and isinstance(key, Secret) and "sk-ant" not in repr(settings)
    agent = load_settings(service_environment(SERVICE_ENV))
    assert agent.grpc_port == 9999 and agent.redis_url == "redis://app:6379/0"


def test_a_testdata_key_configures_claude_and_naming_it_chooses_it() -> None:
    from pytest_testdata.llm import providers

    def chain(environ: dict[str, str], **cli: str) -> list[str]:
        settings = resolve(cli, {}, environ)
        return providers.chain_names({**settings.extra, "settings": settings})

    assert chain({"ANTHROPIC_API_KEY": "sk-ant-x"}) == []  # the SDK's variable alone: nothing
    assert chain({"TESTDATA_ANTHROPIC_API_KEY": "sk-ant-x"}) == ["anthropic"]
    assert chain({}, llm_provider="anthropic") == ["anthropic"]  # named on purpose (the SDK finds its key)
    assert chain({"TESTDATA_ANTHROPIC_API_KEY": "sk-ant-x"}, llm_provider="none") == []


def test_a_bad_service_value_names_the_variable_the_agent_read() -> None:
    with pytest.raises(Exception, match=r"TESTDATA_RAG_TOP_K|RAG_TOP_K"):
        engine_settings({"RAG_TOP_K": "many"})


def test_configuration_doc_lists_every_name() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    names = {n for o in OPTIONS for n in (*o.env, *o.service_env, o.flag, o.ini)}
    names |= {n for s in SECRETS for n in (*s.env, *s.service_env)}
    names |= known_env_names()
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert missing == [], f"docs/configuration.md does not list {missing}"
