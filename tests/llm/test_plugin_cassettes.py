"""Generation cassettes through the plugin (pytester): record, replay on any seed, offline, stale, xdist."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.llm.servers import Reply, Seen, chat_reply, requested_count
from tests.llm.test_openai_faults import carts

INNER = """
import json, pathlib

def test_carts(testdata):
    result = testdata.result("cart", 2, strategy="llm", context=CONTEXT)
    meta = result.metadata
    keep = {k: v for k, v in meta.details.items() if k not in ("cassette_hits", "cassette_recorded")}
    pathlib.Path("out.json").write_text(json.dumps({
        "records": result.records, "provider": meta.provider, "model": meta.model, "strategy": meta.strategy,
        "cassette": meta.cassette, "details": keep, "hits": meta.details.get("cassette_hits"),
        "recorded": meta.details.get("cassette_recorded"), "coherence": meta.coherence}))
"""


def answer(seen: Seen) -> Reply:
    schema = seen.body["response_format"]["json_schema"]["schema"]
    return chat_reply(json.dumps({"records": carts(requested_count(schema))}), model="tiny")


def write_test(pytester: pytest.Pytester, context: str = "holiday shopping, electronics") -> None:
    pytester.makepyfile(test_shop=f"CONTEXT = {context!r}\n" + INNER)


CASSETTE = ("cassettes", "testdata", "test_shop", "test_carts.testdata.yaml")


def run(pytester: pytest.Pytester, url: str, *args: str, seed: str = "1234") -> Any:
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--testdata-seed",
        seed,
        "--testdata-vllm-url",
        url,
        "--testdata-vllm-model",
        "tiny",
        "--testdata-llm-timeout",
        "60",  # a real loopback server answers; generous so a loaded machine never times out
        *args,
    )


def out(pytester: pytest.Pytester) -> dict[str, Any]:
    return json.loads((pytester.path / "out.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture
def recorded(pytester: pytest.Pytester, loopback: Any) -> dict[str, Any]:
    """A cassette recorded through the plugin against a loopback server, which is then shut down."""
    server = loopback(answer)
    write_test(pytester)
    result = run(pytester, server.url + "/v1", "--testdata-record-mode", "once")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["testdata: seed 1234 *LLM cassettes record mode once*"])
    server.close()
    return {"url": server.url + "/v1", "first": out(pytester)}


def test_record_once_writes_one_cassette_per_test_beside_the_module(
    pytester: pytest.Pytester, recorded: dict[str, Any]
) -> None:
    cassette = pytester.path.joinpath(*CASSETTE)
    assert cassette.is_file()
    assert recorded["first"]["cassette"] == str(cassette)
    # pytest-recording's @pytest.mark.vcr writes cassettes/<module>/<test>.yaml: never this file
    assert not (pytester.path / "cassettes" / "test_shop").exists()
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    assert len(interactions) == recorded["first"]["recorded"] == 1
    headers = interactions[0]["request"]["headers"]
    inputs = json.loads(headers["x-testdata-inputs"][0])
    assert inputs["template"] == "scenario@1" and inputs["provider"] == "openai" and inputs["model"] == "tiny"
    assert inputs["schema"].startswith("cart@2#") and inputs["count"] == 2
    assert "seed" not in inputs  # what the model sees, not the session seed


def _without_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model's part of cart records (ids are drawn from the test's seed after the model answered)."""
    return [
        {k: ([{ik: iv for ik, iv in i.items() if ik != "product_id"} for i in v] if k == "items" else v)
         for k, v in r.items() if k not in ("cart_id", "customer_id")}
        for r in records
    ]


def test_replay_is_deterministic_same_records_same_metadata(
    pytester: pytest.Pytester, recorded: dict[str, Any]
) -> None:
    for args in (
        ("--testdata-offline",),
        ("--testdata-record-mode", "none"),
        ("--testdata-record-mode", "once"),
    ):
        result = run(pytester, recorded["url"], *args)  # the server is gone: only the cassette can answer
        result.assert_outcomes(passed=1)
        again = out(pytester)
        assert again["records"] == recorded["first"]["records"]
        for key in ("provider", "model", "strategy", "details", "coherence"):
            assert again[key] == recorded["first"][key], key
        assert again["hits"] == 1 and again["recorded"] == 0


