"""``testdata rag seed | ingest | search`` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_testdata.cli import main
from pytest_testdata.store import PROD_SAMPLES
from pytest_testdata.store.embedded import EmbeddedStore

USER = {"user_id": "5f0c6a52-93a4-4c4b-9d55-4a3e7f9e2b10", "email": "margaret.oconnell@gmail.com",
        "first_name": "Margaret", "last_name": "O'Connell", "phone": "+1 617-842-3391",
        "addresses": [{"street": "88 Beacon Hill Road", "city": "Boston", "state": "MA", "postal_code": "02108",
                       "country": "US"}],
        "loyalty_tier": "gold", "created_at": "2023-05-01T10:00:00Z", "updated_at": "2025-05-01T10:00:00Z"}
PAYMENT = {"payment_id": "0b5e7c1e-3c43-4f57-9d7e-1f0e2d3c4b5a", "order_id": "9d2f5c3a-8a1b-4c6d-9e0f-1a2b3c4d5e6f",
           "method": "credit_card", "amount": 18.5, "currency": "USD", "status": "failed", "card_last_four": "6467",
           "created_at": "2025-07-01T00:00:05Z", "updated_at": "2025-07-01T00:00:06Z"}


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("TESTDATA_STORE", "TESTDATA_STORE_PATH", "WEAVIATE_URL", "RAG_TOP_K"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_seed_loads_the_curated_patterns_into_the_default_file(capsys: pytest.CaptureFixture[str],
                                                              in_tmp: Path) -> None:
    assert main(["rag", "seed"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (f"testdata: seeded 35 curated patterns (18 patterns, 17 defects) into the embedded "
                           f"store at {in_tmp / '.testdata' / 'patterns.sqlite3'}")


def test_search_shows_what_a_query_retrieves(capsys: pytest.CaptureFixture[str]) -> None:
    main(["rag", "seed"])
    capsys.readouterr()
    assert main(["rag", "search", "leap day february", "--entity", "order"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "defects      order    defect-order-leap-day [defect: leap_day_timestamp]" in lines[0]
    assert lines[1].strip() == "Order placed at the last second of Feb 29"
    assert main(["rag", "search", "paypal refund", "-e", "order", "--collection", "patterns", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["key"] == "order-refunded-clothing" and hits[0]["score"] > 0
    assert hits[0]["record"]["payment"]["method"] == "paypal"


def test_search_that_finds_nothing_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rag", "search", "anything", "-e", "cart", "--store-path", "empty.sqlite3"]) == 1
    assert "nothing in testdata_patterns, testdata_defects, testdata_prod_samples matches 'anything' for 'cart' " \
           "(an empty store? run `testdata rag seed`)" in capsys.readouterr().err


def test_ingest_scrubs_production_samples(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    sample = in_tmp / "samples.jsonl"
    sample.write_text(json.dumps(USER) + "\n" + json.dumps(PAYMENT) + "\n", encoding="utf-8")
    assert main(["rag", "ingest", str(sample), "--collection", "prod_samples"]) == 0
    out = capsys.readouterr().out
    assert "-> testdata_prod_samples (embedded store at" in out
    assert "stored 1 payment, 1 user; PII replaced: 1 card_last_four, 1 email, 2 name, 1 phone, 1 street" in out
    store = EmbeddedStore(in_tmp / ".testdata" / "patterns.sqlite3")
    assert store.count(PROD_SAMPLES, "user") == 1 and store.count(PROD_SAMPLES, "payment") == 1
    stored = json.dumps([h.pattern.record for h in store.search(PROD_SAMPLES, "")])
    for value in ("margaret", "O'Connell", "617-842-3391", "Beacon Hill", "6467"):
        assert value.lower() not in stored.lower()
    assert len(store.fingerprints()) >= 6
    store.close()
    assert main(["rag", "search", "production failed credit card", "-e", "payment"]) == 0
    assert "prod_samples payment  prod-payment-" in capsys.readouterr().out


def test_ingest_reads_a_json_list_with_an_explicit_entity(capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    (in_tmp / "users.json").write_text(json.dumps([USER, {**USER, "user_id": "other"}]), encoding="utf-8")
    assert main(["rag", "ingest", "users.json", "--entity", "user"]) == 0
    assert "stored 2 user" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "content", "message"), [
    (["rag", "ingest", "bad.json"], "{not json", "ingest: 'bad.json' is not valid JSON or JSONL (Expecting property "
                                                  "name enclosed in double quotes at line 1, column 2)"),
    (["rag", "ingest", "bad.json"], "[1, 2]", "ingest: record 0 of 'bad.json' is int, not a JSON object"),
    (["rag", "ingest", "bad.json"], '{"colour": "red"}', "cannot tell which entity a record with keys ['colour'] "
                                                          "is. Known entities: cart, order"),
    (["rag", "ingest", "bad.json", "--entity", "usr"], "{}", "unknown entity 'usr' (did you mean 'user'?)"),
    (["rag", "ingest", "bad.json", "--collection", "samples"], "{}",
     "collection: 'samples' is not allowed (did you mean 'prod_samples'?). Allowed: patterns, defects, "
     "prod_samples."),
    (["rag", "ingest", "missing.json"], None, "ingest: cannot read 'missing.json' (No such file or directory)"),
])
def test_bad_input_gets_one_readable_line(args: list[str], content: str | None, message: str, in_tmp: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    if content is not None:
        (in_tmp / "bad.json").write_text(content, encoding="utf-8")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("testdata: error: ") and message in err
    assert not (in_tmp / ".testdata").exists()  # nothing half-written


def test_a_weaviate_store_that_is_down_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    from .conftest import closed_port

    assert main(["rag", "seed", "--store", "weaviate", "--weaviate-url", f"http://127.0.0.1:{closed_port()}"]) == 2
    err = capsys.readouterr().err
    assert "the Weaviate pattern store at 'http://127.0.0.1:" in err and "is not reachable" in err
    assert "docker compose up -d weaviate" in err
