"""Large entities built by worker processes: the same dataset as in one process, byte for byte; small datasets
start no process; a worker that dies is an error naming the entity; the setting is checked."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_testdata.datasets import generate_dataset, workers
from pytest_testdata.datasets.build import build_dataset
from pytest_testdata.datasets.chunks import CHUNK
from pytest_testdata.datasets.coherence import dataset_rules
from pytest_testdata.datasets.request import DatasetRequest
from pytest_testdata.engine import Engine
from pytest_testdata.errors import GenerationError, TestdataUsageError
from pytest_testdata.quality.paths import get
from pytest_testdata.schemas.registry import SchemaRegistry

# Orders, payments and reviews span several chunks; with the threshold lowered to 4,000 records (the
# default, 10,000, would make this test slow) the workers start, and build them; users and products (one
# chunk each) stay here.
COUNTS = {"user": 800, "product": 300, "order": 2 * CHUNK + 500, "payment": 2 * CHUNK + 500, "review": CHUNK + 900}


def _bytes(dataset) -> bytes:
    metadata = {e: {k: v for k, v in m.as_dict().items() if k not in ("timings", "details")}
                for e, m in dataset.metadata.items()}
    return json.dumps({"records": dataset.as_dict()["records"], "metadata": metadata}, sort_keys=True).encode()


@pytest.fixture(scope="module")
def in_process():
    return generate_dataset(COUNTS, seed=5, processes=1)


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_worker_processes_build_the_same_dataset_byte_for_byte(in_process, monkeypatch: pytest.MonkeyPatch,
                                                                start: str) -> None:
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context(start))
    pooled = generate_dataset(COUNTS, seed=5, processes=2)
    assert {e: m.details["processes"] for e, m in pooled.metadata.items()} == {
        "user": 1, "product": 1, "order": 2, "payment": 2, "review": 2}
    assert _bytes(pooled) == _bytes(in_process)
    assert pooled.valid and pooled.metadata["payment"].dataset_coherence == 1.0
    assert {e: m.details["chunks"] for e, m in in_process.metadata.items()}["order"] == 3


def test_a_lone_last_chunk_is_built_in_the_dataset_process(in_process, monkeypatch: pytest.MonkeyPatch) -> None:
    # Three chunks of orders on two workers: the third would run on one worker while the other waits (the
    # payments read the orders), so the dataset's own process builds it; two chunks of reviews stay with
    # the workers. The same dataset as in one process.
    from pytest_testdata.datasets import chunked

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    here: list[tuple[str, int]] = []
    build = chunked.build_chunk

    def recorded(job, kit, chunk, start, stop):  # type: ignore[no-untyped-def]
        here.append((job.entity, chunk[0]))
        return build(job, kit, chunk, start, stop)

    monkeypatch.setattr(chunked, "build_chunk", recorded)
    pooled = generate_dataset(COUNTS, seed=5, processes=3)  # two workers and this process
    lone = {("product", 0), ("user", 0), ("order", 2), ("payment", 2)}
    # (On a busy machine this process may also take back a second chunk no worker has started yet.)
    assert lone <= set(here) and set(here) - lone <= {("order", 1), ("payment", 1), ("review", 1)}
    assert _bytes(pooled) == _bytes(in_process)


def test_small_datasets_start_no_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    monkeypatch.setattr(workers.ChunkPool, "start", lambda self: started.append(self))
    ds = generate_dataset({"user": 50, "product": 20, "order": 120, "payment": 120, "review": 60}, seed=3,
                          processes=4)
    assert started == [] and multiprocessing.active_children() == []
    assert all(m.details["processes"] == 1 for m in ds.metadata.values())


@pytest.mark.parametrize("processes", [2, 3])
def test_processes_count_the_dataset_process_which_builds_chunks_too(
        in_process, monkeypatch: pytest.MonkeyPatch, processes: int) -> None:
    # processes=N is N builders: N - 1 workers and the dataset's own process, which builds the chunks no
    # worker has started while it waits (a worker per core beside it would leave a core running two builders
    # by turns). Each process named builds chunks, and the records are those of one process.
    from pytest_testdata.datasets import chunked, chunks

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    parent, build = os.getpid(), chunks.build_chunk
    pools: list[int] = []
    start = workers.ChunkPool.start

    def counted(self: workers.ChunkPool) -> None:
        pools.append(self.processes)
        start(self)

    def paused(job, kit, chunk, begin, stop):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:  # slow workers: the dataset's process then builds some chunks itself
            import time

            time.sleep(0.3)
        return build(job, kit, chunk, begin, stop)

    here: list[tuple[str, int]] = []
    here_build = chunked.build_chunk

    def recorded(job, kit, chunk, begin, stop):  # type: ignore[no-untyped-def]
        here.append((job.entity, chunk[0]))
        return here_build(job, kit, chunk, begin, stop)

    monkeypatch.setattr(workers.ChunkPool, "start", counted)
    monkeypatch.setattr(chunks, "build_chunk", paused)
    monkeypatch.setattr(chunked, "build_chunk", recorded)
    pooled = generate_dataset(COUNTS, seed=5, processes=processes)
    assert pools and set(pools) == {processes - 1}
    assert {e: m.details["processes"] for e, m in pooled.metadata.items()} == {
        "user": 1, "product": 1, "order": processes, "payment": processes, "review": 2}
    # This process built some of each entity of more chunks than workers (two workers take both review chunks).
    assert {e for e, _ in here} >= ({"order", "payment", "review"} if processes == 2 else {"order", "payment"})
    assert _bytes(pooled) == _bytes(in_process)


def test_unique_values_repeated_across_chunks_are_drawn_again(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # 4,500 tickets whose codes come from 10,000 values: each chunk's are unique, and chunks repeat each
    # other's hundreds of times; the dataset settles them, the same in one process and in several.
    ticket = {"title": "ticket", "type": "object", "required": ["ticket_id", "code"],
              "properties": {"ticket_id": {"type": "string", "format": "uuid", "x-unique": True},
                             "code": {"type": "string", "pattern": "^T[0-9]{4}$", "x-unique": True}}}
    (tmp_path / "ticket.json").write_text(json.dumps(ticket))
    engine = Engine(SchemaRegistry([tmp_path]))
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    here = generate_dataset({"ticket": 4500}, seed=2, engine=engine, processes=1)
    pooled = generate_dataset({"ticket": 4500}, seed=2, engine=engine, processes=2)
    codes = [t["code"] for t in here["ticket"]]
    assert len(set(codes)) == len(codes) and here.valid
    assert pooled.metadata["ticket"].details["processes"] == 2
    assert _bytes(pooled) == _bytes(here)


def test_a_worker_that_dies_is_an_error_naming_the_entity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "THRESHOLD", 4000)

    def kill_the_workers(entity: str, count: int) -> None:
        if entity == "user":  # orders come next, built by the workers: stop them all first
            for child in multiprocessing.active_children():
                with contextlib.suppress(ProcessLookupError):  # the pool may have stopped it already
                    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
                child.join(5)

    request = DatasetRequest.checked(COUNTS, seed=5)
    with pytest.raises(GenerationError) as caught:
        build_dataset(Engine(), request, progress=kill_the_workers, processes=2)
    message = str(caught.value)
    assert "a worker process building order records 0..1999 (chunk 0) stopped" in message
    assert "dataset_processes=1" in message
    assert multiprocessing.active_children() == []  # the pool is gone, nothing left behind


@pytest.mark.parametrize(("cores", "env", "expected"), [
    (2, {}, 2),  # one per core
    (2, {"PYTEST_XDIST_WORKER": "gw0", "PYTEST_XDIST_WORKER_COUNT": "2"}, 1),  # -n 2 on two cores: alone
    (8, {"PYTEST_XDIST_WORKER": "gw3", "PYTEST_XDIST_WORKER_COUNT": "4"}, 2),  # the cores shared out
    (2, {"PYTEST_XDIST_WORKER": "gw0", "PYTEST_XDIST_WORKER_COUNT": "3"}, 1),  # at least one
    (4, {"PYTEST_XDIST_WORKER_COUNT": "4"}, 4),  # the controller (no PYTEST_XDIST_WORKER): one per core
])
def test_the_default_shares_the_cores_among_xdist_workers(monkeypatch: pytest.MonkeyPatch, cores: int,
                                                          env: dict[str, str], expected: int) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(workers, "available_cores", lambda: cores)
    assert workers.processes_for(None) == expected
    assert workers.processes_for(3) == 3  # a number asked for is kept


def test_a_dataset_in_an_xdist_worker_is_built_there_by_default(pytester: pytest.Pytester) -> None:
    # Two xdist workers on two cores: each builds its datasets alone, instead of starting a dataset worker
    # beside it (which would leave each core running two builders by turns); asked for, the pool starts.
    pytester.makeconftest(
        "from pytest_testdata.datasets import workers\n"
        "workers.THRESHOLD = 4000\n"
        "workers.available_cores = lambda: 2\n"
    )
    pytester.makepyfile(test_big="""
