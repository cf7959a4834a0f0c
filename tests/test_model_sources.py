"""Python model classes as entities: pydantic v2, dataclasses, TypedDict and attrs, returning instances."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from pytest_testdata.engine import Engine
from pytest_testdata.errors import GenerationError, SchemaError
from pytest_testdata.schemas import SchemaRegistry, SourceAdapter, register_adapter, schema_from_object
from pytest_testdata.schemas.sources import ADAPTERS, ModelBinding, Source, adapter_kinds, source_from_object
from pytest_testdata.types import GenerationRequest

MODELS = '''
from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Annotated, Literal, Optional

import attrs
from annotated_types import Ge, Le, MaxLen
from pydantic import BaseModel, Field, field_validator
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12


class Size(str, Enum):
    s = "S"
    m = "M"
    l = "L"


class Inner(BaseModel):
    n: int = Field(ge=0, le=200)
    label: str = Field(min_length=2, max_length=8)


class Order(BaseModel):
    order_no: int = Field(ge=1000, le=9999)
    status: Literal["new", "paid"]
    size: Size
    inner: Inner
    lines: list[Inner] = Field(min_length=1, max_length=3)
    discount: Annotated[float, Field(ge=0, le=0.5)]
    note: Optional[str] = None
    placed_on: date


@dataclasses.dataclass
class Address:
    street: str
    country: Literal["DE", "FR"]


@dataclasses.dataclass
class Customer:
    name: str
    age: Annotated[int, Ge(18), Le(99)]
    address: Address
    tags: list[str] = dataclasses.field(default_factory=list)


class Parcel(TypedDict):
    weight_kg: Annotated[float, Ge(0.1), Le(30)]
    label: Annotated[str, MaxLen(10)]
    fragile: bool


@attrs.define
class Dimensions:
    width_cm: int = attrs.field(validator=[attrs.validators.ge(1), attrs.validators.le(100)])
    height_cm: int = attrs.field(validator=attrs.validators.and_(attrs.validators.ge(1), attrs.validators.lt(50)))


@attrs.define
class Box:
    code: str = attrs.field(validator=attrs.validators.matches_re(r"BX-[0-9]{4}"))
    colour: str = attrs.field(validator=attrs.validators.in_(["red", "green"]))
    dimensions: Dimensions
    contents: list[str] = attrs.field(factory=list, validator=attrs.validators.max_len(3))
    weight: float = attrs.field(default=1.0, converter=float)


class Picky(BaseModel):
    code: str

    @field_validator("code")
    @classmethod
    def ends_with_a_bang(cls, value: str) -> str:
        if not value.endswith("!"):  # no generated code does (one starting with Z now could, by chance)
            raise ValueError("code must end with !")
        return value
'''


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "shop_models.py").write_text(MODELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("shop_models")


@pytest.mark.parametrize(("name", "kind"), [("Order", "pydantic"), ("Customer", "dataclass"),
                                            ("Parcel", "typeddict"), ("Box", "attrs")])
def test_each_kind_of_model_gives_instances_the_model_itself_accepts(models: Any, name: str, kind: str) -> None:
    model = getattr(models, name)
    registry = SchemaRegistry()
    schema = registry.register_model(model)
    binding = registry.binding(name.lower())
    assert schema.name == name.lower() and binding is not None and binding.kind == kind
    result = Engine(registry).generate(GenerationRequest.checked(schema.name, 60, seed=5))
    assert result.valid, result.metadata.violations[:3]
    instances = [binding.build(record) for record in result.records]
    if kind == "typeddict":
        assert all(isinstance(i, dict) and 0.1 <= i["weight_kg"] <= 30 and len(i["label"]) <= 10 for i in instances)
    else:
        assert all(type(i) is model for i in instances)


def test_pydantic_fields_are_honoured(models: Any) -> None:
    registry = SchemaRegistry()
    registry.register_model(models.Order)
    records = Engine(registry).generate(GenerationRequest.checked("order", 200, seed=2)).records
    orders = [models.Order.model_validate(r) for r in records]
    assert {o.status for o in orders} == {"new", "paid"} and {o.size for o in orders} == set(models.Size)
    assert all(isinstance(o.inner, models.Inner) and 0 <= o.inner.n <= 200 for o in orders)
    assert all(1 <= len(o.lines) <= 3 and 0 <= o.discount <= 0.5 for o in orders)


def test_attrs_validators_and_nesting_are_read(models: Any) -> None:
    registry = SchemaRegistry()
    registry.register_model(models.Box)
    result = Engine(registry).generate(GenerationRequest.checked("box", 100, seed=9))
    boxes = [registry.binding("box").build(r) for r in result.records]  # type: ignore[union-attr]
    assert all(isinstance(b.dimensions, models.Dimensions) for b in boxes)
    assert all(1 <= b.dimensions.width_cm <= 100 and 1 <= b.dimensions.height_cm < 50 for b in boxes)
    assert {b.colour for b in boxes} == {"red", "green"} and all(len(b.contents) <= 3 for b in boxes)
    assert all(b.code.startswith("BX-") and len(b.code) == 7 for b in boxes)


def test_a_record_the_model_refuses_is_an_error_naming_the_field(models: Any) -> None:
    binding = source_from_object(models.Order).binding
    assert binding is not None
    with pytest.raises(GenerationError, match=r"entity 'order': the model shop_models.Order refused a generated "
                       r"record at 'order_no': Input should be less than or equal to 9999 \(value 12000\)"):
        binding.build({"order_no": 12000, "status": "new", "size": "S", "inner": {"n": 1, "label": "ab"},
                       "lines": [{"n": 1, "label": "ab"}], "discount": 0.1, "placed_on": "2024-01-02"})


def test_a_custom_validator_the_schema_cannot_express_fails_the_call_with_its_message(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(shop_models=MODELS)
    pytester.makepyfile("""
        from shop_models import Picky

        def test_it(testdata):
            testdata(Picky)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *pytest_testdata.errors.GenerationError: entity 'picky': the model "
                                 "shop_models.Picky refused a generated record at 'code': Value error, code must "
                                 "end with ! (value *). The model checks something its JSON Schema does not say*"])


