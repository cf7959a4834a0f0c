"""Generation cassettes in remote mode (pytester, a real agent on loopback, an OpenAI-compatible test double).

The test's record mode holds through the agent as in local mode: the cassette file stays on the test's
machine, the agent replays and records through it, and never calls its provider when the mode forbids it.
Every test counts the requests that reached the double.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.llm.servers import LoopbackServer, Reply, Seen, chat_reply, requested_count
from tests.llm.test_openai_faults import carts
from tests.llm.test_plugin_cassettes import CASSETTE, out, write_test

from .conftest import start_agent_process


class Double:
    """An OpenAI-compatible server on loopback whose answers differ (numbered); counts the requests it got.
    :meth:`down` closes its port (connections are refused), :meth:`up` opens it again at the same URL."""

    def __init__(self) -> None:
        self.answers = 0
        self.json_object_only = False
        """Refuse ``response_format`` ``json_schema`` as llama-cpp-python's server does (HTTP 500)."""
        self.server = LoopbackServer(self.answer)
        self.port = self.server.port
        self.is_up = True

    def answer(self, seen: Seen) -> Reply:
        form = seen.body["response_format"]
        if self.json_object_only and form["type"] != "json_object":
            return Reply(status=500, body={"error": {"message": "1 validation error: response_format.type"}})
        self.answers += 1
        schema = form["schema"] if form["type"] == "json_object" else form["json_schema"]["schema"]
        records = carts(requested_count(schema))
        for record in records:
            record["currency"] = ["EUR", "USD", "GBP"][self.answers % 3]
        return chat_reply(json.dumps({"records": records}), model="tiny")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def calls(self) -> int:
        return len(self.server.seen)

    def down(self) -> None:
        if self.is_up:
            self.server.close()
            self.is_up = False

    def up(self) -> None:
        if not self.is_up:
            self.server = LoopbackServer(self.answer, self.port)
            self.is_up = True
        self.server.seen.clear()
        self.json_object_only = False


class Agent:
    """A real agent process on a loopback port whose LLM provider is the double (VLLM_URL, as deployed)."""

    def __init__(self, llm_url: str, **env: str) -> None:
        # MAX_SYNC_RECORDS 2: a call for 3 records goes through GenerateDataStream (the cassette with it)
        env = {"VLLM_URL": llm_url, "VLLM_MODEL": "tiny", "LLM_TIMEOUT": "60", "LLM_MAX_RETRIES": "1",
               "MAX_SYNC_RECORDS": "2", **env}
        self.proc, started = start_agent_process(env, "--workers", "0")
        self.address = f"127.0.0.1:{started['grpc_port']}"
        self.lines: list[str] = []
        # Keep reading its log (one line per call), so a full pipe never blocks it.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)

    def stop(self) -> None:
        self.proc.terminate()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture(scope="module")
def llm_double() -> Iterator[Double]:
    started = Double()
    yield started
    started.down()


@pytest.fixture(scope="module")
def llm_agent(llm_double: Double) -> Iterator[Agent]:
    running = Agent(llm_double.url)
    yield running
    running.stop()


@pytest.fixture
def double(llm_double: Double) -> Double:
    """The double, up and with no request counted yet."""
    llm_double.up()
    return llm_double


@pytest.fixture
def agent(llm_agent: Agent) -> Agent:
    return llm_agent


def remote(pytester: pytest.Pytester, agent: Agent, *args: str, seed: str = "1234") -> Any:
    return pytester.runpytest("-p", "no:cacheprovider", "--testdata-seed", seed, "--testdata-remote", agent.address,
                              *args)


def local(pytester: pytest.Pytester, url: str, *args: str, seed: str = "1234") -> Any:
    return pytester.runpytest("-p", "no:cacheprovider", "--testdata-seed", seed, "--testdata-vllm-url", url,
                              "--testdata-vllm-model", "tiny", "--testdata-llm-timeout", "60", *args)


def interactions(pytester: pytest.Pytester) -> list[dict[str, Any]]:
    return yaml.safe_load(pytester.path.joinpath(*CASSETTE).read_text())["interactions"]  # type: ignore[no-any-return]


