"""Remote mode through pytester: the plugin's fixture and marker use a real agent; records equal local mode's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.llm.servers import closed_port

from .conftest import RunningAgent, start_agent, start_agent_process

TESTS = """
import json, os, pytest

OUT = os.environ["TESTDATA_OUT"] + os.environ.get("PYTEST_XDIST_WORKER", "")  # one file per xdist worker

def _save(name, value):
    data = json.load(open(OUT)) if os.path.exists(OUT) else {}
    data[name] = value
    json.dump(data, open(OUT, "w"))

def test_fixture(testdata):
    _save("fixture", {"one": testdata("user"), "many": testdata("cart", count=3, locale="de_DE"),
                      "constrained": testdata("cart", count=2, constraints={"total": {"max": 100}}),
                      "meta": testdata.last.metadata.strategy})

@pytest.mark.testdata("order", count=2)
def test_marker(order):
    _save("marker", order)

@pytest.mark.testdata("payment", variant="invalid")
def test_invalid(payment):
    _save("invalid-" + os.environ.get("PYTEST_CURRENT_TEST", "").split("[")[-1].split("]")[0], payment)
"""


def _run(pytester: pytest.Pytester, out: Path, *args: str, subprocess: bool = False) -> pytest.RunResult:
    pytester.makepyfile(test_data=TESTS)
    pytester._monkeypatch.setenv("TESTDATA_OUT", str(out))
    pytester._monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # set when this suite runs under xdist
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    return run("--testdata-seed", "4242", "-p", "no:cacheprovider", *args)


def test_remote_records_equal_local_records(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # Separate processes for the agent and both runs, as in real use: the traditional generator keeps
    # the unique values it handed out per process, so sharing one process would make the runs interact.
    proc, started = start_agent_process()
    try:
        address = f"127.0.0.1:{started['grpc_port']}"
        local, remote = tmp_path / "local.json", tmp_path / "remote.json"
        result_local = _run(pytester, local, subprocess=True)
        result_remote = _run(pytester, remote, "--testdata-remote", address, subprocess=True)
        assert result_local.ret == 0 and result_remote.ret == 0, result_remote.stdout.str()
        local_data, remote_data = json.loads(local.read_text()), json.loads(remote.read_text())
        assert len(remote_data) >= 3 and any(k.startswith("invalid-") for k in remote_data)
        assert remote_data == local_data
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    assert proc.stderr is not None
    served = [json.loads(line) for line in proc.stderr.read().splitlines() if '"GenerateData"' in line]
    assert len([s for s in served if s.get("status") == "OK"]) >= 5, "the agent served none of the remote calls"


def test_remote_from_ini_and_environment(pytester: pytest.Pytester, agent: RunningAgent, tmp_path: Path) -> None:
    pytester.makeini(f"[pytest]\ntestdata_remote = {agent.address}\n")
    before = len(agent.log_lines())
    assert _run(pytester, tmp_path / "ini.json").ret == 0
    assert len(agent.log_lines()) > before
    pytester.makeini("[pytest]\n")
    pytester._monkeypatch.setenv("TESTDATA_REMOTE", agent.address)
    before = len(agent.log_lines())
    assert _run(pytester, tmp_path / "env.json").ret == 0
    assert len(agent.log_lines()) > before


def test_unreachable_agent_is_one_error_at_session_start(pytester: pytest.Pytester, tmp_path: Path) -> None:
    address = f"127.0.0.1:{closed_port()}"
    result = _run(pytester, tmp_path / "x.json", "--testdata-remote", address)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert errors.count(address) == 2  # "--testdata-remote ADDRESS: ... at ADDRESS did not answer"
    assert "did not answer" in errors and "testdata serve" in errors
    assert "passed" not in result.stdout.str() and "failed" not in result.stdout.str()


def test_bad_remote_address_names_the_option(pytester: pytest.Pytester, tmp_path: Path) -> None:
    result = _run(pytester, tmp_path / "x.json", "--testdata-remote", "localhost")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--testdata-remote localhost*is not HOST:PORT*localhost:9091*"])


def test_remote_with_token(pytester: pytest.Pytester, tmp_path: Path) -> None:
    running = start_agent(auth_token="tok")
    try:
        result = _run(pytester, tmp_path / "t.json", "--testdata-remote", running.address)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"*--testdata-remote {running.address}*no bearer token*TESTDATA_AGENT_TOKEN*"])
        pytester._monkeypatch.setenv("TESTDATA_AGENT_TOKEN", "tok")
        assert _run(pytester, tmp_path / "t.json", "--testdata-remote", running.address).ret == 0
    finally:
        running.server.stop(grace=1)


def test_unknown_entity_in_remote_mode_reads_like_local(pytester: pytest.Pytester, agent: RunningAgent) -> None:
    pytester.makepyfile("def test_x(testdata):\n    testdata('custmer')\n")
    result = pytester.runpytest("--testdata-remote", agent.address, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*unknown entity 'custmer'*Known entities: cart*NOT_FOUND*"])


def test_remote_under_xdist_and_in_the_header(pytester: pytest.Pytester, agent: RunningAgent,
                                             tmp_path: Path) -> None:
    before = len(agent.log_lines())
    result = _run(pytester, tmp_path / "x.json", "--testdata-remote", agent.address, "-n", "2", subprocess=True)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"testdata: *remote agent {agent.address}*"])
    assert len(agent.log_lines()) - before >= 20  # every call went to the agent


def test_help_does_not_reach_for_the_agent(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--testdata-remote", f"127.0.0.1:{closed_port()}", "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*--testdata-remote=HOST:PORT*", "*--testdata-remote-token=TOKEN*"])