def test_something_that_is_not_a_model_names_the_allowed_kinds() -> None:
    with pytest.raises(Exception,
                       match=r"got 42. Allowed model kinds: sqlalchemy, pydantic, dataclass, typeddict, attrs"):
        schema_from_object(42)


def test_source_adapters_can_be_added_for_other_model_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the datasets work builds SQLAlchemy models on: a new kind of object, one adapter."""
    from pytest_testdata.schemas.model import Schema

    class Table:
        columns = ("sku",)

    def load(obj: Any, name: str | None) -> Source:
        schema = Schema.from_json_schema({"type": "object", "required": ["sku"],
                                          "properties": {"sku": {"type": "string", "pattern": "^[A-Z]{3}$"}}},
                                         name=name or "table", source="table:Table")
        return Source(schema, ModelBinding(obj, "table", lambda record: ("row", record["sku"])))

    # The built-in adapters load on first use: load them before copying the list, or a worker process whose
    # first model test is this one restores an empty list afterwards and every later model test fails.
    adapter_kinds()
    monkeypatch.setattr("pytest_testdata.schemas.sources.ADAPTERS", list(ADAPTERS))
    register_adapter(SourceAdapter("table", lambda obj: obj is Table, load))
    registry = SchemaRegistry()
    registry.register_model(Table)
    record = Engine(registry).generate(GenerationRequest.checked("table", 1, seed=1)).records[0]
    assert registry.binding("table").build(record) == ("row", record["sku"])  # type: ignore[union-attr]


def test_an_attrs_class_that_refers_to_itself_is_refused_at_load(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tree_models.py").write_text(
        "from __future__ import annotations\nimport attrs\n\n@attrs.define\nclass Node:\n"
        "    name: str\n    children: list[Node] = attrs.field(factory=list)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    node = importlib.import_module("tree_models").Node
    with pytest.raises(SchemaError, match=r"schema attrs:tree_models.Node: at /, '\$ref': a recursive attrs class "
                       r"is not supported. Fix: describe recursive entities with pydantic models or dataclasses"):
        schema_from_object(node)


# --- through pytest ----------------------------------------------------------------------------------


def test_fixture_and_marker_return_instances_of_every_kind(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(shop_models=MODELS)
    pytester.makepyfile(test_models="""
        import pytest
        from shop_models import Box, Customer, Order, Parcel

        def test_fixture(testdata):
            order = testdata(Order)
            assert isinstance(order, Order) and 1000 <= order.order_no <= 9999
            customers = testdata(Customer, count=4)
            assert len(customers) == 4 and all(isinstance(c, Customer) for c in customers)
            assert all(type(c.address).__name__ == "Address" for c in customers)
            assert testdata.last.metadata.entity == "customer" and testdata.last.valid
            assert isinstance(testdata.last.records[0], dict)   # the result keeps the plain records
            assert isinstance(testdata("order"), Order)          # by name, once registered
            parcel = testdata(Parcel)
            assert isinstance(parcel, dict) and set(parcel) == {"weight_kg", "label", "fragile"}

        @pytest.mark.testdata(Box, count=3)
        def test_marker(box):
            assert [type(b).__name__ for b in box] == ["Box", "Box", "Box"]

        @pytest.mark.testdata.with_args(Order)   # a class alone would be taken as the marked object
        def test_marker_one(order):
            assert isinstance(order, Order)

        @pytest.mark.testdata(Order, variant="invalid")
        def test_invalid(order, testdata):
            assert isinstance(order, dict)  # a record the model would refuse cannot be an instance
            assert len(testdata.last.metadata.violations) == 1
    """)
    result = pytester.runpytest("-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 10 and "failed" not in outcomes and "errors" not in outcomes, \
        result.stdout.str()


def test_factory_for_a_model_builds_instances(models: Any) -> None:
    import factory.random

    from pytest_testdata import factory_for

    factory.random.reseed_random(3)
    orders = factory_for(models.Order).build_batch(5)
    assert all(isinstance(o, models.Order) for o in orders)
    customer = factory_for(models.Customer)()
    assert isinstance(customer, models.Customer) and 18 <= customer.age <= 99


def test_sqlalchemy_models_give_instances_through_the_same_adapters(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from sqlalchemy import String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Supplier(Base):
            __tablename__ = "suppliers"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            email: Mapped[str | None] = mapped_column(String(80), unique=True)

        def test_it(testdata):
            suppliers = testdata(Supplier, count=3)
            assert all(isinstance(s, Supplier) and len(s.name) <= 40 for s in suppliers)
            assert isinstance(testdata.last.records[0], dict)
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_sqlalchemy_integer_widths_are_limits_not_ranges() -> None:
    """A SmallInteger `rating` is a few stars and an Integer `views` a count, not a value anywhere up to the
    column's 32,767 or 2**31 - 1; the widths still bound what validation accepts."""
    import sqlalchemy as sa
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    from pytest_testdata import TestdataUsageError, generate

    class Base(DeclarativeBase):
        pass

    class ApiComment(Base):
        __tablename__ = "api_comments"
        # Typed without Mapped[...]: this module's annotations are strings SQLAlchemy cannot resolve here.
        id = mapped_column(sa.Integer, primary_key=True)
        rating = mapped_column(sa.SmallInteger, nullable=False)
        views = mapped_column(sa.Integer, nullable=False)
        bytes_sent = mapped_column(sa.BigInteger, nullable=False)

    records = generate(ApiComment, 200, seed=5).records
    assert {r["rating"] for r in records} <= {1, 2, 3, 4, 5}
    assert all(0 <= r["views"] < 1_000_000 and r["id"] >= 1 for r in records)
    with pytest.raises(TestdataUsageError, match=r"min 40000 is above the schema's maximum 32767"):
        generate(ApiComment, 1, seed=5, constraints={"rating": {"min": 40_000, "max": 50_000}})


