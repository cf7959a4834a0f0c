"""Worker processes for the large entities of a dataset, so that a dataset uses every core.

An entity built by the traditional strategy is cut into chunks (:mod:`pytest_testdata.datasets.chunks`). When
a dataset has an entity of at least :data:`THRESHOLD` records, it is built by ``processes`` processes (the
``dataset_processes`` setting; default: :func:`default_processes`, one per core): ``processes - 1`` worker
processes, and the dataset's own process, which builds the chunks no worker has started while it waits for one
(:meth:`ChunkPool.run`). They build the chunks of every entity of more than one chunk; the same chunks as in
one process. A worker per core besides the dataset's process would leave one core running two builders by
turns, and send more records from process to process: on two cores that cost about a fifth more CPU time in
all, and as much wall time (docs/performance.md, "Nineteenth round"). Smaller datasets, and every dataset when
the setting is 1, are built in their own process: starting workers costs more than they save below the
threshold. The pool starts once per dataset (in the background, while the first entities are built) and stops
with it.

A worker that dies (killed, out of memory) is an error naming the entity and the chunk; an error raised in
a worker is raised again in the dataset's process, with the same message.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pytest_testdata.config import xdist_workers
from pytest_testdata.datasets.chunks import ChunkId, ChunkResult, Columns, EntityJob, work
from pytest_testdata.errors import GenerationError, TestdataError, TestdataUsageError

THRESHOLD = 10_000
"""Records of one entity from which a dataset starts worker processes (a smaller dataset is built in its
own process: starting workers, and sending them what they need, would cost more than they save)."""
SETTING = "dataset_processes"


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_processes() -> int:
    """The processes a dataset is built by when nothing says: one per core this process may run on. In a
    pytest-xdist worker, the cores are shared out among the workers (``PYTEST_XDIST_WORKER_COUNT``), at
    least one each: they already run one per core with ``-n auto``, and a pool of a worker per core in each
    would leave every core running several builders by turns (four tests of 100,000 records under ``-n 2``
    on two cores: 16.1 to 18.0 s with a worker beside each, 12.7 to 13.0 s without)."""
    cores = available_cores()
    count = xdist_workers()
    return cores if count is None else max(1, cores // count)


def processes_for(value: Any, where: str = SETTING) -> int:
    """The number of processes a setting asks for (None: :func:`default_processes`)."""
    if value is None:
        return default_processes()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TestdataUsageError(f"{where}: expected a whole number of processes from 1 (1: build in this "
                                 f"process; unset: one per core, shared out among pytest-xdist workers, here "
                                 f"{default_processes()}), got {value!r}.")
    return value


class ChunkPool:
    """A process pool for one dataset build (see the module docstring)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None
        self._folder: str | None = None
        self._jobs = 0
        self._handed: dict[int, tuple[EntityJob, str, list[Future[ChunkResult | None]]]] = {}
        """Jobs whose chunks are with the workers, by ``id(job)``: their file and futures."""

    def start(self) -> None:
        """Start the workers (each imports what chunks need) without waiting for them."""
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(max_workers=self.processes, mp_context=_context())
        self._folder = tempfile.mkdtemp(prefix="testdata-dataset-")
        from pytest_testdata.datasets.chunks import warm

        for _ in range(self.processes):
            self._executor.submit(warm)

    def pids(self) -> list[int]:
        """The worker processes' ids (for a test that stops one)."""
        executor = self._executor
        return sorted(getattr(executor, "_processes", None) or ()) if executor is not None else []

    def hand_out(self, job: EntityJob) -> None:
        """Give the job's chunks to the workers now, behind those already given: an entity that does not
        read the one being built (a dataset's reviews while its payments are built) starts on a worker
        as soon as the other entity's last chunks are taken, instead of one worker waiting for the other
        to finish that entity. :meth:`run` then collects them."""
        if id(job) in self._handed:
            return
        self.start()
        assert self._executor is not None and self._folder is not None
        self._jobs += 1
        job.token = f"{os.getpid()}-{id(self)}-{self._jobs}"
        path = os.path.join(self._folder, f"{job.entity}-{self._jobs}.pickle")
        raw, job.plain = pickled(job)
        with open(path, "wb") as file:
            file.write(raw)
        futures: list[Future[ChunkResult | None]] = []
        self._handed[id(job)] = (job, path, futures)
        for chunk, start, stop in self.handed(job):
            try:
                futures.append(self._executor.submit(claimed_work, path, job.token, chunk, start, stop,
                                                     job.rows(start, stop), job.plain))
            except BrokenProcessPool as exc:  # a worker died before this entity started
                raise _died(job.entity, chunk[0], start, stop, exc) from None

    def handed(self, job: EntityJob) -> list[tuple[ChunkId, int, int]]:
        """The job's chunks the workers build: all but a lone last one (15 chunks on two workers), which
        the dataset's process builds itself while they build the others (see :meth:`run`)."""
        chunks = job.chunks()
        if len(chunks) > self.processes and len(chunks) % self.processes == 1:
            return chunks[:-1]
        return chunks

    def run(self, job: EntityJob, here: Callable[[ChunkId, int, int], ChunkResult],
            meanwhile: Callable[[], None] | None = None,
            idle: Callable[[], bool] | None = None) -> Iterator[ChunkResult]:
        """The job's chunks, in order: the workers' (handed out now unless :meth:`hand_out` did), then those
        :meth:`handed` leaves to this process, built by ``here`` (the same chunks either way). A lone last
        chunk would otherwise run on one worker while the others wait: the entities after it read this one.
        ``meanwhile`` runs first, once the workers' chunks are handed out (the dataset hands out the next
        entities that can start).

        While a chunk it needs is not back yet, this process first does ``idle``'s work, a piece at a time
        (the dataset writes a piece of a finished entity into its sink: True while there was one), then
        builds the last chunk no worker has started (:meth:`take_back`, whether or not the executor has
        already queued it for a worker) instead of waiting: its records then need no way back from a
        worker. Writing comes first because only this process can write, while any process can build a
        chunk: the workers keep building while it writes, and less is left to write once they are done."""
        chunks = job.chunks()
        futures: list[Future[ChunkResult | None]] = []
        path = ""
        try:
            self.hand_out(job)
            _, path, futures = self._handed.pop(id(job))
            if meanwhile is not None:
                meanwhile()
            built = {k: here(*chunks[k]) for k in range(len(futures), len(chunks))}
            left = len(futures)
            """Chunks from ``left`` on are built here (or taken back to be)."""
            for k, (chunk, start, stop) in enumerate(chunks):
                if k not in built:
                    while not futures[k].done():
                        if idle is not None and idle():
                            continue
                        if left - 1 > k and self.take_back(job, chunks[left - 1], futures[left - 1]):
                            left -= 1
                            built[left] = here(*chunks[left])
                            continue
                        break
                    built[k] = _result(futures[k], job.entity, chunk[0], start, stop)
                yield built.pop(k)
        finally:
            self._handed.pop(id(job), None)
            for (_, start, _), future in zip(chunks, futures, strict=False):
                if not future.done() and self._folder is not None:  # stopped early (an error, the deadline):
                    claim(self._folder, job.token, start)  # no worker starts what is left, queued or not
                future.cancel()
            if path:
                os.unlink(path)

    def take_back(self, job: EntityJob, chunk: tuple[ChunkId, int, int], future: Future[ChunkResult | None]) -> bool:
        """Whether a chunk handed out is still waiting for a worker, and now taken back by this process.

        Whoever builds a chunk claims it first (:func:`claim`): a worker that finds it claimed here skips it
        (:func:`claimed_work`). The executor's own cancel would not do: it moves up to ``processes + 1``
        chunks at a time into the queue the workers read, and a chunk in that queue can no longer be
        cancelled, although no worker may start it for a whole chunk's time (the dataset's process then
        waited with two order chunks unstarted). The future is cancelled too when it still can be, so that
        no worker receives it at all."""
        assert self._folder is not None
        if not claim(self._folder, job.token, chunk[1]):
            return False
        future.cancel()
        return True

    def close(self) -> None:
        """Stop the workers (waiting for them: their CPU time is then counted as this process's children's)."""
        self._handed.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def claim(folder: str, token: str, start: int) -> bool:
    """Claim the chunk of job ``token`` that starts at record ``start``, for the process asking: True once, to
    the first process that asks (a worker about to build it, or the dataset's process taking it back), False
    to any other. The claim is a file created in the pool's folder with ``O_EXCL``, which the operating
    system creates for one process only: no lock or message between the processes, and no wait."""
    try:
        os.close(os.open(os.path.join(folder, f"{token}-{start}.claim"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def claimed_work(path: str, token: str, chunk: ChunkId, start: int, stop: int,
                 rows: dict[tuple[str, str], Columns] | None = None, plain: bool = False) -> ChunkResult | None:
    """A worker's task: the chunk (:func:`~pytest_testdata.datasets.chunks.work`) unless the dataset's
    process took it back (:meth:`ChunkPool.take_back`): None then, at once, and the worker takes its next."""
    if not claim(os.path.dirname(path), token, start):
        return None
    return work(path, token, chunk, start, stop, rows, plain)


def pickled(job: EntityJob) -> tuple[bytes, bool]:
    """The job pickled, and whether it is plain (:attr:`EntityJob.plain`)."""
    # Protocol 4: a bytearray is written as a call of ``bytearray``, by name (5 has an opcode for it).
    data = io.BytesIO()
    pickler = _Pickler(data, protocol=4)
    pickler.dump(job)
    raw = data.getvalue()
    return raw, job.parents_plain and not pickler.buffers and b"bytearray" not in raw


class _Pickler(pickle.Pickler):
    """Pickles a job and notes whether it holds a bytes-like object other than bytes: marshal would bring
    such an object back as bytes, so the job's records then travel by pickle (:attr:`EntityJob.plain`).
    :meth:`reducer_override` sees every object but the built-in types the pickler writes itself, of which
    only a bytearray is bytes-like (then found by name in the pickle: :meth:`ChunkPool.hand_out`)."""

    buffers = False

    def reducer_override(self, obj: Any) -> Any:
        if not isinstance(obj, type):
            try:
                memoryview(obj).release()
            except TypeError:
                pass
            else:
                self.buffers = True
        return NotImplemented


def _context() -> Any:
    """How to start workers: fork this process while it runs no other thread (instant, and a script
    without an ``if __name__ == "__main__"`` guard works); else from a clean forkserver process (the agent
    runs gRPC threads, which a fork would copy mid-flight), else spawn (no fork on this platform)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1 and "grpc" not in sys.modules:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _died(entity: str, number: int, start: int, stop: int, exc: BaseException) -> GenerationError:
    return GenerationError(
        f"dataset: a worker process building {entity} records {start}..{stop - 1} (chunk {number}) stopped "
        f"before it finished ({exc}). Another process may have killed it, or it ran out of memory. Build in "
        f"this process with {SETTING}=1 (--testdata-dataset-processes 1, or processes=1) to see the error, "
        "or with fewer processes.")


def _result(future: Future[ChunkResult | None], entity: str, number: int, start: int, stop: int) -> ChunkResult:
    try:
        result = future.result()
    except BrokenProcessPool as exc:
        raise _died(entity, number, start, stop, exc) from None
    except TestdataError:
        raise
    except Exception as exc:  # anything else raised while building the chunk: say where
        raise GenerationError(f"dataset: building {entity} records {start}..{stop - 1} (chunk {number}) in a "
                              f"worker process failed: {type(exc).__name__}: {exc}") from exc
    assert result is not None  # (None: a chunk this process took back, whose future it never reads)
    return result


def picklable(job: EntityJob) -> bool:
    """True when the job can travel to a worker (a schema holding a Python object may not)."""
    try:
        pickle.dumps(job.schema, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return False
    return True
