"""How a dataset's chunks are shared between the worker processes and the dataset's own process: the dataset's
process takes back any chunk no worker has started (even one the executor has already queued for a worker),
and a chunk's records are the same whichever process builds it."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.datasets import chunked, chunks, generate_dataset, workers
from pytest_testdata.datasets.chunks import CHUNK

COUNTS = {"user": 800, "product": 300, "order": 4 * CHUNK + 500, "payment": 4 * CHUNK, "review": 4 * CHUNK + 900}
"""Orders and reviews of five chunks (a lone last one), payments of four; the users and products stay here."""


def _bytes(dataset: Any) -> bytes:
    metadata = {e: {k: v for k, v in m.as_dict().items() if k not in ("timings", "details")}
                for e, m in dataset.metadata.items()}
    return json.dumps({"records": dataset.as_dict()["records"], "metadata": metadata}, sort_keys=True).encode()


class Held:
    """Forked workers that, once in a chunk, wait until every chunk handed out of its entity is claimed (by
    them, or by the dataset's process taking it back; at most 20 s), while :attr:`hold` is true when the pool
    starts: the dataset's process, waiting for the first chunk, then takes back all it can. :attr:`here`:
    the chunks the dataset's process builds, in order; :meth:`there`, those the workers build."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.hold, self.here = folder, True, []
        self.parent, self.build, self.in_here = os.getpid(), chunks.build_chunk, chunked.build_chunk

    def held(self, job: Any, kit: Any, chunk: Any, start: int, stop: int) -> Any:
        if self.hold and os.getpid() != self.parent:
            handed = len(workers.ChunkPool(2).handed(job))
            deadline = time.monotonic() + 20
            while len(list(self.folder.glob(f"testdata-dataset-*/{job.token}-*.claim"))) < handed \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
        if os.getpid() != self.parent:
            with open(self.folder / "workers.txt", "a") as file:
                file.write(f"{job.entity} {chunk[0]}\n")
        return self.build(job, kit, chunk, start, stop)

    def there(self) -> list[tuple[str, int]]:
        lines = (self.folder / "workers.txt").read_text().split()
        return [(entity, int(n)) for entity, n in zip(lines[::2], lines[1::2], strict=True)]

    def recorded(self, job: Any, kit: Any, chunk: Any, start: int, stop: int) -> Any:
        self.here.append((job.entity, chunk[0]))
        return self.in_here(job, kit, chunk, start, stop)


@pytest.fixture
def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Held:
    watch = Held(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(chunks, "build_chunk", watch.held)
    monkeypatch.setattr(chunked, "build_chunk", watch.recorded)
    return watch


def test_the_dataset_process_takes_back_chunks_the_executor_has_queued(held: Held) -> None:
    # Six product chunks, both workers in their first (held until the rest are claimed). The executor has
    # already moved chunks 2, 3 and 4 into the queue the workers read (processes + 1 of them), where its
    # own cancel can no longer reach them; the dataset's process takes them back all the same, and builds
    # them, the last first, instead of waiting for the workers. The records are those of one process.
    counts = {"product": 6 * CHUNK}
    pooled = generate_dataset(counts, seed=3, processes=2)
    assert held.here[:4] == [("product", 5), ("product", 4), ("product", 3), ("product", 2)]
    assert ("product", 0) not in held.here and pooled.metadata["product"].details["processes"] == 2
    assert _bytes(pooled) == _bytes(generate_dataset(counts, seed=3, processes=1))


def test_a_chunk_taken_back_gives_the_records_a_worker_would_have(held: Held,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The same dataset three ways: in one process; with the dataset's process taking back every chunk it
    # can (all but each entity's first two, which the workers hold); and with workers that build every
    # chunk handed out (no take-back). Orders read the users whole, payments their orders chunk by chunk
    # (sent with each chunk to a worker, read from the dataset's index here), reviews the purchases.
    in_process = _bytes(generate_dataset(COUNTS, seed=7, processes=1))
    held.here.clear()

    def chunks_here() -> set[tuple[str, int]]:
        return {(entity, n) for entity, n in held.here if isinstance(n, int) and entity in COUNTS}

    # Three processes: two workers and this one (with one worker no chunk is a lone last one, left here).
    most_here = generate_dataset(COUNTS, seed=7, processes=3)
    assert {("order", 4), ("order", 3), ("order", 2), ("payment", 3), ("payment", 2), ("review", 4),
            ("review", 3), ("review", 2)} <= chunks_here()
    # Each chunk built once: a worker skips a chunk taken back, even one it receives.
    every = sorted(chunks_here() | set(held.there()))
    assert sorted([*chunks_here(), *held.there()]) == every
    assert every == sorted((entity, n) for entity, count in COUNTS.items() for n in range(-(-count // CHUNK)))
    assert _bytes(most_here) == in_process

    (held.folder / "workers.txt").unlink()
    held.hold, held.here[:] = False, []
    monkeypatch.setattr(workers.ChunkPool, "take_back", lambda self, job, chunk, future: False)
    none_here = generate_dataset(COUNTS, seed=7, processes=3)
    assert chunks_here() == {("user", 0), ("product", 0), ("order", 4), ("review", 4)}  # the lone last ones
    assert _bytes(none_here) == in_process


def test_a_claim_goes_to_one_process_only(tmp_path: Path) -> None:
    # Four processes claim the same 200 chunks at once: each chunk is claimed exactly once.
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        won = pool.starmap(_claim_all, [(str(tmp_path), n) for n in range(4)])
    assert sorted(start for starts in won for start in starts) == list(range(200))
    assert workers.claim(str(tmp_path), "job", 0) is False and workers.claim(str(tmp_path), "other", 0) is True


def _claim_all(folder: str, n: int) -> list[int]:
    """Claim chunks 0..199 of one job, starting at a different one in each process; the ones won."""
    return [start for start in [*range(50 * n, 200), *range(50 * n)] if workers.claim(folder, "job", start)]


@pytest.mark.parametrize("seed", range(60))
def test_unique_values_looked_at_as_the_chunks_come_back_find_what_settling_finds(seed: int) -> None:
    # ChunkedEntity.run looks at the unique values chunk by chunk (_no_repeat) while the workers build, and
    # _settle then skips its first look (_repeating) when none repeated: that may only happen when
    # _repeating finds nothing. Random records: repeats within and across chunks, Nones, 1 and True, lists
    # (compared by their text by _repeating), one or two fields, chunks of 1 to 50 records.
    from pytest_testdata.datasets.chunked import _no_repeat, _repeating

    rng = random.Random(seed)
    fields = ["a", "b"][: 1 + seed % 2]
    values = rng.choice([30, 500, 10**9])

    def value() -> Any:
        roll = rng.random()
        return None if roll < 0.05 else True if roll < 0.06 else [1] if roll < 0.07 and seed % 3 == 0 \
            else rng.randrange(values)

    records = [{name: value() for name in fields} for _ in range(rng.randrange(0, 300))]
    size = rng.choice([1, 7, 50])
    seen: dict[str, set[Any]] | None = {name: set() for name in fields}
    for start in range(0, len(records), size):
        if seen is not None and not _no_repeat(records[start:start + size], seen):
            seen = None
    if seen is not None:
        assert _repeating(records, fields) == []
    if values == 10**9 and not any(v is True or type(v) is list for record in records for v in record.values()):
        assert seen is not None  # (numbers from a large range, no True or list: nothing repeats)


def test_a_record_drawn_again_for_a_purchase_is_looked_at_again_for_repeats(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The chunks' unique values were looked at as they came back; a record _steer draws again afterwards
    # may repeat another's value, so _settle looks again then. Here a (pretended) steer gives record 1
    # record 0's code: the settled dataset has no repeat, as in one process.
    from pytest_testdata.datasets.chunked import ChunkedEntity
    from pytest_testdata.engine import Engine
    from pytest_testdata.schemas.registry import SchemaRegistry

    ticket = {"title": "ticket", "type": "object", "required": ["ticket_id", "code"],
              "properties": {"ticket_id": {"type": "string", "format": "uuid", "x-unique": True},
                             "code": {"type": "string", "pattern": "^T[0-9]{9}$", "x-unique": True}}}
    (tmp_path / "ticket.json").write_text(json.dumps(ticket))
    engine = Engine(SchemaRegistry([tmp_path]))

    def steer(self: ChunkedEntity, job: Any, kit: Any, records: list[dict[str, Any]], scores: Any,
              found: Any) -> tuple[Any, bool]:
        records[1] = {**records[1], "code": records[0]["code"]}
        return found, True

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(ChunkedEntity, "_steer", steer)
    for processes in (1, 2):
        dataset = generate_dataset({"ticket": 4500}, seed=2, engine=engine, processes=processes)
        codes = [t["code"] for t in dataset["ticket"]]
        assert len(set(codes)) == len(codes) and dataset.valid
        assert dataset.metadata["ticket"].details["processes"] == processes


def test_chunks_left_when_an_entity_stops_early_are_not_built(held: Held, monkeypatch: pytest.MonkeyPatch) -> None:
    # An error in the dataset's process while the workers build (here in meanwhile; the agent's deadline
    # raises the same way) stops the entity: the chunks no worker has started are claimed on the way out,
    # so the workers skip them, those the executor already queued included, and the pool stops sooner.
    from pytest_testdata.datasets.build import Builder

    def fails(self: Builder) -> None:  # once both workers are in a chunk (held) and the executor queued more
        deadline = time.monotonic() + 10
        while len(list(held.folder.glob("testdata-dataset-*/*.claim"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        raise RuntimeError("stopped")

    monkeypatch.setattr(Builder, "meanwhile", fails)
    with pytest.raises(RuntimeError, match="stopped"):
        generate_dataset({"product": 6 * CHUNK}, seed=3, processes=2)
    there = held.there() if (held.folder / "workers.txt").exists() else []
    assert len(there) <= 2 and not held.here  # (at most the two chunks the workers had started)
