"""The RAG strategy: records adapted from patterns retrieved from the pattern store.

``learn_from_history=True`` retrieves the entity's realistic patterns and ingested production samples,
ranked by relevance to the request's context and hints, and adapts them (fresh ids, shifted timestamps,
same structure and relations: :mod:`pytest_testdata.generators.adapt`). ``defect_triggering=True``
retrieves the entity's defect patterns instead and cycles through them, so ``count=N`` covers up to N
different defects; each record is labelled in ``metadata.details["defects"]`` with the defect it triggers.

Every record then passes the leak guard: no value may match a fingerprint of the PII scrubbed out of an
ingested production sample. When the store is down or holds nothing usable for the request, the strategy
falls back to traditional and says why.
"""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING, Any

from pytest_testdata.generators.adapt import adapt
from pytest_testdata.generators.base import GeneratorBase, GeneratorOutput
from pytest_testdata.generators.host import fallback_to_traditional
from pytest_testdata.quality.validator import validator_for
from pytest_testdata.schemas.model import Schema
from pytest_testdata.seeding import derive_seed
from pytest_testdata.store import (
    DEFECTS,
    PATTERNS,
    PROD_SAMPLES,
    Hit,
    PatternStore,
    StoreUnavailableError,
    ensure_seeded,
    open_store,
    store_settings,
)
from pytest_testdata.store.base import request_query
from pytest_testdata.store.scrub import guard
from pytest_testdata.types import GenerationRequest, Record

if TYPE_CHECKING:
    from pytest_testdata.generators.host import GeneratorHost

CONSTRAINED_FETCH = 4
"""With constraints set, retrieve this many times ``rag_top_k`` so enough candidates survive the filter."""


