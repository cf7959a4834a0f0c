"""The pattern store's protocol, its record type and the search text every backend indexes.

A *pattern* is one stored record of an entity plus what makes it findable: a title, a description, tags
and, for the defects collection, the name of the bug-triggering shape it embodies. Three collections hold
them (SPEC section 6):

``testdata_patterns``
    curated, realistic records (the seed set and anything a team adds);
``testdata_defects``
    records with known bug-triggering shapes (boundary values, empty lists, unicode, leap days...);
``testdata_prod_samples``
    production samples ingested through :mod:`pytest_testdata.store.scrub` (PII replaced).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pytest_testdata.errors import StoreUnavailableError as StoreUnavailableError  # re-exported (errors.py)
from pytest_testdata.errors import choice_error

Record = dict[str, Any]

PATTERNS = "testdata_patterns"
DEFECTS = "testdata_defects"
PROD_SAMPLES = "testdata_prod_samples"
COLLECTIONS: tuple[str, ...] = (PATTERNS, DEFECTS, PROD_SAMPLES)
SHIFT_MODES: tuple[str, ...] = ("days", "years", "none")
"""How adaptation moves a pattern's timestamps: by whole days (default), by whole years (keeps
calendar edges such as Feb 29 or Dec 31, using multiples of four years), or not at all (time-zone edges
whose wall-clock value is the point)."""

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "of", "on", "or", "that", "the", "this", "to", "was", "with",
})
HINT_TERMS: dict[str, str] = {
    "edge_cases": "edge boundary limit",
    "minimal": "minimal single small",
    "maximal": "maximal full large",
    "realistic": "",
    "coherent": "",
    "fast": "",
    "bulk": "",
}
"""Words a hint adds to the retrieval query (quality hints steer the router, not the ranking)."""


def collection_name(name: str) -> str:
    """``"prod_samples"`` or ``"testdata_prod_samples"`` -> ``"testdata_prod_samples"``; raises on others."""
    full = name if name.startswith("testdata_") else f"testdata_{name}"
    if full not in COLLECTIONS:
        short = [c.removeprefix("testdata_") for c in COLLECTIONS]
        raise choice_error("collection", name, short, "Use one of the short or full (testdata_*) names.")
    return full


@dataclass(frozen=True)
class Pattern:
    """One stored record and what makes it findable."""

    key: str
    """Unique within its collection (``"cart-holiday-electronics"``); adding the same key replaces it."""
    collection: str
    entity: str
    record: Record
    title: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    defect: str | None = None
    """The defect's name, for patterns of the defects collection (``"zero_quantity"``)."""
    shift: str = "days"
    """How adaptation moves timestamps (one of :data:`SHIFT_MODES`)."""
    meta: Mapping[str, Any] = field(default_factory=dict)
    """Anything else: the schema rules a defect breaks on purpose, where a sample came from..."""
    pii_hashes: tuple[str, ...] = ()
    """Fingerprints of the personal data scrubbed out of an ingested sample (never the data itself)."""

    def search_text(self) -> str:
        """What keyword search indexes besides the title: description, tags, defect and record text."""
        parts = [self.description, " ".join(self.tags), (self.defect or "").replace("_", " ")]
        parts.extend(_record_words(self.record))
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible form (the seed files' and ``testdata rag search --json``'s shape)."""
        data: dict[str, Any] = {
            "key": self.key, "collection": self.collection, "entity": self.entity, "title": self.title,
            "description": self.description, "tags": list(self.tags), "defect": self.defect,
            "shift": self.shift, "meta": dict(self.meta), "record": self.record,
        }
        if self.pii_hashes:
            data["pii_hashes"] = list(self.pii_hashes)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, collection: str | None = None) -> Pattern:
        """Build from :meth:`as_dict`'s shape (``collection`` fills in a missing one)."""
        coll = collection_name(str(data.get("collection") or collection or ""))
        shift = str(data.get("shift") or "days")
        if shift not in SHIFT_MODES:
            raise choice_error(f"pattern {data.get('key')!r}: shift", shift, SHIFT_MODES)
        record = data.get("record")
        if not isinstance(record, dict):
            raise ValueError(f"pattern {data.get('key')!r}: 'record' must be a JSON object, got {record!r}")
        return cls(
            key=str(data["key"]), collection=coll, entity=str(data["entity"]), record=record,
            title=str(data.get("title") or ""), description=str(data.get("description") or ""),
            tags=tuple(str(t) for t in data.get("tags") or ()), defect=data.get("defect") or None,
            shift=shift, meta=dict(data.get("meta") or {}),
            pii_hashes=tuple(str(h) for h in data.get("pii_hashes") or ()),
        )


@dataclass(frozen=True)
class Hit:
    """A search result: the pattern and its relevance (higher is better; 0 for an empty query)."""

    pattern: Pattern
    score: float


@runtime_checkable
class PatternStore(Protocol):
    """What every backend offers. Backends are thread-safe; ``add`` replaces patterns by key."""

    backend: str
    location: str

    def add(self, patterns: Iterable[Pattern]) -> int:
        """Insert or replace patterns (batched); returns how many were written."""
        ...

    def search(self, collection: str, query: str, *, entity: str | None = None, limit: int = 5) -> list[Hit]:
        """The ``limit`` best patterns of a collection for a keyword query, optionally one entity's.

        An empty query returns the entity's patterns in a stable order (by key).
        """
        ...

    def count(self, collection: str, entity: str | None = None) -> int:
        """How many patterns a collection holds (optionally of one entity)."""
        ...

    def fingerprints(self) -> frozenset[str]:
        """Every PII fingerprint of the ingested production samples (for the leak guard)."""
        ...

    def clear(self, collection: str) -> None:
        """Remove every pattern of a collection."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def query_terms(text: str) -> list[str]:
    """The distinct lower-case words of a query, stop words dropped, in order of appearance."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS and word not in seen and len(seen) < 32:
            seen[word] = None
    return list(seen)


def request_query(context: str | None, hints: Iterable[str]) -> str:
    """The retrieval query for a request: its context plus the words its hints stand for."""
    words = [context or ""] + [HINT_TERMS.get(h, h) for h in hints]
    return " ".join(w for w in words if w).strip()


def _record_words(node: Any) -> Iterable[str]:
    """String values worth searching (names, categories, statuses), not ids or timestamps."""
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _record_words(value)
    elif isinstance(node, list):
        for value in node:
            yield from _record_words(value)
    elif isinstance(node, str) and not _UUID.match(node) and not _TIMESTAMP.match(node):
        yield node[:200]