import os


def test_processes(testdata):
    ds = testdata.dataset({"user": 300, "product": 100, "order": 4500})
    expected = int(os.environ["EXPECTED"])
    assert ds.metadata["order"].details["processes"] == expected, ds.metadata["order"].details
    assert os.environ["PYTEST_XDIST_WORKER"]
""")
    pytester.makeini("[pytest]\naddopts = -p no:randomly -p no:cacheprovider\n")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("EXPECTED", "1")
        env.delenv("TESTDATA_DATASET_PROCESSES", raising=False)
        pytester.runpytest_subprocess("-n", "2").assert_outcomes(passed=1)
        env.setenv("EXPECTED", "2")
        env.setenv("TESTDATA_DATASET_PROCESSES", "2")
        pytester.runpytest_subprocess("-n", "2").assert_outcomes(passed=1)


@pytest.mark.parametrize("value", [0, -2, True, 1.5, "two"])
def test_a_bad_number_of_processes_is_refused(value: object) -> None:
    with pytest.raises(TestdataUsageError, match=r"processes: expected a whole number of processes from 1"):
        generate_dataset({"user": 5}, seed=1, processes=value)  # type: ignore[arg-type]


def test_the_setting_reaches_the_cli_and_a_bad_one_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "TESTDATA_DATASET_PROCESSES": "1"}
    out = tmp_path / "shop"
    done = subprocess.run([sys.executable, "-m", "pytest_testdata.cli", "dataset", "user=20", "order=40",
                           "product=10", "--seed", "3", "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    bad = subprocess.run([sys.executable, "-m", "pytest_testdata.cli", "dataset", "user=20", "--processes", "0"],
                         capture_output=True, text=True, env=env, check=False)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "--processes: expected a whole number of processes from 1" in bad.stderr


def test_a_database_is_loaded_while_the_workers_build_and_holds_the_same_dataset(
        tmp_path: Path, in_process, monkeypatch: pytest.MonkeyPatch) -> None:
    # With workers, each finished entity goes into the database while they build the next one; the file
    # holds every row, foreign keys hold, and the records are those of a one-process build.
    import sqlite3

    from pytest_testdata.datasets import sqlite_engine
    from pytest_testdata.datasets.load import build_into

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    written: list[tuple[str, int]] = []
    database = sqlite_engine(tmp_path / "shop.db")
    pooled = build_into(Engine(), DatasetRequest.checked(COUNTS, seed=5), database,
                        progress=lambda entity, n: written.append((entity, n)), processes=2)
    database.dispose()
    assert pooled.metadata["order"].details["processes"] == 2
    assert _bytes(pooled) == _bytes(in_process)
    assert written == [(e, COUNTS[e]) for e in pooled.entities]  # parents first, each once
    db = sqlite3.connect(tmp_path / "shop.db")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for entity, n in COUNTS.items():
        assert db.execute(f'SELECT count(*) FROM "{entity}"').fetchone()[0] == n
    assert db.execute('SELECT count(*) FROM payment p JOIN "order" o ON o.order_id = p.order_id '
                      "WHERE abs(p.amount - o.totals_total) > 0.001").fetchone()[0] == 0
    db.close()


def test_the_workers_get_the_next_entities_before_the_finished_ones_are_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Writing a large entity into a database keeps this process busy for a while: what can start (the
    # reviews, which read the orders, while the payments are built) is handed to the workers first, so
    # that they are not left waiting for the write. Each entity handed out has its job file in the pool's
    # folder until it is collected.
    import tempfile

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    handed: dict[str, set[str]] = {}

    class Watching:
        def write(self, plan: object, entity: str, records: object, deferred: object) -> None:
            handed[entity] = {p.name.split("-")[0] for p in tmp_path.glob("testdata-dataset-*/*.pickle")}

        def fill(self, *args: object) -> None:
            pass

    build_dataset(Engine(), DatasetRequest.checked(COUNTS, seed=5), sink=Watching(), processes=2)
    assert handed["order"] == {"payment", "review"}
    assert list(handed) == ["product", "user", "order", "payment", "review"]


def test_referenced_records_travel_to_workers_as_the_fields_the_rules_read() -> None:
    import pickle

    from pytest_testdata.datasets.chunks import Columns

    users = {"u1": {"user_id": "u1", "created_at": "2025-01-01T00:00:00Z", "addresses": [{"country": "US"}],
                    "email": "a@example.com"},
             "u2": {"user_id": "u2", "created_at": "2025-02-01T00:00:00Z", "addresses": [], "email": None}}
    sent = pickle.loads(pickle.dumps(Columns.of(users, ["addresses", "created_at"])))
    assert sent.table() == {"u1": {"addresses": [{"country": "US"}], "created_at": "2025-01-01T00:00:00Z"},
                            "u2": {"addresses": [], "created_at": "2025-02-01T00:00:00Z"}}
    # Rules that read only the first address (addresses.0) are sent only that one; a value that is not a
    # list travels as it is.
    users["u1"]["addresses"].append({"country": "DE"})
    users["u2"]["addresses"] = {"0": {"country": "FR"}}
    first = pickle.loads(pickle.dumps(Columns.of(users, ["addresses", "created_at"], frozenset({"addresses"}))))
    assert first.table() == {"u1": {"addresses": [{"country": "US"}], "created_at": "2025-01-01T00:00:00Z"},
                             "u2": {"addresses": {"0": {"country": "FR"}}, "created_at": "2025-02-01T00:00:00Z"}}
    assert len(users["u1"]["addresses"]) == 2  # (the building process's records are left whole)
    del users["u2"]["created_at"]  # an optional field a record lacks stays absent (not None)
    assert Columns.of(users, ["addresses", "created_at"]).table()["u2"] == {"addresses": {"0": {"country": "FR"}}}
    assert Columns.of(users, ["addresses"], frozenset({"addresses"})).table()["u1"] == {
        "addresses": [{"country": "US"}]}


def test_a_build_leaves_the_garbage_collector_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # A build freezes the records it holds out of the collector's full passes while it runs: afterwards
    # nothing of it is left frozen (the records are collected as usual once dropped), and a freeze made
    # before it (an agent's, once warm) is still there.
    import gc

    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    gc.unfreeze()
    generate_dataset({"user": 30, "product": 20, "order": 2 * CHUNK + 10}, seed=3, processes=2)
    assert gc.get_freeze_count() == 0
    marker: list[object] = []
    gc.freeze()
    try:
        generate_dataset({"user": 30, "product": 20, "order": 60}, seed=3, processes=1)
        assert not any(o is marker for o in gc.get_objects())  # still frozen: not among the collector's
    finally:
        gc.unfreeze()
    assert any(o is marker for o in gc.get_objects())


def test_a_chunk_is_sent_only_the_referenced_records_it_refers_to(monkeypatch: pytest.MonkeyPatch) -> None:
    # A payment chunk reads the orders its payments refer to: those travel with the chunk, not the whole
    # order table with the job (the byte-for-byte test above holds the records to be the same).
    import pickle

    from pytest_testdata.datasets.chunks import EntityJob

    sent = []
    original = EntityJob.rows

    def rows(self, start, stop):
        out = original(self, start, stop)
        sent.append((self, start, stop, out))
        return out

    monkeypatch.setattr(EntityJob, "rows", rows)
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    generate_dataset(COUNTS, seed=5, processes=3)  # two workers: the lone last chunk is left to this process
    payments = [(job, start, stop, out) for job, start, stop, out in sent if job.entity == "payment"]
    assert [(start, stop) for _, start, stop, _ in payments] == [(0, CHUNK), (CHUNK, 2 * CHUNK)]  # the last: here
    for job, start, stop, out in payments:
        orders = out[("order", "order_id")].table()
        assert set(orders) == set(job.refs["order_id"][start:stop]) - {None}
        assert len(orders) < COUNTS["order"] and set(next(iter(orders.values()))) == {
            "created_at", "payment", "status", "totals"}
        assert ("order", "order_id") not in job.tables and pickle.loads(pickle.dumps(job)).parents == {}
        # An order's totals and payment travel as the keys the payment's rules read, and every path a rule
        # reads finds what it finds in the order itself (the records arrive by marshal: a plain job's).
        whole = job.parents[("order", "order_id")]
        arrived = pickle.loads(pickle.dumps(out[("order", "order_id")])).table()
        assert arrived == orders and out[("order", "order_id")].plain
        assert {tuple(o["totals"]) for o in arrived.values()} == {("currency", "total")}
        assert {tuple(o["payment"]) for o in arrived.values()} == {("card_last_four", "method")}
        reads = {path for rule in dataset_rules(SchemaRegistry().get("payment")) for path in rule.parent_reads}
        assert reads >= {"totals.total", "payment.method", "created_at", "status"}
        for key, order in arrived.items():
            assert [get(order, path) for path in sorted(reads)] == [get(whole[key], path) for path in sorted(reads)]


def _general(table: dict, fields: list[str], firsts: frozenset[str], narrow: dict) -> dict:
    """What Columns.reduced sends, record by record (the fallback it takes for a record of another shape)."""
    from pytest_testdata.datasets.chunks import _reduced

    return {key: {f: _reduced(r[f], f, firsts, narrow) for f in fields if f in r} for key, r in table.items()}


@pytest.mark.parametrize("plain", [True, False])
def test_a_chunk_s_referenced_objects_travel_as_the_keys_the_rules_read(plain: bool) -> None:
    import copy
    import pickle
    import random

    from pytest_testdata.datasets.chunks import Columns

    rng = random.Random(7)
    shapes = [{"total": 1.5, "currency": "USD", "tax": 0.1}, {"total": 2}, {}, None, [1, 2], "text",
              {"total": None, "currency": "EUR", "more": {"x": 1}}, {"total": [1.0], "currency": "GB"}]
    fields, firsts = ["addresses", "status", "totals"], frozenset({"addresses"})
    narrow = {"totals": ("currency", "total")}
    for n in range(200):
        table = {f"o{i}": {"status": rng.choice(["paid", None]), "totals": copy.deepcopy(rng.choice(shapes)),
                           "addresses": [{"country": "US"}, {"country": "DE"}][:rng.randint(0, 2)], "other": i}
                 for i in range(rng.randint(0, 6))}
        if n % 3 == 0:  # every record of the usual shape: the written-out comprehension
            for record in table.values():
                record["totals"] = {"total": rng.random(), "currency": "USD", "tax": 0.2}
        if n % 5 == 1 and table:  # a record lacking a field: it stays absent
            del next(iter(table.values()))["status"]
        before = copy.deepcopy(table)
        sent = Columns.reduced(table, fields, firsts, narrow, plain)
        assert sent.table() == _general(table, fields, firsts, narrow)
        assert table == before  # the building process's records are left whole
        arrived = pickle.loads(pickle.dumps(sent))
        assert arrived.table() == sent.table() and arrived.plain == plain
    assert Columns.reduced({"o1": {"status": "paid", "totals": {"total": 3.0, "tax": 1.0}, "addresses": []}},
                           fields, firsts, narrow).table() == {"o1": {"status": "paid", "totals": {"total": 3.0},
                                                                      "addresses": []}}


def test_a_chunk_s_records_of_other_types_than_marshal_writes_travel_by_pickle() -> None:
    import datetime as dt
    import pickle

    from pytest_testdata.datasets.chunks import Columns

    sent = Columns.reduced({"o1": {"at": dt.date(2025, 1, 2)}}, ["at"], frozenset(), {}, plain=True)
    assert sent.__getstate__()["plain"] is False
    assert pickle.loads(pickle.dumps(sent)).table() == {"o1": {"at": dt.date(2025, 1, 2)}}
    assert isinstance(Columns.reduced({"o1": {"at": "x"}}, ["at"], frozenset(), {}, plain=True).__getstate__()["rows"],
                      bytes)


def test_an_object_a_rule_reads_whole_travels_whole() -> None:
    from pytest_testdata.datasets.chunked import _narrowed

    assert _narrowed({"totals.total", "totals.currency", "status"}, {"totals", "status"}) == {
        "totals": ("currency", "total")}
    assert _narrowed({"totals.total", "totals"}, {"totals"}) == {}  # one rule reads the whole object
    assert _narrowed({"totals.total", "totals.0"}, {"totals"}) == {}  # an item of a list, not a key
    assert _narrowed({"totals.*.total"}, {"totals"}) == {}
    assert _narrowed({"totals.total.amount", "totals.tax"}, {"totals"}) == {"totals": ("tax", "total")}


def _typed(value: object) -> object:
    """The value with the type of everything in it (equal values of other types differ)."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


