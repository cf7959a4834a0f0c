"""LLM strategy benchmark: cassette replay latency, and coherence of model records vs traditional ones.

    python benchmarks/bench_llm.py

Replays the cassettes that tests/llm/test_live_models.py recorded from a real model (Gemma 3 270M behind
llama-cpp-python's server and in-process), offline, and prints:

1. replay latency per model request (open the test's cassette, match the request body, parse, validate,
   score, save), against traditional generation of the same records measured in the same run (target:
   under 5 ms a request);
2. the coherence score (pytest_testdata.quality.coherence) of the model's own records as they came out of
   the cassette, of the llm strategy's final records (after repair and per-record fallback), and of
   traditional records of the same schema and constraints.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pytest_testdata.engine import Engine  # noqa: E402
from pytest_testdata.llm.structured import assign_ids, parse_records, uuid_paths  # noqa: E402
from pytest_testdata.quality.coherence import scorer_for  # noqa: E402
from pytest_testdata.recording.cassettes import BOOK  # noqa: E402
from pytest_testdata.types import GenerationRequest  # noqa: E402
from tests.llm import test_live_models as live  # noqa: E402

CASES = {
    "openai_compatible_server": (
        {"vllm_url": "http://127.0.0.1:9/v1", "vllm_model": live.MODEL_ALIAS, "llm_provider": "openai"},
        "a customer whose headphones broke after a week",
    ),
    "local_in_process": (
        {"local_model": live.GGUF_NAME, "llm_provider": "local"},
        "a delighted reader of a cookbook",
    ),
}
ROUNDS = 200


def model_records(cassette: Path) -> list[dict]:
    """The records the model itself wrote (every generation and repair answer in the cassette)."""
    found: list[dict] = []
    for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
        if interaction["response"]["status"]["code"] != 200:
            continue  # the response_format probe
        body = json.loads(interaction["response"]["body"]["string"])
        text = body["text"] if "text" in body else body["choices"][0]["message"]["content"]
        records, _ = parse_records(None, text)
        found += [r for r in records if isinstance(r, dict)]
    return found


def main() -> None:
    schema = Engine().registry.get("review")
    scorer = scorer_for(schema)
    print(f"{'case':28} {'replayed':>8} {'replay ms/request':>18} {'traditional ms':>15} {'ratio':>7}")
    for name, (options, context) in CASES.items():
        cassette = live.COMMITTED / f"{name}.yaml"
        if not cassette.is_file():
            print(
                f"{name}: no cassette at {cassette}; record it with TESTDATA_LLM_LIVE=record "
                "pytest tests/llm/test_live_models.py"
            )
            continue
        engine = Engine(options={**live.OPTIONS, **options, "offline": True, "record_mode": "none"})
        traditional = Engine()
        request = live._request(cassette, context)
        plain = GenerationRequest.checked(
            "review", 1, strategy="traditional", seed=request.seed, constraints=live.SMALL
        )
        replay, trad = [], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(ROUNDS):
                started = time.perf_counter()
                result = engine.generate(request)
                BOOK.close()  # each test opens (and saves) its own cassette once
                replay.append(time.perf_counter() - started)
                started = time.perf_counter()
                traditional.generate(plain)
                trad.append(time.perf_counter() - started)
        requests = result.metadata.details["cassette_hits"]
        per_request = statistics.median(replay) / max(requests, 1) * 1000
        trad_ms = statistics.median(trad) * 1000
        print(f"{name:28} {requests:>8} {per_request:>18.2f} {trad_ms:>15.3f} {per_request / trad_ms:>6.1f}x")

        raw = model_records(cassette)
        for i, record in enumerate(raw):
            assign_ids(record, uuid_paths(schema), random.Random(i))
        raw_scores = [scorer.score(r) for r in raw]
        trad_records = traditional.generate(
            GenerationRequest.checked("review", 50, strategy="traditional", seed=7, constraints=live.SMALL)
        ).records
        trad_scores = [scorer.score(r) for r in trad_records]
        details = result.metadata.details
        raw_mean = statistics.mean(raw_scores) if raw_scores else 0.0
        print(
            f"    coherence (review): model's own records {raw_mean:.2f} "
            f"(n={len(raw)}), llm strategy result {result.metadata.coherence:.2f} "
            f"(repaired {details['repaired']}, fell back {details['fallback']}), "
            f"traditional {statistics.mean(trad_scores):.2f} (n={len(trad_scores)})"
        )
    print("target: replay under 5 ms per request")


if __name__ == "__main__":
    main()
