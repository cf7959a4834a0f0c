"""Digests of what the traditional strategy and the dataset builder write, for checking a speed change.

    python tools/output_digest.py            # entities, small datasets (valid and invalid), two big builds
    python tools/output_digest.py --quick    # entities and small datasets only

A change meant only to make generation faster must leave every digest as it was: run this before and after
the change and compare the lines. The digests cover the records, the metadata without timings (the
strategy, reason, coherence scores, details), the violations and the broken rules, for the valid variant
and every invalid one, a dataset built serially, by two processes (one worker beside the dataset's own) and by
three (two workers), which must all agree, and the same dataset streamed into a SQLite file serially and by two
processes (its tables' rows and row ids).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from pytest_testdata.datasets import DatasetRequest, generate_dataset, sqlite_engine
from pytest_testdata.datasets.load import build_into
from pytest_testdata.engine import Engine
from pytest_testdata.types import GenerationRequest

ENTITIES = ("user", "product", "cart", "order", "payment", "review")
VARIANTS = ("valid", "invalid")
SMALL = {"user": 60, "product": 30, "order": 150, "payment": 150, "review": 120}
BIG = {"user": 4_000, "product": 2_000, "order": 12_000, "payment": 10_000, "review": 8_000}


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def without_timings(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k != "timings"}


def entity_digest(engine: Engine, variant: str) -> str:
    parts = []
    for entity in ENTITIES:
        result = engine.generate(GenerationRequest.checked(entity, count=200, strategy="traditional", seed=11,
                                                           variant=variant, strict=False))
        parts.append([result.records, without_timings(result.metadata.as_dict())])
    return digest(parts)


def dataset_digest(engine: Engine, counts: dict[str, int], processes: int, **kwargs: Any) -> str:
    dataset = generate_dataset(dict(counts), seed=5, engine=engine, processes=processes, **kwargs)
    data = dataset.as_dict()
    for meta in data.get("metadata", {}).values():
        meta.pop("timings", None)
        meta.get("details", {}).pop("processes", None)  # how many workers ran: the only allowed difference
    return digest(data)


def database_digest(engine: Engine, counts: dict[str, int], processes: int) -> str:
    """A streamed build into a new SQLite file: the schema and every table's rows with their row ids."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "digest.db"
        database = sqlite_engine(path)
        build_into(engine, DatasetRequest.checked(dict(counts), seed=5), database, processes=processes)
        database.dispose()
        connection = sqlite3.connect(path)
        hashed = hashlib.sha256()
        for name, sql in connection.execute("SELECT name, sql FROM sqlite_master ORDER BY name"):
            hashed.update(repr((name, sql)).encode())
            if sql and sql.startswith("CREATE TABLE"):
                for row in connection.execute(f'SELECT rowid, * FROM "{name}" ORDER BY rowid'):
                    hashed.update(repr(row).encode())
        connection.close()
    return hashed.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the big builds")
    args = parser.parse_args()
    engine = Engine()
    for variant in VARIANTS:
        print(f"entities {variant:9} {entity_digest(engine, variant)}", flush=True)
    print(f"dataset  valid     {dataset_digest(engine, SMALL, 1)}", flush=True)
    for rule in ("payment.amount_matches_order", "review.by_buyer_after_delivery", "order.items_match_products"):
        try:
            text = dataset_digest(engine, SMALL, 1, variant="invalid", break_rule=rule)
        except Exception as error:  # a rule this dataset cannot break is part of the output too
            text = f"error {type(error).__name__}: {error}"[:120]
        print(f"dataset  {rule} {text}", flush=True)
    if not args.quick:
        print(f"big      serial    {dataset_digest(engine, BIG, 1)}", flush=True)
        print(f"big      2 process {dataset_digest(engine, BIG, 2)}", flush=True)
        print(f"big      3 process {dataset_digest(engine, BIG, 3)}", flush=True)
        print(f"database serial    {database_digest(engine, BIG, 1)}", flush=True)
        print(f"database 2 process {database_digest(engine, BIG, 2)}", flush=True)


if __name__ == "__main__":
    main()