class RagGenerator(GeneratorBase):
    """The ``rag`` strategy (registered in :data:`pytest_testdata.generators.base.GENERATORS`)."""

    name = "rag"

    def __init__(self, host: GeneratorHost) -> None:
        self.host = host
        self.settings = store_settings(host.options)
        self._store: PatternStore | None = None
        self._store_error: str | None = None
        self._fingerprints: tuple[int, frozenset[str]] = (-1, frozenset())
        self._lock = threading.Lock()

    # -- the store ----------------------------------------------------------------------------------------
    def store(self) -> PatternStore:
        """The pattern store, opened (and seeded when empty) on first use; a failure is remembered."""
        with self._lock:
            if self._store is None:
                if self._store_error is not None:
                    raise StoreUnavailableError(self._store_error)
                try:
                    store = open_store(self.settings)
                    ensure_seeded(store)
                except (StoreUnavailableError, ImportError) as exc:
                    self._store_error = str(exc)
                    raise
                self._store = store
            return self._store

    def unavailable_reason(self) -> str | None:
        """Why ``auto`` should not route here: the store cannot be opened."""
        try:
            self.store()
        except (StoreUnavailableError, ImportError) as exc:
            return f"the pattern store is unavailable: {exc}"
        return None

    def fingerprints(self) -> frozenset[str]:
        """The store's PII fingerprints, re-read only when the number of production samples changes."""
        store = self.store()
        n = store.count(PROD_SAMPLES)
        if n != self._fingerprints[0]:
            self._fingerprints = (n, store.fingerprints() if n else frozenset())
        return self._fingerprints[1]

    def cache_key_material(self, request: GenerationRequest) -> dict[str, Any]:
        """What besides the request decides the output: which store, and how many patterns it holds for
        the entity (an ingest or a re-seed changes that count, so the engine's cache never serves records
        adapted from a store that has since changed)."""
        try:
            counts = [self.store().count(c, request.entity) for c in (PATTERNS, DEFECTS, PROD_SAMPLES)]
        except (StoreUnavailableError, ImportError):
            counts = []  # generation falls back then, and fallbacks are never cached
        return {
            "store": [self.settings["store"], str(self.settings["store_path"] or ""),
                      str(self.settings["weaviate_url"] or "")],
            "top_k": self.settings["rag_top_k"],
            "counts": counts,
        }

    # -- retrieval ----------------------------------------------------------------------------------------
    def retrieve(self, request: GenerationRequest, schema: Schema, limit: int | None = None) -> list[Hit]:
        """The best patterns for a request: defects for ``defect_triggering``, else patterns and samples."""
        store = self.store()
        query = request_query(request.context, request.hints)
        k = limit or self.settings["rag_top_k"] * (CONSTRAINED_FETCH if request.constraints else 1)
        collections = (DEFECTS,) if request.defect_triggering else (PATTERNS, PROD_SAMPLES)
        for text in (query, ""):  # a query that matches nothing still gets the entity's patterns, unranked
            hits = [h for c in collections for h in store.search(c, text, entity=schema.name, limit=k)]
            if hits or not query:
                break
        hits.sort(key=lambda h: (-h.score, h.pattern.key))
        return hits[:k]

    def usable(self, hits: list[Hit], request: GenerationRequest, schema: Schema) -> list[Hit]:
        """The hits whose records meet the caller's constraints (schema rules a defect breaks don't count)."""
        if not request.constraints:
            return hits
        validator = validator_for(schema, request.constraints)
        keep = []
        for hit in hits:
            problems = validator.validate([hit.pattern.record])
            if not any(v.field.split(".")[0] in request.constraints or v.field in request.constraints
                       for v in problems):
                keep.append(hit)
        return keep

    # -- generation ---------------------------------------------------------------------------------------
    def generate(self, request: GenerationRequest, schema: Schema, seed: int) -> GeneratorOutput:
        what = "defect patterns" if request.defect_triggering else "patterns"
        try:
            hits = self.retrieve(request, schema)
        except (StoreUnavailableError, ImportError) as exc:
            return self.fallback(request, schema, seed, f"the pattern store is unavailable ({exc})")
        candidates = self.usable(hits, request, schema)
        if not candidates:
            if hits:
                why = (f"none of the {len(hits)} retrieved {what} meets the constraints "
                       f"{ {k: v.as_dict() for k, v in request.constraints.items()} }")
            else:
                why = (f"the {self.store().backend} store at {self.store().location} holds no {what} for "
                       f"{schema.name!r} (add some with `testdata rag ingest` or `testdata rag seed`)")
            return self.fallback(request, schema, seed, why)
        records, used = self.adapt(candidates, request, schema, seed)
        replaced = guard(records, self.fingerprints())
        details: dict[str, Any] = {
            "store": self.store().backend, "query": request_query(request.context, request.hints),
            "retrieved": len(hits), "ranked": any(h.score for h in hits),
            "patterns": [h.pattern.key for h in used], "pii_replaced": replaced,
        }
        if request.defect_triggering:
            details["defects"] = [h.pattern.defect or "unnamed" for h in used]
            details["defect_notes"] = {h.pattern.defect or "unnamed": h.pattern.description for h in used}
        return GeneratorOutput(records, details=details)

    def adapt(self, candidates: list[Hit], request: GenerationRequest, schema: Schema,
              seed: int) -> tuple[list[Record], list[Hit]]:
        """``request.count`` records adapted from the candidates, and the hit each one came from.

        Defects are taken in rank order, round robin (``count=N`` covers N defects where the store has
        them); history patterns are drawn with weights falling with rank (1, 1/2, 1/3...).
        """
        rng = random.Random(derive_seed(seed, "rag"))
        weights = [1.0 / (rank + 1) for rank in range(len(candidates))]
        records: list[Record] = []
        used: list[Hit] = []
        for i in range(request.count):
            if request.defect_triggering:
                hit = candidates[i % len(candidates)]
            else:
                hit = rng.choices(candidates, weights=weights)[0]
            records.append(adapt(hit.pattern.record, schema, rng, hit.pattern.shift))
            used.append(hit)
        return records, used

    def fallback(self, request: GenerationRequest, schema: Schema, seed: int, why: str) -> GeneratorOutput:
        """Records from the traditional strategy, with the reason."""
        return fallback_to_traditional(self.host, request, schema, seed, strategy="rag", why=why)
