"""The agent's ``GenerateDataset`` stream on a real server, and remote mode's ``testdata.dataset``; the same
dataset serially, under xdist and through the agent."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from pytest_testdata.agent import taken_wire
from pytest_testdata.agent import testdata_pb2 as pb
from pytest_testdata.agent import testdata_pb2_grpc as pb_grpc
from pytest_testdata.agent.client import AgentClient
from pytest_testdata.datasets import DatasetRequest, generate_dataset
from pytest_testdata.errors import GenerationError, TestdataUsageError
from tests.agent.conftest import RunningAgent, start_agent

COUNTS = {"user": 20, "product": 12, "order": 60, "payment": 60, "review": 25}


@pytest.fixture(scope="module")
def agent() -> Iterator[RunningAgent]:
    running = start_agent(auth_token="s3cret")
    yield running
    running.server.stop(grace=1)


@pytest.fixture
def client(agent: RunningAgent) -> Iterator[AgentClient]:
    with AgentClient(agent.address, token="s3cret", timeout=60) as c:
        yield c


def test_remote_dataset_equals_the_local_one(client: AgentClient) -> None:
    remote = client.dataset(DatasetRequest.checked(COUNTS, seed=21))
    local = generate_dataset(COUNTS, seed=21)
    assert remote.entities == local.entities
    assert remote.as_dict()["records"] == local.as_dict()["records"]
    assert remote.keys == local.keys and remote.plan == local.plan
    assert remote.metadata["payment"].dataset_coherence == 1.0 and remote.valid


def test_external_ids_go_through_the_agent(client: AgentClient) -> None:
    """Ids of users that exist elsewhere reach the agent's dataset (the same orders as built locally), and an id
    the referring field refuses is the same one error, refused before any chunk."""
    users = [f"6f1c2a57-6f3e-4a43-9d3b-3f3c1f0a00{n:02d}" for n in range(1, 6)]
    counts = {"product": 6, "order": 30, "payment": 30}
    remote = client.dataset(DatasetRequest.checked(counts, external={"user": users}, seed=4))
    local = generate_dataset(counts, external={"user": users}, seed=4)
    assert remote.as_dict()["records"] == local.as_dict()["records"] and remote.valid
    assert list(remote.entities) == ["product", "order", "payment"]
    assert {o["customer_id"] for o in remote["order"]} <= set(users)
    with pytest.raises(TestdataUsageError) as err:
        client.dataset(DatasetRequest.checked(counts, external={"user": [*users, "u-6"]}, seed=4))
    assert "[INVALID_ARGUMENT]" in str(err.value)
    assert ("external id 'u-6' of user cannot go into order.customer_id: 'u-6' is not a valid uuid [format] "
            "(1 of the 6 ids does not fit)") in str(err.value)


def test_the_stream_goes_entity_by_entity_in_chunks(agent: RunningAgent) -> None:
    with grpc.insecure_channel(agent.address) as channel:
        stub = pb_grpc.TestDataServiceStub(channel)  # type: ignore[no-untyped-call]
        request = pb.GenerateDatasetRequest(counts=COUNTS, seed=3, batch_size=25)
        chunks = list(stub.GenerateDataset(request, metadata=(("authorization", "Bearer s3cret"),), timeout=60))
    order = list(dict.fromkeys(c.entity for c in chunks if c.entity))
    assert order == ["product", "user", "order", "payment", "review"]  # parents first, ties by name
    assert [c.index for c in chunks] == list(range(len(chunks)))
    orders = [c for c in chunks if c.entity == "order"]
    assert [c.offset for c in orders] == [0, 25, 50]
    assert [len(json.loads(c.records_json)) for c in orders] == [25, 25, 10]
    assert [c.entity_last for c in orders] == [False, False, True]
    assert json.loads(orders[-1].entity_metadata_json)["count"] == 60
    assert chunks[-1].last and json.loads(chunks[-1].dataset_json)["entities"] == order


def test_bad_requests_are_refused_before_any_chunk(agent: RunningAgent, client: AgentClient) -> None:
    with pytest.raises(TestdataUsageError) as err:
        client.dataset(DatasetRequest.checked({"user": 2, "product": 2, "review": 3}, seed=1))
    assert "review records need order records" in str(err.value) and "[INVALID_ARGUMENT]" in str(err.value)
    with grpc.insecure_channel(agent.address) as channel:
        stub = pb_grpc.TestDataServiceStub(channel)  # type: ignore[no-untyped-call]
        auth = (("authorization", "Bearer s3cret"),)
        stream = stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"usr": 2}), metadata=auth, timeout=30)
        with pytest.raises(grpc.RpcError) as rpc:
            next(iter(stream))
        assert rpc.value.code() == grpc.StatusCode.NOT_FOUND and "did you mean 'user'" in rpc.value.details()
        stream = stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"user": 2}), timeout=30)
        with pytest.raises(grpc.RpcError) as rpc:
            next(iter(stream))
        assert rpc.value.code() == grpc.StatusCode.UNAUTHENTICATED
        stream = stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"user": 2}, batch_size=0), metadata=auth,
                                      timeout=30)
        with pytest.raises(grpc.RpcError) as rpc:
            next(iter(stream))
        assert rpc.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "batch_size" in rpc.value.details()
        for taken, said in [("{not json", "taken_json: not JSON"),
                            ('{"usr": {"email": ["a@b.co"]}}', "taken_json: entity 'usr' is not in this dataset "
                                                               "(it has: user)."),
                            ('{"user": {"mail": ["a@b.co"]}}', "taken_json['user']: 'mail' is no field of user"),
                            ('{"user": {"email": [true]}}', "taken_json['user']['email']: expected a list of whole "
                                                            "numbers and strings, got [True].")]:
            stream = stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"user": 2}, taken_json=taken),
                                          metadata=auth, timeout=30)
            with pytest.raises(grpc.RpcError) as rpc:
                next(iter(stream))
            assert rpc.value.code() == grpc.StatusCode.INVALID_ARGUMENT and said in rpc.value.details(), taken


def test_metrics_count_dataset_calls_and_records(agent: RunningAgent, client: AgentClient) -> None:
    client.dataset(DatasetRequest.checked({"user": 7}, seed=2))
    text = urllib.request.urlopen(f"{agent.http}/metrics", timeout=10).read().decode()
    assert 'testdata_requests_total{path="/testdata.v1.TestDataService/GenerateDataset",status="OK"}' in text
    assert any(line.startswith('testdata_records_generated_total{entity="user",strategy="traditional"}')
               for line in text.splitlines())


DIGEST_TEST = '''
    import hashlib, json, os
    from pathlib import Path

    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str] = mapped_column(sa.String(60), unique=True)


    class Member(Base):
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(sa.String(120), unique=True)
        role: Mapped[str] = mapped_column(sa.String(20))
        __mapper_args__ = {"polymorphic_on": "role", "polymorphic_identity": "member"}


    class Admin(Member):
        __mapper_args__ = {"polymorphic_identity": "admin"}


    def _save(name, ds):
        digest = hashlib.sha256(json.dumps(ds.as_dict()["records"], sort_keys=True).encode()).hexdigest()
        Path(os.environ["DIGESTS"], name).write_text(digest)

    def test_shop(testdata):
        _save("shop", testdata.dataset({"user": 15, "product": 10, "order": 40, "payment": 40, "review": 15}))

    def test_root(testdata):
        testdata("user")  # a call before the dataset: the dataset's seed does not depend on it
        _save("root", testdata.dataset(root="payment", count=12))

    def test_into_db(testdata, testdata_db):
        ds = testdata.dataset(root="order", count=10, into=testdata_db)
        assert testdata_db.execute(sa.text('SELECT count(*) FROM "order"')).scalar() == 10
        _save("db", ds)

    def test_after_rows(testdata, testdata_db):
        # A second dataset into the same tables: its keys follow the first's, its titles repeat none of them,
        # in remote mode too (the agent is sent what the tables hold).
        first = testdata.dataset({Note: 40}, into=testdata_db)
        second = testdata.dataset({Note: 40}, into=testdata_db)
        assert min(n["id"] for n in second["notes"]) > max(n["id"] for n in first["notes"])
        assert testdata_db.execute(sa.text("SELECT count(DISTINCT title) FROM notes")).scalar() == 80
        _save("after", second)

    def test_kinds(testdata, testdata_db):
        # Two classes of one model: eight members and two admins, in one table, their keys apart.
        ds = testdata.dataset({Member: 8, Admin: 2}, into=testdata_db)
        roles = testdata_db.execute(sa.text("SELECT role, count(*) FROM members GROUP BY role ORDER BY role")).all()
        assert [tuple(r) for r in roles] == [("admin", 2), ("member", 8)]
        assert [type(a) for a in ds.objects["admin"]] == [Admin, Admin]
        _save("kinds", ds)
'''


def _digests(pytester: pytest.Pytester, folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, str]:
    folder.mkdir()
    monkeypatch.setenv("DIGESTS", str(folder))
    result = pytester.runpytest_subprocess("--testdata-seed", "4242", "-p", "no:randomly", *args)
    result.assert_outcomes(passed=5)
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_same_dataset_serial_under_xdist_and_through_the_agent(pytester: pytest.Pytester, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_digest=DIGEST_TEST)
    serial = _digests(pytester, tmp_path / "serial", monkeypatch)
    xdist = _digests(pytester, tmp_path / "xdist", monkeypatch, "-n", "2")
    running = start_agent()
    try:
        remote = _digests(pytester, tmp_path / "remote", monkeypatch, "--testdata-remote", running.address)
        served = [line for line in running.log_lines() if line.get("method") == "GenerateDataset"]
        assert len(served) == 6 and all(line["status"] == "OK" for line in served)
    finally:
        running.server.stop(grace=1)
    assert len(serial) == 5
    assert serial == xdist == remote


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.parametrize(("env", "extra"), [({}, 0), ({"TESTDATA_DATASET_PROCESSES": "2"}, 1)],
                         ids=["default-builds-in-the-serving-worker", "pool-when-asked-for"])
def test_a_large_dataset_starts_no_process_pool_in_the_agent_unless_asked(env: dict[str, str], extra: int) -> None:
    # Each agent worker already has a core of its own: a pool per call would multiply processes by calls.
    from tests.agent.conftest import start_agent_process

    proc, started = start_agent_process({"WORKERS": "1", **env})
    try:
        before = _descendants(proc.pid)
        assert len(before) == 1  # the supervisor's one worker
        with grpc.insecure_channel(f"127.0.0.1:{started['grpc_port']}") as channel:
            stub = pb_grpc.TestDataServiceStub(channel)  # type: ignore[no-untyped-call]
            stream = stub.GenerateDataset(pb.GenerateDatasetRequest(counts={"user": 10_000}, seed=4, batch_size=100),
                                          timeout=120)
            first = next(iter(stream))
            assert first.entity == "user" and first.entity_total == 10_000
            during = _descendants(proc.pid) - before
            rest = list(stream)
        assert rest[-1].last
        if extra:
            # Two processes building: the serving worker and one dataset worker, started from a forkserver
            # (the agent runs gRPC threads, which a fork would copy mid-flight).
            assert len(during) >= 2, "TESTDATA_DATASET_PROCESSES=2 asks for one dataset worker (and its forkserver)"
        else:
            assert during == set(), f"processes started by one dataset call: {sorted(during)}"
    finally:
        proc.terminate()
        proc.wait(30)


def test_taken_values_travel_as_json_text_up_to_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-number field's largest value always goes; text values go while their JSON fits the budget, and
    the fields past it keep their numbers only (a repeat is then the database's error, as locally)."""
    taken = {"notes": {"id": {40}, "title": {"Budget", "Roadmap"}}, "tags": {"name": {"x" * 30}}}
    assert json.loads(taken_wire.taken_json(taken)) == {
        "notes": {"id": [40], "title": ["Budget", "Roadmap"]}, "tags": {"name": ["x" * 30]}}
    monkeypatch.setattr(taken_wire, "MAX_TEXT_BYTES", 25)
    assert json.loads(taken_wire.taken_json(taken)) == {"notes": {"id": [40], "title": ["Budget", "Roadmap"]}}
    assert taken_wire.taken_json({"notes": {"title": set()}}) == ""


def test_an_agent_without_the_feature_is_named_before_the_call(client: AgentClient) -> None:
    client._features = frozenset({"cassettes", "inline-schemas"})  # an agent from before taken_json
    with pytest.raises(GenerationError, match=r"does not announce the 'taken-values' feature, so it cannot keep "
                                              r"the dataset's unique values apart from the rows already in your "
                                              r"database\. Upgrade the agent"):
        client.dataset(DatasetRequest.checked({"user": 3}, seed=1), taken={"user": {"email": {"a@b.co"}}})
    assert client.dataset(DatasetRequest.checked({"user": 3}, seed=1), taken={}).valid  # nothing to send: sent