@pytest.mark.parametrize("seed", ["99", "random"])
def test_a_cassette_replays_on_any_later_seed(pytester: pytest.Pytester, recorded: dict[str, Any], seed: str) -> None:
    for args in (("--testdata-offline",), ()):
        result = run(pytester, recorded["url"], *args, seed=seed)
        result.assert_outcomes(passed=1)
        again = out(pytester)
        assert _without_ids(again["records"]) == _without_ids(recorded["first"]["records"])
        assert again["hits"] == 1 and again["recorded"] == 0 and again["provider"] == "openai"


def test_offline_without_a_cassette_fails_closed(pytester: pytest.Pytester, loopback: Any) -> None:
    server = loopback(answer)
    write_test(pytester)
    result = run(pytester, server.url + "/v1", "--testdata-offline")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["testdata: seed 1234 *offline (LLM cassettes replay only)*"])
    result.stdout.fnmatch_lines(
        [
            "*CassetteMissingError: no cassette for this test at *test_carts.testdata.yaml: offline "
            "(--testdata-offline)*Record it with: pytest 'test_shop.py::test_carts' --testdata-record-mode=once "
            "(without --testdata-offline*",
        ]
    )
    assert server.seen == []  # the network was never touched


def test_changed_inputs_make_a_stale_cassette_named_with_the_rerecord_command(
    pytester: pytest.Pytester, recorded: dict[str, Any]
) -> None:
    write_test(pytester, context="back to school, stationery")
    result = run(pytester, recorded["url"])
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*StaleCassetteError: stale cassette *test_carts.testdata.yaml: its recordings were made from other "
            "inputs "
            "(context *Re-record it with: pytest 'test_shop.py::test_carts' --testdata-record-mode=rewrite*",
        ]
    )


def test_the_rerecord_command_fixes_the_next_run(
    pytester: pytest.Pytester, loopback: Any, recorded: dict[str, Any]
) -> None:
    write_test(pytester, context="back to school, stationery")
    run(pytester, recorded["url"]).assert_outcomes(failed=1)  # stale
    server = loopback(answer)
    # the command the error names, run as written (any seed)
    run(pytester, server.url + "/v1", "test_shop.py::test_carts", "--testdata-record-mode=rewrite",
        seed="random").assert_outcomes(passed=1)
    server.close()
    interactions = yaml.safe_load(pytester.path.joinpath(*CASSETTE).read_text())["interactions"]
    assert len(interactions) == 1 and "back to school" in interactions[0]["request"]["body"]
    for seed in ("1234", "random"):
        run(pytester, recorded["url"], "--testdata-offline", seed=seed).assert_outcomes(passed=1)


def test_record_mode_all_re_records_and_new_episodes_adds(
    pytester: pytest.Pytester, loopback: Any, recorded: dict[str, Any]
) -> None:
    server = loopback(answer)
    url = server.url + "/v1"
    cassette = pytester.path.joinpath(*CASSETTE)
    write_test(pytester, context="back to school, stationery")
    run(pytester, url, "--testdata-record-mode", "new_episodes").assert_outcomes(passed=1)
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 2  # old and new episode
    run(pytester, url, "--testdata-record-mode", "new_episodes").assert_outcomes(passed=1)
    assert len(server.seen) == 1  # the new episode now replays
    # all: records again and never replays; the recording not made again (the first context) is kept
    run(pytester, url, "--testdata-record-mode", "all").assert_outcomes(passed=1)
    assert len(server.seen) == 2
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 2
    # rewrite: the file holds only what this run sent
    run(pytester, url, "--testdata-record-mode", "rewrite").assert_outcomes(passed=1)
    assert len(server.seen) == 3
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    assert len(interactions) == 1 and "back to school" in interactions[0]["request"]["body"]


