"""Generation cassettes through the plugin (pytester): record, deterministic replay, offline, stale, xdist."""

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


def run(pytester: pytest.Pytester, url: str, *args: str) -> Any:
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--testdata-seed",
        "1234",
        "--testdata-vllm-url",
        url,
        "--testdata-vllm-model",
        "tiny",
        "--testdata-llm-timeout",
        "2",
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
    cassette = pytester.path / "cassettes" / "test_shop" / "test_carts.yaml"
    assert cassette.is_file()
    assert recorded["first"]["cassette"] == str(cassette)
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    assert len(interactions) == recorded["first"]["recorded"] == 1
    headers = interactions[0]["request"]["headers"]
    inputs = json.loads(headers["x-testdata-inputs"][0])
    assert inputs["template"] == "scenario@1" and inputs["provider"] == "openai" and inputs["model"] == "tiny"
    assert inputs["schema"].startswith("cart@2#") and inputs["count"] == 2


def test_replay_is_deterministic_same_records_same_metadata(
    pytester: pytest.Pytester, recorded: dict[str, Any]
) -> None:
    for args in (
        ("--testdata-offline",),
        ("--testdata-record-mode", "none"),
        ("--testdata-record-mode", "once"),
    ):
        result = run(pytester, recorded["url"], *args)
        result.assert_outcomes(passed=1)
        again = out(pytester)
        assert again["records"] == recorded["first"]["records"]
        for key in ("provider", "model", "strategy", "details", "coherence"):
            assert again[key] == recorded["first"][key], key
        assert again["hits"] == 1 and again["recorded"] == 0


def test_offline_without_a_cassette_fails_closed(pytester: pytest.Pytester, loopback: Any) -> None:
    server = loopback(answer)
    write_test(pytester)
    result = run(pytester, server.url + "/v1", "--testdata-offline")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["testdata: seed 1234 *offline (LLM cassettes replay only)*"])
    result.stdout.fnmatch_lines(
        [
            "*CassetteMissingError: offline (--testdata-offline) and no cassette for this test at "
            "*test_carts.yaml*"
            "Record it with: pytest 'test_shop.py::test_carts' --testdata-record-mode=all*",
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
            "*StaleCassetteError: stale cassette *test_carts.yaml: its recordings were made from other "
            "inputs "
            "(context *Re-record it with: pytest 'test_shop.py::test_carts' --testdata-record-mode=all*",
        ]
    )


def test_record_mode_all_re_records_and_new_episodes_adds(
    pytester: pytest.Pytester, loopback: Any, recorded: dict[str, Any]
) -> None:
    server = loopback(answer)
    url = server.url + "/v1"
    cassette = pytester.path / "cassettes" / "test_shop" / "test_carts.yaml"
    write_test(pytester, context="back to school, stationery")
    run(pytester, url, "--testdata-record-mode", "new_episodes").assert_outcomes(passed=1)
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 2  # old and new episode
    run(pytester, url, "--testdata-record-mode", "all").assert_outcomes(passed=1)
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 1  # only what this run sent
    assert len(server.seen) == 2


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
    files = sorted(p.name for p in (pytester.path / "recorded" / "test_many").iterdir())
    assert files == [f"test_carts[{n}].yaml" for n in (1, 2, 3, 4)]
    for n in (1, 2, 3, 4):
        data = yaml.safe_load(
            (pytester.path / "recorded" / "test_many" / f"test_carts[{n}].yaml").read_text()
        )
        assert json.loads(data["interactions"][0]["request"]["headers"]["x-testdata-inputs"][0])["count"] == n


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
    served = run(pytester, server.url + "/v1", "-s")
    served.stdout.fnmatch_lines(["*ROUTE llm | context given: an LLM writes*"])
    served.stdout.fnmatch_lines(["*llm: 1 request, 1 record,*", "*providers: openai:tiny x1*"])