def test_the_python_api_takes_a_schema_or_a_model_class() -> None:
    """``pytest_testdata.generate()`` outside pytest takes what the fixture takes: a Schema or a model class,
    registered on first use; a model named like a built-in entity is refused, naming both sources."""
    import dataclasses

    from pytest_testdata import TestdataUsageError, generate
    from pytest_testdata.schemas import Schema

    ticket = Schema.from_json_schema({"title": "api_ticket", "type": "object", "required": ["price", "sku"],
                                      "properties": {"price": {"type": "number"}, "sku": {"type": "string"}}})
    records = generate(ticket, 5, seed=3).records
    assert len(records) == 5 and all(round(r["price"], 2) == r["price"] for r in records)

    @dataclasses.dataclass
    class ApiParcel:
        weight_kg: float
        reference: str

    parcels = generate(ApiParcel, 3, seed=3).records
    assert [sorted(p) for p in parcels] == [["reference", "weight_kg"]] * 3

    @dataclasses.dataclass
    class Order:
        number: int

    with pytest.raises(TestdataUsageError, match=r"entity 'order' .* would replace the schema of the same name"):
        generate(Order, 1)
    with pytest.raises(TestdataUsageError,
                       match=r"a Schema or a model class, got 42. Allowed model kinds: sqlalchemy, pydantic"):
        generate(42, 1)  # the model adapters name what they read


def test_generate_outside_pytest_gives_a_model_s_instances() -> None:
    from pydantic import BaseModel, Field

    from pytest_testdata import generate

    class Booking(BaseModel):
        booking_id: int
        guests: int = Field(ge=1, le=4)

    result = generate(Booking, 5, seed=3)
    assert result.objects is not None and all(isinstance(b, Booking) for b in result.objects)
    assert [b.model_dump() for b in result.objects] == result.records
    assert generate(Booking, 2, seed=3, variant="invalid").objects is None  # the model would refuse them
    assert generate("cart", 1, seed=3).objects is None
