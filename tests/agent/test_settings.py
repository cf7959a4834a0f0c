"""Settings from the environment, the serve commands, and the lazy imports."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pytest_testdata.agent.settings import engine_settings, load_settings
from pytest_testdata.errors import TestdataUsageError


def test_defaults_match_the_spec() -> None:
    s = load_settings({})
    assert (s.grpc_port, s.http_port, s.max_sync_records, s.stream_batch_size) == (9091, 8091, 1000, 50)
    assert s.service_name == "testdata-agent" and s.log_level == "INFO" and not s.tracing


def test_environment_names() -> None:
    s = load_settings({"SERVICE_NAME": "td", "GRPC_PORT": "7000", "HTTP_PORT": "7001", "LOG_LEVEL": "debug",
                       "ENVIRONMENT": "staging", "MAX_SYNC_RECORDS": "10", "STREAM_BATCH_SIZE": "5",
                       "AUTH_TOKEN": "hunter2", "OTLP_ENDPOINT": "http://otel:4317", "REDIS_URL": "redis://r:6379/0"})
    assert (s.service_name, s.grpc_port, s.http_port, s.log_level, s.environment) == ("td", 7000, 7001, "DEBUG",
                                                                                      "staging")
    assert s.max_sync_records == 10 and s.stream_batch_size == 5 and s.tracing
    assert s.auth_token is not None and s.auth_token.get_secret_value() == "hunter2" and "hunter2" not in repr(s)


def test_bad_values_name_the_variable_and_value() -> None:
    with pytest.raises(TestdataUsageError) as info:
        load_settings({"GRPC_PORT": "ninety", "MAX_SYNC_RECORDS": "0", "LOG_LEVEL": "LOUD"})
    text = str(info.value)
    assert "GRPC_PORT" in text and "'ninety'" in text and "MAX_SYNC_RECORDS" in text
    assert "LOG_LEVEL" in text and "'DEBUG', 'INFO', 'WARNING' or 'ERROR'" in text


def test_strategy_and_store_settings_pass_through_to_the_engine() -> None:
    settings = engine_settings({"TESTDATA_STRATEGY": "traditional", "TESTDATA_LOCALE": "de_DE"})
    assert settings.strategy == "traditional" and settings.locale == "de_DE"


def test_bad_environment_is_one_line_and_exit_2() -> None:
    env = {**os.environ, "GRPC_PORT": "abc"}
    out = subprocess.run([sys.executable, "-m", "pytest_testdata.agent"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("testdata serve: error: Test Data Agent settings: GRPC_PORT")


def test_serve_help_lists_the_flags() -> None:
    out = subprocess.run([sys.executable, "-m", "pytest_testdata.cli", "serve", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--grpc-port", "--http-port", "--host", "--log-level"):
        assert flag in out.stdout


def test_plugin_load_does_not_import_the_agent_stack(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x(): pass")
    pytester.makeconftest(
        "import sys\n"
        "def pytest_collection_finish(session):\n"
        "    heavy = [m for m in ('grpc', 'prometheus_client', 'structlog', 'opentelemetry', "
        "'pydantic_settings') if m in sys.modules]\n"
        "    print('HEAVY', heavy)\n")
    result = pytester.runpytest_subprocess("--co", "-s", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["HEAVY []"])
