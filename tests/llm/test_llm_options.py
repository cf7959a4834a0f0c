"""The LLM settings as a user meets them: --help, bad values, environment twins."""

from __future__ import annotations

import pytest


def test_help_lists_the_llm_options_with_their_environment_twins(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "*--testdata-llm-provider=LLM_PROVIDER*",
            "*--testdata-claude-model=MODEL*",
            "*testdata_claude_model; env: TESTDATA_CLAUDE_MODEL)*",
            "*--testdata-vllm-url=URL*",
            "*--testdata-local-model=PATH*",
            "*TESTDATA_LOCAL_MODEL)*",
        ]
    )


def test_a_bad_number_fails_early_naming_the_option(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--testdata-llm-timeout", "soon")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--testdata-llm-timeout (llm_timeout): 'soon' is not a number. "
            "For example: --testdata-llm-timeout 0.5*"
        ]
    )


def test_a_bad_provider_lists_the_allowed_ones(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESTDATA_LLM_PROVIDER", "gemini")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*environment variable TESTDATA_LLM_PROVIDER (llm_provider): 'gemini' is not "
            "allowed. Allowed: auto, anthropic, openai, local, none.*"
        ]
    )


def test_environment_configures_the_provider_chain_through_testdata_names_only(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the service names a developer's shell has for other programs configure nothing inside pytest
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-meant-for-another-program")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8/v1")
    monkeypatch.setenv("CLAUDE_MAX_TOKENS", "1")
    monkeypatch.setenv("TESTDATA_VLLM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("TESTDATA_CLAUDE_MAX_TOKENS", "512")
    pytester.makepyfile(
        test_env="""
        from pytest_testdata.llm import providers

        def test_chain(testdata):
            engine = testdata.engine
            assert providers.chain_names(engine.options) == ["openai"]
            assert providers.setting(engine.options, "vllm_url") == "http://127.0.0.1:9/v1"
            assert providers.setting(engine.options, "claude_max_tokens") == 512
            assert engine.unavailable_reason("llm") is None
    """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_loading_the_plugin_imports_no_llm_package(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import sys

        def pytest_collection_finish(session):
            heavy = sorted(m for m in ("anthropic", "httpx", "httpx2", "vcr", "llama_cpp", "yaml")
                           if m in sys.modules)
            print("HEAVY", heavy)
    """)
    pytester.makepyfile(test_plain="def test_one(testdata):\n    testdata('cart')\n")
    result = pytester.runpytest_subprocess("--co", "-s", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["HEAVY []"])