@pytest.mark.parametrize(("plain", "spooled"), [(True, False), (True, True), (False, False), (False, True)])
def test_a_chunk_s_records_come_back_from_a_worker_as_they_were_built(plain: bool, spooled: bool,
                                                                      tmp_path: Path) -> None:
    import datetime as dt
    import pickle

    from pytest_testdata.datasets.chunks import ChunkResult

    address = {"country": "DE", "lines": ["Hauptstr. 1", None]}
    records = [{"id": "a", "total": 12.5, "zero": -0.0, "paid": True, "count": 2**70, "pair": (1, "x"),
                "raw": b"\x00\xff", "address": address, "items": [{"price": 1.1, "qty": 3}]},
               {"id": "b", "address": address, "at": dt.datetime(2025, 1, 2, 3, 4, 5), "tags": []}]
    for sent in (records[:1], records):  # the second holds a date: marshal refuses it, pickle carries it
        result = ChunkResult(0, sent, [(0, "total", "sum", "off")], [1.0], {}, {}, plain=plain,
                             spool=str(tmp_path) if spooled else "")
        back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        assert _typed(back.records) == _typed(sent) and back.violations == result.violations
        assert list(tmp_path.iterdir()) == []  # a spooled file is read once, then gone
        if len(sent) == 2:
            assert back.records[0]["address"] is back.records[1]["address"]  # one object, as built


