"""A database load in parts while the workers build (``Builder.write_piece``, ``chunked.Ahead``): the finished
entities a piece at a time, and the first chunks of the entity being built once nothing later changes them.
The database ends the same as the same dataset loaded whole; an error in a part names the entity, the
record by its place in the entity, and the field."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

# Imported here, outside any in-process pytester run (see test_sqlite.py).
import sqlalchemy  # noqa: F401

from pytest_testdata.datasets import DatasetRequest, build, chunks, generate_dataset, sqlite_engine, workers
from pytest_testdata.datasets.chunked import Ahead, _repeating
from pytest_testdata.datasets.chunks import CHUNK
from pytest_testdata.datasets.graph import plan_dataset
from pytest_testdata.datasets.load import DatabaseSink, DatasetLoadError, build_into, load_dataset
from pytest_testdata.engine import Engine
from pytest_testdata.schemas.registry import SchemaRegistry

COUNTS = {"user": 800, "product": 300, "order": 2 * CHUNK + 500, "payment": 2 * CHUNK + 500, "review": CHUNK + 900}
TICKET = {"title": "ticket", "type": "object", "required": ["ticket_id", "code"],
          "properties": {"ticket_id": {"type": "string", "format": "uuid", "x-unique": True},
                         "code": {"type": "string", "pattern": "^T[0-9]{4}$", "x-unique": True}}}


def _dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        rows = [f"{name} {row!r}" for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                             "ORDER BY name")
                for row in db.execute(f'SELECT rowid, * FROM "{name}" ORDER BY rowid')]
        return list(db.iterdump()) + rows


def _whole(engine: Engine, counts: dict[str, int], seed: int, path: Path) -> list[str]:
    """The dataset built in one process, then loaded whole, entity by entity."""
    dataset = generate_dataset(counts, seed=seed, engine=engine, processes=1)
    database = sqlite_engine(path)
    try:
        load_dataset(dataset, plan_dataset(DatasetRequest.checked(counts, seed=seed), engine.registry), database)
    finally:
        database.dispose()
    return _dump(path)


GATED = frozenset({"order", "review"})
"""Entities whose chunk k a worker hands back only once the dataset's process has written chunk k - 1 early
(or after a minute): the order of "written" and "finished" then does not depend on the machine's load."""


