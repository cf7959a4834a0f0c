"""The 35 curated patterns: every entity covered, realistic ones valid and coherent, defects honest."""

from __future__ import annotations

from collections import Counter

import pytest

from pytest_testdata.quality.coherence import scorer_for
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.store import DEFECTS, PATTERNS, Pattern, curated_patterns

REGISTRY = SchemaRegistry()
PATTERN_SET = curated_patterns()


def test_there_are_35_with_unique_keys_covering_all_six_entities() -> None:
    assert len(PATTERN_SET) == 35
    assert len({p.key for p in PATTERN_SET}) == 35
    realistic = Counter(p.entity for p in PATTERN_SET if p.collection == PATTERNS)
    assert realistic == {e: 3 for e in ("cart", "order", "payment", "product", "review", "user")}


def test_the_defects_cover_the_shapes_the_spec_names() -> None:
    defects = {p.defect for p in PATTERN_SET if p.collection == DEFECTS}
    assert {"zero_quantity", "huge_quantity", "empty_cart", "currency_mismatch", "rounding_half_cent",
            "unicode_name", "very_long_name", "unicode_long_name", "leap_day_timestamp", "timezone_edge",
            "duplicate_skus", "expired_card"} <= defects
    assert all(p.defect for p in PATTERN_SET if p.collection == DEFECTS)
    assert not any(p.defect for p in PATTERN_SET if p.collection == PATTERNS)


@pytest.mark.parametrize("p", [p for p in PATTERN_SET if p.collection == PATTERNS], ids=lambda p: p.key)
def test_realistic_patterns_are_valid_and_fully_coherent(p: Pattern) -> None:
    schema = REGISTRY.get(p.entity)
    assert validator_for(schema, {}).validate([p.record]) == []
    assert scorer_for(schema).score(p.record) == 1.0
    assert p.title and len(p.description) > 20 and p.tags


@pytest.mark.parametrize("p", [p for p in PATTERN_SET if p.collection == DEFECTS], ids=lambda p: p.key)
def test_each_defect_lists_exactly_the_rules_it_breaks(p: Pattern) -> None:
    schema = REGISTRY.get(p.entity)
    found = {f"{v.field}: {v.rule}" for v in validator_for(schema, {}).validate([p.record])}
    found |= {f"coherence: {r}" for r in scorer_for(schema).failed_rules(p.record)}
    assert sorted(found) == p.meta["breaks"]


def test_the_defect_shapes_are_really_in_the_records() -> None:
    by_defect = {p.defect: p.record for p in PATTERN_SET if p.defect}
    assert by_defect["zero_quantity"]["items"][0]["quantity"] == 0
    assert by_defect["huge_quantity"]["items"][0]["quantity"] >= 10_000
    assert by_defect["empty_cart"]["items"] == []
    skus = [i["sku"] for i in by_defect["duplicate_skus"]["items"]]
    assert len(skus) != len(set(skus))
    assert by_defect["leap_day_timestamp"]["created_at"].startswith("2024-02-29T23:59:59")
    assert by_defect["very_long_name"]["name"].__len__() == 120
    assert any(ord(c) > 0xFFFF for c in by_defect["unicode_name"]["name"])  # an emoji, outside the BMP
    assert by_defect["rounding_half_cent"]["subtotal"] * 10 % 1 != 0  # tax of x.xx5 before rounding
    order = by_defect["currency_mismatch"]
    assert order["totals"]["currency"] == "GBP" and order["shipping_address"]["country"] == "US"
