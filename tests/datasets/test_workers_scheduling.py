"""How a dataset's chunks are shared between the worker processes and the dataset's own process: the dataset's
process takes back any chunk no worker has started (even one the executor has already queued for a worker),
and a chunk's records are the same whichever process builds it."""

from __future__ import annotations

import json
import multiprocessing
import os
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

    most_here = generate_dataset(COUNTS, seed=7, processes=2)
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
    none_here = generate_dataset(COUNTS, seed=7, processes=2)
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
