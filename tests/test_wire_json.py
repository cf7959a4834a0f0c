"""The records' wire JSON: orjson (when installed) writes exactly the standard library's text, NaN included."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import sys
import uuid
from decimal import Decimal
from typing import Any

import orjson  # the agent and fast extras: CI installs it; without it this module fails, never skips
import pytest

from pytest_testdata import Engine, GenerationRequest, wire_json
from pytest_testdata.types import records_json

FAST = wire_json.orjson_encoder()
assert FAST is not None
STDLIB = wire_json.stdlib_records_json

ENTITIES = ("user", "cart", "order", "payment", "product", "review")
LOCALES = ("en_US", "de_DE", "en_GB", "fr_FR", "ja_JP", "nl_NL")


def test_records_json_encodes_with_orjson_when_it_is_installed() -> None:
    assert records_json([{"a": 1}]) == '[{"a":1}]'
    assert wire_json.encoder().__name__ == "orjson_records_json"


def test_large_lists_are_written_by_the_standard_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream's chunks (1,000 records) go to the standard library: orjson's one large buffer per chunk made
    the agent's memory grow under load (tests/agent/test_soak.py). The text is the same either way."""
    calls: list[int] = []
    real = orjson.dumps

    def counted(records: Any, **kwargs: Any) -> bytes:
        calls.append(len(records))
        return real(records, **kwargs)

    monkeypatch.setattr(orjson, "dumps", counted)
    encode = wire_json.orjson_encoder()
    assert encode is not None
    small = [{"n": i} for i in range(wire_json.LARGEST)]
    large = [*small, {"n": -1}]
    assert encode(small) == STDLIB(small) and encode(large) == STDLIB(large)
    assert calls == [wire_json.LARGEST]  # the large list never reached orjson


def test_without_orjson_the_standard_library_encodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson raises ImportError
    monkeypatch.setattr(wire_json, "_encode", None)
    assert wire_json.orjson_encoder() is None
    assert wire_json.encoder() is STDLIB
    assert records_json([{"a": math.nan}]) == '[{"a":NaN}]'


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


@pytest.mark.parametrize("variant", ["valid", "invalid"])
@pytest.mark.parametrize("entity", ENTITIES)
def test_built_in_records_are_the_same_bytes(engine: Engine, entity: str, variant: str) -> None:
    for locale in LOCALES:
        for hint in (None, "edge_cases", "minimal", "maximal"):  # every shape the records take
            records = engine.generate(GenerationRequest.checked(
                entity, 30, seed=11, locale=locale, variant=variant, strict=False, hints=hint)).records
            assert FAST(records) == STDLIB(records), (entity, locale, variant, hint)


class Colour(enum.IntEnum):
    RED = 1


class Name(str):
    pass


@dataclasses.dataclass
class Point:
    x: int


ODD_VALUES: list[Any] = [
    Decimal("1.10"), datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.date(2024, 1, 2), datetime.time(3, 4),
    datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc), uuid.UUID("12345678-1234-5678-1234-567812345678"),
    {1, 2}, b"raw", Point(1), Name("sub"), Colour.RED, 2**64, -(2**63) - 1, (1, "a"), {1: "int key"},
    {"k": Decimal("2")}, "a\u2028b\x00\x1f\"\\/é😀", 1e16, 1e22, -0.0, 123.0, 0.1, True, None,
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_values_json_lacks_are_written_as_the_standard_library_writes_them(value: Any) -> None:
    records = [{"value": value, "after": 1}]
    assert FAST(records) == STDLIB(records) == json.dumps(records, ensure_ascii=False, separators=(",", ":"),
                                                          default=str)


@pytest.mark.parametrize("encode", [FAST, STDLIB], ids=["orjson", "stdlib"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=repr)
def test_a_non_finite_float_is_never_written_as_null(encode: Any, value: float) -> None:
    records = [{"id": "a", "score": value, "nested": {"list": [1.5, value]}}]
    text = encode(records)
    assert "null" not in text
    assert text == json.dumps(records, ensure_ascii=False, separators=(",", ":"))  # NaN / Infinity, as always
    again = json.loads(text)
    assert repr(again[0]["score"]) == repr(value) and repr(again[0]["nested"]["list"][1]) == repr(value)


def test_a_none_beside_a_nan_stays_null_and_the_nan_stays_nan() -> None:
    records = [{"missing": None, "odd": math.nan}]
    assert FAST(records) == STDLIB(records) == '[{"missing":null,"odd":NaN}]'


def test_a_lone_surrogate_is_written_as_the_standard_library_writes_it() -> None:
    records = [{"broken": "a\ud800b"}]
    assert FAST(records) == STDLIB(records)


@pytest.mark.parametrize("value", [1e-05, 5.681e-05, 1.5e-07, -2.61412082e-09])
def test_a_tiny_float_reads_back_as_the_same_number(value: float) -> None:
    # orjson writes 0.00001 where json writes 1e-05 (the one difference of form left, see wire_json).
    assert json.loads(FAST([{"v": value}])) == json.loads(STDLIB([{"v": value}])) == [{"v": value}]
