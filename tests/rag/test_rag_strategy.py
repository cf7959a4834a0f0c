"""The rag strategy through the engine: adapted patterns, defect labels, constraints, fallbacks, leak guard."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.schemas.model import Schema
from pytest_testdata.store import PATTERNS, Pattern, curated_patterns
from pytest_testdata.store.embedded import EmbeddedStore
from pytest_testdata.store.ingest import ingest
from pytest_testdata.types import GenerationRequest

from .conftest import closed_port, ids_of

CURATED = {p.key: p for p in curated_patterns()}
CURATED_IDS = set().union(*(ids_of(p.record) for p in CURATED.values()))


def run(engine: Engine, entity: str, count: int = 1, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("seed", 7)
    return engine.generate(GenerationRequest.checked(entity, count, **kwargs))  # type: ignore[arg-type]


def moments(record: dict[str, object], fields: tuple[str, ...]) -> list[datetime]:
    return [datetime.fromisoformat(str(record[f]).replace("Z", "+00:00")) for f in fields if record.get(f)]


def test_learn_from_history_adapts_stored_orders(engine: Engine) -> None:
    result = run(engine, "order", 4, learn_from_history=True)
    meta = result.metadata
    assert meta.strategy == "rag" and meta.reason == "learn_from_history: adapt retrieved historical patterns"
    assert meta.violations == [] and meta.coherence == 1.0
    assert meta.details["store"] == "embedded" and len(meta.details["patterns"]) == 4
    stamps = ("created_at", "paid_at", "shipped_at", "delivered_at", "updated_at")
    for record, key in zip(result.records, meta.details["patterns"], strict=True):
        source = CURATED[key].record
        assert not ids_of(record) & CURATED_IDS  # every id is fresh
        # Same structure: keys, items, status, money; only ids and timestamps moved.
        assert record.keys() == source.keys() and record["status"] == source["status"]
        assert [i["sku"] for i in record["items"]] == [i["sku"] for i in source["items"]]
        assert record["totals"] == source["totals"]
        new, old = moments(record, stamps), moments(source, stamps)
        assert new != old
        assert len({n - o for n, o in zip(new, old, strict=True)}) == 1  # one shift for all: order and gaps kept


def test_relations_inside_a_record_survive_fresh_ids(engine: Engine) -> None:
    # The duplicate-SKU defect has the same product on two lines: both get the same new id.
    result = run(engine, "cart", 5, defect_triggering=True)
    record = result.records[result.metadata.details["defects"].index("duplicate_skus")]
    first, second = record["items"][0]["product_id"], record["items"][1]["product_id"]
    assert first == second and first not in CURATED_IDS
    assert record["items"][2]["product_id"] != first


def test_same_seed_same_records_other_seed_other_ids(engine: Engine) -> None:
    a = run(engine, "user", 3, learn_from_history=True, seed=11).records
    assert run(engine, "user", 3, learn_from_history=True, seed=11).records == a
    assert not ids_of(run(engine, "user", 3, learn_from_history=True, seed=12).records) & ids_of(a)


def test_unique_fields_get_fresh_values_across_a_batch(engine: Engine) -> None:
    result = run(engine, "product", 12, learn_from_history=True)
    skus = [r["sku"] for r in result.records]
    assert len(set(skus)) == 12 and result.valid
    users = run(engine, "user", 12, learn_from_history=True)
    assert len({r["email"] for r in users.records}) == 12 and users.valid and users.metadata.coherence == 1.0


def test_context_ranks_the_relevant_pattern_first(engine: Engine) -> None:
    result = run(engine, "order", 1, learn_from_history=True, context="refund after a PayPal clothing purchase",
                 strategy="rag")
    assert result.metadata.details["patterns"] == ["order-refunded-clothing"]
    assert result.metadata.details["ranked"] is True
    assert result.records[0]["payment"]["method"] == "paypal"


def test_a_context_matching_nothing_still_uses_the_entitys_patterns(engine: Engine) -> None:
    result = run(engine, "payment", 2, learn_from_history=True, context="xylophone zeppelin")
    assert result.metadata.strategy == "rag" and result.metadata.details["ranked"] is False
    assert set(result.metadata.details["patterns"]) <= {k for k in CURATED if k.startswith("payment-")}


def test_defect_triggering_labels_each_record_with_its_defect(engine: Engine) -> None:
    result = run(engine, "cart", 5, defect_triggering=True)
    meta = result.metadata
    assert meta.strategy == "rag" and "defect_triggering" in meta.reason
    defects = meta.details["defects"]
    assert sorted(defects) == ["duplicate_skus", "empty_cart", "huge_quantity", "rounding_half_cent",
                               "zero_quantity"]
    assert set(meta.details["defect_notes"]) == set(defects)
    by_defect = dict(zip(defects, result.records, strict=True))
    assert by_defect["zero_quantity"]["items"][0]["quantity"] == 0
    assert by_defect["huge_quantity"]["items"][0]["quantity"] == 10_000
    assert by_defect["empty_cart"]["items"] == []
    # The schema rules a defect breaks on purpose are reported, record by record.
    broken = {(v.record, v.rule) for v in meta.violations}
    assert (defects.index("empty_cart"), "min_items") in broken
    assert (defects.index("zero_quantity"), "min") in broken


def test_defect_context_picks_the_matching_defect(engine: Engine) -> None:
    result = run(engine, "order", 1, defect_triggering=True, context="leap year february 29")
    assert result.metadata.details["defects"] == ["leap_day_timestamp"]
    created = result.records[0]["created_at"]
    assert created[4:] == "-02-29T23:59:59Z" and created != "2024-02-29T23:59:59Z"  # moved by whole leap years


def test_time_zone_edges_keep_their_exact_wall_clock(engine: Engine) -> None:
    result = run(engine, "order", 1, defect_triggering=True, context="daylight saving time zone")
    assert result.metadata.details["defects"] == ["timezone_edge"]
    assert result.records[0]["created_at"] == "2025-11-02T01:30:00-04:00"
    assert result.records[0]["updated_at"] == "2025-11-02T01:10:00-05:00"


def test_constraints_pick_the_patterns_that_meet_them(engine: Engine) -> None:
    result = run(engine, "cart", 6, learn_from_history=True, constraints={"total": {"max": 50}})
    assert result.valid and all(r["total"] <= 50 for r in result.records)
    assert set(result.metadata.details["patterns"]) <= {"cart-back-to-school-books", "cart-weekly-grocery-restock"}


def test_constraints_no_pattern_meets_fall_back_to_traditional_and_say_so(engine: Engine) -> None:
    result = run(engine, "cart", 2, learn_from_history=True, constraints={"total": {"max": 5}})
    meta = result.metadata
    assert meta.strategy == "traditional"
    assert "none of the 3 retrieved patterns meets the constraints {'total': {'max': 5}}" in meta.reason
    assert meta.reason.endswith("fell back to traditional") and meta.details["fallback"] == 2
    assert result.valid


def test_an_entity_without_patterns_falls_back_and_names_the_store(engine: Engine, store_file: Path) -> None:
    engine.registry.register(Schema.from_json_schema(
        {"title": "invoice", "type": "object", "required": ["number"],
         "properties": {"number": {"type": "string", "minLength": 3, "maxLength": 12}}}))
    meta = run(engine, "invoice", 1, strategy="rag").metadata
    assert meta.strategy == "traditional"
    assert f"the embedded store at {store_file} holds no patterns for 'invoice'" in meta.reason
    assert "testdata rag ingest" in meta.reason


def test_a_store_that_is_down_falls_back_with_the_reason() -> None:
    down = Engine(options={"store": "weaviate", "weaviate_url": f"http://127.0.0.1:{closed_port()}"})
    explicit = run(down, "order", 2, strategy="rag").metadata
    assert explicit.strategy == "traditional"
    assert "the pattern store is unavailable" in explicit.reason and "not reachable" in explicit.reason
    auto = run(down, "order", 2, learn_from_history=True).metadata
    assert auto.strategy == "traditional"
    assert auto.reason.startswith("learn_from_history: adapt retrieved historical patterns, but rag is unavailable")
    assert auto.reason.endswith("fell back to traditional")


def test_the_store_is_seeded_on_first_use_and_persists(store_file: Path) -> None:
    assert not store_file.exists()
    run(Engine(options={"store": "embedded", "store_path": str(store_file)}), "cart", learn_from_history=True)
    store = EmbeddedStore(store_file)
    assert store.count(PATTERNS) == 18
    store.close()


def test_bad_top_k_is_refused_with_the_allowed_range(store_file: Path) -> None:
    from pytest_testdata.errors import TestdataUsageError

    engine = Engine(options={"store_path": str(store_file), "rag_top_k": 0})
    with pytest.raises(TestdataUsageError, match=r"rag_top_k .*expected a whole number from 1 to 1000, got 0"):
        run(engine, "cart", strategy="rag")


# -- the leak guard ------------------------------------------------------------------------------------------

RAW = {
    "user_id": "5f0c6a52-93a4-4c4b-9d55-4a3e7f9e2b10", "email": "margaret.oconnell@gmail.com",
    "first_name": "Margaret", "last_name": "O'Connell", "phone": "+1 617-842-3391",
    "addresses": [{"street": "88 Beacon Hill Road", "city": "Boston", "state": "MA", "postal_code": "02108",
                   "country": "US"}],
    "loyalty_tier": "platinum", "created_at": "2023-05-01T10:00:00Z", "updated_at": "2025-05-01T10:00:00Z",
}
RAW_VALUES = ("margaret.oconnell@gmail.com", "O'Connell", "617-842-3391", "88 Beacon Hill Road")


def test_records_learned_from_production_samples_never_carry_their_pii(engine: Engine, store_file: Path) -> None:
    store = EmbeddedStore(store_file)
    report = ingest(store, [RAW], entity="user")
    store.close()
    assert report.replaced["email"] == 1
    # Strict (the default): the scrubber's stand-ins come from the locale pools, so they keep every rule.
    result = run(engine, "user", 5, learn_from_history=True, context="production samples")
    assert all(k.startswith("prod-user-") for k in result.metadata.details["patterns"])
    text = json.dumps(result.records, ensure_ascii=False)
    assert not any(v in text for v in RAW_VALUES)
    assert all(r["loyalty_tier"] == "platinum" and r["user_id"] != RAW["user_id"] for r in result.records)


def test_the_guard_catches_pii_that_reached_a_pattern_another_way(engine: Engine, store_file: Path) -> None:
    """A teammate pastes a real customer into the curated patterns: the guard still keeps it out."""
    store = EmbeddedStore(store_file)
    ingest(store, [RAW], entity="user")
    store.add([Pattern(key="pasted-from-prod", collection=PATTERNS, entity="user", record=dict(RAW),
                       title="Boston platinum customer", description="hand-made from a support ticket")])
    store.close()
    result = run(engine, "user", 3, learn_from_history=True, context="boston platinum support ticket")
    assert "pasted-from-prod" in result.metadata.details["patterns"]
    assert result.metadata.details["pii_replaced"] >= 4
    text = json.dumps(result.records, ensure_ascii=False)
    assert not any(v in text for v in RAW_VALUES)


def test_a_missing_weaviate_client_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from pytest_testdata.errors import MissingDependencyError
    from pytest_testdata.store import open_store

    monkeypatch.setitem(sys.modules, "weaviate", None)  # what `import weaviate` meets when it is not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'pytest-testdata-agent\[rag\]'") as info:
        open_store({"store": "weaviate", "weaviate_url": "http://127.0.0.1:1"})
    assert isinstance(info.value, ImportError)
    # Through the engine, auto routing says so and falls back rather than failing the test.
    engine = Engine(options={"store": "weaviate", "weaviate_url": "http://127.0.0.1:1"})
    meta = run(engine, "cart", learn_from_history=True).metadata
    assert meta.strategy == "traditional" and "pytest-testdata-agent[rag]" in meta.reason
