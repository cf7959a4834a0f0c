"""Remote mode with the test's own models: a pydantic model, a dataclass, a marker's model and a dataset of
SQLAlchemy models loaded into ``testdata_db`` get the records local mode gives, as instances of the models.

The models exist only in the test process; the client sends their JSON Schema inline with each call and
the agent compiles it for that call (pytest_testdata/agent/inline.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import RunningAgent, start_agent_process

MODELS = '''
import dataclasses, decimal, json, os
import pytest
import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

OUT = os.environ["TESTDATA_OUT"]

def _save(name, value):
    data = json.load(open(OUT)) if os.path.exists(OUT) else {}
    data[name] = value
    json.dump(data, open(OUT, "w"), sort_keys=True, default=str)

class Line(BaseModel):
    sku: str = Field(pattern=r"^[A-Z]{3}-[0-9]{4}$")
    quantity: int = Field(ge=1, le=9)

class PurchaseOrder(BaseModel):
    order_id: str
    email: str
    lines: list[Line] = Field(min_length=1, max_length=4)
    total: float = Field(ge=0, le=10_000)

@dataclasses.dataclass
class Shipment:
    tracking_number: str
    weight_kg: float
    country: str

class Base(DeclarativeBase):
    pass

class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(120), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(40))

class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    amount: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(10, 2))

@pytest.fixture
def db(testdata_db):
    Base.metadata.create_all(testdata_db.connection())
    return testdata_db

def test_pydantic(testdata):
    orders = testdata(PurchaseOrder, count=10)
    assert all(isinstance(o, PurchaseOrder) and isinstance(o.lines[0], Line) for o in orders)
    one = testdata("purchaseorder")  # by name, once the model is known
    assert isinstance(one, PurchaseOrder)
    _save("pydantic", [o.model_dump(mode="json") for o in orders] + [one.model_dump(mode="json")])

def test_dataclass(testdata):
    shipments = testdata(Shipment, count=10, locale="de_DE")
    assert all(isinstance(s, Shipment) for s in shipments)
    _save("dataclass", [dataclasses.asdict(s) for s in shipments])

@pytest.mark.testdata(PurchaseOrder, count=3)
def test_marker(purchaseorder):
    assert all(isinstance(o, PurchaseOrder) for o in purchaseorder)
    _save("marker", [o.model_dump(mode="json") for o in purchaseorder])

def test_sqlalchemy_dataset(testdata, db):
    ds = testdata.dataset({Customer: 5, Invoice: 12}, into=db)
    assert all(isinstance(c, Customer) for c in ds.objects["customers"])
    assert all(isinstance(i, Invoice) for i in ds.objects["invoices"])
    assert db.scalar(sa.select(sa.func.count()).select_from(Invoice).join(Customer)) == 12
    _save("sqlalchemy", ds.as_dict()["records"])
'''


def _run(pytester: pytest.Pytester, out: Path, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_models=MODELS)
    pytester._monkeypatch.setenv("TESTDATA_OUT", str(out))
    pytester._monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # set when this suite runs under xdist
    return pytester.runpytest_subprocess("--testdata-seed", "4242", "-p", "no:cacheprovider", "-p", "no:randomly",
                                         *args)


def test_model_records_through_the_agent_equal_local_ones(pytester: pytest.Pytester, tmp_path: Path) -> None:
    # The agent in a process of its own, as in real use (unique values are remembered per process).
    proc, started = start_agent_process()
    try:
        address = f"127.0.0.1:{started['grpc_port']}"
        local, remote = tmp_path / "local.json", tmp_path / "remote.json"
        result_local = _run(pytester, local)
        result_local.assert_outcomes(passed=4)
        result_remote = _run(pytester, remote, "--testdata-remote", address)
        result_remote.assert_outcomes(passed=4)
    finally:
        proc.terminate()
        proc.wait(30)
    local_data, remote_data = json.loads(local.read_text()), json.loads(remote.read_text())
    assert sorted(remote_data) == ["dataclass", "marker", "pydantic", "sqlalchemy"]
    assert len(remote_data["pydantic"]) == 11 and len(remote_data["sqlalchemy"]["invoices"]) == 12
    assert remote_data == local_data


def test_a_model_shadowing_an_agent_entity_is_refused(pytester: pytest.Pytester, agent: RunningAgent) -> None:
    pytester.makepyfile('''
        from pydantic import BaseModel

        class User(BaseModel):       # entity "user": the agent has its own, another definition
            nickname: str

        def test_shadow(testdata):
            testdata(User)
    ''')
    result = pytester.runpytest("--testdata-remote", agent.address, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*TestdataUsageError: Test Data Agent at *: schemas?0? ('user', pydantic:*.User): the agent has "
        "an entity 'user' of its own (*user.json) with another definition, and an inline schema may not shadow "
        "it. Give the model another entity name: schema_from_object(Model, name='...')*?INVALID_ARGUMENT?"])


def test_what_no_adapter_reads_is_refused_as_in_local_mode(pytester: pytest.Pytester, agent: RunningAgent) -> None:
    pytester.makepyfile('''
        class Plain:
            name: str

        def test_plain(testdata):
            testdata(Plain)
    ''')
    remote = pytester.runpytest("--testdata-remote", agent.address, "-p", "no:cacheprovider")
    remote.assert_outcomes(failed=1)
    local = pytester.runpytest("-p", "no:cacheprovider")
    local.assert_outcomes(failed=1)
    error = [line for line in local.stdout.lines if line.startswith("E ")]
    assert error and "TestdataUsageError" in error[0] and "Plain" in error[0]
    assert [line for line in remote.stdout.lines if line.startswith("E ")] == error


PROJECT_TESTS = '''
import dataclasses, json, os

OUT = os.environ["TESTDATA_OUT"]

def _save(name, value):
    data = json.load(open(OUT)) if os.path.exists(OUT) else {}
    data[name] = value
    json.dump(data, open(OUT, "w"), sort_keys=True, default=str)

def test_file_entity_by_name(testdata):
    shipments = testdata("shipment", count=6, locale="en_GB")
    assert all(len(s["tracking"]) <= 20 and s["to"]["postal_code"] for s in shipments)
    _save("file", shipments)

def test_hook_model_by_name(testdata):
    from conftest import Parcel
    parcels = testdata("parcel", count=4)
    assert all(isinstance(p, Parcel) and 0 < p.weight_kg <= 30 for p in parcels)
    _save("hook", [dataclasses.asdict(p) for p in parcels])

def test_dataset_of_project_entities(testdata):
    ds = testdata.dataset({"shipment": 3, "parcel": 5})
    _save("dataset", ds.as_dict()["records"])
'''

PROJECT_CONFTEST = '''
import dataclasses

@dataclasses.dataclass
class Parcel:
    parcel_id: str
    weight_kg: float

def pytest_testdata_register_schemas(registry, config):
    from pytest_testdata.schemas import schema_from_object
    registry.register_model(Parcel)
'''


def test_the_project_s_own_entities_travel_to_the_agent_by_name(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """A schema file of the project's `testdata_schemas` (with a `$ref` to a sibling file) and a model its hook
    registers are asked for by name: the agent knows neither, so they travel inline, and the records (and a
    dataset of them) equal local mode's."""
    folder = pytester.mkdir("schemas")
    (folder / "address.json").write_text(json.dumps({
        "title": "address", "type": "object", "required": ["street", "postal_code"],
        "properties": {"street": {"type": "string"}, "postal_code": {"type": "string"}}}))
    (folder / "shipment.json").write_text(json.dumps({
        "title": "shipment", "type": "object", "required": ["tracking", "to"],
        "properties": {"tracking": {"type": "string", "maxLength": 20}, "to": {"$ref": "address.json"}}}))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makeconftest(PROJECT_CONFTEST)
    pytester.makepyfile(test_project=PROJECT_TESTS)
    pytester._monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    proc, started = start_agent_process()
    outputs = {}
    try:
        for mode, args in (("local", ()), ("remote", ("--testdata-remote", f"127.0.0.1:{started['grpc_port']}"))):
            outputs[mode] = tmp_path / f"{mode}.json"
            pytester._monkeypatch.setenv("TESTDATA_OUT", str(outputs[mode]))
            result = pytester.runpytest_subprocess("--testdata-seed", "77", "-p", "no:cacheprovider",
                                                   "-p", "no:randomly", *args)
            result.assert_outcomes(passed=3)
    finally:
        proc.terminate()
        proc.wait(30)
    local, remote = (json.loads(outputs[mode].read_text()) for mode in ("local", "remote"))
    assert sorted(remote) == ["dataset", "file", "hook"]
    assert len(remote["file"]) == 6 and len(remote["dataset"]["parcel"]) == 5
    assert remote == local


def test_a_broken_project_schema_fails_remote_as_it_does_locally(pytester: pytest.Pytester,
                                                                 agent: RunningAgent) -> None:
    folder = pytester.mkdir("schemas")
    (folder / "shipment.json").write_text(json.dumps({
        "title": "shipment", "type": "object",
        "properties": {"weight": {"type": "number", "minimum": 5, "maximum": 1}}}))
    pytester.makeini("[pytest]\ntestdata_schemas = schemas\n")
    pytester.makepyfile('''
        def test_by_name(testdata):
            testdata("shipment")
    ''')
    remote = pytester.runpytest("--testdata-remote", agent.address, "-p", "no:cacheprovider")
    local = pytester.runpytest("-p", "no:cacheprovider")
    errors = [[line for line in run.stdout.lines if line.startswith("E ")] for run in (local, remote)]
    assert errors[0] and "'minimum'" in errors[0][0] and "shipment.json" in errors[0][0]
    assert errors[1] == errors[0]
