"""The work the dataset's process does between two entities, while the workers wait for the next one, done
earlier where it can be: the finished entity's lookups by key field made as its chunks come back
(:meth:`RecordIndex.extend`), and the kit of this process made after the chunks are handed out."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.datasets import chunked, generate_dataset, workers
from pytest_testdata.datasets.chunks import CHUNK
from pytest_testdata.datasets.coherence import RecordIndex


class Sub(dict):  # type: ignore[type-arg]
    """A record that is not a plain dict (the index reads it through a getter, not dict.get)."""


def _items(table: dict[Any, Any]) -> list[tuple[Any, int]]:
    """A lookup's keys in order, each with the identity of its record (the same objects, not equal ones)."""
    return [(key, id(record)) for key, record in table.items()]


@pytest.mark.parametrize("seed", range(80))
def test_lookups_extended_part_by_part_are_those_made_at_once(seed: int) -> None:
    # RecordIndex.add of the records whole against extend, part by part, in order: the same keys in the same
    # order, each with the same record (a repeated key at its first place, with its last record). Random
    # records: repeated keys, None, 1 and True, keys missing, some records not plain dicts, a dotted key
    # field, parts of 1 to 50 records.
    rng = random.Random(seed)
    fields = ["id", "code", "owner.id"][: 1 + seed % 3]
    values = rng.choice([20, 300, 10**9])

    def record() -> dict[str, Any]:
        made: dict[str, Any] = Sub() if seed % 4 == 0 and rng.random() < 0.2 else {}
        for name in ("id", "code"):
            roll = rng.random()
            if roll < 0.9:
                made[name] = None if roll < 0.03 else True if roll < 0.05 else rng.randrange(values)
        made["owner"] = {"id": rng.randrange(values)}
        return made

    records = [record() for _ in range(rng.randrange(0, 400))]
    whole = RecordIndex()
    whole.add("e", records, fields)
    tables: dict[str, dict[Any, Any]] = {name: {} for name in fields}
    size = rng.choice([1, 7, 50])
    for start in range(0, len(records), size):
        RecordIndex.extend(tables, records[start:start + size])
    parts = RecordIndex()
    parts.add("e", records, fields, tables)
    for name in fields:
        assert _items(parts.table("e", name)) == _items(whole.table("e", name))
    assert parts.records("e") is records


