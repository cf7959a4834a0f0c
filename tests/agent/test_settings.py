"""Settings from the environment, the serve commands, and the lazy imports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

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


# -- every bad setting stops the agent at start-up: exit 2, one line naming the variable and the value -------

def _serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "WORKERS": "0", **env}
    return subprocess.run([sys.executable, "-m", "pytest_testdata.cli", "serve", "--grpc-port", "0",
                           "--http-port", "0", *args], env=full, capture_output=True, text=True, timeout=120)


def _one_line(out: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stderr)
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert lines[0].startswith("testdata: error: ")
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


@pytest.mark.parametrize(("variable", "value", "allowed"), [
    ("TESTDATA_CACHE_TTL", "-5", "0 or more"),
    ("CACHE_TTL_SECONDS", "-5", "greater than or equal to 0"),
    ("TESTDATA_POOL_SIZE", "-1", "0 or more"),
    ("TESTDATA_CACHE_MAX_MB", "0", "1 or more"),
    ("SHUTDOWN_GRACE_SECONDS", "inf", "finite number"),
    ("SHUTDOWN_GRACE_SECONDS", "nan", "finite number"),
    ("SHUTDOWN_GRACE_SECONDS", "-1", "greater than or equal to 0"),
    ("BIND_HOST", "999.1.1.1", "IPv4 or IPv6 address"),
    ("BIND_HOST", "no such host!", "host name"),
    ("WORKERS", "-1", "greater than or equal to 0"),
    ("WORKER_LIVENESS_TIMEOUT_SECONDS", "inf", "finite number"),
    ("WORKER_MAX_MEMORY_MB", "-3", "greater than or equal to 0"),
    ("MAX_STREAMS", "31", "GRPC_MAX_WORKERS - 2 (30)"),
    ("GRPC_MAX_WORKERS", "2", "greater than or equal to 4"),
    ("LLM_TIMEOUT", "inf", "finite number"),
    ("UNARY_BUDGET_SECONDS", "0", "greater than 0"),
    ("UNARY_BUDGET_SECONDS", "7200", "less than or equal to 3600"),
    ("STREAM_BUDGET_SECONDS", "inf", "finite number"),
    ("STREAM_BUDGET_SECONDS", "-1", "greater than 0"),
])
def test_a_bad_value_is_one_line_naming_variable_value_and_what_is_allowed(variable: str, value: str,
                                                                           allowed: str) -> None:
    _one_line(_serve({variable: value}), variable, repr(value) if variable != "MAX_STREAMS" else value, allowed)


def test_a_non_pem_tls_file_is_named(tmp_path: Path) -> None:
    import trustme

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("this is not a certificate\n")
    key.write_text("nor a key\n")
    _one_line(_serve({"TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)}), "TLS_CERT_FILE", str(cert),
              "not a PEM file")
    # PEM files that do not belong together: a certificate with another certificate's key
    ca = trustme.CA()
    ca.issue_cert("localhost").cert_chain_pems[0].write_to_path(str(cert))
    ca.issue_cert("other").private_key_pem.write_to_path(str(key))
    _one_line(_serve({"TLS_CERT_FILE": str(cert), "TLS_KEY_FILE": str(key)}), "TLS_CERT_FILE", "TLS_KEY_FILE",
              "private key that belongs to it")


@pytest.mark.parametrize("workers", ["0", "2"])
@pytest.mark.parametrize("which", ["GRPC_PORT", "HTTP_PORT"])
def test_a_busy_port_is_named(which: str, workers: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        flag = "--grpc-port" if which == "GRPC_PORT" else "--http-port"
        args = ["--grpc-port", "0", "--http-port", "0"]
        args[args.index(flag) + 1] = str(port)
        out = _serve({"WORKERS": workers}, *args)
    _one_line(out, which, f"port {port}", "already in use")


def test_an_address_of_another_machine_is_blamed_on_bind_host() -> None:
    _one_line(_serve({"BIND_HOST": "192.0.2.1"}), "BIND_HOST", "192.0.2.1", "not an address of this machine")


def test_loopback_by_default_and_every_interface_only_when_asked() -> None:
    assert load_settings({}).bind_host == "127.0.0.1"
    assert load_settings({"BIND_HOST": "0.0.0.0"}).bind_host == "0.0.0.0"
    assert load_settings({"BIND_HOST": "[::1]"}).bind_host == "::1"
    # an empty variable (compose's ${AUTH_TOKEN:-}) means unset, never an empty token everyone matches
    assert load_settings({"AUTH_TOKEN": "", "WORKERS": ""}).auth_token is None


def test_workers_default_to_the_cores_available(monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_testdata.agent import settings as module

    monkeypatch.setattr(module.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(module, "_cgroup_quota", lambda: None)
    assert module.worker_count(load_settings({})) == 4
    monkeypatch.setattr(module, "_cgroup_quota", lambda: 1.5)  # a container limited to 1.5 CPUs
    assert module.worker_count(load_settings({})) == 2
    assert module.worker_count(load_settings({"WORKERS": "3"})) == 3