def test_cassette_dir_option_and_xdist_workers_keep_one_file_per_test(
    pytester: pytest.Pytester, loopback: Any
) -> None:
    server = loopback(answer)
    pytester.makepyfile(
        test_many="""
        import pytest

        @pytest.mark.parametrize("n", [1, 2, 3, 4])
        def test_carts(testdata, n):
            assert testdata.result("cart", n, strategy="llm").metadata.provider == "openai"
    """
    )
    result = run(
        pytester,
        server.url + "/v1",
        "--testdata-record-mode",
        "once",
        "--testdata-cassette-dir",
        "recorded",
        "-n",
        "2",
    )
    result.assert_outcomes(passed=4)
    folder = pytester.path / "recorded" / "testdata" / "test_many"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"test_carts[{n}].testdata.yaml" for n in (1, 2, 3, 4)]
    for n in (1, 2, 3, 4):
        data = yaml.safe_load((folder / f"test_carts[{n}].testdata.yaml").read_text())
        assert json.loads(data["interactions"][0]["request"]["headers"]["x-testdata-inputs"][0])["count"] == n
    server.close()
    # replayed under xdist, on another seed, in another order, offline: every cassette matches
    again = run(pytester, server.url + "/v1", "--testdata-offline", "--testdata-cassette-dir", "recorded",
                "-n", "2", "-p", "no:randomly", seed="random")
    again.assert_outcomes(passed=4)
    reverse = run(pytester, server.url + "/v1", "--testdata-offline", "--testdata-cassette-dir", "recorded",
                  *[f"test_many.py::test_carts[{n}]" for n in (4, 3, 2, 1)], seed="7")
    reverse.assert_outcomes(passed=4)


def test_no_provider_falls_back_with_warning_and_summary_or_fails_when_strict(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_plain="""
        def test_carts(testdata):
            result = testdata.result("cart", 2, strategy="llm")
            assert result.metadata.strategy == "traditional" and len(result.records) == 2
    """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "default")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*LLMFallbackWarning: strategy 'llm' for 'cart': no LLM provider is configured*",
            "*traditional: 1 request, 2 records*fallback 2*",
        ]
    )
    strict = pytester.runpytest("-p", "no:cacheprovider", "--testdata-llm-strict")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*no LLM provider is configured*--testdata-llm-strict*does not fall back*"])
    offline = pytester.runpytest("-p", "no:cacheprovider", "--testdata-offline")
    offline.assert_outcomes(failed=1)
    offline.stdout.fnmatch_lines(
        ["*no LLM provider is configured*Under --testdata-offline the LLM strategy does not fall back*"]
    )


def test_auto_routes_context_to_llm_only_when_a_provider_is_configured(
    pytester: pytest.Pytester, loopback: Any
) -> None:
    server = loopback(answer)
    pytester.makepyfile(
        test_auto="""
        def test_route(testdata):
            meta = testdata.result("cart", 1, context="holiday").metadata
            print("ROUTE", meta.strategy, "|", meta.reason)
    """
    )
    plain = pytester.runpytest("-p", "no:cacheprovider", "-s")
    plain.stdout.fnmatch_lines(["*ROUTE traditional | context given*llm is unavailable (no LLM provider*"])
    served = run(pytester, server.url + "/v1", "-s", "--testdata-record-mode", "once")
    served.stdout.fnmatch_lines(["*ROUTE llm | context given: an LLM writes*"])
    served.stdout.fnmatch_lines(["*llm: 1 request, 1 record,*", "*providers: openai:tiny x1*"])


def test_a_changed_setting_is_named_in_the_stale_error(pytester: pytest.Pytester, recorded: dict[str, Any]) -> None:
    result = run(pytester, recorded["url"], "--testdata-llm-max-tokens", "999")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*StaleCassetteError: stale cassette *: the request body differs from every recording made from the "
         "same inputs (max_tokens 2048 -> 999)*--testdata-record-mode=rewrite*"]
    )
