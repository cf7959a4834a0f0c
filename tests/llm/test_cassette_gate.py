"""A live LLM call of another thread never goes through a cassette in use (a shared agent serves both)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from pytest_testdata.recording.cassettes import BOOK
from tests.llm.conftest import llm_request, make_engine
from tests.llm.servers import Reply, Seen, chat_reply, requested_count
from tests.llm.test_openai_faults import carts


def slow_answer(seen: Seen) -> Reply:
    schema = seen.body["response_format"]["json_schema"]["schema"]
    reply = chat_reply(json.dumps({"records": carts(requested_count(schema))}), model="tiny")
    reply.delay = 1.0 if "marker-recording" in json.dumps(seen.body) else 0.0
    return reply


def test_a_live_call_waits_while_a_cassette_records_and_is_not_recorded_into_it(
    loopback: Any, tmp_path: Path
) -> None:
    server = loopback(slow_answer)
    url = server.url + "/v1"
    # Two engines, as two providers of one agent: vcrpy's patches are process-wide, the providers' locks are not.
    recording, live = make_engine(vllm_url=url, vllm_model="tiny"), make_engine(vllm_url=url, vllm_model="tiny")
    cassette = tmp_path / "recording.testdata.yaml"
    results: dict[str, Any] = {}

    def record() -> None:
        request = llm_request(cassette=cassette, context="marker-recording", options={"_record_mode": "once"})
        results["recorded"] = recording.generate(request)

    recorder = threading.Thread(target=record)
    recorder.start()
    deadline = time.monotonic() + 30
    while not server.seen and time.monotonic() < deadline:  # the recording's request is at the server
        time.sleep(0.01)
    assert server.seen
    results["live"] = live.generate(llm_request(context="marker-live"))
    recorder.join(30)
    BOOK.close(cassette)
    assert results["live"].metadata.provider == "openai" and results["live"].metadata.cassette is None
    assert results["recorded"].metadata.details["cassette_recorded"] == 1
    bodies = [i["request"]["body"] for i in yaml.safe_load(cassette.read_text())["interactions"]]
    assert len(bodies) == 1 and "marker-recording" in bodies[0] and "marker-live" not in bodies[0]
    assert len(server.seen) == 2
