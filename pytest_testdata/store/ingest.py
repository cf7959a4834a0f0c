"""Ingest records into the pattern store: read JSON or JSONL, work out the entity, scrub PII, store.

Production samples (``testdata_prod_samples``) are always scrubbed; a team's own curated files may go to
``testdata_patterns`` or ``testdata_defects`` as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_testdata.errors import TestdataUsageError
from pytest_testdata.schemas.registry import SchemaRegistry
from pytest_testdata.store.base import DEFECTS, PROD_SAMPLES, Pattern, PatternStore, collection_name
from pytest_testdata.store.scrub import scrub


@dataclass
class IngestReport:
    """What an ingest did: records stored per entity and PII values replaced per kind."""

    stored: Counter[str] = field(default_factory=Counter)
    replaced: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        stored = ", ".join(f"{n} {e}" for e, n in sorted(self.stored.items())) or "nothing"
        scrubbed = ", ".join(f"{n} {k}" for k, n in sorted(self.replaced.items())) or "none found"
        return f"stored {stored}; PII replaced: {scrubbed}"


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Records from a JSON file (an object or a list of objects) or a JSONL file (one object a line)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise TestdataUsageError(f"ingest: cannot read {str(path)!r} ({exc.strerror}). Check the path.") from None
    records: list[Any]
    stripped = text.lstrip()
    try:
        if file.suffix == ".jsonl" or (stripped.startswith("{") and "\n{" in stripped.rstrip()):
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
            records = data if isinstance(data, list) else [data]
    except json.JSONDecodeError as exc:
        raise TestdataUsageError(
            f"ingest: {str(path)!r} is not valid JSON or JSONL ({exc.msg} at line {exc.lineno}, column "
            f"{exc.colno}). Expected a JSON object, a JSON list of objects, or one object per line."
        ) from None
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise TestdataUsageError(
            f"ingest: record {bad} of {str(path)!r} is {type(records[bad]).__name__}, not a JSON object. "
            "Each sample must be one record (an object)."
        )
    return records


def infer_entity(record: Mapping[str, Any], registry: SchemaRegistry) -> str:
    """The entity a record belongs to: the one whose ``<entity>_id`` it carries, else the best key overlap."""
    names = registry.names()
    by_id = [n for n in names if f"{n}_id" in record and registry.get(n).fields[:1] == (f"{n}_id",)]
    if len(by_id) == 1:
        return by_id[0]
    keys = set(record)
    scored = sorted(((len(keys & set(registry.get(n).fields)) / len(keys | set(registry.get(n).fields)), n)
                     for n in names), reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    raise TestdataUsageError(
        f"ingest: cannot tell which entity a record with keys {sorted(keys)[:8]} is. Known entities: "
        f"{', '.join(names)}. Pass --entity NAME."
    )


def describe(entity: str, record: Mapping[str, Any]) -> str:
    """A searchable one-line description of a sample (status, currency, category, item count...)."""
    facts = [f"production {entity} sample"]
    for key in ("status", "category", "method", "loyalty_tier", "currency", "rating"):
        value = record.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            facts.append(f"{key} {value}")
    totals = record.get("totals")
    if isinstance(totals, Mapping) and isinstance(totals.get("currency"), str):
        facts.append(f"currency {totals['currency']}")
    items = record.get("items")
    if isinstance(items, list):
        facts.append(f"{len(items)} items")
    return ", ".join(facts)


def prepare(records: Iterable[Mapping[str, Any]], *, collection: str = PROD_SAMPLES, entity: str | None = None,
            registry: SchemaRegistry | None = None, source: str = "") -> tuple[list[Pattern], IngestReport]:
    """The patterns to store (scrubbed, for production samples) and the report; touches no store."""
    coll = collection_name(collection)
    registry = registry if registry is not None else SchemaRegistry()
    if entity is not None:
        registry.get(entity)  # an unknown name fails here, with a suggestion
    report = IngestReport()
    patterns = []
    for raw in records:
        if isinstance(raw.get("record"), dict) and isinstance(raw.get("entity"), str) and coll != PROD_SAMPLES:
            # Already pattern-shaped (the seed files' format): keep its title, tags and defect name.
            pattern = Pattern.from_dict({**raw, "collection": coll})
            registry.get(pattern.entity)
            patterns.append(pattern)
            report.stored[pattern.entity] += 1
            continue
        if isinstance(raw.get("record"), dict) and isinstance(raw.get("entity"), str):
            raw = {**raw["record"]}
        name = entity or infer_entity(raw, registry)
        record = dict(raw)
        hashes: tuple[str, ...] = ()
        if coll == PROD_SAMPLES:
            record, scrubbed = scrub(record)
            report.replaced.update(scrubbed.replaced)
            hashes = tuple(sorted(scrubbed.hashes))
        digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]
        prefix = {PROD_SAMPLES: "prod", DEFECTS: "defect"}.get(coll, "pattern")
        patterns.append(Pattern(
            key=f"{prefix}-{name}-{digest}", collection=coll, entity=name, record=record,
            title=f"{name} {'production sample' if coll == PROD_SAMPLES else 'pattern'}",
            description=describe(name, record), tags=("production",) if coll == PROD_SAMPLES else (),
            defect="ingested" if coll == DEFECTS else None,
            meta={"source": source or "ingest"}, pii_hashes=hashes,
        ))
        report.stored[name] += 1
    return patterns, report


def ingest(store: PatternStore, records: Iterable[Mapping[str, Any]], *, collection: str = PROD_SAMPLES,
           entity: str | None = None, registry: SchemaRegistry | None = None, source: str = "") -> IngestReport:
    """Scrub (for production samples) and store records; returns what was stored and replaced."""
    patterns, report = prepare(records, collection=collection, entity=entity, registry=registry, source=source)
    store.add(patterns)
    return report
