"""The result cache and the pattern store: an ingest must not leave stale cached rag records behind."""

from __future__ import annotations

from pathlib import Path

from pytest_testdata.cache import build_cache
from pytest_testdata.engine import Engine
from pytest_testdata.store import open_store, store_settings
from pytest_testdata.store.ingest import ingest
from pytest_testdata.types import GenerationRequest


def test_a_repeated_seeded_rag_request_is_a_cache_hit_until_the_store_changes(store_file: Path) -> None:
    options = {"store": "embedded", "store_path": str(store_file)}
    engine = Engine(options=options, cache=build_cache({"cache": "memory"}))
    request = GenerationRequest.checked("cart", 2, strategy="rag", learn_from_history=True, seed=11)

    first = engine.generate(request)
    again = engine.generate(request)
    assert not first.metadata.cache_hit
    assert again.metadata.cache_hit and again.records == first.records

    sample = {**first.records[0], "cart_id": "5b0c6a3e-1f7b-4c55-9a59-0f4c2b2d8e11"}
    ingest(open_store(store_settings(options)), [sample], entity="cart")
    after_ingest = engine.generate(request)
    assert not after_ingest.metadata.cache_hit, "the store changed, so the cached rag result is stale"
