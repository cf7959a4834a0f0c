"""The pattern-store contract, run against every backend: the embedded store always, Weaviate when
WEAVIATE_URL is set (see docs/rag.md for a local server)."""

from __future__ import annotations

import pytest

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.store import COLLECTIONS, DEFECTS, PATTERNS, PROD_SAMPLES, Pattern, PatternStore, seed


def pattern(key: str, entity: str = "cart", *, collection: str = PATTERNS, title: str = "", description: str = "",
            tags: tuple[str, ...] = (), defect: str | None = None, hashes: tuple[str, ...] = ()) -> Pattern:
    return Pattern(key=key, collection=collection, entity=entity, record={"note": f"record of {key}"},
                   title=title, description=description, tags=tags, defect=defect, pii_hashes=hashes)


def test_a_new_store_has_three_empty_collections(any_store: PatternStore) -> None:
    assert COLLECTIONS == ("testdata_patterns", "testdata_defects", "testdata_prod_samples")
    assert [any_store.count(c) for c in COLLECTIONS] == [0, 0, 0]
    assert any_store.search(PATTERNS, "anything", entity="cart") == []


def test_added_patterns_round_trip_with_every_field(any_store: PatternStore) -> None:
    original = Pattern(
        key="k1", collection=DEFECTS, entity="order", title="Leap day order", description="created on Feb 29",
        tags=("leap day", "edge"), defect="leap_day_timestamp", shift="years", meta={"breaks": []},
        record={"order_id": "x", "items": [{"name": "Crème brûlée 🍮", "quantity": 1}]},
    )
    assert any_store.add([original]) == 1
    (hit,) = any_store.search(DEFECTS, "leap", entity="order")
    assert hit.pattern == original
    assert hit.score > 0


def test_search_ranks_by_relevance_to_the_query(any_store: PatternStore) -> None:
    any_store.add([
        pattern("groceries", title="Weekly grocery restock", description="oats, eggs and rice for the week"),
        pattern("gifts", title="Holiday gift cart", description="christmas presents: headphones, speakers"),
        pattern("mixed", title="Mixed cart", description="a christmas jumper and some rice"),
    ])
    keys = [h.pattern.key for h in any_store.search(PATTERNS, "christmas holiday gift", entity="cart")]
    assert keys[0] == "gifts"
    assert set(keys) == {"gifts", "mixed"}  # the grocery cart shares no word with the query
    scores = [h.score for h in any_store.search(PATTERNS, "christmas holiday gift", entity="cart")]
    assert scores == sorted(scores, reverse=True)


def test_search_filters_by_entity_and_collection(any_store: PatternStore) -> None:
    any_store.add([
        pattern("cart-1", "cart", description="unicode names"),
        pattern("user-1", "user", description="unicode names"),
        pattern("user-defect", "user", collection=DEFECTS, description="unicode names", defect="unicode_name"),
    ])
    assert [h.pattern.key for h in any_store.search(PATTERNS, "unicode", entity="user")] == ["user-1"]
    assert [h.pattern.key for h in any_store.search(DEFECTS, "unicode", entity="user")] == ["user-defect"]
    assert {h.pattern.key for h in any_store.search(PATTERNS, "unicode")} == {"cart-1", "user-1"}
    assert any_store.count(PATTERNS, "user") == 1
    assert any_store.count(PATTERNS) == 2


def test_an_empty_query_lists_the_entitys_patterns_in_key_order(any_store: PatternStore) -> None:
    any_store.add([pattern(k) for k in ("b", "c", "a")] + [pattern("z", "user")])
    assert [h.pattern.key for h in any_store.search(PATTERNS, "", entity="cart", limit=5)] == ["a", "b", "c"]
    assert [h.pattern.key for h in any_store.search(PATTERNS, "  the of  ", entity="cart", limit=2)] == ["a", "b"]


def test_limit_caps_the_results(any_store: PatternStore) -> None:
    any_store.add([pattern(f"p{i}", description="boundary value") for i in range(8)])
    assert len(any_store.search(PATTERNS, "boundary", entity="cart", limit=3)) == 3


def test_adding_a_key_again_replaces_the_pattern(any_store: PatternStore) -> None:
    any_store.add([pattern("same", description="first version about apples")])
    any_store.add([pattern("same", description="second version about pears")])
    assert any_store.count(PATTERNS) == 1
    assert any_store.search(PATTERNS, "apples", entity="cart") == []
    (hit,) = any_store.search(PATTERNS, "pears", entity="cart")
    assert hit.pattern.description == "second version about pears"


def test_fingerprints_gather_every_production_samples_hashes(any_store: PatternStore) -> None:
    any_store.add([pattern("s1", collection=PROD_SAMPLES, hashes=("h1", "h2")),
                   pattern("s2", collection=PROD_SAMPLES, hashes=("h2", "h3")),
                   pattern("p1", hashes=())])
    assert any_store.fingerprints() == frozenset({"h1", "h2", "h3"})


def test_clear_empties_one_collection(any_store: PatternStore) -> None:
    any_store.add([pattern("p"), pattern("d", collection=DEFECTS, defect="x")])
    any_store.clear(PATTERNS)
    assert any_store.count(PATTERNS) == 0
    assert any_store.count(DEFECTS) == 1


def test_seeding_loads_the_curated_set_once(any_store: PatternStore) -> None:
    assert seed(any_store) == 35
    assert seed(any_store) == 35  # reseeding replaces, never duplicates
    assert any_store.count(PATTERNS) + any_store.count(DEFECTS) == 35
    hits = any_store.search(DEFECTS, "leap day february", entity="order")
    assert hits[0].pattern.defect == "leap_day_timestamp"


def test_a_query_with_fts_syntax_is_taken_as_plain_words(any_store: PatternStore) -> None:
    any_store.add([pattern("q", description='quote " and star * and NEAR(a b) and col:on')])
    assert [h.pattern.key for h in any_store.search(PATTERNS, 'quote" OR * NEAR( col: AND', entity="cart")] == ["q"]


def test_an_unknown_collection_is_refused_with_the_allowed_names(any_store: PatternStore) -> None:
    with pytest.raises(TestdataUsageError, match=r"collection: 'samples' is not allowed.*prod_samples"):
        any_store.search("samples", "x")
