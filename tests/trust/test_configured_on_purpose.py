"""Nothing live unless asked, in a user's project on a developer's machine (see conftest.py).

Each test runs the plugin through ``pytester`` in a project of its own, with ``ANTHROPIC_API_KEY``,
``REDIS_URL``, ``OPENAI_BASE_URL`` and other service variables set as a developer's shell has them, and the
network blocked except loopback.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.llm.servers import LoopbackServer, Reply, Seen, chat_reply, requested_count
from tests.llm.test_openai_faults import carts
from tests.trust.conftest import UserProject


def answer(seen: Seen) -> Reply:
    schema = seen.body["response_format"]["json_schema"]["schema"]
    return chat_reply(json.dumps({"records": carts(requested_count(schema))}), model="tiny")


@pytest.fixture
def llm_server() -> Any:
    server = LoopbackServer(answer)
    yield server
    server.close()


def test_a_developer_environment_sends_nothing_anywhere(user_project: UserProject) -> None:
    user_project.pytester.makepyfile(
        test_shop="""
        def test_auto_reviews_and_products(testdata):
            for entity in ("review", "product"):
                meta = testdata.result(entity, 3).metadata
                print("ROUTE", entity, meta.strategy, "|", meta.reason)
                assert meta.strategy == "traditional" and meta.provider is None

        def test_context_on_auto_falls_back_and_says_why(testdata):
            meta = testdata.result("review", context="a phone case").metadata
            print("ROUTE context", meta.strategy, "|", meta.reason)
            assert meta.strategy == "traditional"
            assert "no LLM provider is configured" in meta.reason

        def test_the_settings_ignore_the_service_names(testdata):
            from pytest_testdata.llm import providers

            options = testdata.engine.options
            assert providers.chain_names(options) == []
            assert providers.setting(options, "llm_timeout") == 60.0
            assert providers.setting(options, "claude_model") == "claude-sonnet-5"
            assert providers.setting(options, "vllm_url") is None
            assert providers.setting(options, "rag_top_k") == 5
            assert options["redis_url"] is None and options["anthropic_api_key"] is None
    """
    )
    result = user_project.pytester.runpytest("-s", "--testdata-seed", "5")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*ROUTE review traditional | no context, quality hint or history flag*",
            "*ROUTE product traditional | no context*",
            "*ROUTE context traditional | context given*llm is unavailable (no LLM provider is configured*",
        ]
    )
    assert user_project.blocked() == []  # not even a name look-up
    assert user_project.testdata_keys() == []  # the application's Redis saw nothing of the plugin


def test_the_guard_and_the_redis_check_can_fail(user_project: UserProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above are not vacuous: the plugin's own Redis setting writes keys, and a remote connect is
    refused and logged."""
    monkeypatch.setenv("TESTDATA_REDIS_URL", user_project.redis.url)
    user_project.pytester.makepyfile(
        test_shop="""
        import socket

        def test_uses_the_configured_cache(testdata):
            testdata("review", 2)

        def test_remote_connect_is_refused():
            try:
                socket.create_connection(("203.0.113.9", 443), timeout=1)
            except OSError as exc:
                assert "network blocked" in str(exc)
    """
    )
    user_project.pytester.runpytest().assert_outcomes(passed=2)
    assert user_project.testdata_keys() != []
    assert any("203.0.113.9" in line for line in user_project.blocked())


def test_a_provider_named_on_purpose_without_a_cassette_is_an_error_not_a_live_call(
    user_project: UserProject,
) -> None:
    user_project.pytester.makepyfile(
        test_shop="""
        def test_review(testdata):
            testdata("review", context="a phone case")
    """
    )
    result = user_project.pytester.runpytest("--testdata-llm-provider", "anthropic")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMissingError: no cassette for this test at "
            "*cassettes/testdata/test_shop/test_review.testdata.yaml: record mode 'none' replays only and "
            "never calls a provider. Record it with: pytest 'test_shop.py::test_review' "
            "--testdata-record-mode=once*",
        ]
    )
    assert user_project.blocked() == []
    assert user_project.testdata_keys() == []


def test_testdata_settings_configure_a_provider_recorded_once_replayed_on_any_seed(
    user_project: UserProject, llm_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESTDATA_VLLM_URL", llm_server.url + "/v1")
    monkeypatch.setenv("TESTDATA_VLLM_MODEL", "tiny")
    monkeypatch.setenv("TESTDATA_LLM_TIMEOUT", "60")
    user_project.pytester.makepyfile(
        test_shop="""
        def test_carts(testdata):
            meta = testdata.result("cart", 2, context="holiday shopping").metadata
            print("META", meta.strategy, meta.provider, meta.details["cassette_hits"],
                  meta.details["cassette_recorded"])
    """
    )
    first = user_project.pytester.runpytest("-s", "--testdata-record-mode", "once")
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(["*META llm openai 0 1*"])
    assert len(llm_server.seen) == 1
    llm_server.close()
    for args in (("--testdata-seed", "1"), ("--testdata-seed", "random"), ("--testdata-offline",),
                 ("-n", "2")):
        again = user_project.pytester.runpytest("-s", *args)
        again.assert_outcomes(passed=1)
        if "-n" not in args:
            again.stdout.fnmatch_lines(["*META llm openai 1 0*"])
    assert user_project.blocked() == [] and user_project.testdata_keys() == []


def test_the_cassette_config_fixture_filters_what_is_recorded(
    user_project: UserProject, llm_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESTDATA_VLLM_URL", llm_server.url + "/v1")
    monkeypatch.setenv("TESTDATA_VLLM_MODEL", "tiny")
    user_project.pytester.makeconftest(
        user_project.pytester.path.joinpath("conftest.py").read_text()
        + '''

import pytest


@pytest.fixture
def testdata_cassette_config():
    def drop_server_header(response):
        response["headers"].pop("server", None)
        response["headers"]["x-reviewed"] = ["yes"]
        return response

    return {"cassette_dir": "recordings", "filter_headers": ["user-agent"],
            "before_record_response": drop_server_header}
'''
    )
    user_project.pytester.makepyfile(
        test_shop="""
        def test_carts(testdata):
            testdata("cart", 1, context="holiday shopping")
    """
    )
    user_project.pytester.runpytest("--testdata-record-mode", "once").assert_outcomes(passed=1)
    path = user_project.pytester.path / "recordings" / "testdata" / "test_shop" / "test_carts.testdata.yaml"
    interaction = yaml.safe_load(path.read_text())["interactions"][0]
    assert "user-agent" not in interaction["request"]["headers"]
    assert interaction["response"]["headers"]["x-reviewed"] == ["yes"]
    assert "server" not in {k.lower() for k in interaction["response"]["headers"]}
    user_project.pytester.runpytest("--testdata-offline").assert_outcomes(passed=1)


def test_an_unknown_cassette_config_key_names_the_allowed_ones(user_project: UserProject) -> None:
    user_project.pytester.makepyfile(
        test_shop="""
        import pytest

        @pytest.fixture
        def testdata_cassette_config():
            return {"record_mode": "all"}

        def test_carts(testdata):
            testdata("cart")
    """
    )
    result = user_project.pytester.runpytest()
    result.assert_outcomes(errors=1)  # in the test's set-up, where the fixture is read
    result.stdout.fnmatch_lines(
        ["*testdata_cassette_config fixture: unknown key(s) 'record_mode'. Allowed: cassette_dir, filter_headers*"
         "--testdata-record-mode*"]
    )
    assert "Traceback" not in result.stdout.str()