def test_a_job_holding_a_bytearray_sends_its_records_by_pickle(tmp_path: Path) -> None:
    # marshal would bring a bytearray back as bytes: a job that holds one is not plain.
    import array

    from pytest_testdata.datasets.chunks import EntityJob

    def handed(options: dict) -> bool:
        job = EntityJob(entity="thing", seed=1, schema={}, count=3, locale=None, context=None, options=options,
                        undrawn=False, tables={}, purchases={}, parents_plain=True)
        pool = workers.ChunkPool(1)
        try:
            pool.hand_out(job)
        finally:
            pool.close()
        return job.plain

    assert handed({"fill": b"x", "when": (1, 2)}) is True
    assert handed({"fill": bytearray(b"x")}) is False
    assert handed({"fill": [memoryview(b"x").tobytes(), {"deep": bytearray()}]}) is False
    assert handed({"fill": array.array("b", [1])}) is False  # another bytes-like type


def test_the_dataset_process_builds_the_chunks_no_worker_has_started(monkeypatch: pytest.MonkeyPatch) -> None:
    # Slow workers (forked with a pause in each chunk): while the first chunks are not back, the dataset's
    # process builds the last ones no worker has taken instead of waiting. The same records either way.
    from pytest_testdata.datasets import chunked, chunks

    parent, build, slow = os.getpid(), chunks.build_chunk, chunked.build_chunk

    def paused(job, kit, chunk, start, stop):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            import time

            time.sleep(0.5)
        return build(job, kit, chunk, start, stop)

    here: list[int] = []

    def recorded(job, kit, chunk, start, stop):  # type: ignore[no-untyped-def]
        here.append(chunk[0])
        return slow(job, kit, chunk, start, stop)

    counts = {"product": 6 * CHUNK}
    in_process = generate_dataset(counts, seed=3, processes=1)
    monkeypatch.setattr(workers, "THRESHOLD", 4000)
    monkeypatch.setattr(workers, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(chunks, "build_chunk", paused)
    monkeypatch.setattr(chunked, "build_chunk", recorded)
    pooled = generate_dataset(counts, seed=3, processes=2)
    assert here and 5 in here and 0 not in here and pooled.metadata["product"].details["processes"] == 2
    assert _bytes(pooled) == _bytes(in_process)


def test_draws_made_before_the_parents_are_built_give_the_same_job() -> None:
    # An entity's first draws need only how many records its parents will have: made while the workers build
    # the parents, they give the job that draws made afterwards give; a parent that ends up with another
    # number of records than assumed makes the job draw again, from the stream's start.
    from pytest_testdata.datasets.build import Builder
    from pytest_testdata.datasets.chunked import ChunkedEntity
    from pytest_testdata.datasets.graph import plan_dataset

    engine = Engine()
    request = DatasetRequest.checked({"user": 30, "product": 20, "order": 60}, seed=4)

    def entity(builder: Builder, name: str) -> ChunkedEntity:
        schema, seed, wanted, route = builder._route(name)
        return ChunkedEntity(builder, name, schema, seed, wanted, route.reason, 0.0)

    def job(chunked: ChunkedEntity) -> tuple[object, ...]:
        chunked.prepare()
        made = chunked.job
        assert made is not None
        return made.refs, made.in_lists, made.pairs, chunked.rng.random()

    builder = Builder(engine, request, plan_dataset(request, engine.registry), None, None, processes=1)
    early = entity(builder, "order")
    early.predraw()  # before the users and products exist
    assert early.drawn
    steps = builder.steps()
    while not {"user", "product"} <= set(builder.records):
        next(steps)
    assert "order" not in builder.records
    assert job(early) == job(entity(builder, "order"))
    short = entity(builder, "order")
    short.predraw()
    builder.records["user"].pop()  # a user fewer than the draws assumed
    fresh = entity(builder, "order")
    assert job(short) == job(fresh) and short.drawn is None