@pytest.fixture
def slow_workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, str, int]]:
    """Workers (forked) that take a while over each chunk, so that the dataset's process waits for them and
    writes meanwhile; the events (written or finished, entity, offset) in order."""
    parent = os.getpid()
    built = chunks.build_chunk
    marks = tmp_path / "written"  # the dataset's process marks each part it writes; forked workers look here
    marks.mkdir()

    def slowly(job: Any, kit: Any, chunk: Any, start: int, stop: int) -> Any:
        if os.getpid() != parent:  # each chunk a second longer than the one before: they come back in turn
            time.sleep(start // CHUNK)
            # Seconds apart were not always enough on a loaded machine (two chunks back at once, the entity
            # finished before its first chunk was written): wait for the write itself.
            previous = marks / f"{job.entity}-{start - CHUNK}"
            waited = 0.0
            while job.entity in GATED and start >= CHUNK and not previous.exists() and waited < 60:
                time.sleep(0.05)
                waited += 0.05
        return built(job, kit, chunk, start, stop)

    monkeypatch.setattr(chunks, "build_chunk", slowly)
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    events: list[tuple[str, str, int]] = []
    write, finished = DatabaseSink.write, build.Builder._finished

    def noted_write(self: DatabaseSink, plan: Any, entity: str, records: Any, deferred: Any, *,
                    offset: int = 0) -> None:
        events.append(("written", entity, offset))
        write(self, plan, entity, records, deferred, offset=offset)
        (marks / f"{entity}-{offset}").touch()

    def noted_finished(self: build.Builder, entity: str, *args: Any) -> None:
        events.append(("finished", entity, 0))
        finished(self, entity, *args)

    monkeypatch.setattr(DatabaseSink, "write", noted_write)
    monkeypatch.setattr(build.Builder, "_finished", noted_finished)
    return events


def test_a_streamed_build_writes_early_and_ends_as_a_whole_load(tmp_path: Path,
                                                                 slow_workers: list[tuple[str, str, int]]) -> None:
    database = sqlite_engine(tmp_path / "streamed.db")
    try:
        # Three processes: two slow workers, and the dataset's process, which writes while it waits for them
        # (with one worker it would take back the chunks and build them itself instead of waiting).
        dataset = build_into(Engine(), DatasetRequest.checked(COUNTS, seed=5), database, processes=3)
    finally:
        database.dispose()
    assert dataset.metadata["order"].details["processes"] == 3
    events = slow_workers
    # The orders' and the reviews' first chunks went in before the entity was finished (nothing after the
    # chunks changed them); the users while the workers built the orders.
    for entity in ("order", "review"):
        assert events.index(("written", entity, 0)) < events.index(("finished", entity, 0))
    assert events.index(("written", "user", 0)) < events.index(("finished", "order", 0))
    written = [offset for kind, entity, offset in events if kind == "written" and entity == "order"]
    assert written == sorted(set(written)) and len(written) > 2  # in order, each part once
    assert _dump(tmp_path / "streamed.db") == _whole(Engine(), COUNTS, 5, tmp_path / "whole.db")


def test_a_chunk_with_a_repeated_unique_value_stops_the_early_writes(tmp_path: Path,
                                                                     slow_workers: list[tuple[str, str, int]]) -> None:
    # 4,500 tickets whose codes come from 10,000 values: the later chunks repeat the earlier ones' codes, and
    # the records repeating one are drawn again after the chunks: only the chunks before the first repeat
    # are written early.
    (tmp_path / "ticket.json").write_text(json.dumps(TICKET))
    engine = Engine(SchemaRegistry([tmp_path]))
    database = sqlite_engine(tmp_path / "streamed.db")
    try:
        build_into(engine, DatasetRequest.checked({"ticket": 4500}, seed=2), database, processes=2)
    finally:
        database.dispose()
    finished = slow_workers.index(("finished", "ticket", 0))
    assert ("written", "ticket", 2000) not in slow_workers[:finished]
    assert _dump(tmp_path / "streamed.db") == _whole(engine, {"ticket": 4500}, 2, tmp_path / "whole.db")


def _settled(records: list[dict[str, Any]], fields: list[str], rng: random.Random, values: int) -> list[Any]:
    """The records after ChunkedEntity._settle's rounds, each redraw a new record (a value drawn again)."""
    records = list(records)
    for _ in range(20):
        again = _repeating(records, fields)
        if not again:
            break
        for i in again:
            records[i] = {name: rng.randrange(values) for name in fields}
    return records


@pytest.mark.parametrize("seed", range(40))
def test_no_record_before_the_final_ones_is_drawn_again(seed: int) -> None:
    rng = random.Random(seed)
    fields = ["a", "b"][: 1 + seed % 2]
    values = rng.choice([50, 200, 2000, 10**9])
    size = rng.choice([3, 10, 40])
    records = [{name: (None if rng.random() < 0.05 else rng.randrange(values)) for name in fields}
               for _ in range(rng.randrange(1, 200))]
    ahead = Ahead("x", fields, [])
    for start in range(0, len(records), size):
        ahead.add(records[start:start + size])
        assert ahead.final % size == 0 or ahead.final == len(records)
    settled = _settled(records, fields, rng, values)
    assert all(a is b for a, b in zip(records[:ahead.ready()], settled, strict=False))
    first = _repeating(records, fields)
    assert ahead.final == (len(records) if not first else first[0] // size * size)


def test_values_other_than_plain_ones_or_a_purchase_not_made_yet_write_nothing_early() -> None:
    ahead = Ahead("x", ["a"], [])
    ahead.add([{"a": 1}, {"a": [1]}])  # compared by their text by _repeating: not decided here
    ahead.add([{"a": 2}])
    assert ahead.ready() == 0
    ahead = Ahead("x", ["a"], [])
    ahead.add([{"a": 1}, {"a": True}])  # True is 1 to a set, as to _repeating's
    assert ahead.ready() == 0 and _repeating([{"a": 1}, {"a": True}], ["a"]) == [1]
    key = ("order", "customer_id", "items.*.product_id", "delivered_at")
    ahead = Ahead("order", [], [key])
    ahead.add([{"customer_id": "u1", "items": [{"product_id": "p1"}], "delivered_at": None}])
    assert ahead.ready() == 0  # no purchase yet: _steer may draw the first records again
    ahead.add([{"customer_id": "u2", "items": [{"product_id": "p2"}], "delivered_at": "2024-01-02T00:00:00Z"}])
    assert ahead.ready() == 2


@pytest.mark.parametrize("part", [37, 200, 1000])
def test_an_entity_written_in_parts_is_the_entity_written_whole(tmp_path: Path, part: int) -> None:
    counts = {"user": 40, "product": 30, "order": 450, "payment": 60}
    engine = Engine()
    dataset = generate_dataset(counts, seed=6, engine=engine, processes=1)
    plan = plan_dataset(DatasetRequest.checked(counts, seed=6), engine.registry)
    database = sqlite_engine(tmp_path / "parts.db")
    try:
        sink = DatabaseSink(database)
        for entity in plan.order:
            records = dataset[entity]
            for start in range(0, len(records), part):
                sink.write(plan, entity, records[start:start + part], (), offset=start)
        sink.finish(dataset)
    finally:
        database.dispose()
    assert _dump(tmp_path / "parts.db") == _whole(engine, counts, 6, tmp_path / "whole.db")


@pytest.mark.parametrize("part", [50, 1000])
def test_an_error_in_a_part_names_the_entity_the_record_and_the_field(tmp_path: Path, part: int) -> None:
    counts = {"user": 40, "product": 30, "order": 120, "payment": 60}
    engine = Engine()
    dataset = generate_dataset(counts, seed=7, engine=engine, processes=1)
    dataset["order"][77]["customer_id"] = "no-such-user"
    owner = next(i for i, r in enumerate(dataset["order"]) if i > 55 and len(r["items"]) > 1)
    plan = plan_dataset(DatasetRequest.checked(counts, seed=7), engine.registry)
    for broken in ("customer", "product"):
        if broken == "product":
            dataset["order"][77]["customer_id"] = dataset["user"][0]["user_id"]
            dataset["order"][owner]["items"][1]["product_id"] = dataset["user"][0]["user_id"]
        database = sqlite_engine(tmp_path / f"{broken}-{part}.db")
        sink = DatabaseSink(database)
        try:
            with pytest.raises(DatasetLoadError) as failed:
                for entity in plan.order:
                    records = dataset[entity]
                    for start in range(0, len(records), part):
                        sink.write(plan, entity, records[start:start + part], (), offset=start)
        finally:
            sink.abort()
            database.dispose()
        error = failed.value
        if broken == "customer":
            assert (error.entity, error.table, error.record, error.field) == ("order", "order", 77, "customer_id")
        else:
            assert (error.entity, error.table, error.record, error.field) == (
                "order", "order_items", owner, "items.*.product_id")
        assert "FOREIGN KEY constraint failed" in error.reason