def test_recorded_through_the_agent_replays_through_it_offline_and_locally(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    write_test(pytester)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    assert double.calls == 1
    first = out(pytester)
    assert first["recorded"] == 1 and first["hits"] == 0 and first["provider"] == "openai"
    # the file is on the test's machine, beside the test module, as in local mode
    assert first["cassette"] == str(pytester.path.joinpath(*CASSETTE))
    assert len(interactions(pytester)) == 1
    double.down()  # the LLM endpoint is down from here on: only the cassette can answer

    for args in (("--testdata-offline",), ("--testdata-record-mode", "none"), ("--testdata-record-mode", "once")):
        remote(pytester, agent, *args).assert_outcomes(passed=1)
        again = out(pytester)
        assert again["records"] == first["records"], args
        assert again["hits"] == 1 and again["recorded"] == 0 and again["provider"] == "openai"
    # another seed replays the same exchange (what the model sees does not depend on the seed)
    remote(pytester, agent, "--testdata-offline", seed="99").assert_outcomes(passed=1)
    assert out(pytester)["hits"] == 1
    # and the same cassette replays locally, without any agent, into the same records
    local(pytester, double.url, "--testdata-offline").assert_outcomes(passed=1)
    assert out(pytester)["records"] == first["records"]
    assert double.calls == 1


def test_recorded_locally_replays_through_the_agent(pytester: pytest.Pytester, double: Double,
                                                    agent: Agent) -> None:
    write_test(pytester)
    local(pytester, double.url, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    first = out(pytester)
    assert double.calls == 1 and first["recorded"] == 1
    double.down()  # the agent's provider is unreachable: only the cassette can answer
    remote(pytester, agent, "--testdata-record-mode", "none").assert_outcomes(passed=1)
    again = out(pytester)
    assert again["records"] == first["records"] and again["hits"] == 1
    assert double.calls == 1


def test_none_without_a_cassette_is_an_error_and_no_provider_call(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    write_test(pytester)
    result = remote(pytester, agent)  # record mode none is the default
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*CassetteMissingError: Test Data Agent at *: no cassette for this test at *test_carts.testdata.yaml: "
        "record mode 'none' replays only and never calls a provider. Record it with: "
        "pytest 'test_shop.py::test_carts' --testdata-record-mode=once*",
    ])
    offline = remote(pytester, agent, "--testdata-offline")
    offline.assert_outcomes(failed=1)
    offline.stdout.fnmatch_lines(["*CassetteMissingError: *no cassette for this test at *: offline*"])
    assert double.calls == 0
    assert not pytester.path.joinpath(*CASSETTE).exists()


def test_changed_inputs_are_a_stale_cassette_not_a_live_call(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    write_test(pytester)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    write_test(pytester, context="back to school, stationery")
    for args in ((), ("--testdata-record-mode", "once")):  # once: the file exists, so replay only
        result = remote(pytester, agent, *args)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines([
            "*StaleCassetteError: *stale cassette *test_carts.testdata.yaml: its recordings were made from other "
            "inputs (context *Re-record it with: pytest 'test_shop.py::test_carts' --testdata-record-mode=rewrite*",
        ])
    assert double.calls == 1


def test_new_episodes_all_and_rewrite_through_the_agent(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    write_test(pytester)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    write_test(pytester, context="back to school, stationery")
    remote(pytester, agent, "--testdata-record-mode", "new_episodes").assert_outcomes(passed=1)
    assert double.calls == 2 and len(interactions(pytester)) == 2  # the old and the new episode
    remote(pytester, agent, "--testdata-record-mode", "new_episodes").assert_outcomes(passed=1)
    assert double.calls == 2  # the new episode now replays
    remote(pytester, agent, "--testdata-record-mode", "all").assert_outcomes(passed=1)
    assert double.calls == 3 and len(interactions(pytester)) == 2  # recorded again; the other episode kept
    remote(pytester, agent, "--testdata-record-mode", "rewrite").assert_outcomes(passed=1)
    assert double.calls == 4
    kept = interactions(pytester)
    assert len(kept) == 1 and "back to school" in kept[0]["request"]["body"]


def test_the_same_generation_twice_in_a_test_replays_both_answers_in_order(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    pytester.makepyfile(test_twice="""
        import json, pathlib

        def test_twice(testdata):
            a = testdata.result("cart", 2, strategy="llm", context="gifts", seed=5)
            b = testdata.result("cart", 2, strategy="llm", context="gifts", seed=5)
            pathlib.Path("twice.json").write_text(json.dumps([a.records, b.records]))
    """)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    first = json.loads((pytester.path / "twice.json").read_text())
    assert double.calls == 2 and first[0] != first[1]
    remote(pytester, agent, "--testdata-offline").assert_outcomes(passed=1)
    assert json.loads((pytester.path / "twice.json").read_text()) == first
    assert double.calls == 2


def test_cassette_hooks_cannot_travel_to_the_agent(pytester: pytest.Pytester, double: Double, agent: Agent) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def testdata_cassette_config():
            return {"before_record_response": lambda response: response, "filter_headers": ["x-team"]}
    """)
    write_test(pytester)
    result = remote(pytester, agent, "--testdata-record-mode", "once")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*testdata_cassette_config fixture: 'before_record_response' cannot run in remote mode (--testdata-remote)*"
        "Use the lists (filter_headers, filter_query_parameters, filter_post_data_parameters)*",
    ])
    assert double.calls == 0


def test_calls_that_reach_no_llm_need_no_cassette(pytester: pytest.Pytester, agent: Agent) -> None:
    pytester.makepyfile(test_plain="""
        def test_plain(testdata):
            assert testdata("user")["email"]
    """)
    remote(pytester, agent, "--testdata-offline").assert_outcomes(passed=1)


def test_a_streamed_call_carries_the_cassette_too(pytester: pytest.Pytester, double: Double, agent: Agent) -> None:
    pytester.makepyfile(test_big="""
        import json, pathlib

        def test_big(testdata):
            result = testdata.result("cart", 3, strategy="llm", context="bulk order")
            assert result.metadata.details["remote_stream"] is True  # over the agent's MAX_SYNC_RECORDS
            pathlib.Path("big.json").write_text(json.dumps(result.records))
    """)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    recorded = double.calls
    first = json.loads((pytester.path / "big.json").read_text())
    assert recorded >= 1
    assert pytester.path.joinpath("cassettes", "testdata", "test_big", "test_big.testdata.yaml").is_file()
    double.down()
    remote(pytester, agent, "--testdata-offline").assert_outcomes(passed=1)
    assert json.loads((pytester.path / "big.json").read_text()) == first
    assert double.calls == recorded


@pytest.mark.parametrize(("cassette", "message"), [
    ({"record_mode": "sometimes"}, "cassette.record_mode: 'sometimes' is not a record mode. Allowed: none, once, "
     "new_episodes, all, rewrite."),
    ({"record_mode": "none", "interactions_yaml": "interactions: [unclosed"},
     "cassette.interactions_yaml: the cassette sent for t.py::t is not a vcrpy cassette"),
    ({"record_mode": "once", "config_json": '{"before_record_request": "os.system"}'},
     "cassette.config_json: "),
])
def test_a_malformed_cassette_is_the_callers_mistake(agent: Agent, double: Double, cassette: dict[str, Any],
                                                     message: str) -> None:
    import grpc

    from pytest_testdata.agent import testdata_pb2 as pb
    from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc

    with grpc.insecure_channel(agent.address) as channel:
        stub = pb_grpc.TestDataServiceStub(channel)  # type: ignore[no-untyped-call]
        request = pb.GenerateDataRequest(entity="cart", count=1, strategy="llm", seed=1,
                                         cassette=pb.Cassette(test="t.py::t", path="/tmp/c.yaml", **cassette))
        with pytest.raises(grpc.RpcError) as info:
            stub.GenerateData(request, timeout=60)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith(message)
    assert double.calls == 0


def test_what_a_provider_learns_in_a_test_holds_across_its_remote_calls(
    pytester: pytest.Pytester, double: Double, agent: Agent
) -> None:
    """A server that refuses json_schema: the first call of the test probes and switches to json_object (both
    recorded); the test's later calls send json_object at once, on the agent as locally, so the cassette
    replays either way."""
    double.json_object_only = True
    pytester.makepyfile(test_two="""
        import json, pathlib

        def test_two(testdata):
            a = testdata.result("cart", 2, strategy="llm", context="first")
            b = testdata.result("cart", 2, strategy="llm", context="second")
            assert a.metadata.provider == b.metadata.provider == "openai"
            pathlib.Path("two.json").write_text(json.dumps([a.records, b.records]))
    """)
    remote(pytester, agent, "--testdata-record-mode", "once").assert_outcomes(passed=1)
    assert double.calls == 3  # refused json_schema, then json_object; then json_object at once
    first = json.loads((pytester.path / "two.json").read_text())
    double.down()
    remote(pytester, agent, "--testdata-offline").assert_outcomes(passed=1)
    assert json.loads((pytester.path / "two.json").read_text()) == first
    local(pytester, double.url, "--testdata-offline").assert_outcomes(passed=1)
    assert json.loads((pytester.path / "two.json").read_text()) == first


# The 270M model's record does not survive validation in this recording: it falls back, and says so.
@pytest.mark.filterwarnings("ignore::pytest_testdata.LLMFallbackWarning")
def test_the_real_model_cassette_recorded_locally_replays_through_an_agent(tmp_path: Path) -> None:
    """The committed recording of Gemma 3 270M behind llama-cpp-python's server (tests/llm/test_live_models.py,
    made in-process) replays through an agent configured alike, whose server address nobody listens on."""
    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.engine import Engine
    from pytest_testdata.recording.cassettes import BOOK
    from tests.llm import test_live_models as live

    cassette = tmp_path / "openai_compatible_server.yaml"
    shutil.copy(live.COMMITTED / cassette.name, cassette)
    request = live._request(cassette, "a customer whose headphones broke after a week")
    request = request.replace(options={**request.options, "_record_mode": "none", "_offline": True})
    settings = {"vllm_url": "http://127.0.0.1:9/v1", "vllm_model": live.MODEL_ALIAS, "llm_provider": "openai"}
    try:
        local_result = Engine(options={**live.OPTIONS, **settings, "offline": True}).generate(request)
    finally:
        BOOK.close()
    env = {f"TESTDATA_{k.upper()}": str(v) for k, v in {**live.OPTIONS, **settings}.items()}
    agent = Agent("http://127.0.0.1:9/v1", VLLM_MODEL=live.MODEL_ALIAS, **env)
    try:
        with AgentClient(agent.address, timeout=120) as client:
            remote_result = client.generate(request)
    finally:
        BOOK.close()
        agent.stop()
    assert remote_result.records == local_result.records
    assert (remote_result.metadata.provider, remote_result.metadata.model) == ("openai", live.MODEL_ALIAS)
    for key in ("model_requests", "tokens", "repaired", "fallback", "template", "cassette_hits"):
        assert remote_result.metadata.details[key] == local_result.metadata.details[key], key
    assert remote_result.metadata.details["cassette_hits"] >= 2  # the refused json_schema probe, then the answer


def test_token_and_message_limit_apply_to_calls_with_a_cassette(tmp_path: Path) -> None:
    from pytest_testdata.agent.client import AgentClient
    from pytest_testdata.errors import TestdataUsageError
    from pytest_testdata.recording.cassettes import BOOK
    from tests.llm import test_live_models as live

    from .conftest import start_agent

    cassette = tmp_path / "openai_compatible_server.yaml"
    shutil.copy(live.COMMITTED / cassette.name, cassette)  # several KB of recorded interactions
    request = live._request(cassette, "a customer whose headphones broke after a week")
    request = request.replace(options={**request.options, "_record_mode": "none"})
    guarded, small = start_agent(auth_token="s3cret"), start_agent(max_message_bytes=1024)
    try:
        with AgentClient(guarded.address, timeout=60) as anonymous, pytest.raises(TestdataUsageError) as info:
            anonymous.generate(request)
        assert "[UNAUTHENTICATED]" in str(info.value)
        # gRPC refuses an oversized message before anything else; the client says the cassette was in it
        with AgentClient(small.address, timeout=60) as client, pytest.raises(TestdataUsageError) as info:
            client.generate(request)
        text = str(info.value)
        assert "[RESOURCE_EXHAUSTED]" in text and "The request carried the test's cassette (" in text
        assert "raise the agent's MAX_MESSAGE_BYTES" in text
    finally:
        BOOK.close()
        guarded.server.stop(grace=1)
        small.server.stop(grace=1)


def test_remote_cassettes_under_xdist_one_file_per_test(pytester: pytest.Pytester, double: Double,
                                                        agent: Agent) -> None:
    pytester.makepyfile(test_many="""
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_carts(testdata, n):
            assert testdata.result("cart", 2, strategy="llm", context=f"basket {n}").metadata.provider == "openai"
    """)
    remote(pytester, agent, "--testdata-record-mode", "once", "-n", "2").assert_outcomes(passed=3)
    assert double.calls == 3
    folder = pytester.path / "cassettes" / "testdata" / "test_many"
    assert sorted(p.name for p in folder.iterdir()) == [f"test_carts[{n}].testdata.yaml" for n in (1, 2, 3)]
    double.down()
    remote(pytester, agent, "--testdata-offline", "-n", "2", seed="random").assert_outcomes(passed=3)
    assert double.calls == 3