class Checked:
    """RecordIndex.add, checked: every lookup it installs is the one made of the records whole, and whether
    it was given lookups made as the chunks came back."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.given: dict[str, bool] = {}
        self.wrong: list[str] = []
        add = RecordIndex.add

        def checked(index: RecordIndex, entity: str, records: list[Any], key_fields: Any,
                    tables: Any = None) -> None:
            self.given[entity] = tables is not None
            add(index, entity, records, key_fields, tables)
            fresh = RecordIndex()
            add(fresh, entity, records, key_fields)
            self.wrong += [f"{entity}.{name}" for name in key_fields
                           if _items(index.table(entity, name)) != _items(fresh.table(entity, name))]

        monkeypatch.setattr(RecordIndex, "add", checked)


def test_the_index_made_as_the_chunks_come_back_is_that_of_the_final_records(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The benchmark's five entities, small, with workers: orders and reviews of five chunks, payments of
    # four, indexed chunk by chunk; the same records as in one process, and each lookup the one made of the
    # entity's records whole.
    counts = {"user": 800, "product": 300, "order": 4 * CHUNK + 500, "payment": 4 * CHUNK, "review": 4 * CHUNK + 900}
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    check = Checked(monkeypatch)
    pooled = generate_dataset(counts, seed=5, processes=2)
    assert check.given == {"user": False, "product": False, "order": True, "payment": True, "review": True}
    assert not check.wrong
    alone = generate_dataset(counts, seed=5, processes=1)
    assert not any(check.given.values()) and not check.wrong
    assert json.dumps(pooled.as_dict()["records"], sort_keys=True) == json.dumps(alone.as_dict()["records"],
                                                                                sort_keys=True)


@pytest.mark.parametrize("change", ["steer", "repeat"])
def test_a_record_drawn_again_after_the_chunks_is_in_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    # A record drawn again after the last chunk (a steer for a purchase; a repeated unique value) is not the
    # one the lookups made chunk by chunk hold: the index is then made of the records as they end. Here a
    # (pretended) steer gives record 1 a new record with the same key; or record 2 repeats record 0's code
    # and _settle draws it again (a new key).
    from pytest_testdata.engine import Engine
    from pytest_testdata.schemas.registry import SchemaRegistry

    ticket = {"title": "ticket", "type": "object", "required": ["ticket_id", "code"],
              "properties": {"ticket_id": {"type": "string", "format": "uuid", "x-unique": True},
                             "code": {"type": "string", "pattern": "^T[0-9]{9}$", "x-unique": True}}}
    (tmp_path / "ticket.json").write_text(json.dumps(ticket))
    engine = Engine(SchemaRegistry([tmp_path]))
    steer, no_repeat = chunked.ChunkedEntity._steer, chunked._no_repeat

    def steered(self: Any, job: Any, kit: Any, records: list[dict[str, Any]], scores: Any,
                found: Any) -> tuple[Any, bool]:
        if change == "steer":
            records[1] = {**records[1], "code": "T000000001"}
            return found, True
        records[2]["code"] = records[0]["code"]  # (in place: as if the chunk had drawn it so)
        return steer(self, job, kit, records, scores, found)

    def looked(records: list[dict[str, Any]], seen: Any) -> bool:
        return no_repeat(records, seen) and change != "repeat"  # (the repeat is made after the chunks came back)

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(chunked.ChunkedEntity, "_steer", steered)
    monkeypatch.setattr(chunked, "_no_repeat", looked)
    check = Checked(monkeypatch)
    dataset = generate_dataset({"ticket": 4500}, seed=2, engine=engine, processes=2)
    assert dataset.metadata["ticket"].details["processes"] == 2
    assert check.given == {"ticket": False} and not check.wrong
    codes = [t["code"] for t in dataset["ticket"]]
    assert len(set(codes)) == len(codes)


def test_the_invalid_variant_indexes_the_records_as_they_end(monkeypatch: pytest.MonkeyPatch) -> None:
    # The invalid variant breaks a rule on one order after the chunks: the index is then made of the
    # records as they end (here the orders, with workers), and the dataset is that of one process.
    counts = {"user": 300, "product": 100, "order": 2 * CHUNK + 100}
    monkeypatch.setattr(workers, "THRESHOLD", 2000)
    check = Checked(monkeypatch)
    pooled = generate_dataset(counts, seed=4, processes=2, variant="invalid", break_rule="order.ships_to_customer")
    assert check.given["order"] is False and not check.wrong
    assert pooled.metadata["order"].details["processes"] == 2
    alone = generate_dataset(counts, seed=4, processes=1, variant="invalid", break_rule="order.ships_to_customer")
    assert json.dumps(pooled.as_dict()["records"], sort_keys=True) == \
        json.dumps(alone.as_dict()["records"], sort_keys=True)


def test_the_kit_is_made_after_the_chunks_are_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # With workers, this process makes its kit of an entity after it has handed the entity's chunks out (the
    # workers start on them meanwhile), and once; in one process, as before, once.
    counts = {"user": 300, "product": 100, "order": 3 * CHUNK}
    events: list[tuple[str, str]] = []
    hand_out, kit = workers.ChunkPool.hand_out, chunked.Kit

    def handing(self: Any, job: Any) -> None:
        events.append(("hand out", job.entity))
        hand_out(self, job)

    def making(job: Any, *args: Any) -> Any:
        events.append(("kit", job.entity))
        return kit(job, *args)

    monkeypatch.setattr(workers, "THRESHOLD", 2000)
    monkeypatch.setattr(workers.ChunkPool, "hand_out", handing)
    monkeypatch.setattr(chunked, "Kit", making)
    generate_dataset(counts, seed=1, processes=2)
    order = [event for event in events if event[1] == "order"]
    assert order[0] == ("hand out", "order") and order.count(("kit", "order")) == 1
    events.clear()
    generate_dataset(counts, seed=1, processes=1)
    assert events.count(("kit", "order")) == 1
